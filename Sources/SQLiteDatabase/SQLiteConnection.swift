internal import CSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure of SQLite, with its result code and its words.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: Hashable, Sendable { case open, prepare, step, interrupted, noMemory, notADatabase, multipleStatements }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// The file could not be opened.
        public static let open = Code(.open)
        /// The SQL was refused.
        public static let prepare = Code(.prepare)
        /// Running a statement failed.
        public static let step = Code(.step)
        /// A progress deadline interrupted the statement.
        public static let interrupted = Code(.interrupted)
        /// SQLite ran out of the memory it may use.
        public static let noMemory = Code(.noMemory)
        /// The file is not a SQLite database (or is damaged).
        public static let notADatabase = Code(.notADatabase)
        /// The text holds more than the one statement asked for.
        public static let multipleStatements = Code(.multipleStatements)

        public var description: String { "\(kind)" }
    }

    /// What kind of failure.
    public var code: Code
    /// SQLite's words (or ours).
    public var message: String
    /// SQLite's result code, when it gave one.
    public var resultCode: Int32?

    /// Creates an error.
    public init(_ code: Code, _ message: String, resultCode: Int32? = nil) {
        self.code = code
        self.message = message
        self.resultCode = resultCode
    }

    public var description: String { message }
}

/// A value bound to a statement's parameter.
public enum SQLiteValue: Sendable, Hashable {
    case text(String)
    case integer(Int64)
    case real(Double)
    case null

    /// Text, or NULL for nil.
    public static func text(_ value: String?) -> SQLiteValue { value.map { .text($0) } ?? .null }
    /// A number, or NULL for nil.
    public static func real(_ value: Double?) -> SQLiteValue { value.map { .real($0) } ?? .null }
    /// An integer.
    public static func integer(_ value: Int) -> SQLiteValue { .integer(Int64(value)) }
}

/// One connection to a SQLite database, closed with the object: Salvo's only user of SQLite's C
/// API (recipient queries, the run store, the emulator's record). Not thread-safe by itself; an
/// owner that shares it across tasks keeps it behind a `Mutex`.
public final class SQLiteConnection {
    /// How to open the file.
    public enum Mode: Sendable {
        /// Read only; the file must exist.
        case readOnly
        /// Read and write; the file must exist.
        case readWrite
        /// Read and write, created when missing.
        case create
    }

    private(set) var handle: OpaquePointer?
    /// Statements prepared once and kept, by their SQL.
    private var cache: [String: SQLiteStatement] = [:]
    private var deadline: ProgressDeadline?
    /// The file's path (or `:memory:`).
    public let path: String

    /// Opens `path`; with `followsLinks` false a symbolic link anywhere in the path is refused
    /// (`SQLITE_OPEN_NOFOLLOW`, which also holds for the database's WAL and shared-memory files).
    public init(path: String, mode: Mode, followsLinks: Bool = true) throws(SQLiteError) {
        self.path = path
        var flags: Int32
        switch mode {
        case .readOnly: flags = SQLITE_OPEN_READONLY
        case .readWrite: flags = SQLITE_OPEN_READWRITE
        case .create: flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        }
        if !followsLinks { flags |= SQLITE_OPEN_NOFOLLOW }
        var handle: OpaquePointer?
        let status = sqlite3_open_v2(path, &handle, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard status == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(handle)
            throw SQLiteError(.open, message, resultCode: status)
        }
        self.handle = handle
        sqlite3_busy_timeout(handle, 10_000)
    }

    deinit {
        cache.removeAll()
        if deadline != nil { sqlite3_progress_handler(handle, 0, nil, nil) }
        sqlite3_close_v2(handle)
    }

    /// SQLite's last words on this connection.
    public var lastMessage: String { handle.map { String(cString: sqlite3_errmsg($0)) } ?? "closed" }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// How long a statement waits for another connection's lock, in milliseconds.
    public func setBusyTimeout(milliseconds: Int32) {
        sqlite3_busy_timeout(handle, milliseconds)
    }

    /// Caps the heap of every SQLite connection in the process.
    public static func setHardHeapLimit(bytes: Int64) {
        sqlite3_hard_heap_limit64(bytes)
    }

    /// Interrupts any statement that runs past `seconds` from now (a progress handler); whether it
    /// did is `deadlinePassed`.
    public func setDeadline(seconds: Double) {
        let deadline = ProgressDeadline(seconds: seconds)
        self.deadline = deadline
        sqlite3_progress_handler(handle, 10_000, { context in
            guard let context else { return 0 }
            let deadline = Unmanaged<ProgressDeadline>.fromOpaque(context).takeUnretainedValue()
            if ProgressDeadline.now() > deadline.deadline {
                deadline.expired = true
                return 1
            }
            return 0
        }, Unmanaged.passUnretained(deadline).toOpaque())
    }

