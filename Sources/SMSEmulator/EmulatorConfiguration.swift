import Foundation

/// Faults to inject, drawn per request from a seeded generator so that a run can be replayed.
public struct FaultPlan: Sendable, Hashable {
    /// Share of requests refused with HTTP 400 `Throttling.User`, unprocessed (at random; see
    /// `EmulatorConfiguration.flowControl` for a limit on requests per second).
    public var throttleRate = 0.0
    /// Share refused with HTTP 503 `ServiceUnavailable`, unprocessed.
    public var unavailableRate = 0.0
    /// Share processed and recorded, then left without an answer: the connection is closed, or
    /// (half of them) HTTP 500 `InternalError` is returned.
    public var ambiguousRate = 0.0
    /// Delay before every answer.
    public var latency: Duration = .zero
    /// Extra delay, uniformly up to this, on top of `latency`.
    public var jitter: Duration = .zero
    /// Messages per number, sign name and template per China day; 0 for no cap.
    public var dailyCap = 0
    /// The generator's seed.
    public var seed: UInt64 = 1

    /// Creates a plan with no faults.
    public init() {}
}

/// A template the emulator knows: its code and the placeholders its parameters must fill.
public struct KnownTemplate: Sendable, Hashable {
    /// The template code.
    public var code: String
    /// The `${placeholder}` names.
    public var placeholders: Set<String>
    /// The content, for QuerySendDetails' `Content`.
    public var content: String

    /// Creates a known template.
    public init(code: String, placeholders: Set<String>, content: String) {
        self.code = code
        self.placeholders = placeholders
        self.content = content
    }
}

/// What the emulator accepts and how it misbehaves.
public struct EmulatorConfiguration: Sendable {
    /// The access key pair requests must be signed with.
    public var accessKeyId: String
    /// Its secret (never printed).
    public var accessKeySecret: String
    /// Sign names it knows; empty accepts any.
    public var signNames: Set<String> = []
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
