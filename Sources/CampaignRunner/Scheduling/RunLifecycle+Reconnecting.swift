extension RunLifecycle {
    /// What to do after a failure to reach the store.
    public enum Reconnection: Sendable, Equatable {
        /// Tell the user `notice`, then try to rejoin at once.
        case reconnect(notice: String)
        /// Try again at this time.
        case retry(at: Double)
        /// Go on with this run, read back from the store.
        case resume(StoredRun, notice: String)
        /// The run ends so.
        case finish(RunOutcome)
    }

    /// The store failed mid-run at `now`. A shared store that is unavailable (a database restart)
    /// or that gave this runner's batches to another (a lease that ran out) is reconnected to:
    /// nothing more leaves meanwhile, and once it answers the run is read back and goes on as a
    /// resumed run would. Any other failure ends the run: what was in flight stays `sending` in
    /// the store and is settled by the next run.
    public mutating func storeFailed(_ error: RunStoreError, shared: Bool, now: Double) -> Reconnection {
        guard shared, error.code == .unavailable || error.code == .taken else { return .finish(.stopped(.state(error.message))) }
        phase = .reconnecting
        reconnectDeadline = now + reconnectSeconds
        reconnectDelay = 0.5
        return .reconnect(notice: "\(error.message): nothing more is sent until \(storeLocation) answers again; what was in flight is then settled through the provider's records")
    }

    /// An attempt to rejoin failed at `now`: try again after a delay that doubles up to 5 s, until
    /// `reconnectSeconds` have passed (then the run ends, exit 75).
    public mutating func rejoinFailed(_ error: RunStoreError, now: Double) -> Reconnection {
        guard error.code == .unavailable else { return .finish(.stopped(.state(error.message))) }
        lastFailure = error.message
        if now + reconnectDelay > reconnectDeadline {
            return .finish(.later(.stateUnavailable("\(lastFailure); gave up after \(Int(reconnectSeconds)) s; what was in flight is settled by the next run")))
        }
        let at = now + reconnectDelay
        reconnectDelay = min(reconnectDelay * 2, 5)
        return .retry(at: at)
    }

    /// The store answered again and holds `stored` (nil: the run is gone from it).
    public mutating func rejoined(_ stored: StoredRun?) -> Reconnection {
        guard let stored else { return .finish(.stopped(.state("the run is gone from \(storeLocation)"))) }
        // What it holds was tried by this run: no probe.
        needsProbe = false
        phase = .sending
        return .resume(stored, notice: "\(storeLocation) answers again: resuming")
    }
}
