import CampaignCompiler
import Foundation
internal import SQLiteDatabase
import Synchronization

/// A run's state in a campaign's state folder: `state.db` (SQLite in WAL mode, one connection)
/// beside `plan.jsonl`, the plan it sends. Folders written by salvo 0.1.0 (state schema 1) are
/// read as they are and migrated on the first write.
///
/// The plan file appears only after the run's rows are committed (it is written as
/// `plan.jsonl.new` and renamed), so a plan file beside a missing, empty or run-less `state.db`
/// means the state of a started run was lost: that is refused, never taken as a new campaign.
public final class SQLiteRunStore: RunStore {
    /// The schema this build writes; older ones are migrated, newer ones refused.
    public static let schemaVersion = 3
    static let applicationID = 0x5341_4C56 // "SALV"

    /// The campaign's state folder.
    public let folder: String
    private let readOnly: Bool
    private let state = Mutex<Open>(Open())

    private struct Open {
        /// The campaign's folder, held by its descriptor (files in it are opened without links).
        var folder: StateFolder?
        var connection: SQLiteConnection?
        var index: PlanIndex?
        var version = 0
        /// Whether the connection is set up for writing (WAL, `synchronous = NORMAL`).
        var writing = false
    }

    /// A store in `folder`; `readOnly` never writes (status, reports).
    public init(folder: String, readOnly: Bool = false) {
        self.folder = folder
        self.readOnly = readOnly
    }

    public var location: String { databasePath }
    var databasePath: String { folder + "/state.db" }
    /// The plan the run sends.
    public var planPath: String { folder + "/plan.jsonl" }
    /// Where a new plan is written before its run is committed.
    public var newPlanPath: String { folder + "/plan.jsonl.new" }
    public var planStagingPath: String? {
        state.withLock { open in open.folder?.resolved("plan.jsonl.new") } ?? newPlanPath
    }
    public func planHeader() async throws(RunStoreError) -> PlanHeader? {
        try state.withLock { open throws(RunStoreError) -> PlanHeader? in
            guard let folder = try opened(&open, create: false), try folder.hasFile("plan.jsonl") else { return nil }
            return PlanReader.header(at: folder.resolved("plan.jsonl"))
        }
    }
    public func planTrailer() async throws(RunStoreError) -> PlanTrailer? {
        try state.withLock { open throws(RunStoreError) -> PlanTrailer? in
            guard let folder = try opened(&open, create: false), try folder.hasFile("plan.jsonl") else { return nil }
            return PlanReader.trailer(at: folder.resolved("plan.jsonl"))
        }
    }
    public var comparesRecipients: Bool { true }
    public func planRecipients(_ request: PlanRecipientsRequest) async throws(RunStoreError) -> [Int: [PlanReader.PlannedRecipient]]? {
        PlanReader.phones(at: planPath, sources: request.sources)
    }
    /// The state file's device and inode: a reset moves it aside, and a new run starts another.
    public func storageIdentity() -> String? {
        var info = stat()
        guard stat(databasePath, &info) == 0 else { return nil }
        return "\(info.st_dev):\(info.st_ino)"
    }

    /// The campaign's folder, opened (and checked: owner, mode, no link) once; created when
    /// `create` says so, else nil when missing.
    private func opened(_ open: inout Open, create: Bool) throws(RunStoreError) -> StateFolder? {
        if let folder = open.folder { return folder }
        let folder = try StateFolder.child(self.folder, create: create && !readOnly)
        open.folder = folder
        return folder
    }

    // MARK: - Opening

    public func load() async throws(RunStoreError) -> StoredRun? {
        try state.withLock { open throws(RunStoreError) -> StoredRun? in try load(&open) }
    }

