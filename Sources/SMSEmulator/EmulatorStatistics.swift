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
    /// Receipts decided (with `--report-url`) as delivered.
    public var reportsDelivered = 0
    /// Receipts decided as failed.
    public var reportsFailed = 0
    /// Receipts the receiver acknowledged with code 0.
    public var reportsAcknowledged = 0
    /// Arrays pushed.
    public var reportPushes = 0
    /// Arrays not answered code 0 (to be pushed again, or dropped after three retries).
    public var reportPushesRefused = 0
    /// Replies pushed (with `--reply-rate`).
    public var replies = 0
    /// Numbers whose reply asked to unsubscribe.
    public var unsubscribes = 0
    /// Pushes a stopped emulator kept for the next one on this record.
    public var pendingPushes = 0
    /// Temporary credentials issued (`--sts`: AssumeRole, AssumeRoleWithOIDC, metadata fetches).
    public var stsIssued = 0
    /// Requests refused because an issued key's security token had expired or was not its own
    /// (`InvalidSecurityToken.Expired` and `.Malformed`).
    public var stsRefused = 0
    /// Messages put in the receipt queues (`--queue`: receipts, replies, malformed extras).
    public var queued = 0
    /// Queue messages deleted by their receipt handle.
    public var queueDeleted = 0
    /// Queue messages delivered again after their visibility timeout.
    public var queueRedelivered = 0
}
