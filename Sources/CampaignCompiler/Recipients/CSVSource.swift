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
    private var line = 1
    private var column = 1
    private var started = false
    /// The previous record's field count, to size the next record's arrays once.
    private var expectedFields = 4

    /// The longest row read: a recipient row is far shorter, so a longer one means a missing
    /// closing quote or a file that is not CSV, and memory stays bounded.
    static let maxRowBytes = 1 << 20

    init(path: String, gb18030: Bool, access: SourceAccess, campaignPath: String?) throws(RecipientSourceError) {
        reader = try ByteReader(path: path, gb18030: gb18030, access: access, campaignPath: campaignPath)
    }

    private enum Outcome {
        case record(RecipientRow)
        case needMore
        case end
    }

    func nextRecord() throws(RecipientSourceError) -> RecipientRow? {
        while true {
            switch try parse() {
            case .record(let row): return row
            case .end: return nil
            case .needMore:
                if reader.held > Self.maxRowBytes {
                    throw RecipientSourceError(.longRow, "has a row over 1 MiB starting here; a closing quote may be missing, or this is not a CSV file",
                                               at: SourcePosition(line: line, column: column))
                }
                do {
                    if try !reader.refill(), reader.start == reader.end { return nil }
                } catch {
                    throw failure(error)
                }
            }
        }
    }

    private func failure(_ error: ByteReader.Failure) -> RecipientSourceError {
        switch error {
        case .unreadable:
            return RecipientSourceError(.unreadable, "a read failed", at: SourcePosition(line: line, column: column))
        case .encoding(let offset):
            return RecipientSourceError(.encoding, "is not valid GB18030 at byte \(offset)", at: SourcePosition(line: line, column: column))
        }
    }

    /// A NUL byte at the current position: binary data, never text (and found in the first
    /// chunk of an all-zero file, not after reading it).
    private func nulByte() -> RecipientSourceError {
        reader.start = reader.end
        return RecipientSourceError(.nulByte, "holds a NUL byte here; it is not a text file", at: SourcePosition(line: line, column: column))
    }

    /// Parses one record from the buffer, or says that more bytes are needed (the record restarts
    /// from its first byte after a refill, with the line and column it started at).
    private func parse() throws(RecipientSourceError) -> Outcome {
        if !started {
            if reader.end - reader.start < 3, !reader.atEOF { return .needMore }
            if reader.bytes[reader.start..<reader.end].starts(with: [0xEF, 0xBB, 0xBF]) { reader.start += 3 }
            started = true
        }
        let end = reader.end
        let eof = reader.atEOF
        let savedLine = line, savedColumn = column
        return try reader.bytes.withUnsafeBufferPointer { (bytes) throws(RecipientSourceError) -> Outcome in
            var index = reader.start
            // Blank lines between records are skipped.
            while index < end, bytes[index] == 0x0A || bytes[index] == 0x0D {
                if bytes[index] == 0x0D, index + 1 < end, bytes[index + 1] == 0x0A { index += 1 } else if bytes[index] == 0x0D, index + 1 == end, !eof { line = savedLine; column = savedColumn; return .needMore }
                index += 1
                line += 1
                column = 1
            }
            if index == end {
                reader.start = index
                return eof ? .end : .needMore
            }
            let rowLine = line
            var fields: [String] = []
            var positions: [SourcePosition] = []
            fields.reserveCapacity(expectedFields)
            positions.reserveCapacity(expectedFields)
            var field: [UInt8] = []
            while true {
                positions.append(SourcePosition(line: line, column: column))
                field.removeAll(keepingCapacity: true)
                var fieldStart = index
                var ended = false
                if index < end, bytes[index] == 0x22 {
                    // Quoted field.
                    let quoteLine = line, quoteColumn = column
                    index += 1
                    column += 1
                    var closed = false
                    while index < end {
                        let byte = bytes[index]
                        if byte == 0 { throw nulByte() }
                        if byte == 0x22 {
                            if index + 1 < end, bytes[index + 1] == 0x22 {
                                field.append(0x22)
                                index += 2
                                column += 2
                                continue
                            }
                            if index + 1 == end, !eof { break }
                            index += 1
                            column += 1
                            closed = true
                            break
                        }
                        if byte == 0x0A || (byte == 0x0D && !(index + 1 < end && bytes[index + 1] == 0x0A)) {
                            if byte == 0x0D, index + 1 == end, !eof { break }
                            line += 1
                            column = 1
                        } else if byte & 0xC0 != 0x80, byte != 0x0D {
                            column += 1
                        }
                        field.append(byte)
                        index += 1
                    }
                    if !closed {
                        if !eof { line = savedLine; column = savedColumn; return .needMore }
                        reader.start = end
                        throw RecipientSourceError(.unclosedQuote, "ends inside the quoted field opened here; the file may be truncated", at: SourcePosition(line: quoteLine, column: quoteColumn))
                    }
                    // Text between the closing quote and the next comma is kept, as spreadsheets do.
                    fieldStart = index
                    while index < end, bytes[index] != 0x2C, bytes[index] != 0x0A, bytes[index] != 0x0D {
                        if bytes[index] == 0 { throw nulByte() }
                        if bytes[index] & 0xC0 != 0x80 { column += 1 }
                        index += 1
                    }
                    field.append(contentsOf: bytes[fieldStart..<index])
                } else {
                    while index < end {
                        let byte = bytes[index]
                        if byte == 0x2C || byte == 0x0A || byte == 0x0D { break }
                        if byte == 0 { throw nulByte() }
                        if byte & 0xC0 != 0x80 { column += 1 }
                        index += 1
                    }
                    field.append(contentsOf: bytes[fieldStart..<index])
                }
                if index == end, !eof { line = savedLine; column = savedColumn; return .needMore }
                guard field.allSatisfy({ $0 < 0x80 }) || YAMLParser.firstInvalidUTF8Byte(in: field) == nil else {
                    let position = positions[positions.count - 1]
                    reader.start = end
                    throw RecipientSourceError(.encoding, "is not valid UTF-8 in the field that starts here; files exported by Excel in China need 'encoding: gb18030'", at: position)
                }
                fields.append(String(decoding: field, as: UTF8.self))
                if index == end {
                    ended = true
                } else if bytes[index] == 0x2C {
                    index += 1
                    column += 1
                    continue
                } else {
                    // A line break ends the record.
                    if bytes[index] == 0x0D {
                        if index + 1 == end, !eof { line = savedLine; column = savedColumn; return .needMore }
                        if index + 1 < end, bytes[index + 1] == 0x0A { index += 1 }
                    }
                    index += 1
                    line += 1
                    column = 1
                    ended = true
                }
                if ended {
                    expectedFields = fields.count
                    reader.start = index
                    return .record(RecipientRow(fields: fields, positions: positions, line: rowLine))
                }
            }
        }
    }
}
