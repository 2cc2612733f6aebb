/// One recipient of an accepted request, as the emulator records it.
public struct RecordedMessage: Sendable, Hashable {
    /// The BizId of the request that sent it.
    public var bizId: String
    /// The RequestId of that request.
    public var requestId: String
    /// The action's name on the wire (`SendSms`, `SendBatchSms`).
    public var action: String
    /// The number, normalised to 11 digits.
    public var phone: String
    /// The sign name.
    public var signName: String
    /// The template code.
    public var templateCode: String
    /// The template parameters as the JSON object received.
    public var parameters: String
    /// The request's OutId, if it had one.
    public var outId: String?
    /// China time, `yyyy-MM-dd HH:mm:ss`.
    public var sentAt: String
    /// China date, `yyyyMMdd`.
    public var sendDate: String
}
