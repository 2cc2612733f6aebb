/// Paces requests to a rate in messages per second: each request is scheduled after the previous
/// one by its message count / rate, so the rate holds over any stretch of time, whatever the batch
/// sizes. Throttling halves the rate; each run of successes raises it back by a tenth, up to the
/// configured rate. A pure value over injected time (seconds), tested without waiting.
public struct Pacer: Sendable {
    /// The configured rate.
    public let ceiling: Double
    /// The rate in force.
    public private(set) var rate: Double
    private var next: Double?
    private var successes = 0

    /// A pacer at `rate` messages per second.
    public init(rate: Double) {
        ceiling = max(rate, 0.001)
        self.rate = ceiling
    }

    /// When a request of `messages` may leave, asked at `now`; books it.
    public mutating func schedule(messages: Int, now: Double) -> Double {
        let start = max(now, next ?? now)
        next = start + Double(messages) / rate
        return start
    }

    /// The provider throttled a request: slow down.
    public mutating func throttled() {
        rate = max(ceiling / 64, rate / 2)
        successes = 0
    }

    /// A request went through: after a run of them, speed back up.
    public mutating func succeeded() {
        successes += 1
        if successes >= 10, rate < ceiling {
            rate = min(ceiling, rate * 1.1)
            successes = 0
        }
    }
}

/// Exponential backoff with jitter: base × 2^attempt, capped, times a random factor in [0.5, 1].
public struct Backoff: Sendable {
    public var base = 1.0
    public var cap = 60.0

    public init(base: Double = 1.0, cap: Double = 60.0) {
        self.base = base
        self.cap = cap
    }

    public func delay(attempt: Int, random: Double) -> Double {
        min(cap, base * pow(2, Double(max(attempt - 1, 0)))) * (0.5 + 0.5 * random)
    }
}

import Foundation
