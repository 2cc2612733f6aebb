import AliyunSMS
import CampaignCompiler
import Foundation

/// Carries out a run's actions while it sends: the only place that awaits the store, the
/// provider and the clock. What to do is `RunState.next`'s; what to record and whether to probe
/// first is the `RunLifecycle`'s.
struct RunDriver {
    let runner: CampaignRunner
    let client: SMSClient
    var metadata: RunMetadata
    var lifecycle: RunLifecycle
    let lease: LeaseKeeper
    private var operations: [Int: SMSOperation] = [:]
    private var timerAt: Double?

    init(runner: CampaignRunner, client: SMSClient, metadata: RunMetadata, lifecycle: RunLifecycle, lease: LeaseKeeper) {
        self.runner = runner
        self.client = client
        self.metadata = metadata
        self.lifecycle = lifecycle
        self.lease = lease
    }

    private enum Event: Sendable {
        case answer(Int, Result<SMSResponse, SMSFailure>)
        /// A timer set for this time went off.
        case timer(Double)
    }

    private var store: any RunStore { runner.store }
    private var now: Double { runner.now }

    mutating func loop(_ state: inout RunState) async throws -> RunOutcome {
        try await withThrowingTaskGroup(of: Event.self) { group in
            defer { group.cancelAll() }
            while true {
                if Task.isCancelled { state.interrupt() }
                switch state.next(now: now) {
                case .finish(let outcome):
                    return outcome
                case .commit(let change):
                    try await store.commit(with(change, state: state))
                case .reconcile(let batches):
                    if let refusal = try await reconcile(batches, state: &state) { return refusal }
                case .markSending(let change):
                    if let refusal = await probe(state: state) { return refusal }
                    // Every request of the group is built before any is marked: a plan line
                    // that cannot be read stops the run with nothing in flight.
                    for batch in change.batches {
                        operations[batch.batch] = try runner.operation(for: try await store.planBatch(PlanBatchRequest(batch: batch.batch)))
                    }
                    try await store.commit(with(change, state: state, activity: RunActivity(kind: .sending, pace: state.pace.rate, ceiling: state.pace.ceiling, at: now)))
                    progress(state, force: false)
                case .claim(let limit, let since):
                    if let refusal = try await claim(limit: limit, since: since, state: &state) { return refusal }
                case .launch(let batch, let change):
                    try await launch(batch, change: change, state: state, group: &group)
                case .wait(let until, let reason):
                    try await wait(until: until, reason: reason, state: &state, group: &group)
                }
            }
        }
    }

    /// Shared state: claims batches from the store (the probe first, for a new plan).
    private mutating func claim(limit: Int, since: Int64, state: inout RunState) async throws -> RunOutcome? {
        guard let shared = store as? any SharedRunStore else { throw RunError(.request, "a claim without a shared store") }
        if let refusal = await probe(state: state) { return refusal }
        let claim = try await shared.claim(ClaimRequest(limit: limit, now: now, since: since, rate: state.flow.rate, reason: state.flow.reason.rawValue,
                                                        pausedUntil: state.flow.paused(now: now)))
        // The claim is the intent, committed: a request that cannot be built stops the run, and
        // its batch is settled like one whose runner died.
        for taken in claim.taken { operations[taken.record.batch] = try runner.operation(for: taken.plan) }
        state.claimed(claim, now: now)
        progress(state, force: false)
        return nil
    }

    /// Sends a batch in a child task.
    private mutating func launch(_ batch: BatchRecord, change: RunChange?, state: RunState, group: inout ThrowingTaskGroup<Event, any Error>) async throws {
        // A runner that could not renew its lease for most of it stops sending: another runner
        // may be about to take its batches over.
        guard lease.isAlive(now: now) else {
            throw RunStoreError(.unavailable, "could not renew this runner's lease on \(store.location)")
        }
        if let change { try await store.commit(change) }
        guard let operation = operations.removeValue(forKey: batch.batch) else { throw RunError(.request, "batch \(batch.batch) has no request") }
        let client = client
        lease.inFlight = state.inFlightCount
        group.addTask { .answer(batch.batch, await Self.send(operation, with: client)) }
    }

    /// Sends in a task of its own, which cancellation does not reach: a request that left is
    /// always answered and recorded.
    private static func send(_ operation: SMSOperation, with client: SMSClient) async -> Result<SMSResponse, SMSFailure> {
        await Task {
            do throws(SMSFailure) {
                return .success(try await client.send(operation))
            } catch {
                return .failure(error)
            }
        }.value
    }

