import AliyunSMS
import CampaignCompiler
import Foundation
import Testing
@testable import CampaignRunner

/// A provider as the runner meets it, simulated on injected time: a token bucket of `limit`
/// requests a second (one second of burst, `Throttling.User` when empty, as the real gateway's
/// flow control and `salvo emulator --qps-limit`), random throttling, a fixed latency.
struct SimulatedProvider {
    /// Requests per second by time (the limit in force from each time on); nil: no limit.
    var limits: [(from: Double, perSecond: Double)] = []
    var randomThrottle = 0.0
    var latency = 0.01
    var retryAfter: Double?
    private var tokens = 0.0
    private var refilledAt = 0.0
    private var random = SystemRandomNumberGenerator()
    private var seeded: UInt64

    init(limits: [(from: Double, perSecond: Double)] = [], randomThrottle: Double = 0, latency: Double = 0.01, retryAfter: Double? = nil, seed: UInt64 = 7) {
        self.limits = limits
        self.randomThrottle = randomThrottle
        self.latency = latency
        self.retryAfter = retryAfter
        seeded = seed
        tokens = limits.first?.perSecond ?? 0
    }

    private mutating func draw() -> Double {
        // SplitMix64: the same run every time.
        seeded &+= 0x9E37_79B9_7F4A_7C15
        var z = seeded
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }

    /// The answer to a request arriving at `time`.
    mutating func answer(at time: Double) -> Result<SMSResponse, SMSFailure> {
        if draw() < randomThrottle { return .failure(Self.throttled(retryAfter: nil)) }
        if let limit = limits.last(where: { $0.from <= time })?.perSecond {
            tokens = min(limit, tokens + (time - refilledAt) * limit)
            refilledAt = time
            guard tokens >= 1 else { return .failure(Self.throttled(retryAfter: retryAfter)) }
            tokens -= 1
        }
        return .success(SMSResponse(code: "OK", message: "OK", bizId: "1^0"))
    }

    static func throttled(retryAfter: Double?) -> SMSFailure {
        SMSFailure(errorClass: .backoff, code: "Throttling.User", message: "Request was denied due to user flow control.", httpStatus: 400,
                   retryAfter: retryAfter.map { .milliseconds(Int64($0 * 1000)) })
    }
}

/// Drives a `RunState` against a simulated provider, on simulated time, as the runner would.
struct PacingSimulation {
    struct Result {
        var elapsed: Double
        /// When each accepted message's request was answered.
        var accepted: [(time: Double, messages: Int)] = []
        /// When each request left, with its size.
        var departures: [(time: Double, messages: Int)] = []
        var maxInFlight = 0
        var throttled = 0
        var outcome: RunOutcome?

        /// Messages per second accepted over the whole run.
        var acceptedRate: Double { Double(accepted.reduce(0) { $0 + $1.messages }) / elapsed }

        /// The most messages that left in any `span` seconds.
        func busiest(_ span: Double) -> Int {
            var most = 0
            var sum = 0
            var low = 0
            for high in departures.indices {
                sum += departures[high].messages
                while departures[high].time - departures[low].time >= span {
                    sum -= departures[low].messages
                    low += 1
                }
                most = max(most, sum)
            }
            return most
        }

        /// Accepted messages per second between two times.
        func acceptedRate(from start: Double, to end: Double) -> Double {
            Double(accepted.filter { $0.time >= start && $0.time < end }.reduce(0) { $0 + $1.messages }) / (end - start)
        }
    }

    static func policy(rate: Double, concurrency: Int) -> RunPolicy {
        RunPolicy(calendar: ScheduleCalendar(schedule: Schedule(timezone: "Asia/Shanghai"), templateType: .notification), timeZone: TimeZone(identifier: "Asia/Shanghai") ?? .current,
                         rate: rate, concurrency: concurrency, graceSeconds: 30, maxAttempts: 30, backoff: Backoff(base: 1, cap: 60), wait: false)
    }

    static func batches(_ count: Int, size: Int) -> [BatchRecord] {
        (1...count).map { BatchRecord(batch: $0, action: "SendBatchSms", outId: "c:p:\($0)", recipients: size, segments: size, firstPhone: "13800138000", state: .pending, attempts: 0) }
    }

    /// Runs `batches` at `rate` through `provider` until done (or `limit` seconds).
    static func run(batches: [BatchRecord], rate: Double, concurrency: Int = 16, provider: SimulatedProvider, start: Double = 1_800_000_000,
                    limit: Double = 600) throws -> Result {
        var provider = provider
        var state = RunState(batches: batches, policy: policy(rate: rate, concurrency: concurrency))
        var now = start
        var result = Result(elapsed: 0)
        var answers: [(time: Double, batch: Int, answer: Swift.Result<SMSResponse, SMSFailure>)] = []
        while now - start < limit {
            switch state.next(now: now) {
            case .finish(let outcome):
                result.outcome = outcome
                result.elapsed = now - start
                return result
            case .markSending, .commit, .claim:
                continue
            case .reconcile(let list):
                for batch in list { _ = state.reconciled(batch.batch, .notFound, now: now) }
            case .launch(let batch, _):
                result.departures.append((now - start, batch.recipients))
                let answer = provider.answer(at: now + provider.latency / 2)
                answers.append((now + provider.latency, batch.batch, answer))
                result.maxInFlight = max(result.maxInFlight, state.inFlightCount)
            case .wait(let until, _):
                answers.sort { $0.time < $1.time }
                let nextAnswer = answers.first?.time
                let wake = [until, nextAnswer].compactMap { $0 }.min() ?? now + 1
                now = max(now, wake)
                while let first = answers.first, first.time <= now {
                    answers.removeFirst()
                    if case .success = first.answer { result.accepted.append((first.time - start, batches[first.batch - 1].recipients)) } else { result.throttled += 1 }
                    _ = state.answered(first.batch, first.answer, now: now, random: 0.5)
                }
            }
        }
        result.elapsed = now - start
        return result
    }
}

