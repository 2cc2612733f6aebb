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
        guard try advance() else { return nil }
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

    /// Steps to the next row and appends it to `out` as a pre-split record (see
    /// `RowRules.Format.fields`); false at the end. Text that is not UTF-8 is repaired as `step()`
    /// repairs it.
    func step(into out: inout [UInt8]) throws(RecipientSourceError) -> Bool {
        guard try advance() else { return false }
        let count = statement.columnCount
        FieldRecords.appendCount(count, to: &out)
        for index in 0..<count {
            statement.withText(index) { bytes in
                if YAMLParser.firstInvalidUTF8Byte(in: bytes) == nil {
                    FieldRecords.appendField(bytes, to: &out)
                } else {
                    Array(String(decoding: bytes, as: UTF8.self).utf8).withUnsafeBufferPointer { FieldRecords.appendField($0, to: &out) }
                }
            }
        }
        return true
    }

    private func advance() throws(RecipientSourceError) -> Bool {
        guard !done else { return false }
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
            return false
        }
        row += 1
        return true
    }
}

/// Rows already split into fields, as the SQLite reader hands them to the fast row checks: per
/// record a field count, then per field its length and bytes (counts and lengths as 4 bytes,
/// little-endian).
enum FieldRecords {
    static func appendCount(_ count: Int, to out: inout [UInt8]) {
        let value = UInt32(truncatingIfNeeded: count)
        out.append(UInt8(truncatingIfNeeded: value))
        out.append(UInt8(truncatingIfNeeded: value >> 8))
        out.append(UInt8(truncatingIfNeeded: value >> 16))
        out.append(UInt8(truncatingIfNeeded: value >> 24))
    }

    static func appendField(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        appendCount(bytes.count, to: &out)
        out.append(contentsOf: bytes)
    }

    @inline(__always)
    static func count(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> Int {
        Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2]) << 16 | Int(bytes[offset + 3]) << 24
    }

    /// The record at `start` as a row on `line` (a field's column is its position), and where
    /// the next record starts.
    static func row(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int, line: Int) -> (RecipientRow, next: Int) {
        let fieldCount = count(bytes, at: start)
        var index = start + 4
        var fields: [String] = []
        var positions: [SourcePosition] = []
        for column in 0..<fieldCount {
            let length = count(bytes, at: index)
            fields.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[(index + 4)..<(index + 4 + length)]), as: UTF8.self))
            positions.append(SourcePosition(line: line, column: column + 1))
            index += 4 + length
        }
        return (RecipientRow(fields: fields, positions: positions, line: line), index)
    }
}

/// Cuts a SQLite query's result into pieces of about `target` bytes of pre-split records.
final class SQLiteFeed: PieceFeed {
    private let query: SQLiteQuery
    private let target: Int
    private var finished = false

    init(query: SQLiteQuery, target: Int) {
        self.query = query
        self.target = target
    }

    func next() -> ChunkFeed.Piece? {
        guard !finished else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(target + 4096)
        do {
            while bytes.count < target {
                if try !query.step(into: &bytes) {
                    finished = true
                    break
                }
            }
        } catch {
            finished = true
            return ChunkFeed.Piece(bytes: bytes, isFinal: true, crFinal: true, failure: nil, error: error)
        }
        return ChunkFeed.Piece(bytes: bytes, isFinal: finished, crFinal: true, failure: nil, error: nil)
    }
}