    private func load(_ open: inout Open) throws(RunStoreError) -> StoredRun? {
        // Opened afresh: the file may have been replaced since (a reset, a restore).
        open = Open()
        guard let directory = try opened(&open, create: false) else { return nil }
        let notices = readOnly ? [] : directory.tighten(["state.db", "state.db-wal", "state.db-shm", "plan.jsonl", "plan.jsonl.new", "lock"])
        let planExists = try directory.hasFile("plan.jsonl")
        let lost = "the state of a started run is gone: \(folder) holds its plan (plan.jsonl), and its state.db"
        let advice = "; messages may already have been sent from it. Nothing was sent. If that state is truly lost, 'salvo state reset' puts the folder aside and starts over (a new run first asks the provider whether the plan was sent)"
        guard try directory.hasFile("state.db") else {
            if planExists { throw RunStoreError(.lost, lost + " is missing" + advice) }
            return nil
        }
        if try directory.size("state.db") == 0 {
            if planExists { throw RunStoreError(.lost, lost + " is empty" + advice) }
            return nil
        }
        let connection = try connect(&open)
        let application = try read { () throws(SQLiteError) in try connection.integer("PRAGMA application_id") ?? 0 }
        let version = try read { () throws(SQLiteError) in try connection.integer("PRAGMA user_version") ?? 0 }
        let tables = try read { () throws(SQLiteError) in try connection.integer("SELECT COUNT(*) FROM sqlite_master") ?? 0 }
        if application == 0 && version == 0 && tables == 0 {
            if planExists { throw RunStoreError(.lost, lost + " holds no run" + advice) }
            return nil
        }
        guard application == Self.applicationID else {
            throw RunStoreError(.foreign, "'\(databasePath)' is not a salvo state file (application id \(application)); it was left as it is")
        }
        guard version <= Self.schemaVersion else {
            throw RunStoreError(.newer, "'\(databasePath)' was written by a newer salvo (state schema \(version), this one reads up to \(Self.schemaVersion)); upgrade salvo")
        }
        open.version = version
        let values = try read { () throws(SQLiteError) in
            try connection.query("SELECT key, value FROM meta") { ($0.text(0) ?? "", $0.text(1) ?? "") }
        }
        let meta = Dictionary(values, uniquingKeysWith: { _, last in last })
        guard let metadata = Self.metadata(meta) else {
            if planExists { throw RunStoreError(.lost, lost + " holds no run" + advice) }
            return nil
        }
        if !planExists {
            // Killed between committing the run and renaming its plan into place.
            if try directory.hasFile("plan.jsonl.new"), PlanReader.header(at: directory.resolved("plan.jsonl.new"))?.planId == metadata.planID, !readOnly,
               (try? directory.move("plan.jsonl.new", to: directory, as: "plan.jsonl")) != nil {
                _ = directory.tighten(["plan.jsonl"])
            } else {
                throw RunStoreError(.damaged, "the state in \(folder) is damaged: its plan file is missing; 'salvo state reset' puts the folder aside")
            }
        }
        let batches = try read { () throws(SQLiteError) in
            try connection.query("SELECT batch, action, out_id, recipients, segments, first_phone, state, attempts, not_before, attempt_at, biz_id, code, message FROM batches ORDER BY batch") { row in
                BatchRecord(batch: row.integer(0), action: row.text(1) ?? "", outId: row.text(2) ?? "", recipients: row.integer(3), segments: row.integer(4),
                            firstPhone: row.text(5) ?? "", state: BatchState(rawValue: row.text(6) ?? "") ?? .uncertain, attempts: row.integer(7),
                            notBefore: row.real(8), attemptAt: row.real(9), bizId: row.text(10), code: row.text(11), message: row.text(12))
            }
        }
        return StoredRun(metadata: metadata, batches: batches, notices: notices)
    }

    private func connect(_ open: inout Open) throws(RunStoreError) -> SQLiteConnection {
        if let connection = open.connection { return connection }
        guard let directory = try opened(&open, create: false) else {
            throw RunStoreError(.lost, "the state folder \(folder) is gone")
        }
        // A file this user may not open is said to be so (SQLite would only say it cannot open
        // it, and that reads as damage); SQLite then refuses a link anywhere in the path.
        let path = try directory.databasePath("state.db", writing: !readOnly)
        do {
            let connection = try SQLiteConnection(path: path, mode: readOnly ? .readOnly : .readWrite, followsLinks: false)
            open.connection = connection
            return connection
        } catch {
            throw RunStoreError(.damaged, "cannot open the state file '\(databasePath)': \(error.message); it was left as it is", cause: error)
        }
    }

