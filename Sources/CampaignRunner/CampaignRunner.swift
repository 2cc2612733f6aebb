import AliyunSMS
import CampaignCompiler
import Foundation

/// Sends a campaign's plan under its schedule and rate, checkpointing every step in its run
/// store, so that a run killed at any moment resumes without sending anyone the message twice and
/// without losing anyone.
///
/// The decisions are two values': `RunLifecycle` (plan, resume or refuse; probe; reconnect; what
/// to record) and `RunState` (which batches to settle, mark, send, expire; when to wait). This
/// type and `RunDriver` only carry them out: they take the campaign's lock, commit what the state
/// asks, send requests (at most `concurrency` at once, each in its own child task), ask the
/// provider about unanswered ones, and sleep on the injected clock. Cancelling the task (SIGINT,
/// SIGTERM in the command line) ends waits at once; requests in flight finish and are recorded.
public final class CampaignRunner: Sendable {
    let campaign: Campaign
    let options: RunOptions
    let client: SMSClient?
    let events: @Sendable (RunEvent) -> Void
    let store: any RunStore
    /// Where the run's state is kept: its store and its lock.
    let backend: any StateBackend
    let policy: RunPolicy

    /// A runner; `client` may be nil only for a dry run. Without `store`, the run's state is kept
    /// in the state folder `options.stateFolder` (`FolderBackend`), under the campaign's lock.
    public convenience init(campaign: Campaign, options: RunOptions, client: SMSClient?, store: (any RunStore)? = nil,
                            events: @escaping @Sendable (RunEvent) -> Void = { _ in }) {
        let backend: any StateBackend = store.map { SingleStoreBackend(store: $0, localFolder: options.stateFolder) } ?? FolderBackend(root: options.stateFolder)
        self.init(campaign: campaign, options: options, client: client, backend: backend, events: events)
    }

    /// A runner of the state `backend` keeps (its store for the campaign, under its lock);
    /// `client` may be nil only for a dry run.
    public init(campaign: Campaign, options: RunOptions, client: SMSClient?, backend: any StateBackend,
                events: @escaping @Sendable (RunEvent) -> Void = { _ in }) {
        self.campaign = campaign
        self.options = options
        self.client = client
        self.events = events
        self.backend = backend
        store = backend.store(StoreRequest(campaign: campaign.id.value, leaseSeconds: options.leaseSeconds))
        var policy = RunPolicy(calendar: ScheduleCalendar(schedule: campaign.schedule, templateType: campaign.template.type.value),
                               timeZone: TimeZone(identifier: campaign.schedule.timezone.value) ?? .current,
                               rate: Double(campaign.sending.rate), concurrency: campaign.sending.concurrency, graceSeconds: options.graceSeconds,
                               maxAttempts: options.maxAttempts, backoff: Backoff(base: options.retryBase, cap: max(60, options.retryBase)), wait: options.wait)
        policy.requestTimeout = options.requestTimeout
        self.policy = policy
    }

    /// The campaign's state folder.
    public var folder: String { options.stateFolder + "/" + campaign.id.value }

    var now: Double { options.clock.now.seconds }

    /// This process, as `status` lists the runners of a shared run.
    private static var runnerInfo: RunnerInfo { RunnerInfo(host: ProcessInfo.processInfo.hostName, pid: Int(getpid())) }

    /// Runs until every recipient has an outcome, a window closes, the task is cancelled, or a
    /// fatal error; what happened is in the outcome and the store.
    public func run() async -> RunOutcome {
        if options.dryRun { return await dryRun() }
        do {
            return try await runLocked()
        } catch let error as RunStoreError where error.code == .unavailable {
            return .later(.stateUnavailable(error.message))
        } catch let error as RunStoreError {
            return .stopped(.state(error.message))
        } catch let error as RunError where error.code == .cancelled {
            return .later(.interrupted)
        } catch let error as RunError {
            return .stopped(.failure(error.message))
        } catch let error as PlanError {
            return .stopped(.failure(error.description))
        } catch {
            return .stopped(.failure("\(error)"))
        }
    }

