/// The first line of a plan file: what it was compiled from, so that a stale plan is recognised.
public struct PlanHeader: Codable, Sendable, Hashable {
    /// One input file and its content hash.
    public struct Input: Codable, Sendable, Hashable {
        /// The path as the campaign names it (the campaign file: as given).
        public var path: String
        /// `csv`, `jsonl`, `sqlite` for sources; `campaign` for the campaign file.
        public var kind: String
        /// Lower-case hex SHA-256 of the file's bytes (for SQLite: of the database file).
        public var sha256: String
    }

    /// Always `salvo-plan`.
    public var format = "salvo-plan"
    /// The plan format's version.
    public var version = PlanHeader.currentVersion
    /// The salvo that wrote it.
    public var salvo = SalvoVersion.current
    /// The campaign id.
    public var campaign: String
    /// A digest of every input: equal inputs, equal plan id.
    public var planId: String
    /// The campaign file.
    public var campaignFile: Input
    /// The template: code and a hash of sign name, code and content.
    public var template: String
    public var templateSHA256: String
    /// Recipient sources, in order.
    public var sources: [Input]
    /// Exclusion lists, in order.
    public var exclusions: [Input]
    /// The parameter names, in the order each recipient's values are listed.
    public var parameters: [String]
    /// The sign name every request uses.
    public var signName: String
    /// The suppression list the plan left out (numbers that replied to unsubscribe), for a
    /// promotional campaign that had one: its hash, not part of the plan id (a reply that arrives
    /// during a run does not change the plan the run sends).
    public var suppression: Input?

    /// The plan format this build writes and reads.
    public static let currentVersion = 1
}

/// One request of the plan.
public struct PlanBatch: Codable, Sendable, Hashable {
    /// 1-based, in plan order.
    public var batch: Int
    /// `SendBatchSms` or `SendSms`.
    public var action: String
    /// Names campaign, plan and batch, so the provider's records match back to it.
    public var outId: String
    /// For SendBatchSms: `[phone, source index, value…]` per recipient. For SendSms: `[phone,
    /// source index]` per recipient, the shared values in `values`.
    public var recipients: [[String]]
    /// SendSms only: the values every recipient shares.
    public var values: [String]?
    /// Segments billed for this request.
    public var segments: Int
    /// International plans only: per calling code (`"852"`), `[recipients, segments]` of this
    /// request; nil in mainland plans, where every recipient is +86.
    public var countries: [String: [Int]]?
}

/// The last line of a complete plan: a plan file without it was cut short.
public struct PlanTrailer: Codable, Sendable, Hashable {
    /// Always true; the key marks the line.
    public var end = true
    /// Requests by action.
    public var requests: [String: Int]
    /// Recipients in the plan.
    public var recipients: Int
    /// Segments in the plan.
    public var segments: Int
    /// SHA-256 (hex) of the request lines, each with its newline, in order: a plan edited or
    /// damaged after it was written is refused. Absent in plans from before it was added.
    public var requestsSHA256: String?
    /// Recipients left out because they are on the suppression list (absent without one).
    public var suppressed: Int?
}
