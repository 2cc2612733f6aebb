internal import CSQLite
import Foundation

/// Where a batch stands.
public enum BatchState: String, Sendable, CaseIterable {
    /// Not sent yet (or safe to send again).
    case pending
    /// The intent to send was recorded; the request may be in flight.
    case sending
    /// The provider accepted it.
    case accepted
    /// Refused for good (recipient errors, or retries exhausted).
    case failed
    /// Waiting until `notBefore` (per-number limits, throttling, backoff).
    case deferred
    /// The request was written and no answer came: reconcile before anything else.
    case uncertain
    /// The campaign ended before it could be sent.
    case expired

    /// Whether the batch needs nothing more.
    public var isFinal: Bool { self == .accepted || self == .failed || self == .expired }
}

/// One batch's row in the state store.
public struct BatchRecord: Sendable, Hashable {
    public var batch: Int
    public var action: String
    public var outId: String
    public var recipients: Int
    public var segments: Int
    public var firstPhone: String
    public var state: BatchState
    public var attempts: Int
    /// Not to be sent before this time (seconds since 1970).
    public var notBefore: Double?
    /// When the last attempt was made (seconds since 1970).
    public var attemptAt: Double?
    public var bizId: String?
    public var code: String?
    public var message: String?
}

/// A state store that cannot be used: corrupt, foreign, or from a newer salvo. Never recreated
/// silently: the user decides.
public struct StateStoreError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// One campaign's progress: SQLite in WAL mode through the C API, one connection owned by the run.
///
/// SQLite is used directly (a small type over the C API rather than GRDB): the runner needs a
/// handful of statements, durable transactions and nothing more, and the system library costs no
/// build time.
public final class StateStore {
    /// The schema this build writes; older ones are migrated, newer ones refused.
    public static let schemaVersion = 1
    static let applicationID: Int32 = 0x5341_4C56 // "SALV"

    private var database: OpaquePointer?
    /// The batches as last read, kept in step with every write through this store. The run holds
    /// the campaign's lock, so nothing else writes them; the loop then reads memory, not every row
    /// again for each group of requests.
    private var rows: [BatchRecord] = []
    private var rowsLoaded = false
    private var positions: [Int: Int] = [:]
    /// Prepared statements by their SQL: the run writes a row per answer, and parsing the same
    /// UPDATE each time cost more than executing it.
    private var statements: [String: OpaquePointer] = [:]
    /// The file's path.
    public let path: String
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Opens the store at `path`, creating it (owner-only) when it does not exist.
    public init(path: String) throws(StateStoreError) {
        self.path = path
        let existed = FileManager.default.fileExists(atPath: path)
        if !existed {
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw StateStoreError("cannot create the state file '\(path)': \(String(cString: strerror(errno)))") }
            close(descriptor)
        }
        guard sqlite3_open_v2(path, &database, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK, database != nil else {
            throw StateStoreError("cannot open the state file '\(path)'")
        }
        sqlite3_busy_timeout(database, 10_000)
        let application = try scalarInt("PRAGMA application_id")
        let version = try scalarInt("PRAGMA user_version")
        if existed && !(application == 0 && version == 0 && (try? scalarInt("SELECT COUNT(*) FROM sqlite_master")) == 0) {
            guard application == Int(Self.applicationID) else {
                throw StateStoreError("'\(path)' is not a salvo state file (application id \(application)); it was left as it is")
            }
            guard version <= Self.schemaVersion else {
                throw StateStoreError("'\(path)' was written by a newer salvo (state schema \(version), this one reads up to \(Self.schemaVersion)); upgrade salvo")
            }
        }
        try execute("PRAGMA journal_mode = WAL")
        // Answers are committed without waiting for the disk: a lost answer after a power cut
        // leaves its batch 'sending', which is reconciled. Intents are flushed (see markSending).
        try execute("PRAGMA synchronous = NORMAL")
        if version == 0 {
            try execute("""
                BEGIN IMMEDIATE;
                PRAGMA application_id = \(Self.applicationID);
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE batches (
                    batch INTEGER PRIMARY KEY, action TEXT NOT NULL, out_id TEXT NOT NULL UNIQUE, recipients INTEGER NOT NULL,
                    segments INTEGER NOT NULL, first_phone TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
                    not_before REAL, attempt_at REAL, biz_id TEXT, code TEXT, message TEXT);
                CREATE INDEX batches_by_state ON batches (state);
                PRAGMA user_version = \(Self.schemaVersion);
                COMMIT;
                """)
        }
        guard (try? scalarInt("SELECT COUNT(*) FROM batches")) != nil else {
            throw StateStoreError("'\(path)' is damaged: its batches table cannot be read")
        }
    }

