/// The emulator playing Alibaba Cloud's receipt queues (`salvo emulator --queue`): the receipts
/// (SmsReport) and replies (SmsUp) it would push are put in two in-memory MNS-compatible queues,
/// read with a token from QueryTokenForMnsQueue.
public struct QueueEmulation: Sendable, Hashable {
    /// The queue of delivery receipts.
    public static let reportQueueName = "Alicom-Queue-1234567890123456-SmsReport"
    /// The queue of replies.
    public static let replyQueueName = "Alicom-Queue-1234567890123456-SmsUp"

    /// Whether QueryTokenForMnsQueue and the `/queues/` paths are answered. Off: the action is
    /// unknown and the paths are the SMS API's 404, as before.
    public var enabled = false
    /// How long a received message stays invisible before it is delivered again.
    public var visibility: Duration = .seconds(30)
    /// The lifetime of a token (its `ExpireTime`).
    public var tokenLifetime: Duration = .seconds(3600)
    /// The first this many BatchDeleteMessage calls answer 500 InternalError and delete nothing.
    public var failDeletes = 0
    /// Extra messages put in the SmsReport queue at start whose bodies are not Base64 JSON.
    public var malformed = 0

    /// Creates the emulation, off.
    public init() {}

    /// The queue of a `MessageType` (`SmsReport`, `SmsUp`), if the emulator has one.
    public static func queueName(messageType: String) -> String? {
        switch messageType {
        case "SmsReport": reportQueueName
        case "SmsUp": replyQueueName
        default: nil
        }
    }
}
