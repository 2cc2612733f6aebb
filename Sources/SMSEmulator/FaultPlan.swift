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