    deinit {
        for statement in statements.values { sqlite3_finalize(statement) }
        sqlite3_close(database)
    }

    // MARK: - Meta

    /// A metadata value.
    public func meta(_ key: String) -> String? {
        try? query("SELECT value FROM meta WHERE key = ?", [key]) { $0.text(0) }.first ?? nil
    }

    /// Sets metadata values in one transaction.
    public func setMeta(_ values: [String: String]) throws(StateStoreError) {
        try transaction { () throws(StateStoreError) in
            for (key, value) in values.sorted(by: { $0.key < $1.key }) {
                try self.run("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value])
            }
        }
    }

    // MARK: - Batches

    /// Adds the plan's batches, all pending, and the metadata that says which plan they are, in
    /// one transaction: a crash leaves either both or neither.
    public func initialize(batches: [BatchRecord], meta: [String: String]) throws(StateStoreError) {
        try transaction { () throws(StateStoreError) in
            for (key, value) in meta.sorted(by: { $0.key < $1.key }) {
                try self.run("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value])
            }
            for batch in batches {
                try self.run("INSERT INTO batches (batch, action, out_id, recipients, segments, first_phone, state) VALUES (?, ?, ?, ?, ?, ?, 'pending')",
                             [String(batch.batch), batch.action, batch.outId, String(batch.recipients), String(batch.segments), batch.firstPhone])
            }
        }
        rowsLoaded = false
    }

    /// Every batch, in plan order.
    public func batches() throws(StateStoreError) -> [BatchRecord] {
        if rowsLoaded { return rows }
        let read = try query("SELECT batch, action, out_id, recipients, segments, first_phone, state, attempts, not_before, attempt_at, biz_id, code, message FROM batches ORDER BY batch", []) { row in
            BatchRecord(batch: row.int(0), action: row.text(1) ?? "", outId: row.text(2) ?? "", recipients: row.int(3), segments: row.int(4),
                        firstPhone: row.text(5) ?? "", state: BatchState(rawValue: row.text(6) ?? "") ?? .pending, attempts: row.int(7),
                        notBefore: row.double(8), attemptAt: row.double(9), bizId: row.text(10), code: row.text(11), message: row.text(12))
        }
        rows = read
        rowsLoaded = true
        positions = Dictionary(read.enumerated().map { ($1.batch, $0) }, uniquingKeysWith: { first, _ in first })
        return read
    }

    /// Applies a committed write to the rows in memory.
    private func remember(_ batch: Int, _ change: (inout BatchRecord) -> Void) {
        guard rowsLoaded, let position = positions[batch] else { return }
        change(&rows[position])
    }

    /// Records the intent to send a group of batches, flushed to disk before any of them leaves,
    /// so that not even a power cut can forget a request that may have been sent.
    public func markSending(_ batches: [Int], at time: Double) throws(StateStoreError) {
        try execute("PRAGMA synchronous = FULL")
        defer { try? execute("PRAGMA synchronous = NORMAL") }
        try transaction { () throws(StateStoreError) in
            for batch in batches {
                try self.run("UPDATE batches SET state = 'sending', attempt_at = ?, attempts = attempts + 1 WHERE batch = ?", [String(time), String(batch)])
            }
        }
        for batch in batches {
            remember(batch) { record in
                record.state = .sending
                record.attemptAt = time
                record.attempts += 1
            }
        }
    }

    /// Moves a batch's attempt time to when its request will actually leave (paced later than its
    /// group was marked), so that the grace before an unanswered request is sent again counts
    /// from its departure. Committed without waiting for the disk, like answers.
    public func setAttemptAt(_ batch: Int, _ time: Double) throws(StateStoreError) {
        try run("UPDATE batches SET attempt_at = ? WHERE batch = ?", [String(time), String(batch)])
        remember(batch) { $0.attemptAt = time }
    }

    /// Records one batch's new state. `retractingAttempt`: the attempt `markSending` counted never
    /// reached the provider (it was not sent, or the provider has no record of it), so it does not
    /// count towards backoff or giving up; a run killed again and again must not wear a batch out.
    public func update(_ batch: Int, state: BatchState, notBefore: Double? = nil, bizId: String? = nil, code: String? = nil, message: String? = nil,
                       retractingAttempt: Bool = false) throws(StateStoreError) {
        // One statement commits on its own (autocommit), atomically.
        try run("UPDATE batches SET state = ?, not_before = ?, biz_id = COALESCE(?, biz_id), code = ?, message = ?, attempts = MAX(attempts - ?, 0) WHERE batch = ?",
                [state.rawValue, notBefore.map { String($0) }, bizId, code, message, retractingAttempt ? "1" : "0", String(batch)])
        remember(batch) { record in
            if retractingAttempt { record.attempts = max(record.attempts - 1, 0) }
            record.state = state
            record.notBefore = notBefore
            record.bizId = bizId ?? record.bizId
            record.code = code
            record.message = message
        }
    }

    // MARK: - SQLite

    struct Row {
        let statement: OpaquePointer?
        func text(_ column: Int32) -> String? { sqlite3_column_text(statement, column).map { String(cString: $0) } }
        func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(statement, column)) }
        func double(_ column: Int32) -> Double? { sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : sqlite3_column_double(statement, column) }
    }

