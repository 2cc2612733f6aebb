import Foundation
import YAMLSyntax

/// Splits a file into lines through a `ByteReader` and decodes each non-blank one as a JSON object.
final class LineReader {
    private let reader: ByteReader
    private var line = 0
    private var started = false

    struct ObjectLine {
        var object: [String: Any]
        var bytes: [UInt8]
        var line: Int
    }

    /// The longest line read: far longer than any recipient's object, short enough to bound memory.
    static let maxLineBytes = 1 << 20

    init(path: String, access: SourceAccess, campaignPath: String?) throws(RecipientSourceError) {
        reader = try ByteReader(path: path, gb18030: false, access: access, campaignPath: campaignPath)
    }

    /// A NUL byte in `bytes[range]` as an error at its column on `line`, or nil.
    private func nulError(in range: Range<Int>, line: Int) -> RecipientSourceError? {
        guard let nul = reader.bytes[range].firstIndex(of: 0) else { return nil }
        let column = reader.bytes[range.lowerBound..<nul].reduce(1) { $1 & 0xC0 != 0x80 ? $0 + 1 : $0 }
        reader.start = reader.end
        return RecipientSourceError(.nulByte, "holds a NUL byte here; it is not a text file", at: SourcePosition(line: line, column: column))
    }

    func nextObject() throws(RecipientSourceError) -> ObjectLine? {
        while let (bytes, number) = try nextLine() {
            if let object = try Self.object(bytes, number: number) { return object }
        }
        return nil
    }

    /// The object on one line (line break removed), or nil when the line is blank.
    static func object(_ bytes: [UInt8], number: Int) throws(RecipientSourceError) -> ObjectLine? {
        guard bytes.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { return nil }
        guard YAMLParser.firstInvalidUTF8Byte(in: bytes) == nil else {
            throw RecipientSourceError(.encoding, "is not valid UTF-8 on this line", at: SourcePosition(line: number, column: 1))
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw RecipientSourceError(.notAnObject, "does not hold a JSON object on this line", at: SourcePosition(line: number, column: 1))
        }
        return ObjectLine(object: object, bytes: bytes, line: number)
    }

    private func nextLine() throws(RecipientSourceError) -> ([UInt8], Int)? {
        while true {
            if !started, reader.end - reader.start >= 3 || reader.atEOF {
                if reader.bytes[reader.start..<reader.end].starts(with: [0xEF, 0xBB, 0xBF]) { reader.start += 3 }
                started = true
            }
            if started, let newline = reader.bytes[reader.start..<reader.end].firstIndex(of: 0x0A) {
                if let error = nulError(in: reader.start..<newline, line: line + 1) { throw error }
                var bytes = Array(reader.bytes[reader.start..<newline])
                if bytes.last == 0x0D { bytes.removeLast() }
                reader.start = newline + 1
                line += 1
                return (bytes, line)
            }
            // No line end in the buffer: a NUL byte is reported at once, not after gigabytes.
            if let error = nulError(in: reader.start..<reader.end, line: line + 1) { throw error }
            if reader.held > Self.maxLineBytes {
                throw RecipientSourceError(.longRow, "has a line over 1 MiB; JSON Lines holds one small object per line", at: SourcePosition(line: line + 1, column: 1))
            }
            let more: Bool
            do {
                more = try reader.refill()
            } catch {
                throw RecipientSourceError(.unreadable, "a read failed", at: SourcePosition(line: line + 1, column: 1), cause: error)
            }
            if !more {
                guard reader.start < reader.end else { return nil }
                var bytes = Array(reader.bytes[reader.start..<reader.end])
                if bytes.last == 0x0D { bytes.removeLast() }
                reader.start = reader.end
                line += 1
                return (bytes, line)
            }
        }
    }
}
