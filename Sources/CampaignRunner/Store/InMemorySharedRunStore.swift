import CampaignCompiler
import Foundation
import Synchronization

/// A run store that several runners share, in memory: the specification of `SharedRunStore`
/// (claims, leases, the shared pace) without a database, so that the shared conformance cases
/// run anywhere and a new database has something to be compared with. Each runner is a store
/// value of its own (`runner()`), all of them on one run; `clock` plays the database's clock.
public final class InMemorySharedRunStore: SharedRunStore {
    /// This runner's id, as its claims name it.
    public let runnerID: String
    /// How long a claim outlives this runner's last heartbeat.
    public let leaseSeconds: Double
    private let space: Space
    private let clock: @Sendable () -> Double

    /// A store with no run, and this runner on it.
    public init(leaseSeconds: Double = 30, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.leaseSeconds = leaseSeconds
        self.clock = clock
        space = Space()
        runnerID = UUID().uuidString.lowercased()
    }

    private init(sharing other: InMemorySharedRunStore) {
        leaseSeconds = other.leaseSeconds
        clock = other.clock
        space = other.space
        runnerID = UUID().uuidString.lowercased()
    }

    /// Another runner on the same run (as another process connecting to the same database).
    public func runner() -> InMemorySharedRunStore { InMemorySharedRunStore(sharing: self) }

    public var location: String { "memory (shared)" }
    public var roundTrips: Int { space.held.withLock { $0.roundTrips } }

    // MARK: - What every store does

    public func load() async throws(RunStoreError) -> StoredRun? {
        space.held.withLock { held in
            held.roundTrips += 1
            return held.run
        }
    }

    public func create(_ run: NewRun) async throws(RunStoreError) {
        let (taken, header, trailer) = try run.readWholePlan()
        try space.held.withLock { held throws(RunStoreError) in
            held.roundTrips += 1
            guard held.run == nil else { throw RunStoreError(.exists, "the store already holds a run") }
            held = Held(run: StoredRun(metadata: run.metadata, batches: run.batches), plan: taken, header: header, trailer: trailer,
                        setAside: held.setAside, roundTrips: held.roundTrips)
            held.changed = Array(repeating: 0, count: run.batches.count)
        }
    }

    /// A batch is changed only by the runner that holds it, or when no runner does; one held by
    /// another runner (this one's lease ran out) or missing refuses the whole change.
    public func commit(_ change: RunChange) async throws(RunStoreError) {
        let me = runnerID
        try space.held.withLock { held throws(RunStoreError) in
            held.roundTrips += 1
            guard var run = held.run else { throw RunStoreError(.io, "the store holds no run") }
            for batch in change.batches where !run.batches.indices.contains(batch.batch - 1) {
                throw RunStoreError(.io, "the run has no batch \(batch.batch)")
            }
            for batch in change.batches where run.batches[batch.batch - 1].owner.map({ $0 != me }) == true {
                throw RunStoreError(.taken, "another runner holds a batch of this change (this runner's lease ran out)")
            }
            for var batch in change.batches {
                batch.owner = batch.state.isUnsettled ? me : nil
                run.batches[batch.batch - 1] = batch
                held.counter += 1
                held.changed[batch.batch - 1] = held.counter
            }
            if let metadata = change.metadata { run.metadata = metadata }
            held.run = run
            held.attempts += change.attempts
        }
    }

    public func planBatch(_ request: PlanBatchRequest) async throws(RunStoreError) -> PlanBatch {
        try space.held.withLock { held throws(RunStoreError) -> PlanBatch in
            held.roundTrips += 1
            guard held.plan.indices.contains(request.batch - 1) else { throw RunStoreError(.damaged, "the plan has no batch \(request.batch)") }
            return held.plan[request.batch - 1]
        }
    }

    public func readPlan(_ body: (PlanBatch) throws(PlanError) -> Void) async throws(RunStoreError) {
        let plan = space.held.withLock { $0.plan }
        do {
            for batch in plan { try body(batch) }
        } catch {
            throw RunStoreError(.io, error.description, cause: error)
        }
    }

    public func attempts(_ query: AttemptQuery) async throws(RunStoreError) -> [AttemptRecord] {
        space.held.withLock { held in held.attempts.filter { query.batch == nil || $0.batch == query.batch } }
    }

    public func storeReceipts(_ batch: ReceiptBatch) async throws(RunStoreError) -> ReceiptsStored {
        try space.held.withLock { held throws(RunStoreError) -> ReceiptsStored in try held.receipts.store(batch, for: held.run) }
    }

    public func receipts(_ query: ReceiptQuery) async throws(RunStoreError) -> [Receipt] {
        space.held.withLock { $0.receipts.matching(query) }
    }