    private func read<T>(_ body: () throws(SQLiteError) -> T) throws(RunStoreError) -> T {
        do {
            return try body()
        } catch {
            throw RunStoreError(.damaged, "'\(databasePath)' is not a readable salvo state file (\(error.message)); it was left as it is", cause: error)
        }
    }

    private func write<T>(_ body: () throws(SQLiteError) -> T) throws(RunStoreError) -> T {
        do {
            return try body()
        } catch {
            throw RunStoreError(.io, "state file '\(databasePath)': writing failed: \(error.message)", cause: error)
        }
    }

    // MARK: - Metadata

    static func metadata(_ meta: [String: String]) -> RunMetadata? {
        guard let planID = meta["plan_id"] else { return nil }
        var metadata = RunMetadata(planID: planID, campaign: meta["campaign"] ?? "", salvoVersion: meta["salvo"] ?? "",
                                   createdAt: meta["created_at"].flatMap(Double.init) ?? 0, endpoint: meta["endpoint"],
                                   lastEnd: meta["last_outcome"].flatMap(RunEnd.init(rawValue:)), stopReason: meta["stop_reason"])
        if let kind = meta["activity"].flatMap(RunActivity.Kind.init(rawValue:)) {
            metadata.activity = RunActivity(kind: kind, reason: meta["activity_reason"], until: meta["activity_until"].flatMap(Double.init),
                                            pace: meta["activity_pace"].flatMap(Double.init), ceiling: meta["activity_ceiling"].flatMap(Double.init),
                                            at: meta["activity_at"].flatMap(Double.init) ?? 0)
        }
        metadata.preflightAt = meta["preflight_at"].flatMap(Double.init)
        metadata.preflight = meta["preflight"]
        metadata.preflightPassed = meta["preflight_passed"].map { $0 == "1" }
        return metadata
    }

    /// The metadata as the `meta` table's keys (those of salvo 0.1.0, and new ones); nil removes.
    static func rows(_ metadata: RunMetadata) -> [(String, String?)] {
        let activity = metadata.activity
        return [
            ("plan_id", metadata.planID), ("campaign", metadata.campaign), ("salvo", metadata.salvoVersion), ("created_at", String(metadata.createdAt)),
            ("endpoint", metadata.endpoint), ("last_outcome", metadata.lastEnd?.rawValue), ("stop_reason", metadata.stopReason),
            ("activity", activity?.kind.rawValue), ("activity_reason", activity?.reason), ("activity_until", activity?.until.map { String($0) }),
            ("activity_pace", activity?.pace.map { String($0) }), ("activity_ceiling", activity?.ceiling.map { String($0) }),
            ("activity_at", activity.map { String($0.at) }),
            ("preflight_at", metadata.preflightAt.map { String($0) }), ("preflight", metadata.preflight),
            ("preflight_passed", metadata.preflightPassed.map { $0 ? "1" : "0" }),
        ]
    }

