import CampaignCompiler

/// A run to start.
public struct NewRun: Sendable {
    /// The run's metadata.
    public var metadata: RunMetadata
    /// Every batch of the plan, pending.
    public var batches: [BatchRecord]
    /// A complete plan file; the store takes it in (the SQLite store moves it into its folder).
    public var planFile: String

    /// A new run.
    public init(metadata: RunMetadata, batches: [BatchRecord], planFile: String) {
        self.metadata = metadata
        self.batches = batches
        self.planFile = planFile
    }
}