    public func setAside(_ request: SetAsideRequest) async throws(RunStoreError) -> String {
        space.held.withLock { held in
            let count = held.setAside + (held.run == nil ? 0 : 1)
            held = Held(setAside: count, roundTrips: held.roundTrips + 1)
            return "memory (set aside \(count))"
        }
    }

    public func planHeader() async throws(RunStoreError) -> PlanHeader? { space.held.withLock { $0.run == nil ? nil : $0.header } }
    public func planTrailer() async throws(RunStoreError) -> PlanTrailer? { space.held.withLock { $0.run == nil ? nil : $0.trailer } }
    /// Changes are told by file: the numbers are not compared.
    public var comparesRecipients: Bool { false }
    public func planRecipients(_ request: PlanRecipientsRequest) async throws(RunStoreError) -> [Int: [PlanReader.PlannedRecipient]]? { nil }

    // MARK: - Runners

    public func join(_ runner: RunnerInfo) async throws(RunStoreError) {
        let now = clock(), me = runnerID, lease = leaseSeconds
        try space.held.withLock { held throws(RunStoreError) in
            held.roundTrips += 1
            guard held.run != nil else { throw RunStoreError(.io, "the store holds no run") }
            let started = held.runners[me]?.record.startedAt ?? now
            held.runners[me] = Runner(record: RunnerRecord(id: me, host: runner.host, pid: runner.pid, startedAt: started, heartbeatAt: now, live: true, inFlight: 0, holding: 0),
                                      leaseUntil: now + lease)
        }
    }

    public func heartbeat(_ beat: Heartbeat) async throws(RunStoreError) {
        let now = clock(), me = runnerID, lease = leaseSeconds
        try space.held.withLock { held throws(RunStoreError) in
            held.roundTrips += 1
            guard var runner = held.runners[me] else { throw RunStoreError(.taken, "this runner is no longer registered in \(location)") }
            runner.record.heartbeatAt = now
            runner.record.inFlight = beat.inFlight
            runner.leaseUntil = now + lease
            held.runners[me] = runner
        }
    }

    public func leave() async {
        let now = clock(), me = runnerID
        space.held.withLock { held in
            held.runners[me]?.left = true
            held.runners[me]?.leaseUntil = now
            held.runners[me]?.record.inFlight = 0
        }
    }

    public func runners() async throws(RunStoreError) -> [RunnerRecord] {
        let now = clock()
        return space.held.withLock { held in
            held.roundTrips += 1
            let batches = held.run?.batches ?? []
            let records = held.runners.values.filter { !$0.left }.map { runner in
                var record = runner.record
                record.live = runner.leaseUntil >= now
                record.holding = batches.filter { $0.owner == record.id && $0.state.isUnsettled }.count
                return record
            }
            return records.sorted { ($0.live ? 0 : 1, $0.startedAt) < ($1.live ? 0 : 1, $1.startedAt) }
        }
    }

    public func claim(_ request: ClaimRequest) async throws(RunStoreError) -> Claim {
        let now = clock(), me = runnerID, lease = leaseSeconds
        return try space.held.withLock { held throws(RunStoreError) -> Claim in
            held.roundTrips += 1
            guard held.run != nil else { throw RunStoreError(.io, "the store holds no run") }
            guard held.runners[me] != nil else { throw RunStoreError(.taken, "this runner is no longer registered in \(location)") }
            held.runners[me]?.record.heartbeatAt = now
            held.runners[me]?.leaseUntil = now + lease
            return held.claim(request, runner: me, at: now)
        }
    }

    // MARK: - The shared run

    /// The run every runner of the store sees.
    private final class Space: Sendable {
        let held = Mutex(Held())
    }

    /// A runner as the store keeps it.
    struct Runner {
        var record: RunnerRecord
        var leaseUntil: Double
        var left = false
    }

    /// The run and its runners; `changed` holds each batch's change counter.
    struct Held {
        var run: StoredRun?
        var plan: [PlanBatch] = []
        var header: PlanHeader?
        var trailer: PlanTrailer?
        var attempts: [AttemptRecord] = []
        var receipts = MemoryReceipts()
        var setAside = 0
        var roundTrips = 0
        var changed: [Int64] = []
        var counter: Int64 = 0
        var runners: [String: Runner] = [:]
        var pace = Pace()

        /// The shared pace (the database's clock).
        struct Pace {
            var rate: Double?
            var reason: String?
            var changedAt = 0.0
            var pausedUntil: Double?
            var next = 0.0
        }

        init(run: StoredRun? = nil, plan: [PlanBatch] = [], header: PlanHeader? = nil, trailer: PlanTrailer? = nil, setAside: Int = 0, roundTrips: Int = 0) {
            self.run = run
            self.plan = plan
            self.header = header
            self.trailer = trailer
            self.setAside = setAside
            self.roundTrips = roundTrips
        }
    }
}
