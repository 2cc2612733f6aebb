/// A request ready for the wire: signed, with its exact body bytes.
public struct SignedRequest: Sendable {
    /// The API action's wire name (`SendBatchSms`), as the request carries it.
    public var action: String
    /// The HTTP method.
    public var method: String
    /// The full URL with the encoded query.
    public var url: String
    /// Headers to send, names in lower case.
    public var headers: [(String, String)]
    /// The body bytes (empty when there is no body).
    public var body: [UInt8]

    /// The action as a type, with whether it sends messages.
    public var smsAction: SMSAction { SMSAction(wireName: action) }
}
