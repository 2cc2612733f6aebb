import YAMLSyntax

/// Rows held in memory, for tests and for callers that build their audience in code. Row `n`
/// (1-based) stands on line `n + 1`, as if under a header line.
public struct MemorySource: RecipientSource {
    /// The name shown in diagnostics.
    public var path: String
    /// The column names.
    public var columns: [String]
    /// The rows' fields, in column order.
    public var records: [[String]]

    /// Creates a source of `records` under `columns`.
    public init(path: String = "<memory>", columns: [String], records: [[String]]) {
        self.path = path
        self.columns = columns
        self.records = records
    }

    public func open() throws(RecipientSourceError) -> (header: RecipientHeader, rows: Rows) {
        let text = columns.joined(separator: ",")
        let range = SourceRange(start: SourcePosition(line: 1, column: 1), end: SourcePosition(line: 1, column: text.unicodeScalars.count + 1))
        return (RecipientHeader(columns: columns, range: range, text: text), Rows(records: records))
    }

    /// The rows.
    public struct Rows: AsyncSequence {
        let records: [[String]]

        public func makeAsyncIterator() -> Iterator { Iterator(records: records) }

        /// Hands out one record per call.
        public struct Iterator: AsyncIteratorProtocol {
            let records: [[String]]
            var index = 0

            public mutating func next(isolation actor: isolated (any Actor)?) async throws(RecipientSourceError) -> RecipientRow? {
                nextRow()
            }

            public mutating func next() async throws(RecipientSourceError) -> RecipientRow? {
                nextRow()
            }

            private mutating func nextRow() -> RecipientRow? {
                guard index < records.count else { return nil }
                let fields = records[index]
                index += 1
                var column = 1
                let positions = fields.map { field -> SourcePosition in
                    defer { column += field.unicodeScalars.count + 1 }
                    return SourcePosition(line: index + 1, column: column)
                }
                return RecipientRow(fields: fields, positions: positions, line: index + 1)
            }
        }
    }
}
