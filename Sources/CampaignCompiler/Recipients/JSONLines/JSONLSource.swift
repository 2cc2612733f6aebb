import Foundation
import YAMLSyntax

/// JSON Lines: one object per line, values strings or numbers. Objects need not all have the same
/// keys, so the columns are the keys asked for (a row lacking one has an empty value there), or,
/// when none are named, the keys of the first object. Blank lines are skipped.
public struct JSONLSource: RecipientSource {
    /// The file's path.
    public var path: String
    /// The keys to read as columns; nil takes the first object's keys.
    public var columns: [String]?
    /// Which files may be read, and the size limit.
    public var access: SourceAccess
    /// The campaign file that names this source, whose folder bounds it.
    public var campaignPath: String?

    /// Creates a JSON Lines source.
    public init(path: String, columns: [String]? = nil, access: SourceAccess = .unconfined, campaignPath: String? = nil) {
        self.path = path
        self.columns = columns
        self.access = access
        self.campaignPath = campaignPath
    }

    public func open() throws(RecipientSourceError) -> (header: RecipientHeader, rows: Rows) {
        let lines = try LineReader(path: path, access: access, campaignPath: campaignPath)
        guard let first = try lines.nextObject() else {
            throw RecipientSourceError(.empty, "holds no rows")
        }
        let columns = self.columns ?? first.object.keys.sorted()
        let length = first.bytes.reduce(0) { $1 & 0xC0 != 0x80 ? $0 + 1 : $0 }
        let range = SourceRange(start: SourcePosition(line: first.line, column: 1), end: SourcePosition(line: first.line, column: length + 1))
        // The first line holds a recipient's data, so it is not shown under diagnostics.
        let header = RecipientHeader(columns: columns, range: range, text: nil)
        return (header, Rows(lines: lines, columns: columns, first: first))
    }

    /// The rows, the first object included (JSON Lines has no separate header).
    public struct Rows: AsyncSequence {
        let lines: LineReader
        let columns: [String]
        let first: LineReader.ObjectLine

        public func makeAsyncIterator() -> Iterator { Iterator(lines: lines, columns: columns, pending: first) }

        /// Reads and decodes one line per call.
        public struct Iterator: AsyncIteratorProtocol {
            let lines: LineReader
            let columns: [String]
            var pending: LineReader.ObjectLine?

            public mutating func next(isolation actor: isolated (any Actor)?) async throws(RecipientSourceError) -> RecipientRow? {
                try nextRow()
            }

            public mutating func next() async throws(RecipientSourceError) -> RecipientRow? {
                try nextRow()
            }

            private mutating func nextRow() throws(RecipientSourceError) -> RecipientRow? {
                let object: LineReader.ObjectLine
                if let pending {
                    object = pending
                    self.pending = nil
                } else {
                    guard let next = try lines.nextObject() else { return nil }
                    object = next
                }
                return JSONLSource.row(from: object, columns: columns)
            }
        }
    }
}

extension JSONLSource {
    /// The row of a decoded line: the value of each column (text, a number as written by
    /// Foundation, or empty), positioned at the column's key.
    static func row(from object: LineReader.ObjectLine, columns: [String]) -> RecipientRow {
        var fields: [String] = []
        var positions: [SourcePosition] = []
        fields.reserveCapacity(columns.count)
        for column in columns {
            let value: String
            switch object.object[column] {
            case let text as String: value = text
            case let number as NSNumber: value = number.stringValue
            default: value = ""
            }
            fields.append(value)
            positions.append(SourcePosition(line: object.line, column: Self.column(of: column, in: object.bytes)))
        }
        return RecipientRow(fields: fields, positions: positions, line: object.line)
    }

    /// The row of one line (its line feed removed), or nil for a blank line: the rules of
    /// `LineReader`, for the lines the fast reader leaves to Foundation.
    static func row(line raw: UnsafeBufferPointer<UInt8>, number: Int, columns: [String]) throws(RecipientSourceError) -> RecipientRow? {
        if let nul = raw.firstIndex(of: 0) {
            let column = raw[0..<nul].reduce(1) { $1 & 0xC0 != 0x80 ? $0 + 1 : $0 }
            throw RecipientSourceError(.nulByte, "holds a NUL byte here; it is not a text file", at: SourcePosition(line: number, column: column))
        }
        var bytes = Array(raw)
        if bytes.last == 0x0D { bytes.removeLast() }
        guard let object = try LineReader.object(bytes, number: number) else { return nil }
        return row(from: object, columns: columns)
    }

    /// The column of `"key"` in the line, so a diagnostic points at the value's key.
    static func column(of key: String, in bytes: [UInt8]) -> Int {
        let needle = Array("\"\(key)\"".utf8)
        guard needle.count <= bytes.count else { return 1 }
        for start in 0...(bytes.count - needle.count) where bytes[start] == 0x22 && Array(bytes[start..<(start + needle.count)]) == needle {
            return bytes[0..<start].reduce(1) { $1 & 0xC0 != 0x80 ? $0 + 1 : $0 }
        }
        return 1
    }
}

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
                throw RecipientSourceError(.unreadable, "a read failed", at: SourcePosition(line: line + 1, column: 1))
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
