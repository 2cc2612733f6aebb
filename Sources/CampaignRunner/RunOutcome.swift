/// How a run ended. The command line maps it to an exit status in one place.
public enum RunOutcome: Sendable, Equatable {
    /// Every recipient has a final outcome (exit 0).
    case done
    /// Not finished, nothing wrong: run again later (exit 75).
    case later(LaterReason)
    /// Stopped on an error, or refused to run (exit 1).
    case stopped(StopReason)

    /// How the store records it.
    public var end: RunEnd {
        switch self {
        case .done: .done
        // (Compared, not matched as `.later(.interrupted)`: Swift 6.3 matched that pattern wrongly
        // once LaterReason had cases with payloads; RunOutcomeTests holds it.)
        case .later(let reason): reason == .interrupted ? .interrupted : .waiting
        case .stopped: .stopped
        }
    }
}
