/// A Dysmsapi action: its name on the wire, and whether calling it sends messages.
///
/// Whether a call sends decides what an unanswered call means: a send may have been delivered
/// (ambiguous: reconcile before sending again), a read-only call changed nothing (ask again). A
/// new call is one `static let` here and one entry in `known`. A name not in `known` is taken
/// to send messages, the safe reading: its unanswered calls are reconciled, never repeated blindly.
public struct SMSAction: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The action's name on the wire (`Action` in v1, `x-acs-action` in v3).
    public let wireName: String
    /// Whether a call delivers messages, so that a call without an answer may have sent them.
    public let sendsMessages: Bool

    /// SendSms: one template with the same parameters to up to 1,000 numbers.
    public static let sendSms = SMSAction(wireName: "SendSms", sendsMessages: true)
    /// SendBatchSms: up to 100 numbers, each with its own sign name and parameters.
    public static let sendBatchSms = SMSAction(wireName: "SendBatchSms", sendsMessages: true)
    /// QuerySendDetails: what the platform recorded for one number on one day (read-only).
    public static let querySendDetails = SMSAction(wireName: "QuerySendDetails", sendsMessages: false)

    /// GetSmsSign: a sign's review status and its registration with the carriers (read-only).
    public static let getSmsSign = SMSAction(wireName: "GetSmsSign", sendsMessages: false)
    /// GetSmsTemplate: a template's review status, type, content and variables (read-only).
    public static let getSmsTemplate = SMSAction(wireName: "GetSmsTemplate", sendsMessages: false)

    /// QueryTokenForMnsQueue (Dybaseapi, same version and style): a token for a receipt queue (read-only).
    public static let queryTokenForMnsQueue = SMSAction(wireName: "QueryTokenForMnsQueue", sendsMessages: false)

    /// Every action Salvo calls.
    public static let known: [SMSAction] = [.sendSms, .sendBatchSms, .querySendDetails, .getSmsSign, .getSmsTemplate, .queryTokenForMnsQueue]

    private init(wireName: String, sendsMessages: Bool) {
        self.wireName = wireName
        self.sendsMessages = sendsMessages
    }

    /// The action called `wireName`: a known one as `known` lists it, any other taken to send.
    public init(wireName: String) {
        self = Self.known.first { $0.wireName == wireName } ?? SMSAction(wireName: wireName, sendsMessages: true)
    }

    /// The action called `value` (see `init(wireName:)`).
    public init(stringLiteral value: String) {
        self.init(wireName: value)
    }

    /// Whether Salvo knows this action (it is one of `known`).
    public var isKnown: Bool { Self.known.contains(self) }

    public var description: String { wireName }
}