    private func failure(_ action: String) -> StateStoreError {
        StateStoreError("state file '\(path)': \(action) failed: \(String(cString: sqlite3_errmsg(database)))")
    }

    private func execute(_ sql: String) throws(StateStoreError) {
        guard sqlite3_exec(database, sql, nil, nil, nil) == SQLITE_OK else {
            let error = failure("setup")
            sqlite3_exec(database, "ROLLBACK", nil, nil, nil)
            throw error
        }
    }

    private func scalarInt(_ sql: String) throws(StateStoreError) -> Int {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(database, sql, -1, &statement, nil) == SQLITE_OK else {
            throw StateStoreError("'\(path)' is not a readable SQLite database (\(String(cString: sqlite3_errmsg(database)))); it was left as it is")
        }
        defer { sqlite3_finalize(statement) }
        guard sqlite3_step(statement) == SQLITE_ROW else {
            throw StateStoreError("'\(path)' is not a readable SQLite database (\(String(cString: sqlite3_errmsg(database)))); it was left as it is")
        }
        return Int(sqlite3_column_int64(statement, 0))
    }

    private func prepared(_ sql: String) throws(StateStoreError) -> OpaquePointer {
        if let statement = statements[sql] { return statement }
        var statement: OpaquePointer?
        guard sqlite3_prepare_v3(database, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil) == SQLITE_OK, let statement else {
            throw failure("preparing")
        }
        statements[sql] = statement
        return statement
    }

    private func run(_ sql: String, _ arguments: [String?]) throws(StateStoreError) {
        let statement = try prepared(sql)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        bind(statement, arguments)
        guard sqlite3_step(statement) == SQLITE_DONE else { throw failure("writing") }
    }

    private func query<T>(_ sql: String, _ arguments: [String?], _ map: (Row) -> T) throws(StateStoreError) -> [T] {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(database, sql, -1, &statement, nil) == SQLITE_OK else { throw failure("preparing") }
        defer { sqlite3_finalize(statement) }
        bind(statement, arguments)
        var rows: [T] = []
        while true {
            let step = sqlite3_step(statement)
            if step == SQLITE_DONE { break }
            guard step == SQLITE_ROW else { throw failure("reading") }
            rows.append(map(Row(statement: statement)))
        }
        return rows
    }

    private func bind(_ statement: OpaquePointer?, _ arguments: [String?]) {
        for (index, argument) in arguments.enumerated() {
            if let argument {
                sqlite3_bind_text(statement, Int32(index + 1), argument, -1, Self.transient)
            } else {
                sqlite3_bind_null(statement, Int32(index + 1))
            }
        }
    }

    private func transaction(_ body: () throws(StateStoreError) -> Void) throws(StateStoreError) {
        guard sqlite3_exec(database, "BEGIN IMMEDIATE", nil, nil, nil) == SQLITE_OK else { throw failure("beginning a transaction") }
        do {
            try body()
        } catch {
            sqlite3_exec(database, "ROLLBACK", nil, nil, nil)
            throw error
        }
        guard sqlite3_exec(database, "COMMIT", nil, nil, nil) == SQLITE_OK else {
            let error = failure("committing")
            sqlite3_exec(database, "ROLLBACK", nil, nil, nil)
            throw error
        }
    }
}