    private func writeMetadata(_ metadata: RunMetadata, on connection: SQLiteConnection) throws(SQLiteError) {
        for (key, value) in Self.rows(metadata) {
            if let value {
                try connection.run("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [.text(key), .text(value)])
            } else {
                try connection.run("DELETE FROM meta WHERE key = ?", [.text(key)])
            }
        }
    }

    // MARK: - Writing

    private func writable(_ open: inout Open) throws(RunStoreError) -> SQLiteConnection {
        guard !readOnly else { throw RunStoreError(.io, "the state in \(folder) was opened read-only") }
        let connection = try connect(&open)
        if open.writing { return connection }
        if open.version == 0 {
            open.version = try read { () throws(SQLiteError) in try connection.integer("PRAGMA user_version") ?? 0 }
        }
        if open.version < Self.schemaVersion {
            let from = open.version
            try write { () throws(SQLiteError) in
                try connection.execute("PRAGMA journal_mode = WAL")
                try connection.transaction { () throws(SQLiteError) in
                    if from < 1 {
                        try connection.execute("""
                            PRAGMA application_id = \(Self.applicationID);
                            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                            CREATE TABLE batches (
                                batch INTEGER PRIMARY KEY, action TEXT NOT NULL, out_id TEXT NOT NULL UNIQUE, recipients INTEGER NOT NULL,
                                segments INTEGER NOT NULL, first_phone TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
                                not_before REAL, attempt_at REAL, biz_id TEXT, code TEXT, message TEXT);
                            CREATE INDEX batches_by_state ON batches (state);
                            """)
                    }
                    if from < 2 {
                        try connection.execute("""
                            CREATE TABLE attempts (
                                id INTEGER PRIMARY KEY, batch INTEGER NOT NULL, started_at REAL NOT NULL, ended_at REAL NOT NULL,
                                outcome TEXT NOT NULL, code TEXT);
                            CREATE INDEX attempts_by_batch ON attempts (batch);
                            """)
                    }
                    if from < 3 {
                        try connection.execute("""
                            CREATE TABLE receipts (
                                id INTEGER PRIMARY KEY, biz_id TEXT NOT NULL, phone TEXT NOT NULL, out_id TEXT NOT NULL, batch INTEGER NOT NULL,
                                success INTEGER NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL, segments INTEGER NOT NULL,
                                send_time TEXT NOT NULL, report_time TEXT NOT NULL, received_at REAL NOT NULL, UNIQUE (biz_id, phone));
                            CREATE INDEX receipts_by_batch ON receipts (batch);
                            """)
                    }
                    try connection.execute("PRAGMA user_version = \(Self.schemaVersion)")
                }
            }
            open.version = Self.schemaVersion
        }
        // Answers are committed without waiting for the disk; intents are flushed (`durable`).
        try write { () throws(SQLiteError) in try connection.execute("PRAGMA synchronous = NORMAL") }
        open.writing = true
        return connection
    }

    public func create(_ run: NewRun) async throws(RunStoreError) {
        try state.withLock { open throws(RunStoreError) in
            if try load(&open) != nil { throw RunStoreError(.exists, "\(folder) already holds a run") }
            guard let directory = try opened(&open, create: true) else { throw RunStoreError(.io, "cannot create the state folder \(folder)") }
            if try directory.size("state.db") == 0 {
                open = Open()
                open.folder = directory
                try directory.createFile("state.db")
            }
            let connection = try writable(&open)
            try write { () throws(SQLiteError) in
                try connection.execute("PRAGMA synchronous = FULL")
                try connection.transaction { () throws(SQLiteError) in
                    try writeMetadata(run.metadata, on: connection)
                    for batch in run.batches {
                        try connection.run("INSERT INTO batches (batch, action, out_id, recipients, segments, first_phone, state, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                           [.integer(batch.batch), .text(batch.action), .text(batch.outId), .integer(batch.recipients), .integer(batch.segments),
                                            .text(batch.firstPhone), .text(batch.state.rawValue), .integer(batch.attempts)])
                    }
                }
                try connection.execute("PRAGMA synchronous = NORMAL")
            }
            if run.planFile == directory.resolved("plan.jsonl.new") || run.planFile == newPlanPath {
                try directory.move("plan.jsonl.new", to: directory, as: "plan.jsonl")
                _ = directory.tighten(["plan.jsonl"])
            } else if run.planFile != planPath {
                chmod(run.planFile, 0o600)
                guard rename(run.planFile, directory.resolved("plan.jsonl")) == 0 else {
                    throw RunStoreError(.io, "cannot move the plan into \(folder): \(String(cString: strerror(errno)))")
                }
            }
            open.index = nil
        }
    }

