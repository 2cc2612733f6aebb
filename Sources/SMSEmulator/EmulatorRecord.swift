internal import CSQLite
import Foundation
import Synchronization

/// One recipient of an accepted request, as the emulator records it.
public struct RecordedMessage: Sendable, Hashable {
    public var bizId: String
    public var requestId: String
    public var action: String
    public var phone: String
    public var signName: String
    public var templateCode: String
    /// The template parameters as the JSON object received.
    public var parameters: String
    public var outId: String?
    /// China time, `yyyy-MM-dd HH:mm:ss`.
    public var sentAt: String
    /// China date, `yyyyMMdd`.
    public var sendDate: String
}

/// What went wrong with the record file.
public struct EmulatorRecordError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// The durable record of what the emulator accepted: SQLite in WAL mode, one row per recipient,
/// each request committed in one transaction before it is answered.
public final class EmulatorRecord: Sendable {
    private struct Connection {
        var database: OpaquePointer?
    }

    private let connection: Mutex<Connection>
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Opens (creating if needed) the record at `path`; `:memory:` keeps it in memory.
    public init(path: String) throws(EmulatorRecordError) {
        // The record holds full phone numbers: owner-only, made so before SQLite opens it (its WAL
        // and shared-memory files take the database file's mode).
        if path != ":memory:" {
            let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw EmulatorRecordError(description: "cannot open the record '\(path)'") }
            fchmod(descriptor, 0o600)
            close(descriptor)
            for suffix in ["-wal", "-shm"] { chmod(path + suffix, 0o600) }
        }
        var database: OpaquePointer?
        guard sqlite3_open_v2(path, &database, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nil) == SQLITE_OK, let database else {
            sqlite3_close(database)
            throw EmulatorRecordError(description: "cannot open the record '\(path)'")
        }
        let schema = """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            CREATE TABLE IF NOT EXISTS messages (
                id INTEGER PRIMARY KEY, biz_id TEXT NOT NULL, request_id TEXT NOT NULL, action TEXT NOT NULL,
                phone TEXT NOT NULL, sign_name TEXT NOT NULL, template_code TEXT NOT NULL, parameters TEXT NOT NULL,
                out_id TEXT, sent_at TEXT NOT NULL, send_date TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS messages_by_phone ON messages (phone, send_date);
            """
        guard sqlite3_exec(database, schema, nil, nil, nil) == SQLITE_OK else {
            let message = String(cString: sqlite3_errmsg(database))
            sqlite3_close(database)
            throw EmulatorRecordError(description: "'\(path)' is not a usable record: \(message)")
        }
        sqlite3_busy_timeout(database, 5000)
        connection = Mutex(Connection(database: database))
    }

    deinit {
        _ = connection.withLock { sqlite3_close($0.database) }
    }

    /// Records the recipients of one accepted request in one transaction.
    public func append(_ messages: [RecordedMessage]) throws(EmulatorRecordError) {
        let failure: String? = connection.withLock { connection in
            guard let database = connection.database else { return "closed" }
            guard sqlite3_exec(database, "BEGIN IMMEDIATE", nil, nil, nil) == SQLITE_OK else { return String(cString: sqlite3_errmsg(database)) }
            var statement: OpaquePointer?
            let sql = "INSERT INTO messages (biz_id, request_id, action, phone, sign_name, template_code, parameters, out_id, sent_at, send_date) VALUES (?,?,?,?,?,?,?,?,?,?)"
            guard sqlite3_prepare_v2(database, sql, -1, &statement, nil) == SQLITE_OK else {
                sqlite3_exec(database, "ROLLBACK", nil, nil, nil)
                return String(cString: sqlite3_errmsg(database))
            }
            defer { sqlite3_finalize(statement) }
            for message in messages {
                sqlite3_reset(statement)
                let values: [String?] = [message.bizId, message.requestId, message.action, message.phone, message.signName, message.templateCode,
                                         message.parameters, message.outId, message.sentAt, message.sendDate]
                for (index, value) in values.enumerated() {
                    if let value {
                        sqlite3_bind_text(statement, Int32(index + 1), value, -1, Self.transient)
                    } else {
                        sqlite3_bind_null(statement, Int32(index + 1))
                    }
                }
                guard sqlite3_step(statement) == SQLITE_DONE else {
                    sqlite3_exec(database, "ROLLBACK", nil, nil, nil)
                    return String(cString: sqlite3_errmsg(database))
                }
            }
            guard sqlite3_exec(database, "COMMIT", nil, nil, nil) == SQLITE_OK else { return String(cString: sqlite3_errmsg(database)) }
            return nil
        }
        if let failure { throw EmulatorRecordError(description: "cannot record: \(failure)") }
    }

    /// Rows matching a query, in order of recording.
    public func messages(phone: String? = nil, sendDate: String? = nil, bizId: String? = nil, signName: String? = nil, templateCode: String? = nil) -> [RecordedMessage] {
        var clauses: [String] = []
        var arguments: [String] = []
        for (column, value) in [("phone", phone), ("send_date", sendDate), ("biz_id", bizId), ("sign_name", signName), ("template_code", templateCode)] {
            if let value {
                clauses.append("\(column) = ?")
                arguments.append(value)
            }
        }
        let sql = "SELECT biz_id, request_id, action, phone, sign_name, template_code, parameters, out_id, sent_at, send_date FROM messages"
            + (clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")) + " ORDER BY id"
        return connection.withLock { connection in
            var rows: [RecordedMessage] = []
            var statement: OpaquePointer?
            guard let database = connection.database, sqlite3_prepare_v2(database, sql, -1, &statement, nil) == SQLITE_OK else { return [] }
            defer { sqlite3_finalize(statement) }
            for (index, value) in arguments.enumerated() {
                sqlite3_bind_text(statement, Int32(index + 1), value, -1, Self.transient)
            }
            func text(_ column: Int32) -> String? {
                sqlite3_column_text(statement, column).map { String(cString: $0) }
            }
            while sqlite3_step(statement) == SQLITE_ROW {
                rows.append(RecordedMessage(bizId: text(0) ?? "", requestId: text(1) ?? "", action: text(2) ?? "", phone: text(3) ?? "",
                                            signName: text(4) ?? "", templateCode: text(5) ?? "", parameters: text(6) ?? "",
                                            outId: text(7), sentAt: text(8) ?? "", sendDate: text(9) ?? ""))
            }
            return rows
        }
    }

    /// Counts of what was recorded, for `salvo emulator stats`.
    public func statistics() -> EmulatorStatistics {
        connection.withLock { connection in
            var statistics = EmulatorStatistics()
            guard let database = connection.database else { return statistics }
            func scalar(_ sql: String) -> Int {
                var statement: OpaquePointer?
                guard sqlite3_prepare_v2(database, sql, -1, &statement, nil) == SQLITE_OK else { return 0 }
                defer { sqlite3_finalize(statement) }
                return sqlite3_step(statement) == SQLITE_ROW ? Int(sqlite3_column_int64(statement, 0)) : 0
            }
            statistics.messages = scalar("SELECT COUNT(*) FROM messages")
            statistics.requests = scalar("SELECT COUNT(DISTINCT biz_id) FROM messages")
            statistics.distinctNumbers = scalar("SELECT COUNT(DISTINCT phone) FROM messages")
            statistics.numbersRecordedMoreThanOnce = scalar("SELECT COUNT(*) FROM (SELECT phone FROM messages GROUP BY phone, sign_name, template_code HAVING COUNT(*) > 1)")
            statistics.extraCopies = scalar("SELECT COALESCE(SUM(n - 1), 0) FROM (SELECT COUNT(*) AS n FROM messages GROUP BY phone, sign_name, template_code HAVING n > 1)")
            var statement: OpaquePointer?
            if sqlite3_prepare_v2(database, "SELECT action, COUNT(*) FROM messages GROUP BY action ORDER BY action", -1, &statement, nil) == SQLITE_OK {
                while sqlite3_step(statement) == SQLITE_ROW {
                    let action = sqlite3_column_text(statement, 0).map { String(cString: $0) } ?? ""
                    statistics.messagesByAction[action] = Int(sqlite3_column_int64(statement, 1))
                }
                sqlite3_finalize(statement)
            }
            return statistics
        }
    }
}

/// Counts of a record.
public struct EmulatorStatistics: Sendable, Hashable, Codable {
    /// Recipients recorded (one row each).
    public var messages = 0
    /// Accepted requests.
    public var requests = 0
    /// Different numbers.
    public var distinctNumbers = 0
    /// Numbers that got the same sign and template more than once: double sends.
    public var numbersRecordedMoreThanOnce = 0
    /// Messages beyond the first for those numbers.
    public var extraCopies = 0
    /// Recipients by API action.
    public var messagesByAction: [String: Int] = [:]
}
