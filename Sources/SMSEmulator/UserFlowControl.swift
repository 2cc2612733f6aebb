import Foundation

/// Alibaba Cloud's per-account ("user") API flow control: a budget of requests per second, beyond
/// which the gateway answers HTTP 400 `Throttling.User` ("Request was denied due to user flow
/// control.") without processing the request.
///
/// Send requests (SendSms and SendBatchSms together) draw on one budget. The read-only calls
/// (QuerySendDetails, GetSmsSign, GetSmsTemplate) draw on a separate budget of the same size, as
/// the gateway limits each API on its own: reconciliation queries and preflights never use up the
/// sends' budget, and a flood of them is throttled too.
///
/// Each budget is a token bucket holding one second's worth of requests (at least one), full at
/// the start and refilled continuously from the configuration's clock (`EmulatorConfiguration.now`).
public struct UserFlowControl: Sendable, Hashable {
    /// Requests accepted per second, for each budget; 0 for no limit.
    public var requestsPerSecond: Int
    /// How long a refusal asks the caller to wait, sent as `x-acs-retry-after` in whole
    /// milliseconds (rounded up); nil (or not positive) for no header.
    public var retryAfter: Duration?

    /// Creates flow control; the defaults impose no limit.
    public init(requestsPerSecond: Int = 0, retryAfter: Duration? = nil) {
        self.requestsPerSecond = requestsPerSecond
        self.retryAfter = retryAfter
    }

    /// Whether requests are limited at all.
    public var isLimited: Bool { requestsPerSecond > 0 }

    /// The header a refusal carries, when `retryAfter` is set: `x-acs-retry-after` in
    /// milliseconds, the unit `SMSClient` reads.
    public var retryAfterHeader: (String, String)? {
        guard let retryAfter, retryAfter > .zero else { return nil }
        let (seconds, attoseconds) = retryAfter.components
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return ("x-acs-retry-after", String(max(1, milliseconds)))
    }

    // MARK: - Token bucket

    /// One budget: tokens refilled at `rate` per second up to `capacity`; a request takes one.
    struct Bucket: Sendable {
        /// Tokens added per second.
        let rate: Double
        /// The most tokens held: one second's worth, at least one.
        let capacity: Double
        private var tokens: Double
        private var refilledAt: Date?

        /// A full bucket for `requestsPerSecond` (which must be positive).
        init(requestsPerSecond: Int) {
            rate = Double(requestsPerSecond)
            capacity = max(1, Double(requestsPerSecond))
            tokens = capacity
        }

        /// Takes a token at `now` if there is one; false when the request must be refused.
        mutating func take(now: Date) -> Bool {
            if let refilledAt {
                let elapsed = now.timeIntervalSince(refilledAt)
                // A clock that steps back adds nothing and restarts the refill from `now`.
                if elapsed > 0 { tokens = min(capacity, tokens + elapsed * rate) }
            }
            refilledAt = now
            // A little slack, so that half a second at 10/s gives 5 tokens, not 4.999….
            guard tokens >= 1 - 1e-9 else { return false }
            tokens = max(0, tokens - 1)
            return true
        }
    }
}
