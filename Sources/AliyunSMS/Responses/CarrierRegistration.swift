/// A sign's real-name registration with one carrier: one entry of GetSmsSign's
/// `SignIspRegisterDetailList`.
public struct CarrierRegistration: Sendable, Hashable {
    /// `OperatorCode`: "mobile", "unicom" or "telecom".
    public var operatorCode: String
    /// `RegisterStatus`: 3 registered and verified, 1 awaiting verification, -1 registering,
    /// -2 not registered, 0 failed, 2 expired (no sends for 6 months); nil when absent.
    public var status: Int?
    /// `RegisterStatusReasons`' `ReasonCode` and `ReasonDescList`, flattened, for messages.
    public var reasons: [String]

    /// Creates a registration.
    public init(operatorCode: String, status: Int?, reasons: [String] = []) {
        self.operatorCode = operatorCode
        self.status = status
        self.reasons = reasons
    }

    /// `RegisterStatus` 3: registered and verified, bulk sends go through.
    public static let registeredStatus = 3
}
