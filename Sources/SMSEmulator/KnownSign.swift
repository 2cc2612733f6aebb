import AliyunSMS

/// A sign name the emulator knows, with what GetSmsSign says of it: its review and its
/// registration with the carriers. Sends with a sign that is not approved are refused.
public struct KnownSign: Sendable, Hashable {
    /// The sign name.
    public var name: String
    /// Its review (`SignStatus`).
    public var status: ReviewStatus
    /// Why the review rejected it (`AuditInfo.RejectInfo`).
    public var rejectInfo: String?
    /// Its registration with each operator (`SignIspRegisterDetailList`), in this order.
    public var carriers: [CarrierRegistration]

    /// Creates a known sign; by default approved and registered with all three operators.
    public init(name: String, status: ReviewStatus = .approved, rejectInfo: String? = nil, carriers: [CarrierRegistration] = KnownSign.allRegistered) {
        self.name = name
        self.status = status
        self.rejectInfo = rejectInfo
        self.carriers = carriers
    }

    /// Registered and verified (`RegisterStatus` 3) with China Mobile, China Unicom and China Telecom.
    public static let allRegistered = ["mobile", "unicom", "telecom"].map { CarrierRegistration(operatorCode: $0, status: CarrierRegistration.registeredStatus) }
}
