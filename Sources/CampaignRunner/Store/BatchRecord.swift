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

/// One batch's row in a run store: one plan request and where it stands.
public struct BatchRecord: Sendable, Hashable {
    /// The plan's 1-based request number.
    public var batch: Int
    /// `SendBatchSms` or `SendSms`.
    public var action: String
    /// The request's OutId, which names campaign, plan and batch: how the provider's records are
    /// matched on reconciliation.
    public var outId: String
    public var recipients: Int
    public var segments: Int
    /// A number of the batch, to ask the provider about.
    public var firstPhone: String
    public var state: BatchState
    /// Attempts that may have reached the provider.
    public var attempts: Int
    /// Not to be sent before this time (seconds since 1970).
    public var notBefore: Double?
    /// When the last attempt was made (seconds since 1970).
    public var attemptAt: Double?
    public var bizId: String?
    public var code: String?
    public var message: String?

    /// A batch's record.
    public init(batch: Int, action: String, outId: String, recipients: Int, segments: Int, firstPhone: String, state: BatchState, attempts: Int,
                notBefore: Double? = nil, attemptAt: Double? = nil, bizId: String? = nil, code: String? = nil, message: String? = nil) {
        self.batch = batch
        self.action = action
        self.outId = outId
        self.recipients = recipients
        self.segments = segments
        self.firstPhone = firstPhone
        self.state = state
        self.attempts = attempts
        self.notBefore = notBefore
        self.attemptAt = attemptAt
        self.bizId = bizId
        self.code = code
        self.message = message
    }
}
