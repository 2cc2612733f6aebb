import CampaignCompiler

/// One attempt to send a batch and what came of it.
public struct AttemptRecord: Sendable, Hashable {
    /// What came of an attempt.
    public enum Outcome: String, Sendable, CaseIterable {
        /// Accepted by the provider.
        case accepted
        /// Refused by the provider (the code says why).
        case refused
        /// Refused for flow control, unprocessed.
        case throttled
        /// No answer; settled by reconciliation.
        case unanswered
        /// It never left (stopped before its slot, or no connection).
        case notSent
        /// Found at the provider on reconciliation.
        case found
        /// Not found at the provider a grace period after the attempt.
        case notFound
    }

    /// The batch attempted.
    public var batch: Int
    /// When it left (seconds since 1970).
    public var startedAt: Double
    /// When its answer came or it was settled.
    public var endedAt: Double
    /// What came of it.
    public var outcome: Outcome
    /// The provider's code, if any.
    public var code: String?

    /// An attempt.
    public init(batch: Int, startedAt: Double, endedAt: Double, outcome: Outcome, code: String? = nil) {
        self.batch = batch
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.outcome = outcome
        self.code = code
    }
}
