#if canImport(Glibc)
import Glibc
#endif
internal import SQLiteDatabase
import YAMLSyntax

/// A query against a SQLite database file, opened read-only. The columns are the query's result
/// columns; a row's "line" in diagnostics is its 1-based number in the result, and a field's
/// "column" its 1-based position.
public struct SQLiteSource: RecipientSource {
    /// The database file's path.
    public var path: String
    /// The query that selects the recipients.
    public var query: String
    /// Which files may be read, the size limit and the query's time and heap limits.
    public var access: SourceAccess
    /// The campaign file that names this source, whose folder bounds it.
    public var campaignPath: String?

    /// Creates a SQLite source.
    public init(path: String, query: String, access: SourceAccess = .unconfined, campaignPath: String? = nil) {
        self.path = path
        self.query = query
        self.access = access
        self.campaignPath = campaignPath
    }

    public func open() throws(RecipientSourceError) -> (header: RecipientHeader, rows: Rows) {
        let statement = try openQuery()
        let columns = statement.columnNames
        let range = SourceRange(start: SourcePosition(line: 1, column: 1), end: SourcePosition(line: 1, column: 1))
        return (RecipientHeader(columns: columns, range: range, text: nil), Rows(statement: statement))
    }

    /// The query, ready to step: after the checks of every source (folder, file kind, size),
    /// SQLite opens the same real path.
    func openQuery() throws(RecipientSourceError) -> SQLiteQuery {
        let opened = try access.open(path, campaignPath: campaignPath)
        close(opened.descriptor)
        return try SQLiteQuery(path: opened.path, query: query, timeout: access.queryTimeout, heapBytes: access.queryHeapBytes)
    }

    /// The result rows.
    public struct Rows: AsyncSequence {
        let statement: SQLiteQuery

        public func makeAsyncIterator() -> Iterator { Iterator(statement: statement) }

        /// Steps the statement once per call.
        public struct Iterator: AsyncIteratorProtocol {
            let statement: SQLiteQuery

            public mutating func next(isolation actor: isolated (any Actor)?) async throws(RecipientSourceError) -> RecipientRow? {
                try statement.step()
            }

            public mutating func next() async throws(RecipientSourceError) -> RecipientRow? {
                try statement.step()
            }
        }
    }
}