    private mutating func wait(until: Double?, reason: WaitReason, state: inout RunState, group: inout ThrowingTaskGroup<Event, any Error>) async throws {
        switch reason {
        case .beforeStart, .outsideWindows, .deferred, .unanswered:
            if let until {
                runner.events(.waiting(until: until, local: runner.policy.describe(until), reason: reason))
                if let activity = lifecycle.waiting(until: until, reason: reason, now: now) {
                    metadata.activity = activity
                    try await store.commit(RunChange(metadata: metadata))
                }
            }
            progress(state, force: true)
        case .pace, .answers, .finishing, .othersSending:
            break
        }
        guard state.inFlightCount > 0 else {
            guard let until else { return }
            do {
                try await runner.options.clock.sleep(until: WallTime(seconds: until), tolerance: nil)
            } catch {
                state.interrupt()
            }
            return
        }
        if let until, until < (timerAt ?? .infinity) {
            timerAt = until
            let clock = runner.options.clock
            group.addTask {
                try? await clock.sleep(until: WallTime(seconds: until), tolerance: nil)
                return .timer(until)
            }
        }
        guard let event = try await group.next() else { return }
        switch event {
        case .timer(let at):
            if timerAt == at { timerAt = nil }
        case .answer(let number, let result):
            try await answered(number, result, state: &state)
        }
    }

    private mutating func answered(_ number: Int, _ result: Result<SMSResponse, SMSFailure>, state: inout RunState) async throws {
        let change = state.answered(number, result, now: now, random: runner.options.random())
        lease.inFlight = state.inFlightCount
        try await store.commit(with(change, state: state))
        guard let batch = change.batches.first else { return }
        switch result {
        case .success: runner.events(.sent(batch: number, action: batch.action, recipients: batch.recipients))
        case .failure(let failure): runner.events(.refused(batch: number, code: failure.code, errorClass: failure.errorClass, message: failure.message))
        }
        progress(state, force: false)
    }

    /// Adds the run's activity to the change when the lifecycle says it moved enough to tell.
    private mutating func with(_ change: RunChange, state: RunState, activity: RunActivity? = nil) -> RunChange {
        var change = change
        if let next = lifecycle.activity(activity, pace: state.pace, now: now) {
            metadata.activity = next
            change.metadata = metadata
        }
        return change
    }

    private mutating func progress(_ state: RunState, force: Bool) {
        guard lifecycle.progressDue(now: now, force: force) else { return }
        runner.events(.progress(state.counts, pace: state.pace))
    }

    /// Asks the provider about unanswered requests; a refusal of the access key ends the run.
    private mutating func reconcile(_ batches: [BatchRecord], state: inout RunState) async throws -> RunOutcome? {
        let reconciler = Reconciler(client: client)
        for batch in batches {
            // Read-only queries: a stop asked for meanwhile ends them; what is not asked about
            // now is asked about by the next run.
            if Task.isCancelled {
                state.interrupt()
                return nil
            }
            let finding: Reconciler.Finding
            switch await reconciler.findOrRefusal(outId: batch.outId, phone: batch.firstPhone, attemptAt: batch.attemptAt ?? now) {
            case .success(let found): finding = found
            case .failure(let failure): return refused(failure, state: state)
            }
            let change = state.reconciled(batch.batch, finding, now: now)
            try await store.commit(with(change, state: state))
            if let settled = change.batches.first {
                if settled.state == .accepted { runner.events(.reconciled(batch: batch.batch, found: true)) }
                if settled.state == .pending { runner.events(.reconciled(batch: batch.batch, found: false)) }
            }
        }
        return nil
    }

    /// The end of a run whose access key the provider refused while being asked about requests.
    private func refused(_ failure: SMSFailure, state: RunState) -> RunOutcome {
        CampaignRunner.namingTheKey(.stopped(.providerRefused(code: failure.code, message: failure.message)), client: client, sent: state.counts.sent)
    }

    /// Before a plan's first request, when the lifecycle asks: does the provider already have it?
    private mutating func probe(state: RunState) async -> RunOutcome? {
        let time = now
        guard let probe = lifecycle.probe(batches: state.batches, now: time) else { return nil }
        let reconciler = Reconciler(client: client)
        runner.events(.notice(probe.notice))
        for batch in probe.batches {
            if Task.isCancelled { return .later(.interrupted) }
            switch await reconciler.probe(outId: batch.outId, phone: batch.firstPhone, days: probe.days, now: time) {
            case .success(let finding): if let outcome = lifecycle.probed(batch, finding) { return outcome }
            case .failure(let failure): return refused(failure, state: state)
            }
        }
        if Task.isCancelled { return .later(.interrupted) }
        return lifecycle.probeEnded()
    }
}
