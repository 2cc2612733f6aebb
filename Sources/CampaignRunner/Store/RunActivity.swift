import CampaignCompiler

/// What a running run is doing, for `status` from another process.
public struct RunActivity: Sendable, Hashable {
    /// The kind of activity.
    public enum Kind: String, Sendable, Hashable {
        case sending, waiting
    }

    /// Sending or waiting.
    public var kind: Kind
    /// Why: for a wait, in words ("before the campaign's start"); while sending, the pace's
    /// `FlowControl.Reason` when it is not the configured rate.
    public var reason: String?
    /// Until when it waits (seconds since 1970).
    public var until: Double?
    /// The pace in force, in messages per second.
    public var pace: Double?
    /// The configured rate, in messages per second.
    public var ceiling: Double?
    /// When this was written.
    public var at: Double

    /// An activity.
    public init(kind: Kind, reason: String? = nil, until: Double? = nil, pace: Double? = nil, ceiling: Double? = nil, at: Double) {
        self.kind = kind
        self.reason = reason
        self.until = until
        self.pace = pace
        self.ceiling = ceiling
        self.at = at
    }
}
