import CampaignCompiler

/// Changes committed together.
public struct RunChange: Sendable, Hashable {
    /// Batches' new records (whole rows).
    public var batches: [BatchRecord]
    /// Attempts to add.
    public var attempts: [AttemptRecord]
    /// The run's new metadata, when it changed.
    public var metadata: RunMetadata?
    /// Flushed to disk before the call returns (intents: nothing that may have been sent is ever
    /// forgotten, not even by a power cut). Answers are committed without waiting for the disk: a
    /// lost answer leaves its batch `sending`, which is reconciled.
    public var durable: Bool

    /// A change.
    public init(batches: [BatchRecord] = [], attempts: [AttemptRecord] = [], metadata: RunMetadata? = nil, durable: Bool = false) {
        self.batches = batches
        self.attempts = attempts
        self.metadata = metadata
        self.durable = durable
    }

    /// Whether it changes nothing.
    public var isEmpty: Bool { batches.isEmpty && attempts.isEmpty && metadata == nil }
}
