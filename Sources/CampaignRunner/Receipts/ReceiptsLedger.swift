import CampaignCompiler
import Foundation
internal import SQLiteDatabase
import Synchronization

/// What the receipts receiver keeps beside the campaigns' state: receipts that count in no batch
/// (kept with the reason, never lost), malformed elements of pushes, and replies (SmsUp), in
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

    /// The ledger of the state folder `stateFolder`.
    public static func of(stateFolder: String) -> ReceiptsLedger {
        ReceiptsLedger(folder: stateFolder + "/.receipts")
    }

    /// The suppression list a plan of `campaign` leaves out: for a promotional campaign, the
    /// numbers that unsubscribed from its sign name; nil otherwise, or when there is no list.
    /// A ledger that cannot be read throws: a plan made without it could send to people who
    /// unsubscribed.
    public static func suppression(for campaign: Campaign, stateFolder: String) throws -> SuppressionList? {
        guard campaign.template.type.value == .promotional else { return nil }
        let numbers = try of(stateFolder: stateFolder).suppressed(signName: campaign.signName.value)
        return numbers.isEmpty ? nil : SuppressionList(numbers: numbers)
    }

    var databasePath: String { folder + "/receipts.db" }

    /// Opens the ledger, making its folder and database when missing: a receiver calls it before
    /// it listens, so that a state folder it may not use (another user's, open to others, a link
    /// in it) stops it at once instead of failing every push.
    public func prepare() throws {
        try withDatabase { _ in }
    }

    /// Whether the ledger has a database yet; a folder that cannot be read, or a link, throws.
    func hasDatabase() throws -> Bool {
        try StateFolder.child(folder, create: false)?.hasFile("receipts.db") ?? false
    }

    /// Runs `body` on the ledger's connection, opened (and its tables made) on first use.
    func withDatabase<T: Sendable>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try state.withLock { held in try body(try connect(&held)) }
    }

    private func connect(_ held: inout Held) throws -> SQLiteConnection {
        if let connection = held.connection { return connection }
        let connection = try Self.open(folder: folder, path: databasePath)
        try Self.upgrade(connection)
        held.connection = connection
        return connection
    }

    private static func open(folder: String, path databasePath: String) throws -> SQLiteConnection {
        // The ledger's folder is checked like a campaign's (owner, mode, no link), and its
        // database opened as a run's is (made 0600 first, so that its WAL and SHM files are too).
        guard let directory = try StateFolder.child(folder, create: true) else { throw RunStoreError(.io, "cannot create '\(folder)'") }
        let opened = try SQLiteConnection(path: directory.databasePath("receipts.db", writing: true, create: true), mode: .create, followsLinks: false)
        try opened.execute("""
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = FULL;
            CREATE TABLE IF NOT EXISTS unmatched (
                id INTEGER PRIMARY KEY, biz_id TEXT NOT NULL, phone TEXT NOT NULL, out_id TEXT NOT NULL, success INTEGER NOT NULL,
                code TEXT NOT NULL, received_at REAL NOT NULL, UNIQUE (biz_id, phone));
            CREATE TABLE IF NOT EXISTS replies (
                id INTEGER PRIMARY KEY, phone TEXT NOT NULL, content TEXT NOT NULL, send_time TEXT NOT NULL, dest_code TEXT NOT NULL,
                sequence_id TEXT NOT NULL, sign_name TEXT NOT NULL, received_at REAL NOT NULL, UNIQUE (phone, sequence_id, send_time, content));
            CREATE TABLE IF NOT EXISTS suppression (
                sign_name TEXT NOT NULL, phone TEXT NOT NULL, source TEXT NOT NULL, added_at REAL NOT NULL, PRIMARY KEY (sign_name, phone));
            """)
        return opened
    }

    /// Keeps replies, and puts the numbers of those that unsubscribe on their sign name's list (on
    /// every sign's, when the reply names none); returns how many replies were new, and how many
    /// asked to unsubscribe.
    @discardableResult
    public func storeReplies(_ replies: [PushedReply], at time: Double) throws -> (stored: Int, unsubscribes: Int) {
        try withDatabase { database in
            var stored = 0, unsubscribes = 0
            try database.transaction { () throws(SQLiteError) in
                for reply in replies {
                    try database.run("""
                        INSERT OR IGNORE INTO replies (phone, content, send_time, dest_code, sequence_id, sign_name, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                        """, [.text(reply.phone), .text(reply.content), .text(reply.sendTime), .text(reply.destCode), .text(reply.sequenceId),
                              .text(reply.signName), .real(time)])
                    let new = database.changes
                    stored += new
                    if Suppression.isUnsubscribe(reply.content), let phone = PhoneNumber.fromProvider(reply.phone) {
                        // A reply seen before is not counted again (its number is already listed).
                        unsubscribes += new
                        _ = try Self.addSuppressed(reply.signName, Self.suppressionForm(phone), source: "reply", at: time, on: database)
                    }
                }
            }
            return (stored, unsubscribes)
        }
    }

    /// Puts one number on a sign name's list; 1 when it was not there.
    private static func addSuppressed(_ signName: String, _ phone: String, source: String, at time: Double, on database: SQLiteConnection) throws(SQLiteError) -> Int {
        try database.run("INSERT OR IGNORE INTO suppression (sign_name, phone, source, added_at) VALUES (?, ?, ?, ?)",
                         [.text(signName), .text(phone), .text(source), .real(time)])
        return database.changes
    }

    /// The numbers suppressed for `signName` (those of replies without a sign name included).
    public func suppressed(signName: String) throws -> [String] {
        guard try hasDatabase() else { return [] }
        return try withDatabase { database in
            try database.query("SELECT DISTINCT phone FROM suppression WHERE sign_name = ? OR sign_name = '' ORDER BY phone", [.text(signName)]) { $0.text(0) ?? "" }
        }
    }

    /// The whole list: sign name, number, where it came from (`reply`, `import`), when added.
    public func suppressionList() throws -> [(signName: String, phone: String, source: String, addedAt: Double)] {
        guard try hasDatabase() else { return [] }
        return try withDatabase { database in
            try database.query("SELECT sign_name, phone, source, added_at FROM suppression ORDER BY sign_name, phone") { row in
                (signName: row.text(0) ?? "", phone: row.text(1) ?? "", source: row.text(2) ?? "", addedAt: row.real(3) ?? 0)
            }
        }
    }

    /// How the list keeps a number: a mainland number as its 11 digits, another country's with its
    /// `+`, so that `+1 415 555 0100` never reads back as the mainland-looking `14155550100`.
    public static func suppressionForm(_ phone: PhoneNumber) -> String {
        switch phone {
        case .mainland: phone.digits
        case .international: "+" + phone.digits
        }
    }

    /// Adds numbers to a sign name's list; returns how many were new.
    @discardableResult
    public func suppress(_ entries: [(signName: String, phone: String)], source: String, at time: Double) throws -> Int {
        try withDatabase { database in
            var added = 0
            try database.transaction { () throws(SQLiteError) in
                for entry in entries {
                    added += try Self.addSuppressed(entry.signName, entry.phone, source: source, at: time, on: database)
                }
            }
            return added
        }
    }

    /// Receipts kept as unmatched, and replies.
    public func counts() throws -> (unmatched: Int, replies: Int) {
        guard try hasDatabase() else { return (0, 0) }
        return try withDatabase { database in
            (try database.integer("SELECT COUNT(*) FROM unmatched") ?? 0, try database.integer("SELECT COUNT(*) FROM replies") ?? 0)
        }
    }
}

/// What counts as a request to unsubscribe.
public enum Suppression {
    /// The words, compared after full-width forms are made half-width, case is folded and spaces
    /// are trimmed: R, TD, T, N, 退订, 拒收.
    static let words: Set<String> = ["R", "TD", "T", "N", "退订", "拒收"]

    /// Whether a reply's content is an unsubscribe word.
    public static func isUnsubscribe(_ content: String) -> Bool {
        let folded = content.applyingTransform(.fullwidthToHalfwidth, reverse: false) ?? content
        let trimmed = folded.trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: "\u{3000}")))
        return words.contains(trimmed.uppercased())
    }
}