    private func runLocked() async throws -> RunOutcome {
        guard let client else { return .stopped(.failure("no client to send with")) }
        let lock: CampaignLock?
        switch try await backend.lock(LockRequest(campaign: campaign.id.value, create: true)) {
        case .taken(let held): lock = held
        case .busy(let pid): return .later(.held(pid: pid, campaign: campaign.id.value))
        case .absent: return .stopped(.state("cannot create the state folder '\(folder)'"))
        }
        defer { withExtendedLifetime(lock) {} }
        var lifecycle = RunLifecycle(storeLocation: store.location, probeDays: options.probeDays,
                                     campaignStart: policy.calendar.startDate?.timeIntervalSince1970, reconnectSeconds: options.reconnectSeconds)
        var run: StoredRun
        switch try await prepareRun(&lifecycle) {
        case .ready(let stored): run = stored
        case .refused(let outcome): return outcome
        }
        if let endpoint = options.endpoint {
            events(.sendingTo(endpoint: endpoint))
            if options.endpointGiven || run.metadata.endpoint == nil { run.metadata.endpoint = endpoint }
        }
        lifecycle.started(endpoint: run.metadata.endpoint)
        if let refusal = try await preflight(&run, lifecycle: lifecycle, client: client) {
            // Nothing was sent: the run ends here, its end recorded with the preflight.
            try await store.commit(RunChange(metadata: lifecycle.finished(refusal, metadata: run.metadata)))
            return refusal
        }
        let shared = store as? any SharedRunStore
        let lease = LeaseKeeper(store: shared, clock: options.clock)
        if let shared {
            // Shared state: no lock; each batch is claimed by one runner.
            try await shared.join(Self.runnerInfo)
            lease.start(now: now)
        }
        defer { lease.stop() }
        var (outcome, state, driver) = try await send(run, shared: shared, lifecycle: lifecycle, client: client, lease: lease)
        if let shared { await shared.leave() }
        outcome = Self.namingTheKey(outcome, client: client, sent: state.counts.sent)
        do {
            try await store.commit(RunChange(metadata: driver.lifecycle.finished(outcome, metadata: driver.metadata)))
        } catch {
            if outcome == .done { outcome = .stopped(.state(error.message)) }
        }
        events(.progress(state.counts, pace: state.pace))
        return outcome
    }

    /// Sends the run until it ends; a shared store that went away is reconnected to as the
    /// lifecycle says, and the run read back from it goes on as a resumed run would.
    private func send(_ run: StoredRun, shared: (any SharedRunStore)?, lifecycle: RunLifecycle, client: SMSClient,
                      lease: LeaseKeeper) async throws -> (RunOutcome, RunState, RunDriver) {
        var state = RunState(batches: run.batches, policy: policy, resumedAt: now, runner: shared?.runnerID)
        var driver = RunDriver(runner: self, client: client, metadata: run.metadata, lifecycle: lifecycle, lease: lease)
        while true {
            let failure: RunStoreError
            do {
                return (try await driver.loop(&state), state, driver)
            } catch let error as RunStoreError {
                failure = error
            }
            switch await reconnect(after: failure, shared: shared, lifecycle: &driver.lifecycle, lease: lease) {
            case .resumed(let stored):
                state = RunState(batches: stored.batches, policy: policy, resumedAt: now, runner: shared?.runnerID)
                driver = RunDriver(runner: self, client: client, metadata: stored.metadata, lifecycle: driver.lifecycle, lease: lease)
            case .ended(let outcome):
                return (outcome, state, driver)
            }
        }
    }

    private enum Rejoined {
        case resumed(StoredRun)
        case ended(RunOutcome)
    }

    /// After the store failed mid-run: rejoins it, as often and as late as the lifecycle says, and
    /// reads the run back; or the run ends.
    private func reconnect(after failure: RunStoreError, shared: (any SharedRunStore)?, lifecycle: inout RunLifecycle, lease: LeaseKeeper) async -> Rejoined {
        var step = lifecycle.storeFailed(failure, shared: shared != nil, now: now)
        while true {
            switch step {
            case .finish(let outcome):
                return .ended(outcome)
            case .resume(let stored, let notice):
                events(.notice(notice))
                return .resumed(stored)
            case .reconnect(let notice):
                events(.notice(notice))
            case .retry(let at):
                do {
                    try await options.clock.sleep(until: WallTime(seconds: at), tolerance: nil)
                } catch {
                    return .ended(.later(.interrupted))
                }
            }
            step = await rejoin(shared, failure: failure, lifecycle: &lifecycle, lease: lease)
        }
    }

    /// One attempt to rejoin a shared store after it failed mid-run, and to read the run back.
    private func rejoin(_ shared: (any SharedRunStore)?, failure: RunStoreError, lifecycle: inout RunLifecycle,
                        lease: LeaseKeeper) async -> RunLifecycle.Reconnection {
        guard let shared else { return .finish(.stopped(.state(failure.message))) }
        if Task.isCancelled { return .finish(.later(.interrupted)) }
        do {
            try await shared.join(Self.runnerInfo)
            lease.renewed(at: now)
            return lifecycle.rejoined(try await store.load())
        } catch {
            return lifecycle.rejoinFailed(error, now: now)
        }
    }

    /// A send (or a question about one) refused for its access key stops the run as a refusal of
    /// the key (exit 1, naming the masked key id and what to check), not as one request's refusal.
    static func namingTheKey(_ outcome: RunOutcome, client: SMSClient, sent: Int) -> RunOutcome {
        guard case .stopped(.providerRefused(let code, let message)) = outcome,
              let refusal = CredentialRefusal(SMSFailure(errorClass: .fatal, code: code, message: message), credentials: client.signer.credentials) else { return outcome }
        return .stopped(.credentialsRefused(refusal, sent: sent))
    }
}

extension RunState {
    /// The pace in force.
    public var pace: Pace { Pace(rate: flow.rate, ceiling: flow.ceiling, reason: flow.reason) }
}
