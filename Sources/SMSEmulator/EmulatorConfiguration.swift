import Foundation

/// What the emulator accepts and how it misbehaves.
public struct EmulatorConfiguration: Sendable {
    /// The access key pair requests must be signed with.
    public var accessKeyId: String
    /// Its secret (never printed).
    public var accessKeySecret: String
    /// Sign names it knows; empty accepts any.
    public var signNames: Set<String> = []
    /// What GetSmsSign says of sign names, by name; a name in `signNames` without an entry here
    /// is approved and registered with all three operators.
    public var signs: [String: KnownSign] = [:]
    /// Templates it knows by code; empty accepts any (with any parameters).
    public var templates: [String: KnownTemplate] = [:]
    /// Faults.
    public var faults = FaultPlan()
    /// The account's API flow control (requests per second); none by default.
    public var flowControl = UserFlowControl()
    /// How far a request's time may be from the emulator's.
    public var timestampWindow: Duration = .seconds(15 * 60)
    /// How long a nonce is remembered.
    public var nonceMemory: Duration = .seconds(31 * 60)
    /// STS and the ECS metadata service (`--sts`); off by default.
    public var sts = STSEmulation()
    /// The receipt queues (`--queue`); off by default.
    public var queue = QueueEmulation()
    /// The current time.
    public var now: @Sendable () -> Date = { Date() }
    /// Told of every accepted request's messages (the receipt pusher).
    public var onAccepted: (@Sendable ([RecordedMessage]) -> Void)?

    /// Creates a configuration.
    public init(accessKeyId: String, accessKeySecret: String) {
        self.accessKeyId = accessKeyId
        self.accessKeySecret = accessKeySecret
    }
}
