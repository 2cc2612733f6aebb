import Foundation
internal import SQLiteDatabase
import Synchronization

/// What the receipts receiver keeps beside the campaigns' state: receipts whose OutId names no
/// known campaign or plan (kept and counted, never lost) and replies (SmsUp), in
/// `STATE/.receipts/receipts.db`. Writes are on disk before they return.
public final class ReceiptsLedger: Sendable {
    /// The ledger's folder.
    public let folder: String
    private let state = Mutex<Held>(Held())

    private struct Held {
        var connection: SQLiteConnection?
    }

    init(folder: String) {
        self.folder = folder
    }

    var databasePath: String { folder + "/receipts.db" }

    /// Runs `body` on the ledger's connection, opened (and its tables made) on first use.
    private func withDatabase<T: Sendable>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try state.withLock { held in try body(try connect(&held)) }
    }

    private func connect(_ held: inout Held) throws -> SQLiteConnection {
        if let connection = held.connection { return connection }
        let connection = try Self.open(folder: folder, path: databasePath)
        held.connection = connection
        return connection
    }

    private static func open(folder: String, path databasePath: String) throws -> SQLiteConnection {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let opened = try SQLiteConnection(path: databasePath, mode: .create)
        try opened.execute("""
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = FULL;
            CREATE TABLE IF NOT EXISTS unmatched (
                id INTEGER PRIMARY KEY, biz_id TEXT NOT NULL, phone TEXT NOT NULL, out_id TEXT NOT NULL, success INTEGER NOT NULL,
                code TEXT NOT NULL, received_at REAL NOT NULL, UNIQUE (biz_id, phone));
            CREATE TABLE IF NOT EXISTS replies (
                id INTEGER PRIMARY KEY, phone TEXT NOT NULL, content TEXT NOT NULL, send_time TEXT NOT NULL, dest_code TEXT NOT NULL,
                sequence_id TEXT NOT NULL, sign_name TEXT NOT NULL, received_at REAL NOT NULL, UNIQUE (phone, sequence_id, send_time, content));
            """)
        chmod(databasePath, 0o600)
        return opened
    }

    /// Keeps receipts that match no campaign; returns how many were new.
    @discardableResult
    public func storeUnmatched(_ receipts: [PushedReceipt], at time: Double) throws -> Int {
        try withDatabase { database in
            var stored = 0
            try database.transaction { () throws(SQLiteError) in
                for receipt in receipts {
                    try database.run("INSERT OR IGNORE INTO unmatched (biz_id, phone, out_id, success, code, received_at) VALUES (?, ?, ?, ?, ?, ?)",
                                     [.text(receipt.bizId), .text(receipt.phone), .text(receipt.outId), .integer(receipt.success ? 1 : 0), .text(receipt.code), .real(time)])
                    stored += database.changes
                }
            }
            return stored
        }
    }

    /// Keeps replies; returns how many were new.
    @discardableResult
    public func storeReplies(_ replies: [PushedReply], at time: Double) throws -> Int {
        try withDatabase { database in
            var stored = 0
            try database.transaction { () throws(SQLiteError) in
                for reply in replies {
                    try database.run("""
                        INSERT OR IGNORE INTO replies (phone, content, send_time, dest_code, sequence_id, sign_name, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                        """, [.text(reply.phone), .text(reply.content), .text(reply.sendTime), .text(reply.destCode), .text(reply.sequenceId),
                              .text(reply.signName), .real(time)])
                    stored += database.changes
                }
            }
            return stored
        }
    }

    /// Receipts kept as unmatched, and replies.
    public func counts() throws -> (unmatched: Int, replies: Int) {
        guard FileManager.default.fileExists(atPath: databasePath) else { return (0, 0) }
        return try withDatabase { database in
            (try database.integer("SELECT COUNT(*) FROM unmatched") ?? 0, try database.integer("SELECT COUNT(*) FROM replies") ?? 0)
        }
    }
}
