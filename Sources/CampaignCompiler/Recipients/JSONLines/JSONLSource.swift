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
