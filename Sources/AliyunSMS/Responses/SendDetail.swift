/// One record of QuerySendDetails: what happened to one message to one number.
public struct SendDetail: Sendable, Hashable {
    /// 1 waiting for a receipt, 2 failed, 3 delivered.
    public var sendStatus: Int
    /// The carrier's status code (`DELIVERED` on success).
    public var errorCode: String
    /// The template code.
    public var templateCode: String
    /// The caller's OutId, echoed.
    public var outId: String?
    /// When it was sent, `yyyy-MM-dd HH:mm:ss` China time.
    public var sendDate: String
    /// When the receipt came, if it has.
    public var receiveDate: String?
    /// The number (the platform may mask it).
    public var phoneNumber: String
}
