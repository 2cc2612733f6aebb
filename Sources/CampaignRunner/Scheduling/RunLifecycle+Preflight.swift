import AliyunSMS
import Foundation

/// Whether a run asks the account about its sign and template before its first send, and what
/// the answer does to the run: the decision and its record, without I/O (the runner asks).
extension RunLifecycle {
    /// How long a preflight that found no error stands for a resumed run: a day.
    public static let preflightLifetime = 86_400.0

    /// How many times a preflight that could not ask for a passing reason (throttled, no
    /// answer, a server error) is asked again before the run gives up (exit 75): three tries,
    /// as the probe makes.
    public static let preflightRetries = 2

    /// What the preflight skipped with `--no-preflight` is recorded as.
    public static let skippedPreflight = "skipped (--no-preflight)"

    /// What to do about the preflight before the plan's first send.
    public enum PreflightStep: Sendable, Equatable {
        /// Ask the account (`Preflight.check`), then hand the answer to `preflighted`.
        case ask
        /// `--no-preflight`: do not ask; record the skip with the run.
        case skip(RunMetadata)
        /// A preflight that found no error was recorded less than a day ago: do not ask again.
        case reuse(notice: String)
        /// Nothing is left to send: nothing to ask about.
        case none
    }

    /// Whether to preflight the run recorded as `metadata` now: not when nothing is left to send
    /// (`waiting` false), skipped when told (`skipping`, recorded), not again within a day of a
    /// recorded preflight that found no error (one that was skipped, found errors or could not
    /// ask is asked again), else asked.
    public func preflight(_ metadata: RunMetadata, waiting: Bool, skipping: Bool, now: Double) -> PreflightStep {
        guard waiting else { return .none }
        if skipping {
            var skipped = metadata
            skipped.preflightAt = now
            skipped.preflight = Self.skippedPreflight
            skipped.preflightPassed = false
            return .skip(skipped)
        }
        if metadata.preflightPassed == true, let at = metadata.preflightAt, at <= now, now - at < Self.preflightLifetime {
            let hours = Int((now - at) / 3600)
            let ago = hours == 0 ? "less than an hour ago" : "\(hours) hour\(hours == 1 ? "" : "s") ago"
            return .reuse(notice: "preflight: not asked again, the account was asked \(ago) (\(metadata.preflight ?? "no error"))")
        }
        return .ask
    }

    /// After `retries` retries, whether to ask again and after how many seconds (`base`, doubled
    /// each time, at most 10): only when the provider could not be asked for a reason that may
    /// pass (throttling, no answer, a server error); never for a refused key or an answer.
    public func preflightRetry(after result: PreflightResult, retries: Int, base: Double) -> Double? {
        guard let failure = result.unreachable, retries < Self.preflightRetries, !CredentialRefusal.codes.contains(failure.code),
              failure.code != SMSFailure.credentialsCode else { return nil }
        return min(10, base * Double(1 << retries))
    }

    /// What the preflight's answer does: the metadata recording it (its summary and time), and
    /// the run's end when it must not send: errors found (exit 1, nothing sent), the key refused
    /// (exit 1; named by the runner), or the provider not reached (exit 75); nil to send.
    public func preflighted(_ result: PreflightResult, metadata: RunMetadata, now: Double) -> (metadata: RunMetadata, outcome: RunOutcome?) {
        var recorded = metadata
        recorded.preflightAt = now
        recorded.preflight = result.summary
        recorded.preflightPassed = result.unreachable == nil && !result.hasErrors
        if let failure = result.unreachable {
            if CredentialRefusal.codes.contains(failure.code) {
                return (recorded, .stopped(.providerRefused(code: failure.code, message: failure.message)))
            }
            let why = "preflight could not ask \(endpoint ?? "the provider") about the campaign's sign and template (\(failure)); nothing was sent by this run; run again later (or with --no-preflight)"
            return (recorded, .later(.providerUnreachable(why)))
        }
        if result.hasErrors { return (recorded, .stopped(.preflightFailed(summary: result.summary))) }
        return (recorded, nil)
    }
}
