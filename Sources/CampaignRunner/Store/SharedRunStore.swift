import CampaignCompiler

/// A run store that several runners share (PostgreSQL): on other machines, at the same time, or
/// one after another as machines come and go.
///
/// Runners never pick batches from their own view: they claim them from the store, which hands
/// each waiting batch to one runner only (`FOR UPDATE SKIP LOCKED`) and marks it `sending` for
/// that runner in the same step, so the claim is the durable intent. A runner holds what it
/// claimed while its lease is alive (a heartbeat renews it); the unsettled batches of a runner
/// whose lease ran out are handed, by a later claim, to another runner, which settles them through
/// the provider's records exactly as after a crash. The configured rate is one for all runners:
/// each claim books the time slots of its requests on the run's shared pace, and throttling seen by
/// one runner lowers that pace for all.
public protocol SharedRunStore: RunStore {
    /// This process's runner id (unique per process and start).
    var runnerID: String { get }
    /// How long a runner's claims outlive its last heartbeat, in seconds.
    var leaseSeconds: Double { get }

    /// Registers the runner with the campaign's run (its host, pid, lease).
    func join(_ runner: RunnerInfo) async throws(RunStoreError)
    /// Renews the runner's lease (the pace comes with each claim).
    func heartbeat(_ beat: Heartbeat) async throws(RunStoreError)
    /// Claims batches to send and batches to settle, books their slots, and brings the runner's
    /// view of the other batches up to date; all in one step.
    func claim(_ request: ClaimRequest) async throws(RunStoreError) -> Claim
    /// The runner is leaving: its row says so (what it holds unsettled is settled by the next).
    func leave() async
    /// The runners of the campaign's run, live ones first.
    func runners() async throws(RunStoreError) -> [RunnerRecord]
}

/// Who a runner is, for `status`.
public struct RunnerInfo: Sendable, Hashable {
    public var host: String
    public var pid: Int
    /// A runner.
    public init(host: String, pid: Int) {
        self.host = host
        self.pid = pid
    }
}

/// A heartbeat: how many requests the runner has in flight.
public struct Heartbeat: Sendable, Hashable {
    public var inFlight: Int
    /// A heartbeat.
    public init(inFlight: Int) { self.inFlight = inFlight }
}

/// The pace every runner of a run follows.
public struct SharedPace: Sendable, Hashable {
    /// The rate in force for all runners together, in messages per second.
    public var rate: Double
    /// Why it is below the configured rate (`FlowControl.Reason`'s raw value), if it is.
    public var reason: String?
    /// Until when (the runner's clock) the provider asked everyone to wait, if it did.
    public var pausedUntil: Double?
    /// A pace.
    public init(rate: Double, reason: String? = nil, pausedUntil: Double? = nil) {
        self.rate = rate
        self.reason = reason
        self.pausedUntil = pausedUntil
    }
}

/// What a runner asks for.
public struct ClaimRequest: Sendable, Hashable {
    /// At most this many batches to send.
    public var limit: Int
    /// The runner's time (seconds since 1970): batches deferred past it are not claimed.
    public var now: Double
    /// The change counter of the runner's view: changes after it come back (0: every batch).
    public var since: Int64
    /// The rate this runner's answers call for (the shared rate moves down at once, up only
    /// when it has not moved for a while).
    public var rate: Double
    /// Why (`FlowControl.Reason`'s raw value).
    public var reason: String
    /// When the provider asked this runner to wait until (its clock), to pass on to all.
    public var pausedUntil: Double?
    /// A request.
    public init(limit: Int, now: Double, since: Int64, rate: Double, reason: String, pausedUntil: Double? = nil) {
        self.limit = limit
        self.now = now
        self.since = since
        self.rate = rate
        self.reason = reason
        self.pausedUntil = pausedUntil
    }
}

/// What a claim brought.
public struct Claim: Sendable {
    /// Batches now `sending` for this runner, in order, with their requests and their slots (the
    /// runner's clock: not to leave before).
    public var taken: [(record: BatchRecord, plan: PlanBatch, slot: Double)]
    /// Unsettled batches of runners whose lease ran out, now this runner's to settle.
    public var adopted: [BatchRecord]
    /// Other batches that changed since `since` (or all), as the store holds them.
    public var changed: [BatchRecord]
    /// The change counter after this claim.
    public var version: Int64
    /// Whether `changed` holds every batch (asked with `since` 0).
    public var complete: Bool
    /// The shared pace.
    public var pace: SharedPace
    /// Other live runners.
    public var otherRunners: Int

    /// A claim.
    public init(taken: [(record: BatchRecord, plan: PlanBatch, slot: Double)], adopted: [BatchRecord], changed: [BatchRecord], version: Int64,
                complete: Bool, pace: SharedPace, otherRunners: Int) {
        self.taken = taken
        self.adopted = adopted
        self.changed = changed
        self.version = version
        self.complete = complete
        self.pace = pace
        self.otherRunners = otherRunners
    }
}

/// A runner as the store knows it.
public struct RunnerRecord: Sendable, Hashable {
    public var id: String
    public var host: String
    public var pid: Int
    /// When it started and last beat (seconds since 1970, the database's clock).
    public var startedAt: Double
    public var heartbeatAt: Double
    /// Whether its lease is alive now.
    public var live: Bool
    /// Requests in flight at its last heartbeat.
    public var inFlight: Int
    /// Batches it holds now (claimed and not settled).
    public var holding: Int
    /// A runner.
    public init(id: String, host: String, pid: Int, startedAt: Double, heartbeatAt: Double, live: Bool, inFlight: Int, holding: Int) {
        self.id = id
        self.host = host
        self.pid = pid
        self.startedAt = startedAt
        self.heartbeatAt = heartbeatAt
        self.live = live
        self.inFlight = inFlight
        self.holding = holding
    }
}