    public func commit(_ change: RunChange) async throws(RunStoreError) {
        guard !change.isEmpty else { return }
        try state.withLock { open throws(RunStoreError) in
            let connection = try writable(&open)
            try write { () throws(SQLiteError) in
                if change.durable { try connection.execute("PRAGMA synchronous = FULL") }
                defer { if change.durable { try? connection.execute("PRAGMA synchronous = NORMAL") } }
                try connection.transaction { () throws(SQLiteError) in
                    for batch in change.batches {
                        try connection.run("UPDATE batches SET state = ?, attempts = ?, not_before = ?, attempt_at = ?, biz_id = ?, code = ?, message = ? WHERE batch = ?",
                                           [.text(batch.state.rawValue), .integer(batch.attempts), .real(batch.notBefore), .real(batch.attemptAt), .text(batch.bizId),
                                            .text(batch.code), .text(batch.message), .integer(batch.batch)])
                        // A batch the run does not have: the whole change is refused.
                        guard connection.changes == 1 else { throw SQLiteError(.step, "the run has no batch \(batch.batch)") }
                    }
                    for attempt in change.attempts {
                        try connection.run("INSERT INTO attempts (batch, started_at, ended_at, outcome, code) VALUES (?, ?, ?, ?, ?)",
                                           [.integer(attempt.batch), .real(attempt.startedAt), .real(attempt.endedAt), .text(attempt.outcome.rawValue), .text(attempt.code)])
                    }
                    if let metadata = change.metadata { try writeMetadata(metadata, on: connection) }
                }
            }
        }
    }

    // MARK: - The plan

    public func planBatch(_ request: PlanBatchRequest) async throws(RunStoreError) -> PlanBatch {
        try state.withLock { open throws(RunStoreError) -> PlanBatch in
            let index: PlanIndex
            if let known = open.index {
                index = known
            } else {
                // Indexing checks the whole file against its trailer's digest: the plan sent is the
                // one stored, line for line.
                guard let directory = try opened(&open, create: false), try directory.hasFile("plan.jsonl") else {
                    throw RunStoreError(.damaged, "the state in \(folder) is damaged: its plan file is missing; 'salvo state reset' puts the folder aside")
                }
                do {
                    index = try PlanIndex(path: directory.resolved("plan.jsonl"))
                } catch {
                    throw RunStoreError(.damaged, "the state in \(folder) is damaged: \(error); 'salvo state reset' puts the folder aside", cause: error)
                }
                let connection = try connect(&open)
                let stored = try read { () throws(SQLiteError) in try connection.integer("SELECT COUNT(*) FROM batches") ?? 0 }
                guard index.count == stored else {
                    throw RunStoreError(.damaged, "the state in \(folder) is damaged: its plan has \(index.count) requests and its state \(stored); 'salvo state reset' puts the folder aside")
                }
                open.index = index
            }
            do {
                return try index.batch(request.batch)
            } catch {
                throw RunStoreError(.damaged, "the state in \(folder) is damaged: \(error)", cause: error)
            }
        }
    }

    public func readPlan(_ body: (PlanBatch) throws(PlanError) -> Void) async throws(RunStoreError) {
        let path = try state.withLock { open throws(RunStoreError) -> String in
            guard let directory = try opened(&open, create: false), try directory.hasFile("plan.jsonl") else { return planPath }
            return directory.resolved("plan.jsonl")
        }
        do {
            _ = try PlanReader.batches(at: path, body)
        } catch {
            throw RunStoreError(.damaged, "the plan in \(folder) cannot be read: \(error)", cause: error)
        }
    }

    public func attempts(_ query: AttemptQuery) async throws(RunStoreError) -> [AttemptRecord] {
        try state.withLock { open throws(RunStoreError) -> [AttemptRecord] in
            let connection = try connect(&open)
            let hasTable = try read { () throws(SQLiteError) in try connection.integer("SELECT COUNT(*) FROM sqlite_master WHERE name = 'attempts'") ?? 0 }
            guard hasTable > 0 else { return [] }
            let filter = query.batch.map { " WHERE batch = \($0)" } ?? ""
            return try read { () throws(SQLiteError) in
                try connection.query("SELECT batch, started_at, ended_at, outcome, code FROM attempts\(filter) ORDER BY id") { row in
                    AttemptRecord(batch: row.integer(0), startedAt: row.real(1) ?? 0, endedAt: row.real(2) ?? 0,
                                  outcome: AttemptRecord.Outcome(rawValue: row.text(3) ?? "") ?? .unanswered, code: row.text(4))
                }
            }
        }
    }

