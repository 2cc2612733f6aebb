import CampaignCompiler

/// A run's metadata: typed, whatever the store keeps it as.
public struct RunMetadata: Sendable, Hashable {
    /// The plan's id (a digest of every input).
    public var planID: String
    /// The campaign's id.
    public var campaign: String
    /// The salvo that started the run.
    public var salvoVersion: String
    /// When the run started (seconds since 1970).
    public var createdAt: Double
    /// The endpoint the run sends to; nil in state written before it was recorded.
    public var endpoint: String?
    /// How the last run ended; nil while the first is under way (or was killed).
    public var lastEnd: RunEnd?
    /// Why it stopped, for `stopped`.
    public var stopReason: String?
    /// What the run holding the campaign does now.
    public var activity: RunActivity?
    /// When the run last preflighted its plan (asked the account, or skipped it), seconds since 1970.
    public var preflightAt: Double?
    /// What that preflight came to: its summary, or "skipped (--no-preflight)".
    public var preflight: String?
    /// Whether that preflight asked the account and found no error (a resume within a day need
    /// not ask again); false when it was skipped or found errors.
    public var preflightPassed: Bool?

    /// Metadata.
    public init(planID: String, campaign: String, salvoVersion: String = SalvoVersion.current, createdAt: Double, endpoint: String? = nil,
                lastEnd: RunEnd? = nil, stopReason: String? = nil, activity: RunActivity? = nil) {
        self.planID = planID
        self.campaign = campaign
        self.salvoVersion = salvoVersion
        self.createdAt = createdAt
        self.endpoint = endpoint
        self.lastEnd = lastEnd
        self.stopReason = stopReason
        self.activity = activity
    }
}
