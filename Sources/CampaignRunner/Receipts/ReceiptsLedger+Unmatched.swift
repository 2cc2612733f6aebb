import CampaignCompiler
import Foundation
internal import SQLiteDatabase

/// Why a receipt counts in no batch.
public enum UnmatchedReason: String, Sendable, Hashable, CaseIterable {
    /// The OutId is not `CAMPAIGN:PLAN:BATCH`, or names no possible campaign.
    case unknownOutId = "unknown-out-id"
    /// No run of the campaign the OutId names is known here.
    case noCampaign = "no-campaign"
    /// The campaign's run sends another plan.
    case otherPlan = "other-plan"
    /// The plan has no such batch.
    case unknownBatch = "unknown-batch"
    /// The number is not one of the batch's recipients.
    case phoneNotInBatch = "phone-not-in-batch"
}

/// A receipt kept in the ledger instead of a campaign's run.
public struct UnmatchedReceipt: Sendable, Hashable {
    public var receipt: Receipt
    public var reason: UnmatchedReason
    /// A receipt and why it counts nowhere.
    public init(receipt: Receipt, reason: UnmatchedReason) {
        self.receipt = receipt
        self.reason = reason
    }
}

/// An element of a push that is not a well-formed receipt or reply.
public struct MalformedElement: Sendable, Hashable {
    /// `sms-report` or `sms-up`.
    public var route: String
    /// A stable id: `malformed-not-an-object`, `malformed-missing-field`, `malformed-not-text`,
    /// `malformed-control-character`, `malformed-value`.
    public var reason: String
    /// What is wrong, in words.
    public var detail: String
    /// The element's JSON text, its first `excerptLimit` bytes.
    public var element: String

    /// The most of an element's text kept.
    public static let excerptLimit = 2048

    /// An element and what is wrong with it.
    public init(route: String, reason: String, detail: String, element: String) {
        self.route = route
        self.reason = reason
        self.detail = detail
        self.element = element
    }

    /// The start of an element's JSON text, at most `excerptLimit` bytes (a character cut in two
    /// is replaced).
    static func excerpt(_ json: Data) -> String {
        String(decoding: json.prefix(excerptLimit), as: UTF8.self)
    }
}

/// What the ledger holds of receipts that count nowhere and of malformed elements: counts by
/// reason, and the latest few of each reason.
public struct UnmatchedSummary: Sendable {
    /// Receipts by reason (`unrecorded` for those kept before reasons were).
    public var receipts: [String: Int] = [:]
    /// Malformed elements by reason.
    public var malformed: [String: Int] = [:]
    /// The latest receipts of each reason.
    public var receiptSamples: [String: [Receipt]] = [:]
    /// The latest malformed elements of each reason.
    public var malformedSamples: [String: [MalformedElement]] = [:]

    public init() {}
}

extension ReceiptsLedger {
    /// Adds the `reason` column and the `malformed` table to a ledger from before they existed;
    /// run on every opening (both are made only when missing).
    static func upgrade(_ database: SQLiteConnection) throws {
        let columns = try database.query("PRAGMA table_info(unmatched)") { $0.text(1) ?? "" }
        if !columns.contains("reason") {
            try database.execute("ALTER TABLE unmatched ADD COLUMN reason TEXT NOT NULL DEFAULT 'unrecorded'")
        }
        try database.execute("""
            CREATE TABLE IF NOT EXISTS malformed (
                id INTEGER PRIMARY KEY, route TEXT NOT NULL, reason TEXT NOT NULL, detail TEXT NOT NULL, element TEXT NOT NULL,
                received_at REAL NOT NULL, UNIQUE (route, element));
            """)
    }

    /// Keeps receipts that count in no batch, with the reason; returns how many were new (a
    /// receipt with the BizId and number of one kept is not kept again).
    @discardableResult
    public func storeUnmatched(_ receipts: [UnmatchedReceipt], at time: Double) throws -> Int {
        try withDatabase { database in
            var stored = 0
            try database.transaction { () throws(SQLiteError) in
                for entry in receipts {
                    let receipt = entry.receipt
                    try database.run("""
                        INSERT OR IGNORE INTO unmatched (biz_id, phone, out_id, success, code, received_at, reason) VALUES (?, ?, ?, ?, ?, ?, ?)
                        """, [.text(receipt.bizId), .text(receipt.phone), .text(receipt.outId), .integer(receipt.success ? 1 : 0), .text(receipt.code),
                              .real(time), .text(entry.reason.rawValue)])
                    stored += database.changes
                }
            }
            return stored
        }
    }

    /// Keeps malformed elements; returns how many were new (the same text on the same route is
    /// kept once).
    @discardableResult
    public func storeMalformed(_ elements: [MalformedElement], at time: Double) throws -> Int {
        try withDatabase { database in
            var stored = 0
            try database.transaction { () throws(SQLiteError) in
                for element in elements {
                    try database.run("INSERT OR IGNORE INTO malformed (route, reason, detail, element, received_at) VALUES (?, ?, ?, ?, ?)",
                                     [.text(element.route), .text(element.reason), .text(element.detail), .text(element.element), .real(time)])
                    stored += database.changes
                }
            }
            return stored
        }
    }

    /// Counts by reason and the latest `samples` of each reason; empty when nothing was ever kept.
    public func unmatchedSummary(samples: Int) throws -> UnmatchedSummary {
        guard try hasDatabase() else { return UnmatchedSummary() }
        return try withDatabase { database in
            var summary = UnmatchedSummary()
            for (reason, count) in try database.query("SELECT reason, COUNT(*) FROM unmatched GROUP BY reason", [], { ($0.text(0) ?? "", $0.integer(1)) }) {
                summary.receipts[reason] = count
                summary.receiptSamples[reason] = try database.query("""
                    SELECT biz_id, phone, out_id, success, code, received_at FROM unmatched WHERE reason = ? ORDER BY id DESC LIMIT ?
                    """, [.text(reason), .integer(Int64(samples))]) { row in
                    Receipt(bizId: row.text(0) ?? "", phone: row.text(1) ?? "", outId: row.text(2) ?? "", batch: 0, success: row.integer(3) == 1,
                            code: row.text(4) ?? "", message: "", segments: 0, sendTime: "", reportTime: "", receivedAt: row.real(5) ?? 0)
                }
            }
            for (reason, count) in try database.query("SELECT reason, COUNT(*) FROM malformed GROUP BY reason", [], { ($0.text(0) ?? "", $0.integer(1)) }) {
                summary.malformed[reason] = count
                summary.malformedSamples[reason] = try database.query("""
                    SELECT route, reason, detail, element FROM malformed WHERE reason = ? ORDER BY id DESC LIMIT ?
                    """, [.text(reason), .integer(Int64(samples))]) { row in
                    MalformedElement(route: row.text(0) ?? "", reason: row.text(1) ?? "", detail: row.text(2) ?? "", element: row.text(3) ?? "")
                }
            }
            return summary
        }
    }
}
