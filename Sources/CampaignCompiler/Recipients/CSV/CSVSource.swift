import YAMLSyntax

/// A CSV file per RFC 4180: a header row, then one record per row; UTF-8 with or without BOM, or
/// GB18030; CRLF, LF or CR line ends; quoted fields may hold commas, quotes (doubled) and line
/// breaks. Blank lines are skipped.
public struct CSVSource: RecipientSource {
    /// The file's path.
    public var path: String
    /// The file's encoding.
    public var encoding: RecipientSourceSpec.Encoding
    /// Which files may be read, and the size limit.
    public var access: SourceAccess
    /// The campaign file that names this source, whose folder bounds it.
    public var campaignPath: String?

    /// Creates a CSV source.
    public init(path: String, encoding: RecipientSourceSpec.Encoding = .utf8, access: SourceAccess = .unconfined, campaignPath: String? = nil) {
        self.path = path
        self.encoding = encoding
        self.access = access
        self.campaignPath = campaignPath
    }

    public func open() throws(RecipientSourceError) -> (header: RecipientHeader, rows: Rows) {
        let parser = try CSVParser(path: path, gb18030: encoding == .gb18030, access: access, campaignPath: campaignPath)
        guard let first = try parser.nextRecord() else {
            throw RecipientSourceError(.empty, "is empty; a CSV source needs a header row")
        }
        let columns = first.fields.map { $0.trimmingSpaces }
        let text = first.fields.map { field in
            field.contains(",") || field.contains("\"") ? "\"" + field.replacingAll("\"", with: "\"\"") + "\"" : field
        }.joined(separator: ",")
        let range = SourceRange(start: SourcePosition(line: first.line, column: 1), end: SourcePosition(line: first.line, column: text.unicodeScalars.count + 1))
        return (RecipientHeader(columns: columns, range: range, text: text), Rows(parser: parser))
    }

    /// The rows after the header.
    public struct Rows: AsyncSequence {
        let parser: CSVParser

        public func makeAsyncIterator() -> Iterator { Iterator(parser: parser) }

        /// Reads the next record on each call, synchronously: no suspension per row.
        public struct Iterator: AsyncIteratorProtocol {
            let parser: CSVParser

            public mutating func next(isolation actor: isolated (any Actor)?) async throws(RecipientSourceError) -> RecipientRow? {
                try parser.nextRecord()
            }

            public mutating func next() async throws(RecipientSourceError) -> RecipientRow? {
                try parser.nextRecord()
            }
        }
    }
}

/// The RFC 4180 state machine over a `ByteReader`, tracking the line and column (in Unicode
/// scalars) where every field starts.
final class CSVParser {
    private let reader: ByteReader
    private var cursor = CSVCursor()
    private var started = false
    /// The previous record's field count, to size the next record's arrays once.
    private var expectedFields = 4

    /// The longest row read: a recipient row is far shorter, so a longer one means a missing
    /// closing quote or a file that is not CSV, and memory stays bounded.
    static let maxRowBytes = 1 << 20

    init(path: String, gb18030: Bool, access: SourceAccess, campaignPath: String?) throws(RecipientSourceError) {
        reader = try ByteReader(path: path, gb18030: gb18030, access: access, campaignPath: campaignPath)
    }

    func nextRecord() throws(RecipientSourceError) -> RecipientRow? {
        while true {
            if !started {
                if reader.end - reader.start < 3, !reader.atEOF {
                    _ = try refill()
                    continue
                }
                if reader.bytes[reader.start..<reader.end].starts(with: [0xEF, 0xBB, 0xBF]) { reader.start += 3 }
                started = true
            }
            let outcome = reader.bytes.withUnsafeBufferPointer { bytes in
                CSVRecordParser.parse(bytes, from: reader.start, end: reader.end, eof: reader.atEOF, cursor: &cursor, expectedFields: expectedFields)
            }
            switch outcome {
            case .record(let row, let next):
                reader.start = next
                expectedFields = row.fields.count
                return row
            case .end(let next):
                reader.start = next
                return nil
            case .failure(let error):
                reader.start = reader.end
                throw error
            case .needMore(let next):
                reader.start = next
                if reader.held > Self.maxRowBytes {
                    throw RecipientSourceError(.longRow, "has a row over 1 MiB starting here; a closing quote may be missing, or this is not a CSV file",
                                               at: SourcePosition(line: cursor.line, column: cursor.column))
                }
                if try !refill(), reader.start == reader.end { return nil }
            }
        }
    }

    /// Reads more; false at the end of the file.
    private func refill() throws(RecipientSourceError) -> Bool {
        do {
            return try reader.refill()
        } catch {
            throw CSVRecordParser.failure(error, at: cursor)
        }
    }
}

/// Where the CSV parser stands: the line and column (in Unicode scalars) of the next byte.
struct CSVCursor: Sendable, Hashable {
    var line = 1
    var column = 1
}

/// The RFC 4180 record parser, over bytes in memory: the one definition of what a CSV record is,
/// used for the header, for every row the fast reader sets aside, and for every error.
enum CSVRecordParser {
    enum Outcome {
        /// A record, and where the next one starts.
        case record(RecipientRow, next: Int)
        /// More bytes are needed; the record restarts at `next` with the cursor as it was there.
        case needMore(next: Int)
        /// The end of the text.
        case end(next: Int)
        /// The text stops being CSV here.
        case failure(RecipientSourceError)
    }

    static func failure(_ error: ByteReader.Failure, at cursor: CSVCursor) -> RecipientSourceError {
        switch error {
        case .unreadable:
            return RecipientSourceError(.unreadable, "a read failed", at: SourcePosition(line: cursor.line, column: cursor.column))
        case .encoding(let offset):
            return RecipientSourceError(.encoding, "is not valid GB18030 at byte \(offset)", at: SourcePosition(line: cursor.line, column: cursor.column))
        }
    }

