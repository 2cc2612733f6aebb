/// Why a run is not finished.
public enum LaterReason: Sendable, Equatable, CustomStringConvertible {
    /// SIGINT or SIGTERM (task cancellation).
    case interrupted
    /// Before the campaign's start; when it starts (in the campaign's time zone).
    case beforeStart(opens: String)
    /// Outside the send windows; when the next opens.
    case outsideWindows(opens: String)
    /// The window closes before anything else can leave.
    case windowClosing(at: String)
    /// Recipients deferred (per-number limits, backoff) for longer than a run waits.
    case deferred(recipients: Int, until: String)
    /// The campaign ended with recipients still to be settled.
    case campaignEnded(uncertain: Int)
    /// Another run holds the campaign.
    case held(pid: Int?, campaign: String)
    /// The provider could not be asked (before the first send, or to settle unanswered requests).
    case providerUnreachable(String)
    /// Shared state: nothing is left to claim while other runners still send.
    case othersSending(runners: Int, recipients: Int)
    /// The state's database cannot be reached (at the start, or for too long mid-run).
    case stateUnavailable(String)

    public var description: String {
        switch self {
        case .interrupted: "interrupted: requests in flight were finished and recorded; run again to resume"
        case .beforeStart(let opens): "before the campaign's start; it starts at \(opens)"
        case .outsideWindows(let opens): "outside the send windows; the next opens at \(opens)"
        case .windowClosing(let at): "outside the send windows from \(at)"
        case .deferred(let recipients, let until): "\(recipients) recipient\(recipients == 1 ? " is" : "s are") deferred until \(until); run again then"
        case .campaignEnded(let uncertain): "the campaign has ended; \(uncertain) recipient\(uncertain == 1 ? "" : "s") await reconciliation"
        case .held(let pid, let campaign): "another run holds campaign '\(campaign)'" + (pid.map { " (pid \($0))" } ?? "") + "; it was left alone"
        case .providerUnreachable(let why): why
        case .othersSending(let runners, let recipients):
            "nothing left to claim: \(runners) other runner\(runners == 1 ? "" : "s") hold\(runners == 1 ? "s" : "") the last \(recipients) recipient\(recipients == 1 ? "" : "s"); run again (or use --wait) to take over if one dies"
        case .stateUnavailable(let why): why
        }
    }
}
