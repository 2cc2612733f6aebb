import AliyunSMS

/// What an answer (or its absence) does to a batch: the batch state machine, as a pure function
/// of the answer, the batch and the time, so its rules are tested without a network or a store.
public struct BatchTransition: Sendable, Equatable {
    /// The batch's next state.
    public var state: BatchState
    /// Not to be tried before this time.
    public var notBefore: Double?
    /// The provider's BizId, for an accepted request.
    public var bizId: String?
    /// The provider's code (or `OK`).
    public var code: String?
    /// The provider's words, or ours.
    public var message: String?
    /// What the pace should learn.
    public var pace: FlowControl.Answer
    /// The attempt never reached the provider (or was refused unprocessed, for flow control): it
    /// does not count towards backoff or giving up; a run killed or throttled again and again
    /// must not wear a batch out.
    public var retracted: Bool
    /// How long the provider asked to wait, in seconds.
    public var retryAfter: Double?
    /// Why the campaign must stop, for a fatal answer.
    public var stop: StopReason?

    /// The code of a batch whose run ended before any answer came.
    public static let noAnswer = "NoAnswer"

    /// When a recipient deferred by a per-number limit may be tried again: the next minute or hour
    /// in China time, or a day later (the daily limit is a rolling 24 hours).
    public static func deferral(_ window: LimitWindow, now: Double) -> Double {
        switch window {
        case .minute: (now / 60).rounded(.down) * 60 + 61
        case .hour: (now / 3600).rounded(.down) * 3600 + 3601
        case .day: now + 86_400
        }
    }

    init(state: BatchState, notBefore: Double? = nil, bizId: String? = nil, code: String? = nil, message: String? = nil, pace: FlowControl.Answer = .other,
         retracted: Bool = false, retryAfter: Double? = nil, stop: StopReason? = nil) {
        self.state = state
        self.notBefore = notBefore
        self.bizId = bizId
        self.code = code
        self.message = message
        self.pace = pace
        self.retracted = retracted
        self.retryAfter = retryAfter
        self.stop = stop
    }

    /// The transition after `result` for `batch` (nil: the request never left); `batch.attempts`
    /// already counts this attempt.
    public static func after(_ result: Result<SMSResponse, SMSFailure>?, batch: BatchRecord, now: Double,
                             backoff: Backoff, random: Double, maxAttempts: Int) -> BatchTransition {
        guard let result else {
            return BatchTransition(state: .pending, notBefore: batch.notBefore, code: batch.code, message: batch.message, retracted: true)
        }
        switch result {
        case .success(let response):
            return BatchTransition(state: .accepted, bizId: response.bizId, code: "OK", pace: .accepted)
        case .failure(let failure):
            let attempts = batch.attempts
            let asked = failure.retryAfter.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
            switch failure.errorClass {
            case .later:
                return BatchTransition(state: .deferred, notBefore: Self.deferral(failure.limitWindow ?? .day, now: now),
                                       code: failure.code, message: failure.message)
            case .backoff where failure.notSent:
                // Nothing reached the provider (a network or proxy outage): slow the whole run
                // down and try again, however long it lasts; never give recipients up for it.
                return BatchTransition(state: .pending, notBefore: now + backoff.delay(attempt: attempts, random: random),
                                       code: failure.code, message: failure.message, pace: .throttled, retracted: true)
            case .backoff where failure.code.hasPrefix("Throttling"):
                // Refused unprocessed for flow control: the pace slows for the whole run; the
                // batch goes back in line at once (or when the provider said).
                return BatchTransition(state: .pending, notBefore: asked.map { now + $0 }, code: failure.code, message: failure.message,
                                       pace: .throttled, retracted: true, retryAfter: asked)
            case .backoff:
                guard attempts < maxAttempts else {
                    return BatchTransition(state: .failed, code: failure.code, message: "gave up after \(attempts) attempts: \(failure.message)")
                }
                return BatchTransition(state: .pending, notBefore: now + max(asked ?? 0, backoff.delay(attempt: attempts, random: random)),
                                       code: failure.code, message: failure.message, retryAfter: asked)
            case .recipient:
                return BatchTransition(state: .failed, code: failure.code, message: failure.message)
            case .ambiguous:
                return BatchTransition(state: .uncertain, code: failure.code, message: failure.message)
            case .fatal:
                // Refused before it was processed: it stays to be sent once the cause is fixed.
                return BatchTransition(state: .pending, code: failure.code, message: failure.message, retracted: true,
                                       stop: .providerRefused(code: failure.code, message: failure.message))
            }
        }
    }
}