    /// Whether the deadline interrupted a statement.
    public var deadlinePassed: Bool { deadline?.expired ?? false }

    func error(_ code: SQLiteError.Code, _ status: Int32) -> SQLiteError {
        Self.error(code, status, handle: handle)
    }

    static func error(_ code: SQLiteError.Code, _ status: Int32, handle: OpaquePointer?) -> SQLiteError {
        let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "closed"
        if status == SQLITE_NOTADB || status == SQLITE_CORRUPT { return SQLiteError(.notADatabase, message, resultCode: status) }
        if status == SQLITE_NOMEM { return SQLiteError(.noMemory, message, resultCode: status) }
        if status == SQLITE_INTERRUPT { return SQLiteError(.interrupted, message, resultCode: status) }
        return SQLiteError(code, message, resultCode: status)
    }

    /// Runs SQL text of any number of statements that return no rows.
    public func execute(_ sql: String) throws(SQLiteError) {
        let status = sqlite3_exec(handle, sql, nil, nil, nil)
        guard status == SQLITE_OK else { throw error(.step, status) }
    }

    /// Prepares one statement; `single` refuses text that holds a second statement (SQLite would
    /// ignore it silently).
    public func prepare(_ sql: String, single: Bool = false) throws(SQLiteError) -> SQLiteStatement {
        try prepare(sql, single: single, retaining: true)
    }

    private func prepare(_ sql: String, single: Bool, retaining: Bool) throws(SQLiteError) -> SQLiteStatement {
        var statement: OpaquePointer?
        var second = false
        let status = sql.withCString { text -> Int32 in
            var tail: UnsafePointer<CChar>?
            let status = sqlite3_prepare_v2(handle, text, -1, &statement, &tail)
            if status == SQLITE_OK, single, let tail, tail.pointee != 0 {
                var next: OpaquePointer?
                if sqlite3_prepare_v2(handle, tail, -1, &next, nil) != SQLITE_OK || next != nil { second = true }
                sqlite3_finalize(next)
            }
            return status
        }
        guard status == SQLITE_OK, let statement else {
            sqlite3_finalize(statement)
            throw status == SQLITE_OK ? SQLiteError(.prepare, "no statement in the text") : error(.prepare, status)
        }
        guard !second else {
            sqlite3_finalize(statement)
            throw SQLiteError(.multipleStatements, "the text holds more than one statement")
        }
        return SQLiteStatement(statement, connection: retaining ? self : nil)
    }

    /// A statement prepared once per connection and reused (reset before each use).
    public func cached(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        if let statement = cache[sql] {
            statement.reset()
            return statement
        }
        let statement = try prepare(sql, single: false, retaining: false)
        cache[sql] = statement
        return statement
    }

    /// Runs one statement with `values` bound, ignoring any rows.
    public func run(_ sql: String, _ values: [SQLiteValue] = []) throws(SQLiteError) {
        let statement = try cached(sql)
        defer { statement.reset() }
        try statement.bind(values)
        while try statement.step() {}
    }

    /// Every row of one statement, mapped.
    public func query<T>(_ sql: String, _ values: [SQLiteValue] = [], _ map: (SQLiteStatement) throws(SQLiteError) -> T) throws(SQLiteError) -> [T] {
        let statement = try cached(sql)
        defer { statement.reset() }
        try statement.bind(values)
        var rows: [T] = []
        while try statement.step() { rows.append(try map(statement)) }
        return rows
    }

    /// The first column of the first row, as an integer (nil without a row).
    public func integer(_ sql: String, _ values: [SQLiteValue] = []) throws(SQLiteError) -> Int? {
        try query(sql, values) { $0.integer(0) }.first
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction: committed when it returns, rolled back
    /// when it throws.
    public func transaction<T>(_ body: () throws(SQLiteError) -> T) throws(SQLiteError) -> T {
        // Prepared once: a run commits a transaction per answer, and parsing BEGIN and COMMIT
        // each time was a measurable share of it.
        try run("BEGIN IMMEDIATE")
        let result: T
        do {
            result = try body()
        } catch {
            sqlite3_exec(handle, "ROLLBACK", nil, nil, nil)
            throw error
        }
        do {
            try run("COMMIT")
        } catch {
            sqlite3_exec(handle, "ROLLBACK", nil, nil, nil)
            throw error
        }
        return result
    }
}

/// A deadline a running statement is held to, read by SQLite's progress handler.
private final class ProgressDeadline {
    let deadline: UInt64
    var expired = false

    init(seconds: Double) {
        deadline = ProgressDeadline.now() &+ UInt64(max(seconds, 0) * 1e9)
    }

    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }
}
