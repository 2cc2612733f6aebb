import Foundation
import YAMLSyntax

/// The column names of a recipient file and where its header stands, read without reading the rows.
struct SourceHeader {
    /// The column names, in order.
    var columns: [String]
    /// Where the header is in the recipient file.
    var range: SourceRange
    /// The header's lines, for showing under a diagnostic.
    var text: SourceText

    /// What went wrong reading a header.
    enum Failure: Error {
        case missing
        case unreadable(String)
        case empty
        case notUTF8(line: Int)
        case notAnObject(line: Int)
    }

    /// The most bytes read to find a header.
    static let headerByteLimit = 1 << 20

    static func read(_ spec: RecipientSourceSpec) -> Result<SourceHeader?, Failure> {
        let path = spec.resolvedPath
        guard FileManager.default.fileExists(atPath: path) else { return .failure(.missing) }
        guard spec.kind != .sqlite else { return .success(nil) }
        guard let handle = FileHandle(forReadingAtPath: path) else { return .failure(.unreadable("permission denied or not a regular file")) }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: headerByteLimit) ?? Data()
        } catch {
            return .failure(.unreadable("read failed"))
        }
        var bytes = [UInt8](data)
        switch spec.kind {
        case .csv:
            if spec.encoding == .gb18030 {
                guard let decoded = TextEncoding.decodeGB18030(bytes) else { return .failure(.unreadable("not valid GB18030 text")) }
                bytes = Array(decoded.utf8)
            }
            return csvHeader(bytes)
        case .jsonl:
            return jsonlHeader(bytes)
        case .sqlite:
            return .success(nil)
        }
    }

    private static func csvHeader(_ bytes: [UInt8]) -> Result<SourceHeader?, Failure> {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        guard !body.isEmpty else { return .failure(.empty) }
        // The header record ends at the first line break outside quotes.
        var inQuotes = false
        var end = body.startIndex
        while end < body.endIndex {
            let byte = body[end]
            if byte == UInt8(ascii: "\"") { inQuotes.toggle() }
            if !inQuotes, byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { break }
            end += 1
        }
        var record = Array(body[body.startIndex..<end])
        // A header cut inside a multi-byte character at the read limit is trimmed to whole characters.
        if YAMLParser.firstInvalidUTF8Byte(in: record) != nil {
            guard end == body.endIndex, let valid = YAMLParser.firstInvalidUTF8Byte(in: record), valid >= record.count - 3 else {
                return .failure(.notUTF8(line: 1))
            }
            record = Array(record.prefix(valid))
        }
        let line = String(decoding: record, as: UTF8.self)
        var columns: [String] = []
        var field = ""
        var quoted = false
        var scalars = line.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        while let scalar = pending ?? scalars.next() {
            pending = nil
            if quoted {
                if scalar == "\"" {
                    if let next = scalars.next() {
                        if next == "\"" { field.unicodeScalars.append("\"") } else { quoted = false; pending = next }
                    } else {
                        quoted = false
                    }
                } else {
                    field.unicodeScalars.append(scalar)
                }
            } else if scalar == "\"" && field.isEmpty {
                quoted = true
            } else if scalar == "," {
                columns.append(field)
                field = ""
            } else {
                field.unicodeScalars.append(scalar)
            }
        }
        columns.append(field)
        let text = SourceText(line)
        let range = SourceRange(start: SourcePosition(line: 1, column: 1), end: SourcePosition(line: text.lines.count, column: (text.lines.last?.unicodeScalars.count ?? 0) + 1))
        return .success(SourceHeader(columns: columns.map { $0.trimmingSpaces }, range: range, text: text))
    }

    private static func jsonlHeader(_ bytes: [UInt8]) -> Result<SourceHeader?, Failure> {
        var lineNumber = 0
        for raw in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = raw
            if lineNumber == 1, line.starts(with: [0xEF, 0xBB, 0xBF]) { line = line.dropFirst(3) }
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            guard line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) else { continue }
            guard YAMLParser.firstInvalidUTF8Byte(in: Array(line)) == nil else { return .failure(.notUTF8(line: lineNumber)) }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                return .failure(.notAnObject(line: lineNumber))
            }
            let text = String(decoding: line, as: UTF8.self)
            var lines = Array(repeating: Substring(""), count: lineNumber - 1)
            lines.append(Substring(text))
            let source = SourceText(lines.joined(separator: "\n"))
            let range = SourceRange(start: SourcePosition(line: lineNumber, column: 1), end: SourcePosition(line: lineNumber, column: text.unicodeScalars.count + 1))
            return .success(SourceHeader(columns: object.keys.sorted(), range: range, text: source))
        }
        return .failure(.empty)
    }
}
