import Foundation

/// Exponential backoff with jitter: base × 2^attempt, capped, times a random factor in [0.5, 1].
public struct Backoff: Sendable {
    /// The first retry's delay, in seconds.
    public var base = 1.0
    /// The longest delay, in seconds.
    public var cap = 60.0

    /// A backoff from `base` seconds, at most `cap`.
    public init(base: Double = 1.0, cap: Double = 60.0) {
        self.base = base
        self.cap = cap
    }

    /// The delay before attempt `attempt` (1-based), with `random` in [0, 1).
    public func delay(attempt: Int, random: Double) -> Double {
        min(cap, base * pow(2, Double(max(attempt - 1, 0)))) * (0.5 + 0.5 * random)
    }
}