    /// A NUL byte at the cursor: binary data, never text.
    private static func nulByte(_ cursor: CSVCursor) -> Outcome {
        .failure(RecipientSourceError(.nulByte, "holds a NUL byte here; it is not a text file", at: SourcePosition(line: cursor.line, column: cursor.column)))
    }

    /// Parses one record from `bytes[start..<end]`, or says that more bytes are needed (after a
    /// refill, parsing restarts at `next` with the cursor it had there).
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, end: Int, eof: Bool, cursor: inout CSVCursor, expectedFields: Int) -> Outcome {
        let saved = cursor
        var index = start
        // Blank lines between records are skipped.
        while index < end, bytes[index] == 0x0A || bytes[index] == 0x0D {
            if bytes[index] == 0x0D, index + 1 < end, bytes[index + 1] == 0x0A { index += 1 } else if bytes[index] == 0x0D, index + 1 == end, !eof { cursor = saved; return .needMore(next: start) }
            index += 1
            cursor.line += 1
            cursor.column = 1
        }
        if index == end {
            return eof ? .end(next: index) : .needMore(next: index)
        }
        let rowStart = index
        let skipped = cursor
        let rowLine = cursor.line
        var fields: [String] = []
        var positions: [SourcePosition] = []
        fields.reserveCapacity(expectedFields)
        positions.reserveCapacity(expectedFields)
        var field: [UInt8] = []
        func more() -> Outcome {
            cursor = skipped
            return .needMore(next: rowStart)
        }
        while true {
            positions.append(SourcePosition(line: cursor.line, column: cursor.column))
            field.removeAll(keepingCapacity: true)
            let stop = index < end && bytes[index] == 0x22
                ? quotedField(bytes, index: &index, end: end, eof: eof, cursor: &cursor, into: &field)
                : plainField(bytes, index: &index, end: end, cursor: &cursor, into: &field)
            switch stop {
            case .none: break
            case .more?: return more()
            case .outcome(let outcome)?: return outcome
            }
            if index == end, !eof { return more() }
            guard field.allSatisfy({ $0 < 0x80 }) || YAMLParser.firstInvalidUTF8Byte(in: field) == nil else {
                return .failure(RecipientSourceError(.encoding, "is not valid UTF-8 in the field that starts here; files exported by Excel in China need 'encoding: gb18030'",
                                                     at: positions[positions.count - 1]))
            }
            fields.append(String(decoding: field, as: UTF8.self))
            if index < end, bytes[index] == 0x2C {
                index += 1
                cursor.column += 1
                continue
            }
            if index < end {
                // A line break ends the record.
                if bytes[index] == 0x0D {
                    if index + 1 == end, !eof { return more() }
                    if index + 1 < end, bytes[index + 1] == 0x0A { index += 1 }
                }
                index += 1
                cursor.line += 1
                cursor.column = 1
            }
            return .record(RecipientRow(fields: fields, positions: positions, line: rowLine), next: index)
        }
    }

    /// Why a field's read stops the record: more bytes are needed, or the record's outcome.
    private enum FieldStop {
        case more
        case outcome(Outcome)
    }

    /// A quoted field from its opening quote at `index`, with any text after the closing quote
    /// (kept, as spreadsheets do), appended to `field`; nil when it is whole.
    private static func quotedField(_ bytes: UnsafeBufferPointer<UInt8>, index: inout Int, end: Int, eof: Bool, cursor: inout CSVCursor,
                                    into field: inout [UInt8]) -> FieldStop? {
        let quoteLine = cursor.line, quoteColumn = cursor.column
        index += 1
        cursor.column += 1
        var closed = false
        while index < end {
            let byte = bytes[index]
            if byte == 0 { return .outcome(nulByte(cursor)) }
            if byte == 0x22 {
                if index + 1 < end, bytes[index + 1] == 0x22 {
                    field.append(0x22)
                    index += 2
                    cursor.column += 2
                    continue
                }
                if index + 1 == end, !eof { break }
                index += 1
                cursor.column += 1
                closed = true
                break
            }
            if byte == 0x0A || (byte == 0x0D && !(index + 1 < end && bytes[index + 1] == 0x0A)) {
                if byte == 0x0D, index + 1 == end, !eof { break }
                cursor.line += 1
                cursor.column = 1
            } else if byte & 0xC0 != 0x80, byte != 0x0D {
                cursor.column += 1
            }
            field.append(byte)
            index += 1
        }
        if !closed {
            if !eof { return .more }
            return .outcome(.failure(RecipientSourceError(.unclosedQuote, "ends inside the quoted field opened here; the file may be truncated",
                                                          at: SourcePosition(line: quoteLine, column: quoteColumn))))
        }
        return plainField(bytes, index: &index, end: end, cursor: &cursor, into: &field)
    }

    /// An unquoted field (or the text after a quoted one) up to a comma or line break, appended
    /// to `field`; nil when it is read.
    private static func plainField(_ bytes: UnsafeBufferPointer<UInt8>, index: inout Int, end: Int, cursor: inout CSVCursor,
                                   into field: inout [UInt8]) -> FieldStop? {
        let fieldStart = index
        while index < end {
            let byte = bytes[index]
            if byte == 0x2C || byte == 0x0A || byte == 0x0D { break }
            if byte == 0 { return .outcome(nulByte(cursor)) }
            if byte & 0xC0 != 0x80 { cursor.column += 1 }
            index += 1
        }
        field.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[fieldStart..<index]))
        return nil
    }
}
