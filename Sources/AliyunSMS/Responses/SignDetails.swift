/// What GetSmsSign says about a sign name: its review and its registration with the carriers.
public struct SignDetails: Sendable, Hashable {
    /// `SignName`.
    public var signName: String
    /// `SignStatus`.
    public var status: ReviewStatus
    /// `AuditInfo.RejectInfo`: why the review rejected it, when it did.
    public var rejectInfo: String?
    /// `SignIspRegisterDetailList`, in the answer's order.
    public var carriers: [CarrierRegistration]

    /// Creates sign details.
    public init(signName: String, status: ReviewStatus, rejectInfo: String? = nil, carriers: [CarrierRegistration] = []) {
        self.signName = signName
        self.status = status
        self.rejectInfo = rejectInfo
        self.carriers = carriers
    }
}