    // MARK: - Receipts

    public func storeReceipts(_ batch: ReceiptBatch) async throws(RunStoreError) -> ReceiptsStored {
        try state.withLock { open throws(RunStoreError) -> ReceiptsStored in
            let connection = try writable(&open)
            return try write { () throws(SQLiteError) -> ReceiptsStored in
                // The push is answered only once its receipts are on disk.
                try connection.execute("PRAGMA synchronous = FULL")
                defer { try? connection.execute("PRAGMA synchronous = NORMAL") }
                var result = ReceiptsStored(stored: 0, duplicates: 0)
                try connection.transaction { () throws(SQLiteError) in
                    for receipt in batch.receipts {
                        let known = try connection.integer("SELECT COUNT(*) FROM batches WHERE batch = ?", [.integer(receipt.batch)]) ?? 0
                        guard known == 1 else { throw SQLiteError(.step, "the run has no batch \(receipt.batch)") }
                        try connection.run("""
                            INSERT OR IGNORE INTO receipts (biz_id, phone, out_id, batch, success, code, message, segments, send_time, report_time, received_at)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """, [.text(receipt.bizId), .text(receipt.phone), .text(receipt.outId), .integer(receipt.batch), .integer(receipt.success ? 1 : 0),
                                  .text(receipt.code), .text(receipt.message), .integer(receipt.segments), .text(receipt.sendTime), .text(receipt.reportTime),
                                  .real(receipt.receivedAt)])
                        if connection.changes == 1 { result.stored += 1 } else { result.duplicates += 1 }
                    }
                }
                return result
            }
        }
    }

    public func receipts(_ query: ReceiptQuery) async throws(RunStoreError) -> [Receipt] {
        try state.withLock { open throws(RunStoreError) -> [Receipt] in
            let connection = try connect(&open)
            let hasTable = try read { () throws(SQLiteError) in try connection.integer("SELECT COUNT(*) FROM sqlite_master WHERE name = 'receipts'") ?? 0 }
            guard hasTable > 0 else { return [] }
            let filter = query.batch.map { " WHERE batch = \($0)" } ?? ""
            return try read { () throws(SQLiteError) in
                try connection.query("SELECT biz_id, phone, out_id, batch, success, code, message, segments, send_time, report_time, received_at FROM receipts\(filter) ORDER BY id") { row in
                    Receipt(bizId: row.text(0) ?? "", phone: row.text(1) ?? "", outId: row.text(2) ?? "", batch: row.integer(3), success: row.integer(4) == 1,
                            code: row.text(5) ?? "", message: row.text(6) ?? "", segments: row.integer(7), sendTime: row.text(8) ?? "",
                            reportTime: row.text(9) ?? "", receivedAt: row.real(10) ?? 0)
                }
            }
        }
    }

    // MARK: - Starting over

    public func setAside(_ request: SetAsideRequest) async throws(RunStoreError) -> String {
        try state.withLock { open throws(RunStoreError) -> String in
            open = Open()
            guard let directory = try opened(&open, create: false) else { throw RunStoreError(.io, "there is no state folder \(folder)") }
            open = Open()
            let stamp = Self.stamp(request.at)
            var name = "previous-" + stamp
            var suffix = 1
            while directory.entry(name) != .missing {
                suffix += 1
                name = "previous-\(stamp)-\(suffix)"
            }
            guard let target = try directory.folder(name, create: true) else { throw RunStoreError(.io, "cannot make '\(folder)/\(name)'") }
            for file in ["state.db", "state.db-wal", "state.db-shm", "plan.jsonl", "plan.jsonl.new"] where directory.entry(file) != .missing {
                // A link is moved as a link: put aside, never followed.
                try directory.move(file, to: target, as: file)
            }
            return target.path
        }
    }

    static func stamp(_ time: Double) -> String {
        var seconds = time_t(time)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }
}
