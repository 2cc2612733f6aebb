import Foundation
internal import SQLiteDatabase
import Synchronization

/// The durable record of what the emulator accepted: SQLite in WAL mode, one row per recipient,
/// each request committed in one transaction before it is answered.
public final class EmulatorRecord: Sendable {
    private let connection: Mutex<SQLiteConnection>
    /// Whether the record outlives the process (a file, not `:memory:`).
    public let isDurable: Bool

    /// Opens (creating if needed) the record at `path`; `:memory:` keeps it in memory.
    public init(path: String) throws(EmulatorError) {
        isDurable = path != ":memory:"
        // The record holds full phone numbers: owner-only, made so before SQLite opens it (its WAL
        // and shared-memory files take the database file's mode).
        if path != ":memory:" {
            let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw EmulatorError(code: .recordUnopenable, message: "cannot open the record '\(path)'", path: path) }
            fchmod(descriptor, 0o600)
            close(descriptor)
            for suffix in ["-wal", "-shm"] { chmod(path + suffix, 0o600) }
        }
        let database: SQLiteConnection
        do {
            database = try SQLiteConnection(path: path, mode: .create)
        } catch {
            throw EmulatorError(code: .recordUnopenable, message: "cannot open the record '\(path)': \(error)", path: path, cause: error)
        }
        do {
            try database.execute("""
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = NORMAL;
                CREATE TABLE IF NOT EXISTS messages (
                    id INTEGER PRIMARY KEY, biz_id TEXT NOT NULL, request_id TEXT NOT NULL, action TEXT NOT NULL,
                    phone TEXT NOT NULL, sign_name TEXT NOT NULL, template_code TEXT NOT NULL, parameters TEXT NOT NULL,
                    out_id TEXT, sent_at TEXT NOT NULL, send_date TEXT NOT NULL);
                CREATE INDEX IF NOT EXISTS messages_by_phone ON messages (phone, send_date);
                CREATE TABLE IF NOT EXISTS reports (
                    biz_id TEXT NOT NULL, phone TEXT NOT NULL, success INTEGER NOT NULL, code TEXT NOT NULL,
                    acknowledged INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (biz_id, phone));
                CREATE TABLE IF NOT EXISTS report_pushes (id INTEGER PRIMARY KEY, receipts INTEGER NOT NULL, acknowledged INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS replies (phone TEXT NOT NULL, sign_name TEXT NOT NULL, unsubscribe INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS pending_pushes (id INTEGER PRIMARY KEY, route TEXT NOT NULL, body TEXT NOT NULL, attempts INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS sts_events (refused INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS queue_events (queued INTEGER NOT NULL, deleted INTEGER NOT NULL, redelivered INTEGER NOT NULL);
                """)
        } catch {
            throw EmulatorError(code: .recordUnusable, message: "'\(path)' is not a usable record: \(error)", path: path, cause: error)
        }
        database.setBusyTimeout(milliseconds: 5000)
        connection = Mutex(database)
    }

    /// Records the recipients of one accepted request in one transaction.
    public func append(_ messages: [RecordedMessage]) throws(EmulatorError) {
        let failure: SQLiteError? = connection.withLock { database -> SQLiteError? in
            do throws(SQLiteError) {
                try database.transaction { () throws(SQLiteError) in
                    for message in messages {
                        try database.run("INSERT INTO messages (biz_id, request_id, action, phone, sign_name, template_code, parameters, out_id, sent_at, send_date) VALUES (?,?,?,?,?,?,?,?,?,?)",
                                         [.text(message.bizId), .text(message.requestId), .text(message.action), .text(message.phone), .text(message.signName),
                                          .text(message.templateCode), .text(message.parameters), .text(message.outId), .text(message.sentAt), .text(message.sendDate)])
                    }
                }
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw EmulatorError(code: .recordNotWritten, message: "cannot record: \(failure.message)", cause: failure) }
    }

    /// Records the outcome decided for each message's receipt (before it is pushed).
    public func recordReports(_ reports: [(bizId: String, phone: String, success: Bool, code: String)]) {
        connection.withLock { database in
            try? database.transaction { () throws(SQLiteError) in
                for report in reports {
                    try database.run("INSERT OR IGNORE INTO reports (biz_id, phone, success, code) VALUES (?, ?, ?, ?)",
                                     [.text(report.bizId), .text(report.phone), .integer(report.success ? 1 : 0), .text(report.code)])
                }
            }
        }
    }

    /// Records the replies decided: how many, and the numbers that asked to unsubscribe.
    public func recordReplies(count: Int, unsubscribes: [(phone: String, signName: String)]) {
        connection.withLock { database in
            try? database.transaction { () throws(SQLiteError) in
                for _ in 0..<(count - unsubscribes.count) { try database.run("INSERT INTO replies (phone, sign_name, unsubscribe) VALUES ('', '', 0)") }
                for entry in unsubscribes {
                    try database.run("INSERT INTO replies (phone, sign_name, unsubscribe) VALUES (?, ?, 1)", [.text(entry.phone), .text(entry.signName)])
                }
            }
        }
    }

    /// Records one push of an array and whether the receiver answered code 0.
    public func recordPush(receipts: Int, acknowledged: Bool) {
        connection.withLock { database in
            try? database.run("INSERT INTO report_pushes (receipts, acknowledged) VALUES (?, ?)", [.integer(receipts), .integer(acknowledged ? 1 : 0)])
        }
    }

    /// Marks receipts as answered with code 0 by the receiver.
    public func acknowledgeReports(_ keys: [(bizId: String, phone: String)]) {
        connection.withLock { database in
            try? database.transaction { () throws(SQLiteError) in
                for key in keys {
                    try database.run("UPDATE reports SET acknowledged = 1 WHERE biz_id = ? AND phone = ?", [.text(key.bizId), .text(key.phone)])
                }
            }
        }
    }

    /// Counts one STS event (`--sts`): credentials issued, or an issued key refused because its
    /// security token expired or was not its own.
    func countSTS(refused: Bool) {
        connection.withLock { database in
            try? database.run("INSERT INTO sts_events (refused) VALUES (?)", [.integer(refused ? 1 : 0)])
        }
    }

    /// Counts receipt-queue events (`--queue`): messages put, deleted, delivered again.
    func countQueue(queued: Int = 0, deleted: Int = 0, redelivered: Int = 0) {
        connection.withLock { database in
            try? database.run("INSERT INTO queue_events (queued, deleted, redelivered) VALUES (?, ?, ?)",
                              [.integer(Int64(queued)), .integer(Int64(deleted)), .integer(Int64(redelivered))])
        }
    }

    /// Keeps pushes not made yet (the emulator is stopping), for the next emulator on this record.
    func keepPendingPushes(_ pushes: [PendingPush]) {
        connection.withLock { database in
            try? database.transaction { () throws(SQLiteError) in
                for push in pushes {
                    try database.run("INSERT INTO pending_pushes (route, body, attempts) VALUES (?, ?, ?)",
                                     [.text(push.route), .text(push.body), .integer(Int64(push.attempts))])
                }
            }
        }
    }

    /// Takes the pushes a stopped emulator left: they are this emulator's to make now.
    func takePendingPushes() -> [PendingPush] {
        connection.withLock { database in
            (try? database.transaction { () throws(SQLiteError) -> [PendingPush] in
                let pushes = try database.query("SELECT route, body, attempts FROM pending_pushes ORDER BY id") { row in
                    PendingPush(route: row.text(0) ?? "", body: row.text(1) ?? "[]", attempts: row.integer(2))
                }
                try database.run("DELETE FROM pending_pushes")
                return pushes
            }) ?? []
        }
    }

    /// Rows matching a query, in order of recording.
    public func messages(phone: String? = nil, sendDate: String? = nil, bizId: String? = nil, signName: String? = nil, templateCode: String? = nil) -> [RecordedMessage] {
        var clauses: [String] = []
        var arguments: [SQLiteValue] = []
        for (column, value) in [("phone", phone), ("send_date", sendDate), ("biz_id", bizId), ("sign_name", signName), ("template_code", templateCode)] {
            if let value {
                clauses.append("\(column) = ?")
                arguments.append(.text(value))
            }
        }
        let sql = "SELECT biz_id, request_id, action, phone, sign_name, template_code, parameters, out_id, sent_at, send_date FROM messages"
            + (clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")) + " ORDER BY id"
        return connection.withLock { database in
            (try? database.query(sql, arguments) { row in
                RecordedMessage(bizId: row.text(0) ?? "", requestId: row.text(1) ?? "", action: row.text(2) ?? "", phone: row.text(3) ?? "",
                                signName: row.text(4) ?? "", templateCode: row.text(5) ?? "", parameters: row.text(6) ?? "",
                                outId: row.text(7), sentAt: row.text(8) ?? "", sendDate: row.text(9) ?? "")
            }) ?? []
        }
    }

    /// Counts of what was recorded, for `salvo emulator stats`.
    public func statistics() -> EmulatorStatistics {
        connection.withLock { database in
            var statistics = EmulatorStatistics()
            func scalar(_ sql: String) -> Int { ((try? database.integer(sql)) ?? nil) ?? 0 }
            statistics.reportsDelivered = scalar("SELECT COUNT(*) FROM reports WHERE success = 1")
            statistics.reportsFailed = scalar("SELECT COUNT(*) FROM reports WHERE success = 0")
            statistics.reportsAcknowledged = scalar("SELECT COUNT(*) FROM reports WHERE acknowledged = 1")
            statistics.reportPushes = scalar("SELECT COUNT(*) FROM report_pushes")
            statistics.replies = scalar("SELECT COUNT(*) FROM replies")
            statistics.unsubscribes = scalar("SELECT COUNT(DISTINCT phone) FROM replies WHERE unsubscribe = 1")
            statistics.reportPushesRefused = scalar("SELECT COUNT(*) FROM report_pushes WHERE acknowledged = 0")
            statistics.messages = scalar("SELECT COUNT(*) FROM messages")
            statistics.pendingPushes = scalar("SELECT COUNT(*) FROM pending_pushes")
            statistics.stsIssued = scalar("SELECT COUNT(*) FROM sts_events WHERE refused = 0")
            statistics.stsRefused = scalar("SELECT COUNT(*) FROM sts_events WHERE refused = 1")
            statistics.queued = scalar("SELECT COALESCE(SUM(queued), 0) FROM queue_events")
            statistics.queueDeleted = scalar("SELECT COALESCE(SUM(deleted), 0) FROM queue_events")
            statistics.queueRedelivered = scalar("SELECT COALESCE(SUM(redelivered), 0) FROM queue_events")
            statistics.requests = scalar("SELECT COUNT(DISTINCT biz_id) FROM messages")
            statistics.distinctNumbers = scalar("SELECT COUNT(DISTINCT phone) FROM messages")
            statistics.numbersRecordedMoreThanOnce = scalar("SELECT COUNT(*) FROM (SELECT phone FROM messages GROUP BY phone, sign_name, template_code HAVING COUNT(*) > 1)")
            statistics.extraCopies = scalar("SELECT COALESCE(SUM(n - 1), 0) FROM (SELECT COUNT(*) AS n FROM messages GROUP BY phone, sign_name, template_code HAVING n > 1)")
            let byAction = (try? database.query("SELECT action, COUNT(*) FROM messages GROUP BY action ORDER BY action") { ($0.text(0) ?? "", $0.integer(1)) }) ?? []
            for (action, count) in byAction { statistics.messagesByAction[action] = count }
            return statistics
        }
    }
}