@Suite struct PacingSimulationTests {
    @Test func aProviderLimitIsUsedToAtLeastNinetyPercent() throws {
        // 100 requests/s allowed, 50,000 messages/s configured, 100,000 recipients of 100 a request.
        let result = try PacingSimulation.run(batches: PacingSimulation.batches(1000, size: 100), rate: 50_000,
                                              provider: SimulatedProvider(limits: [(0, 100)]))
        #expect(result.outcome == .done)
        #expect(result.acceptedRate >= 0.9 * 10_000, "accepted \(Int(result.acceptedRate))/s in \(result.elapsed) s, \(result.throttled) throttled")
        #expect(result.maxInFlight <= 16)
    }

    @Test func randomThrottlingKeepsEightyPercentOfTheConfiguredRate() throws {
        let result = try PacingSimulation.run(batches: PacingSimulation.batches(1000, size: 100), rate: 20_000,
                                              provider: SimulatedProvider(randomThrottle: 0.10))
        #expect(result.outcome == .done)
        #expect(result.acceptedRate >= 0.8 * 20_000, "accepted \(Int(result.acceptedRate))/s in \(result.elapsed) s, \(result.throttled) throttled")
    }

    @Test func aLimitThatChangesIsFollowedWithinFiveSeconds() throws {
        // 100 → 30 → 100 requests/s, at 10 s and 30 s.
        let start = 1_800_000_000.0
        let result = try PacingSimulation.run(batches: PacingSimulation.batches(4000, size: 100), rate: 50_000,
                                              provider: SimulatedProvider(limits: [(0, 100), (start + 10, 30), (start + 30, 100)]), start: start)
        #expect(result.outcome == .done)
        // From five seconds after each change: no second below 90% of the new limit (more can get
        // through for a second: the provider's bucket holds a second's burst).
        for (change, limit) in [(10.0, 3000.0), (30.0, 10_000.0)] {
            for second in Int(change + 5)..<Int(change + 10) {
                let rate = result.acceptedRate(from: Double(second), to: Double(second + 1))
                #expect(rate >= 0.9 * limit, "second \(second): \(Int(rate))/s, limit \(Int(limit))/s")
            }
            // Over five seconds, within 10% of the limit; above it also by at most the bucket's
            // one-second burst, which the provider lets through once after a slower stretch.
            let average = result.acceptedRate(from: change + 5, to: change + 10)
            #expect(average >= 0.9 * limit && average <= 1.1 * limit + limit / 5, "from \(Int(change + 5)) s: \(Int(average))/s, limit \(Int(limit))/s")
        }
    }

    @Test func neverAboveTheConfiguredRateOverTenSeconds() throws {
        // Mixed batch sizes, a provider limit just above the configured rate with retry-after
        // pauses (the pace probes back up after each), and random throttling on top.
        let sizes = (0..<900).map { [100, 37, 100, 5][$0 % 4] }
        let batches = PacingSimulation.batches(900, size: 100).enumerated().map { index, batch in
            var batch = batch
            batch.recipients = sizes[index]
            return batch
        }
        let result = try PacingSimulation.run(batches: batches, rate: 2000,
                                              provider: SimulatedProvider(limits: [(0, 35)], randomThrottle: 0.05, retryAfter: 0.3))
        #expect(result.outcome == .done)
        #expect(result.throttled > 0, "the provider held it back")
        #expect(result.busiest(10) <= Int(2000 * 10 * 1.01), "\(result.busiest(10)) messages in the busiest 10 s")
        #expect(result.maxInFlight <= 16)
    }

    @Test func retryAfterPausesEveryRequest() {
        var flow = FlowControl(rate: 1000, windowAnswers: 1)
        _ = flow.schedule(messages: 10, now: 0)
        flow.answered(.throttled, messages: 10, retryAfter: 2, now: 0.01)
        #expect(flow.nextSlot(now: 0.02) == 2.01)
        #expect(flow.reason == .retryAfter)
    }

    @Test func aBurstOfThrottledAnswersIsOneEvent() {
        // Eight requests in flight throttled together: the old pacer halved the rate eight times.
        var flow = FlowControl(rate: 10_000, windowAnswers: 8)
        for index in 0..<16 { _ = flow.schedule(messages: 100, now: Double(index) * 0.01) }
        for index in 0..<8 { flow.answered(.accepted, messages: 100, now: 0.5 + Double(index) * 0.001) }
        for index in 0..<8 { flow.answered(.throttled, messages: 100, now: 1.1 + Double(index) * 0.001) }
        #expect(flow.rate == 5000, "one reduction, by half at most: \(flow.rate)")
        #expect(flow.reason == .providerThrottling)
    }
}
