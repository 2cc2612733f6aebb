/// The pace of a run: how fast requests leave, tracking what the provider lets through.
///
/// Requests are spaced by their message count over the rate in force, so the configured rate
/// (the ceiling) holds over any stretch of time, whatever the batch sizes, and idle time never
/// turns into a burst. The rate in force follows the provider:
///
/// - Answers are judged a window at a time (at least half a second and a round of in-flight
///   requests), never one by one: several throttled answers that arrive together are one event,
///   and a trickle of throttling (an account whose QPS other systems share) is no reason to slow.
/// - A window in which more than a fifth of the answers were throttled means the pace is over the
///   provider's limit: the rate drops, once, to what got through in that window (by half at
///   most), and holds.
/// - Below the ceiling, the rate probes upwards by a quarter a window. Without throttling every
///   probe is kept; with some, only a probe that raised what got through is kept (it found room);
///   one that did not means the limit is reached, and the rate returns to what got through.
/// - `x-acs-retry-after` pauses every request until it has passed.
///
/// Loss-based halving per answer (the earlier pacer, TCP's AIMD) fails both ways here: with eight
/// requests in flight one congestion event halved the rate several times, and 10% random throttling
/// drove it to the floor. A pure value over injected time (seconds), tested without waiting.
public struct FlowControl: Sendable {
    /// Why the pace is what it is.
    public enum Reason: String, Sendable, Hashable {
        /// The campaign's configured rate.
        case configured
        /// Slowed to what the provider lets through.
        case providerThrottling
        /// Paused as the provider asked (`x-acs-retry-after`).
        case retryAfter
    }

    /// How an answer counts.
    public enum Answer: Sendable, Hashable {
        case accepted
        /// Refused for flow control (or no connection): over the pace the provider takes.
        case throttled
        /// Anything else (refused for a recipient, ambiguous): says nothing about the pace.
        case other
    }

    /// The configured rate, in messages per second.
    public let ceiling: Double
    /// The rate in force.
    public private(set) var rate: Double
    /// Why.
    public private(set) var reason = Reason.configured
    /// The lowest rate: a run keeps asking, however throttled.
    public let floor: Double
    /// The shortest window, in seconds, and the fewest answers in one.
    public let window: Double
    /// The fewest answers a window is judged on.
    public let windowAnswers: Int
    /// The throttled share of a window's answers above which the pace is over the limit.
    public static let overLimitShare = 0.2
    /// A probe's step.
    public static let probeGain = 1.25

    private var next: Double?
    private var pausedUntil: Double?
    private var current = Window()
    private var previousAccepted: Double?
    private var probing = false
    private var holdWindows = 0

    private struct Window {
        var start: Double?
        var answers = 0
        var throttled = 0
        var acceptedMessages = 0
    }

    /// A pace at `rate` messages per second; windows hold at least `windowAnswers` answers (two
    /// rounds of in-flight requests, and enough to judge a share).
    public init(rate: Double, windowAnswers: Int = 20, window: Double = 0.5) {
        ceiling = max(rate, 0.001)
        self.rate = ceiling
        floor = ceiling / 100
        self.window = window
        self.windowAnswers = max(windowAnswers, 1)
    }

    /// When the next request may leave, asked at `now` (not booked).
    public func nextSlot(now: Double) -> Double {
        max(now, next ?? now, pausedUntil ?? now)
    }

    /// Books a request of `messages` leaving at `nextSlot(now:)`; when it leaves.
    public mutating func schedule(messages: Int, now: Double) -> Double {
        let start = nextSlot(now: now)
        if let pausedUntil, pausedUntil <= start {
            self.pausedUntil = nil
            if reason == .retryAfter { reason = rate < ceiling ? .providerThrottling : .configured }
        }
        next = start + Double(max(messages, 1)) / rate
        if current.start == nil { current.start = start }
        return start
    }

    /// An answer to a request of `messages` came at `now`; `retryAfter` seconds, if the provider
    /// asked to wait.
    public mutating func answered(_ answer: Answer, messages: Int, retryAfter: Double? = nil, now: Double) {
        if let retryAfter, retryAfter > 0 {
            pausedUntil = max(pausedUntil ?? now, now + retryAfter)
            reason = .retryAfter
        }
        current.answers += 1
        switch answer {
        case .accepted: current.acceptedMessages += messages
        case .throttled: current.throttled += 1
        case .other: break
        }
        let start = current.start ?? now
        let elapsed = now - start
        // Enough answers to judge a share (with 8, a tenth of random throttling would cross a fifth
        // in one window of five), or a long window at a low rate.
        guard (elapsed >= window && current.answers >= windowAnswers) || (elapsed >= window * 10 && current.answers >= min(windowAnswers, 8)) else { return }
        close(elapsed: max(elapsed, 0.001), now: now)
    }

    /// Follows the pace shared by the runners of a run (`SharedRunStore`): the rate they agreed
    /// on, and a pause the provider asked of one of them. Throttling seen by one runner lowers
    /// the shared rate, and so slows all of them; this runner's own windows go on judging from
    /// there.
    public mutating func follow(_ shared: SharedPace, now: Double) {
        let agreed = min(max(shared.rate, floor), ceiling)
        if agreed < rate {
            holdWindows = max(holdWindows, 2)
            probing = false
        }
        rate = agreed
        if let until = shared.pausedUntil, until > now {
            pausedUntil = max(pausedUntil ?? now, until)
            reason = .retryAfter
        } else if reason != .retryAfter {
            reason = rate < ceiling ? .providerThrottling : .configured
        }
    }

    /// Until when the provider asked to wait, if it did and it has not passed at `now`.
    public func paused(now: Double) -> Double? {
        pausedUntil.flatMap { $0 > now ? $0 : nil }
    }

    private mutating func close(elapsed: Double, now: Double) {
        let accepted = Double(current.acceptedMessages) / elapsed
        let share = Double(current.throttled) / Double(current.answers)
        let throttled = current.throttled > 0
        current = Window(start: now)
        if let pausedUntil, pausedUntil <= now {
            self.pausedUntil = nil
            if reason == .retryAfter { reason = rate < ceiling ? .providerThrottling : .configured }
        }
        defer { previousAccepted = accepted }
        if share > Self.overLimitShare {
            // Over the limit: once for the window, down to what got through, by half at most.
            rate = min(rate, max(accepted, rate / 2, floor))
            probing = false
            holdWindows = 2
            if reason != .retryAfter { reason = .providerThrottling }
            return
        }
        guard rate < ceiling else { return }
        if holdWindows > 0 {
            holdWindows -= 1
            return
        }
        if probing, throttled, let before = previousAccepted {
            let gain = Self.probeGain
            if accepted < before * (1 + (gain - 1) / 2) {
                // The probe found no room: the limit is here.
                rate = max(min(rate, max(accepted, before)), floor)
                probing = false
                holdWindows = 4
                return
            }
        }
        rate = min(ceiling, rate * Self.probeGain)
        probing = true
        if rate >= ceiling, reason == .providerThrottling { reason = .configured }
    }
}
