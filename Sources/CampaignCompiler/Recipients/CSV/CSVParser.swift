import YAMLSyntax

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
