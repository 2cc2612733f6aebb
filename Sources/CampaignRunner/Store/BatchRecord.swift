/// One batch's row in a run store: one plan request and where it stands.
public struct BatchRecord: Sendable, Hashable {
    /// The plan's 1-based request number.
    public var batch: Int
    /// `SendBatchSms` or `SendSms`.
    public var action: String
    /// The request's OutId, which names campaign, plan and batch: how the provider's records are
    /// matched on reconciliation.
    public var outId: String
    /// Recipients in the request.
    public var recipients: Int
    /// Billed segments in the request.
    public var segments: Int
    /// A number of the batch, to ask the provider about.
    public var firstPhone: String
    /// Where it stands.
    public var state: BatchState
    /// Attempts that may have reached the provider.
    public var attempts: Int
    /// Not to be sent before this time (seconds since 1970).
    public var notBefore: Double?
    /// When the last attempt was made (seconds since 1970).
    public var attemptAt: Double?
    /// The provider's BizId, once accepted.
    public var bizId: String?
    /// The last answer's code.
    public var code: String?
    /// The last answer's words, or ours.
    public var message: String?
    /// In a shared store, the runner that holds the batch (claimed it, or settles it); nil when
    /// none does, and always nil in a store of one runner.
    public var owner: String?

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
