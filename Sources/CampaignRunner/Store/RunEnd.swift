import CampaignCompiler

/// How the last run ended, as status shows it.
public enum RunEnd: String, Sendable, Hashable, CaseIterable {
    /// Every recipient has an outcome.
    case done
    /// Waiting for a window, the start or deferred recipients.
    case waiting
    /// Interrupted (a signal); run again to resume.
    case interrupted
    /// Stopped by an error; the reason is kept.
    case stopped
}
