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
        // The checks of every source (folder, file kind, size), then SQLite opens the same real path.
        let opened = try access.open(path, campaignPath: campaignPath)
        close(opened.descriptor)
        let statement = try SQLiteStatement(path: opened.path, query: query, timeout: access.queryTimeout, heapBytes: access.queryHeapBytes)
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

/// The deadline a running query is held to, read by SQLite's progress handler.
private final class QueryDeadline {
    let deadline: UInt64
    var expired = false

    init(seconds: Double) {
        deadline = QueryDeadline.now() &+ UInt64(max(seconds, 0) * 1e9)
    }

    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }
}

/// One prepared statement on a read-only connection, finalized and closed with the object. The
/// query must be one statement that only reads; it runs under a time limit (a progress handler
/// interrupts it) and a heap limit, so an endless recursive query ends with an error.
final class SQLiteStatement {
    private var database: OpaquePointer?
    private var statement: OpaquePointer?
    private var row = 0
    private let deadline: QueryDeadline
    private let timeout: Double
    let columnNames: [String]

    init(path: String, query: String, timeout: Double, heapBytes: Int64) throws(RecipientSourceError) {
        var database: OpaquePointer?
        let flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
        guard sqlite3_open_v2(path, &database, flags, nil) == SQLITE_OK, let database else {
            let message = database.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(database)
            throw RecipientSourceError(.unreadable, "cannot be opened as a SQLite database: \(message)")
        }
        self.database = database
        self.timeout = timeout
        deadline = QueryDeadline(seconds: timeout)
        // The heap limit is the process's: a run reads its sources before it sends, and its own
        // state store needs a few MiB.
        if heapBytes > 0 { sqlite3_hard_heap_limit64(heapBytes) }
        sqlite3_busy_timeout(database, 5000)
        sqlite3_progress_handler(database, 10_000, { context in
            guard let context else { return 0 }
            let deadline = Unmanaged<QueryDeadline>.fromOpaque(context).takeUnretainedValue()
            if QueryDeadline.now() > deadline.deadline {
                deadline.expired = true
                return 1
            }
            return 0
        }, Unmanaged.passUnretained(deadline).toOpaque())
        var statement: OpaquePointer?
        var tail: UnsafePointer<CChar>?
        let prepared = query.withCString { text in
            let status = sqlite3_prepare_v2(database, text, -1, &statement, &tail)
            // Whatever follows the first statement must be nothing but spaces and comments:
            // SQLite would otherwise ignore it silently, and the user would not know.
            var extra: String?
            if status == SQLITE_OK, let tail, tail.pointee != 0 {
                var next: OpaquePointer?
                let rest = String(cString: tail)
                if sqlite3_prepare_v2(database, tail, -1, &next, nil) != SQLITE_OK || next != nil {
                    extra = rest
                }
                sqlite3_finalize(next)
            }
            return (status, extra)
        }
        guard prepared.0 == SQLITE_OK, let statement else {
            let message = String(cString: sqlite3_errmsg(database))
            sqlite3_close(database)
            self.database = nil
            throw RecipientSourceError(.query, "rejects the query: \(message)")
        }
        if prepared.1 != nil {
            sqlite3_finalize(statement)
            sqlite3_close(database)
            self.database = nil
            throw RecipientSourceError(.query, "query holds more than one statement; give exactly one SELECT")
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
        if let database { sqlite3_progress_handler(database, 0, nil, nil) }
        sqlite3_close(database)
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
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
        case SQLITE_INTERRUPT where deadline.expired:
            throw RecipientSourceError(.queryLimit, "query ran over its \(Self.seconds(timeout)) time limit; raise it with --query-timeout", at: SourcePosition(line: row + 1, column: 1))
        case SQLITE_NOMEM:
            throw RecipientSourceError(.queryLimit, "query needed more memory than SQLite may use; simplify it or read a smaller result", at: SourcePosition(line: row + 1, column: 1))
        default:
            let message = database.map { String(cString: sqlite3_errmsg($0)) } ?? "unknown error"
            throw RecipientSourceError(.query, "failed while reading: \(message)", at: SourcePosition(line: row + 1, column: 1))
        }
    }
}
