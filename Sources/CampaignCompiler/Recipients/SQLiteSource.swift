internal import CSQLite
#if canImport(Glibc)
import Glibc
#endif
import YAMLSyntax

/// A query against a SQLite database file, opened read-only. The columns are the query's result
/// columns; a row's "line" in diagnostics is its 1-based number in the result, and a field's
/// "column" its 1-based position.
public struct SQLiteSource: RecipientSource {
    /// The database file's path.
    public var path: String
    /// The query that selects the recipients.
    public var query: String

    /// Creates a SQLite source.
    public init(path: String, query: String) {
        self.path = path
        self.query = query
    }

    public func open() throws(RecipientSourceError) -> (header: RecipientHeader, rows: Rows) {
        let statement = try SQLiteStatement(path: path, query: query)
        let columns = statement.columnNames
        let range = SourceRange(start: SourcePosition(line: 1, column: 1), end: SourcePosition(line: 1, column: 1))
        return (RecipientHeader(columns: columns, range: range, text: nil), Rows(statement: statement))
    }

    /// The result rows.
    public struct Rows: AsyncSequence {
        let statement: SQLiteStatement

        public func makeAsyncIterator() -> Iterator { Iterator(statement: statement) }

        /// Steps the statement once per call.
        public struct Iterator: AsyncIteratorProtocol {
            let statement: SQLiteStatement

            public mutating func next(isolation actor: isolated (any Actor)?) async throws(RecipientSourceError) -> RecipientRow? {
                try statement.step()
            }

            public mutating func next() async throws(RecipientSourceError) -> RecipientRow? {
                try statement.step()
            }
        }
    }
}

/// One prepared statement on a read-only connection, finalized and closed with the object.
final class SQLiteStatement {
    private var database: OpaquePointer?
    private var statement: OpaquePointer?
    private var row = 0
    let columnNames: [String]

    init(path: String, query: String) throws(RecipientSourceError) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw RecipientSourceError(.missing, "does not exist") }
        var database: OpaquePointer?
        let flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
        guard sqlite3_open_v2(path, &database, flags, nil) == SQLITE_OK, let database else {
            let message = database.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(database)
            throw RecipientSourceError(.unreadable, "cannot be opened as a SQLite database: \(message)")
        }
        self.database = database
        sqlite3_busy_timeout(database, 5000)
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(database, query, -1, &statement, nil) == SQLITE_OK, let statement else {
            let message = String(cString: sqlite3_errmsg(database))
            sqlite3_close(database)
            self.database = nil
            throw RecipientSourceError(.query, "rejects the query: \(message)")
        }
        guard sqlite3_stmt_readonly(statement) != 0 else {
            sqlite3_finalize(statement)
            sqlite3_close(database)
            self.database = nil
            throw RecipientSourceError(.query, "query must only read (a SELECT)")
        }
        self.statement = statement
        columnNames = (0..<sqlite3_column_count(statement)).map { index in
            sqlite3_column_name(statement, index).map { String(cString: $0) } ?? "column\(index + 1)"
        }
    }

    deinit {
        sqlite3_finalize(statement)
        sqlite3_close(database)
    }

    func step() throws(RecipientSourceError) -> RecipientRow? {
        guard let statement else { return nil }
        switch sqlite3_step(statement) {
        case SQLITE_ROW:
            row += 1
            let count = sqlite3_column_count(statement)
            var fields: [String] = []
            var positions: [SourcePosition] = []
            fields.reserveCapacity(Int(count))
            for index in 0..<count {
                if let text = sqlite3_column_text(statement, index) {
                    let length = Int(sqlite3_column_bytes(statement, index))
                    fields.append(String(decoding: UnsafeBufferPointer(start: text, count: length), as: UTF8.self))
                } else {
                    fields.append("")
                }
                positions.append(SourcePosition(line: row, column: Int(index) + 1))
            }
            return RecipientRow(fields: fields, positions: positions, line: row)
        case SQLITE_DONE:
            return nil
        default:
            let message = database.map { String(cString: sqlite3_errmsg($0)) } ?? "unknown error"
            throw RecipientSourceError(.query, "failed while reading: \(message)", at: SourcePosition(line: row + 1, column: 1))
        }
    }
}
