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
        // The checks of every source (folder, file kind, size), then SQLite opens the same real path.
        let opened = try access.open(path, campaignPath: campaignPath)
        close(opened.descriptor)
        let statement = try SQLiteQuery(path: opened.path, query: query, timeout: access.queryTimeout, heapBytes: access.queryHeapBytes)
        let columns = statement.columnNames
        let range = SourceRange(start: SourcePosition(line: 1, column: 1), end: SourcePosition(line: 1, column: 1))
        return (RecipientHeader(columns: columns, range: range, text: nil), Rows(statement: statement))
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

/// One query on a read-only connection, closed with the object. The query must be one statement
/// that only reads; it runs under a time limit (a progress handler interrupts it) and a heap limit,
/// so an endless recursive query ends with an error.
final class SQLiteQuery {
    private let connection: SQLiteConnection
    private let statement: SQLiteStatement
    private var row = 0
    private var done = false
    private let timeout: Double
    let columnNames: [String]

    init(path: String, query: String, timeout: Double, heapBytes: Int64) throws(RecipientSourceError) {
        do {
            connection = try SQLiteConnection(path: path, mode: .readOnly)
        } catch {
            throw RecipientSourceError(.unreadable, "cannot be opened as a SQLite database: \(error.message)")
        }
        self.timeout = timeout
        // The heap limit is the process's: a run reads its sources before it sends, and its own
        // state store needs a few MiB.
        if heapBytes > 0 { SQLiteConnection.setHardHeapLimit(bytes: heapBytes) }
        connection.setBusyTimeout(milliseconds: 5000)
        connection.setDeadline(seconds: timeout)
        do {
            // Whatever follows the first statement must be nothing but spaces and comments:
            // SQLite would otherwise ignore it silently, and the user would not know.
            statement = try connection.prepare(query, single: true)
        } catch where error.code == .multipleStatements {
            throw RecipientSourceError(.query, "query holds more than one statement; give exactly one SELECT")
        } catch {
            throw RecipientSourceError(.query, "rejects the query: \(error.message)")
        }
        guard statement.isReadOnly else { throw RecipientSourceError(.query, "query must only read (a SELECT)") }
        columnNames = statement.columnNames
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }

    func step() throws(RecipientSourceError) -> RecipientRow? {
        guard !done else { return nil }
        let hasRow: Bool
        do {
            hasRow = try statement.step()
        } catch where error.code == .interrupted && connection.deadlinePassed {
            throw RecipientSourceError(.queryLimit, "query ran over its \(Self.seconds(timeout)) time limit; raise it with --query-timeout", at: SourcePosition(line: row + 1, column: 1))
        } catch where error.code == .noMemory {
            throw RecipientSourceError(.queryLimit, "query needed more memory than SQLite may use; simplify it or read a smaller result", at: SourcePosition(line: row + 1, column: 1))
        } catch {
            throw RecipientSourceError(.query, "failed while reading: \(error.message)", at: SourcePosition(line: row + 1, column: 1))
        }
        guard hasRow else {
            done = true
            return nil
        }
        row += 1
        let count = statement.columnCount
        var fields: [String] = []
        var positions: [SourcePosition] = []
        fields.reserveCapacity(count)
        positions.reserveCapacity(count)
        for index in 0..<count {
            fields.append(statement.text(index) ?? "")
            positions.append(SourcePosition(line: row, column: index + 1))
        }
        return RecipientRow(fields: fields, positions: positions, line: row)
    }
}
