import CampaignCompiler

/// A run as a store holds it.
public struct StoredRun: Sendable, Hashable {
    /// The run's metadata.
    public var metadata: RunMetadata
    /// Every batch, in plan order.
    public var batches: [BatchRecord]
    /// What the store fixed as it opened (permissions tightened), for the user to know.
    public var notices: [String]

    /// A stored run.
    public init(metadata: RunMetadata, batches: [BatchRecord], notices: [String] = []) {
        self.metadata = metadata
        self.batches = batches
        self.notices = notices
    }
}
