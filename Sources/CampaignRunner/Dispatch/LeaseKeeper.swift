import Synchronization

/// Keeps a runner's lease on a shared store alive: a heartbeat every third of the lease, in a task
/// of its own, so that a long wait or a slow answer never lets it lapse. A runner whose heartbeat
/// has not gone through for most of a lease stops sending (`isAlive`): by then another runner may
/// be about to take over its batches. Without a shared store it does nothing.
final class LeaseKeeper: Sendable {
    private struct State {
        var renewedAt = -Double.infinity
        var inFlight = 0
        var task: Task<Void, Never>?
    }

    private let store: (any SharedRunStore)?
    private let clock: any RunClock
    private let state = Mutex(State())

    init(store: (any SharedRunStore)?, clock: any RunClock) {
        self.store = store
        self.clock = clock
    }

    /// The lease was renewed (joined) at `now`; heartbeats start.
    func start(now: Double) {
        guard let store else { return }
        renewed(at: now)
        let interval = max(store.leaseSeconds / 3, 0.2)
        let task = Task { [clock] in
            while !Task.isCancelled {
                do {
                    try await clock.sleep(until: WallTime(seconds: clock.now.seconds + interval), tolerance: nil)
                } catch {
                    return
                }
                let sentAt = clock.now.seconds
                do {
                    try await store.heartbeat(Heartbeat(inFlight: self.inFlight))
                    self.renewed(at: sentAt)
                } catch {
                    // Not renewed: `isAlive` runs out and the run stops sending.
                }
            }
        }
        state.withLock { $0.task = task }
    }

    func stop() {
        state.withLock { $0.task?.cancel() }
    }

    /// A heartbeat sent at `time` went through.
    func renewed(at time: Double) {
        state.withLock { $0.renewedAt = max($0.renewedAt, time) }
    }

    /// Requests in flight, for the next heartbeat.
    var inFlight: Int {
        get { state.withLock { $0.inFlight } }
        set { state.withLock { $0.inFlight = newValue } }
    }

    /// Whether the lease is surely alive at `now` (a sixth of it kept as margin for clocks and
    /// the heartbeat's own trip).
    func isAlive(now: Double) -> Bool {
        guard let store else { return true }
        return now < state.withLock { $0.renewedAt } + store.leaseSeconds * 5 / 6
    }
}
