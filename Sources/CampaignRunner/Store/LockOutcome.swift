/// What taking a campaign's lock came to.
public enum LockOutcome: Sendable {
    /// Taken: held while the value lives (nil: the backend needs no lock, its store hands each
    /// batch to one runner).
    case taken(CampaignLock?)
    /// Another process holds it (its pid when known).
    case busy(pid: Int?)
    /// The campaign has no place here to lock (asked with `create` false).
    case absent
}
