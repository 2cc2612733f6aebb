import AliyunSMS

/// What an answer (or its absence) does to a batch: the batch state machine, as a pure function
/// of the answer, the batch and the time, so its rules are tested without a network or a store.
public struct BatchTransition: Sendable, Equatable {
    /// The batch's next state.
    public var state: BatchState
    /// Not to be tried before this time.
    public var notBefore: Double?
    public var bizId: String?
    public var code: String?
    public var message: String?
    /// What the pacer should learn.
    public var pace: Pace
    /// Why the campaign must stop, for a fatal answer.
    public var stop: String?

    /// The pacer's lesson.
    public enum Pace: Sendable, Equatable { case succeeded, throttled, none }

    /// The transition after `result` for `batch` (nil: the request never left).
    public static func after(_ result: Result<SMSResponse, SMSFailure>?, batch: BatchRecord, now: Double,
                             backoff: Backoff, random: Double, maxAttempts: Int) -> BatchTransition {
        guard let result else {
            return BatchTransition(state: .pending, notBefore: batch.notBefore, code: batch.code, message: batch.message, pace: .none)
        }
        switch result {
        case .success(let response):
            return BatchTransition(state: .accepted, bizId: response.bizId, code: "OK", pace: .succeeded)
        case .failure(let failure):
            let attempts = batch.attempts + 1
            switch failure.errorClass {
            case .later:
                return BatchTransition(state: .deferred, notBefore: CampaignRunner.deferral(failure.limitWindow ?? .day, now: now),
                                       code: failure.code, message: failure.message, pace: .none)
            case .backoff where failure.notSent:
                // Nothing reached the provider (a network or proxy outage): slow the whole run
                // down and try again, however long it lasts; never give recipients up for it.
                return BatchTransition(state: .pending, notBefore: now + backoff.delay(attempt: attempts, random: random),
                                       code: failure.code, message: failure.message, pace: .throttled)
            case .backoff:
                let pace: Pace = failure.code.hasPrefix("Throttling") ? .throttled : .none
                guard attempts < maxAttempts else {
                    return BatchTransition(state: .failed, code: failure.code, message: "gave up after \(attempts) attempts: \(failure.message)", pace: pace)
                }
                let asked = failure.retryAfter.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 } ?? 0
                return BatchTransition(state: .pending, notBefore: now + max(asked, backoff.delay(attempt: attempts, random: random)),
                                       code: failure.code, message: failure.message, pace: pace)
            case .recipient:
                return BatchTransition(state: .failed, code: failure.code, message: failure.message, pace: .none)
            case .ambiguous:
                return BatchTransition(state: .uncertain, code: failure.code, message: failure.message, pace: .none)
            case .fatal:
                // Refused before it was processed: it stays to be sent once the cause is fixed.
                return BatchTransition(state: .pending, code: failure.code, message: failure.message, pace: .none,
                                       stop: "the provider refused a request with \(failure.code): \(failure.message)")
            }
        }
    }
}
