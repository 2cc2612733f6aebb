/// Where a batch stands.
public enum BatchState: String, Sendable, CaseIterable {
    /// Not sent yet (or safe to send again).
    case pending
    /// The intent to send was recorded; the request may be in flight.
    case sending
    /// The provider accepted it.
    case accepted
    /// Refused for good (recipient errors, or retries exhausted).
    case failed
    /// Waiting until `notBefore` (per-number limits, throttling, backoff).
    case deferred
    /// The request was written and no answer came: reconcile before anything else.
    case uncertain
    /// The campaign ended before it was sent.
    case expired

    /// Whether the batch needs nothing more.
    public var isFinal: Bool { self == .accepted || self == .failed || self == .expired }
    /// Whether its answer is unknown: it may have reached the provider.
    public var isUnsettled: Bool { self == .sending || self == .uncertain }
    /// Whether it waits to be sent.
    public var isWaiting: Bool { self == .pending || self == .deferred }
}
