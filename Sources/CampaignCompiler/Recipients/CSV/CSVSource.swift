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
