import AliyunSMS
import CampaignCompiler
import Foundation

/// Sends a campaign's plan under its schedule and rate, checkpointing every step in its run
/// store, so that a run killed at any moment resumes without sending anyone the message twice and
/// without losing anyone.
///
/// The decisions are `RunState`'s; this type performs them: it commits what the state asks, sends
/// requests (at most `concurrency` at once, each in its own child task), asks the provider about
/// unanswered ones, and sleeps on the injected clock. Before a group of requests leaves, their
/// intent is committed durably; every answer is committed as it comes. Cancelling the task
/// (SIGINT, SIGTERM in the command line) ends waits at once; requests in flight finish and are
/// recorded.
public final class CampaignRunner: Sendable {
    let campaign: Campaign
    let options: RunOptions
    let client: SMSClient?
    let events: @Sendable (RunEvent) -> Void
    let store: any RunStore
    /// Whether the run holds the campaign folder's lock (a store in its state folder).
    let locksFolder: Bool
    let policy: RunPolicy

    /// The code of a batch whose run ended before any answer came.
    static let noAnswer = "NoAnswer"

    /// A runner; `client` may be nil only for a dry run. Without `store`, the run's state is kept
    /// in the campaign's state folder (`SQLiteRunStore`), under its lock.
    public init(campaign: Campaign, options: RunOptions, client: SMSClient?, store: (any RunStore)? = nil,
                events: @escaping @Sendable (RunEvent) -> Void = { _ in }) {
        self.campaign = campaign
        self.options = options
        self.client = client
        self.events = events
        let folder = options.stateFolder + "/" + campaign.id.value
        self.store = store ?? SQLiteRunStore(folder: folder)
        locksFolder = store == nil
        var policy = RunPolicy(calendar: ScheduleCalendar(schedule: campaign.schedule, templateType: campaign.template.type.value),
                           timeZone: TimeZone(identifier: campaign.schedule.timezone.value) ?? .current,
                           rate: Double(campaign.sending.rate), concurrency: campaign.sending.concurrency, graceSeconds: options.graceSeconds,
                           maxAttempts: options.maxAttempts, backoff: Backoff(base: options.retryBase, cap: max(60, options.retryBase)), wait: options.wait)
        policy.requestTimeout = options.requestTimeout
        self.policy = policy
    }

    /// The campaign's state folder.
    public var folder: String { options.stateFolder + "/" + campaign.id.value }

    /// The compiler of this campaign's plan: a promotional campaign leaves out the numbers that
    /// replied to unsubscribe from its sign name (the state folder's suppression list).
    func planCompiler() throws -> PlanCompiler {
        var compiler = PlanCompiler(campaign: campaign)
        do {
            compiler.suppression = try ReceiptsLedger.suppression(for: campaign, stateFolder: options.stateFolder)
        } catch let error as RunStoreError {
            throw error
        } catch {
            throw RunStoreError(.io, "cannot read the suppression list in \(options.stateFolder)/.receipts: \(error)")
        }
        return compiler
    }

    private var now: Double { options.clock.now.seconds }

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
        } catch let error as PlanError where error == .cancelled {
            return .later(.interrupted)
        } catch let error as PlanError {
            return .stopped(.failure(error.description))
        } catch {
            return .stopped(.failure("\(error)"))
        }
    }

    // MARK: - Set-up

    /// The campaign's folder, made owner-only with its parents (such as ~/.local/state) when
    /// missing, and checked: a folder of another user, one others may write to, or a link in it
    /// is refused.
    private func prepareFolder() throws(RunStoreError) -> StateFolder {
        guard let folder = try StateFolder.root(options.stateFolder, create: true)?.folder(campaign.id.value, create: true) else {
            throw RunStoreError(.io, "cannot create the state folder '\(self.folder)'")
        }
        return folder
    }

    private func runLocked() async throws -> RunOutcome {
        guard let client else { return .stopped(.failure("no client to send with")) }
        var lock: CampaignLock?
        if locksFolder {
            switch try CampaignLock.acquire(in: prepareFolder()) {
            case .success(let held): lock = held
            case .failure(let holder): return .later(.held(pid: holder.pid, campaign: campaign.id.value))
            }
        }
        defer { withExtendedLifetime(lock) {} }
        var run: StoredRun
        let fresh: Bool
        switch try await prepareRun() {
        case .ready(let stored, let isFresh):
            run = stored
            fresh = isFresh
        case .refused(let outcome):
            return outcome
        }
        if let endpoint = options.endpoint {
            events(.sendingTo(endpoint: endpoint))
            if options.endpointGiven || run.metadata.endpoint == nil { run.metadata.endpoint = endpoint }
        }
        let shared = store as? any SharedRunStore
        let lease = LeaseKeeper(store: shared, clock: options.clock)
        if let shared {
            // Shared state: no lock; each batch is claimed by one runner.
            try await shared.join(Self.runnerInfo)
            lease.start(now: now)
        }
        defer { lease.stop() }
        var state = RunState(batches: run.batches, policy: policy, resumedAt: now, runner: shared?.runnerID)
        var driver = Driver(runner: self, client: client, metadata: run.metadata, needsProbe: fresh, lease: lease)
        var outcome: RunOutcome
        while true {
            do {
                outcome = try await driver.loop(&state)
            } catch let error as RunStoreError {
                guard let shared, error.code == .unavailable || error.code == .taken else {
                    // The store failed mid-run: what was in flight stays `sending` in it and is
                    // settled by the next run.
                    outcome = .stopped(.state(error.message))
                    break
                }
                // Shared state lost (a database restart, a lease that ran out): nothing more
                // leaves; once the database answers again the run is read back from it and goes
                // on as a resumed run would, settling what was in flight through the provider.
                events(.notice("\(error.message): nothing more is sent until \(shared.location) answers again; what was in flight is then settled through the provider's records"))
                switch await rejoin(shared, lease: lease) {
                case .resumed(let stored):
                    state = RunState(batches: stored.batches, policy: policy, resumedAt: now, runner: shared.runnerID)
                    driver = Driver(runner: self, client: client, metadata: stored.metadata, needsProbe: false, lease: lease)
                    continue
                case .ended(let ended):
                    outcome = ended
                }
            }
            break
        }
        if let shared { await shared.leave() }
        outcome = Self.namingTheKey(outcome, client: client, sent: state.counts.sent)
        driver.metadata.lastEnd = outcome.end
        if case .stopped(let reason) = outcome { driver.metadata.stopReason = reason.description } else { driver.metadata.stopReason = nil }
        driver.metadata.activity = nil
        do {
            try await store.commit(RunChange(metadata: driver.metadata))
        } catch {
            if outcome == .done { outcome = .stopped(.state(error.message)) }
        }
        events(.progress(state.counts, pace: state.pace))
        return outcome
    }

    /// A send (or a question about one) refused for its access key stops the run as a refusal of
    /// the key (exit 1, naming the masked key id and what to check), not as one request's refusal.
    static func namingTheKey(_ outcome: RunOutcome, client: SMSClient, sent: Int) -> RunOutcome {
        guard case .stopped(.providerRefused(let code, let message)) = outcome,
              let refusal = CredentialRefusal(SMSFailure(errorClass: .fatal, code: code, message: message), credentials: client.signer.credentials) else { return outcome }
        return .stopped(.credentialsRefused(refusal, sent: sent))
    }

    /// Reconnects to a shared store after it failed mid-run, and reads the run back; gives up
    /// after `options.reconnectSeconds` (exit 75) or when stopped.
    private func rejoin(_ shared: any SharedRunStore, lease: LeaseKeeper) async -> Rejoined {
        let deadline = now + options.reconnectSeconds
        var delay = 0.5
        var last = ""
        while true {
            if Task.isCancelled { return .ended(.later(.interrupted)) }
            do {
                try await shared.join(Self.runnerInfo)
                lease.renewed(at: now)
                if let stored = try await store.load() {
                    events(.notice("\(shared.location) answers again: resuming"))
                    return .resumed(stored)
                }
                return .ended(.stopped(.state("the run is gone from \(shared.location)")))
            } catch {
                guard error.code == .unavailable else { return .ended(.stopped(.state(error.message))) }
                last = error.message
            }
            if now + delay > deadline {
                return .ended(.later(.stateUnavailable("\(last); gave up after \(Int(options.reconnectSeconds)) s; what was in flight is settled by the next run")))
            }
            do {
                try await options.clock.sleep(until: WallTime(seconds: now + delay), tolerance: nil)
            } catch {
                return .ended(.later(.interrupted))
            }
            delay = min(delay * 2, 5)
        }
    }

    private enum Rejoined {
        case resumed(StoredRun)
        case ended(RunOutcome)
    }

    private enum Preparation {
        case ready(StoredRun, fresh: Bool)
        case refused(RunOutcome)
    }

    /// Makes sure the store holds the run of the plan this campaign compiles to.
    private func prepareRun(racing: Bool = false) async throws -> Preparation {
        let loaded = try await store.load()
        var current: PlanHeader
        if let given = options.planHeader {
            current = given
        } else if loaded != nil, let storedHeader = try await store.planHeader() {
            // A runner joining a run planned elsewhere needs only the campaign file: recipient
            // files missing here are taken as the stored plan has them (a changed one is refused).
            let made = try PlanCompiler.header(for: campaign, stored: storedHeader)
            current = made.header
            if !made.missing.isEmpty, made.header.planId == storedHeader.planId {
                events(.notice("\(made.missing.map { "'\($0)'" }.joined(separator: ", ")) not found here: sending the plan stored in \(store.location), which was made from \(made.missing.count == 1 ? "it" : "them")"))
            }
        } else {
            current = try PlanCompiler.header(for: campaign)
        }
        if let stored = loaded {
            for notice in stored.notices { events(.notice(notice)) }
            if stored.metadata.planID == current.planId {
                events(.planned(batches: stored.batches.count, recipients: stored.batches.reduce(0) { $0 + $1.recipients }, planId: current.planId, resumed: true))
                return .ready(stored, fresh: !stored.batches.contains { $0.attempts > 0 || !$0.state.isWaiting })
            }
            // Sent, or perhaps sent: anything else (pending, refused for a recipient, deferred,
            // expired) reached nobody.
            let touched = stored.batches.filter { $0.state == .accepted || $0.state.isUnsettled }
            if touched.isEmpty {
                // Nothing of the old plan left: plan again, and say so.
                let kept = try await store.setAside(SetAsideRequest(at: now))
                events(.notice("the campaign's inputs changed and nothing of plan \(stored.metadata.planID) was sent: planning again (its state is kept in \(kept))"))
            } else {
                let changes = try await describeChanges(from: stored.metadata.planID)
                let sent = touched.filter { $0.state == .accepted }.reduce(0) { $0 + $1.recipients }
                let unsettled = touched.filter(\.state.isUnsettled).reduce(0) { $0 + $1.recipients }
                return .refused(.stopped(.inputsChanged(planID: stored.metadata.planID, changes: changes, sent: sent, unsettled: unsettled, campaign: campaign.path)))
            }
        }
        let staging = store.planStagingPath ?? NSTemporaryDirectory() + "salvo-plan-\(getpid())-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: staging) }
        if let given = options.planPath {
            guard let header = PlanReader.header(at: given) else { return .refused(.stopped(.notAPlan(path: given))) }
            guard header.planId == current.planId else {
                let changes = try await describeChanges(from: header, planPath: given)
                return .refused(.stopped(.planMismatch(path: given, changes: changes)))
            }
            try? FileManager.default.removeItem(atPath: staging)
            do {
                try FileManager.default.copyItem(atPath: given, toPath: staging)
            } catch {
                throw PlanError("cannot copy the plan into the state folder: \(error.localizedDescription)")
            }
        } else {
            let result = try await planCompiler().compile(output: staging, header: current)
            guard result.isComplete else {
                events(.problems(ValidationReport(fileCount: 1, diagnostics: result.diagnostics.diagnostics, sources: result.sources, omitted: result.diagnostics.omitted)))
                return .refused(.stopped(.invalidCampaign))
            }
        }
        var records: [BatchRecord] = []
        var recipients = 0
        _ = try PlanReader.batches(at: staging) { batch in
            recipients += batch.recipients.count
            records.append(BatchRecord(batch: batch.batch, action: batch.action, outId: batch.outId, recipients: batch.recipients.count, segments: batch.segments,
                                       firstPhone: batch.recipients.first?.first ?? "", state: .pending, attempts: 0))
        }
        let metadata = RunMetadata(planID: current.planId, campaign: campaign.id.value, createdAt: now, endpoint: options.endpoint)
        var lostRace = false
        do {
            try await store.create(NewRun(metadata: metadata, batches: records, planFile: staging))
        } catch {
            guard error.code == .exists, store is any SharedRunStore, !racing else { throw error }
            lostRace = true
        }
        // Another runner planned it first: join its run.
        if lostRace { return try await prepareRun(racing: true) }
        events(.planned(batches: records.count, recipients: recipients, planId: current.planId, resumed: false))
        return .ready(StoredRun(metadata: metadata, batches: records), fresh: true)
    }

    private func describeChanges(from planID: String) async throws -> [String] {
        guard let planPath = (store as? SQLiteRunStore)?.planPath, let old = PlanReader.header(at: planPath) else {
            // A plan kept in a database: what changed, by file (the numbers are not compared).
            if let old = try await store.planHeader() {
                let result = try PlanCompiler.header(for: campaign, stored: nil).header
                return PlanReader.changes(from: old, oldPhones: nil, to: result, newPhones: nil)
            }
            return ["the plan's inputs (plan \(planID) before)"]
        }
        return try await describeChanges(from: old, planPath: planPath)
    }

    private func describeChanges(from old: PlanHeader, planPath: String) async throws -> [String] {
        let temporary = NSTemporaryDirectory() + "salvo-compare-\(getpid())-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        let result = try await planCompiler().compile(output: temporary)
        let changed = PlanReader.changedSources(from: old, to: result.header)
        let oldPhones = PlanReader.phones(at: planPath, sources: changed)
        let newPhones = result.isComplete && oldPhones != nil ? PlanReader.phones(at: temporary, sources: changed) : [:]
        return PlanReader.changes(from: old, oldPhones: oldPhones, to: result.header, newPhones: newPhones)
    }

    // MARK: - Requests

    /// The request a plan batch stands for.
    func operation(for batch: PlanBatch) throws -> SMSOperation {
        let names = campaign.parameters.map(\.name.value)
        func values(_ list: [String]) -> [String: String]? {
            names.isEmpty ? nil : Dictionary(zip(names, list), uniquingKeysWith: { first, _ in first })
        }
        if batch.action == "SendSms" {
            return try SMSOperation.sendSms(phoneNumbers: batch.recipients.map { $0[0] }, signName: campaign.signName.value, templateCode: campaign.template.code.value,
                                            templateParameters: values(batch.values ?? []), outId: batch.outId)
        }
        return try SMSOperation.sendBatchSms(phoneNumbers: batch.recipients.map { $0[0] }, signName: campaign.signName.value, templateCode: campaign.template.code.value,
                                             parameterNames: names, values: batch.recipients.map { Array($0.dropFirst(2)) }, outId: batch.outId)
    }

    /// When a recipient deferred by a per-number limit may be tried again: the next minute or hour
    /// in China time, or a day later (the daily limit is a rolling 24 hours).
    static func deferral(_ window: LimitWindow, now: Double) -> Double {
        switch window {
        case .minute: (now / 60).rounded(.down) * 60 + 61
        case .hour: (now / 3600).rounded(.down) * 3600 + 3601
        case .day: now + 86_400
        }
    }

    /// Signs every request of the plan and reports it, sending nothing and writing no state.
    private func dryRun() async -> RunOutcome {
        guard let signer = client?.signer else { return .stopped(.failure("a dry run signs requests: it needs credentials")) }
        let temporary = NSTemporaryDirectory() + "salvo-dry-run-\(getpid()).jsonl"
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        do {
            let path: String
            if let given = options.planPath {
                path = given
            } else {
                let result = try await planCompiler().compile(output: temporary)
                guard result.isComplete else { return .stopped(.failure("the campaign has errors; 'salvo plan \(campaign.path)' shows them")) }
                path = temporary
            }
            _ = try PlanReader.batches(at: path) { (batch: PlanBatch) throws(PlanError) in
                guard let operation = try? operation(for: batch) else { throw PlanError("batch \(batch.batch) cannot be built") }
                events(.dryRun(signer.sign(operation)))
            }
            return .done
        } catch {
            return .stopped(.failure("\(error)"))
        }
    }

    // MARK: - Performing

    /// Performs a run's actions: the only place that awaits the store, the provider and the clock.
    private struct Driver {
        let runner: CampaignRunner
        let client: SMSClient
        var metadata: RunMetadata
        var needsProbe: Bool
        let lease: LeaseKeeper
        private var operations: [Int: SMSOperation] = [:]
        private var timerAt: Double?
        private var lastProgress = -Double.infinity
        private var lastActivity: RunActivity?

        init(runner: CampaignRunner, client: SMSClient, metadata: RunMetadata, needsProbe: Bool, lease: LeaseKeeper) {
            self.runner = runner
            self.client = client
            self.metadata = metadata
            self.needsProbe = needsProbe
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
                        if needsProbe {
                            needsProbe = false
                            if let refusal = await probe(state: state) { return refusal }
                        }
                        // Every request of the group is built before any is marked: a plan line
                        // that cannot be read stops the run with nothing in flight.
                        for batch in change.batches {
                            operations[batch.batch] = try runner.operation(for: try await store.planBatch(PlanBatchRequest(batch: batch.batch)))
                        }
                        try await store.commit(with(change, state: state, activity: RunActivity(kind: .sending, pace: state.pace.rate, ceiling: state.pace.ceiling, at: now)))
                        progress(state, force: false)
                    case .claim(let limit, let since):
                        guard let shared = store as? any SharedRunStore else { throw PlanError("a claim without a shared store") }
                        if needsProbe {
                            needsProbe = false
                            if let refusal = await probe(state: state) { return refusal }
                        }
                        let claim = try await shared.claim(ClaimRequest(limit: limit, now: now, since: since, rate: state.flow.rate, reason: state.flow.reason.rawValue,
                                                                        pausedUntil: state.flow.paused(now: now)))
                        // The claim is the intent, committed: a request that cannot be built stops
                        // the run, and its batch is settled like one whose runner died.
                        for taken in claim.taken { operations[taken.record.batch] = try runner.operation(for: taken.plan) }
                        state.claimed(claim, now: now)
                        progress(state, force: false)
                    case .launch(let batch, let change):
                        // A runner that could not renew its lease for most of it stops sending:
                        // another runner may be about to take its batches over.
                        guard lease.isAlive(now: now) else {
                            throw RunStoreError(.unavailable, "could not renew this runner's lease on \(store.location)")
                        }
                        if let change { try await store.commit(change) }
                        guard let operation = operations.removeValue(forKey: batch.batch) else { throw PlanError("batch \(batch.batch) has no request") }
                        let client = client
                        lease.inFlight = state.inFlightCount
                        group.addTask { .answer(batch.batch, await Self.send(operation, with: client)) }
                    case .wait(let until, let reason):
                        try await wait(until: until, reason: reason, state: &state, group: &group)
                    }
                }
            }
        }

        /// Sends in a task of its own, which cancellation does not reach: a request that left
        /// is always answered and recorded.
        private static func send(_ operation: SMSOperation, with client: SMSClient) async -> Result<SMSResponse, SMSFailure> {
            await Task {
                do throws(SMSFailure) {
                    return .success(try await client.send(operation))
                } catch {
                    return .failure(error)
                }
            }.value
        }

        private mutating func wait(until: Double?, reason: WaitReason, state: inout RunState,
                                   group: inout ThrowingTaskGroup<Event, any Error>) async throws {
            switch reason {
            case .beforeStart, .outsideWindows, .deferred, .unanswered:
                if let until {
                    runner.events(.waiting(until: until, local: runner.policy.describe(until), reason: reason))
                    let activity = RunActivity(kind: .waiting, reason: reason.description, until: until, at: now)
                    if activity.kind != lastActivity?.kind || activity.reason != lastActivity?.reason || activity.until != lastActivity?.until {
                        lastActivity = activity
                        metadata.activity = activity
                        try await store.commit(RunChange(metadata: metadata))
                    }
                }
                progress(state, force: true)
            case .pace, .answers, .finishing, .othersSending:
                break
            }
            if state.inFlightCount > 0 {
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
            } else if let until {
                do {
                    try await runner.options.clock.sleep(until: WallTime(seconds: until), tolerance: nil)
                } catch {
                    state.interrupt()
                }
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

        /// Adds the pace to the metadata when it changed enough to tell.
        private mutating func with(_ change: RunChange, state: RunState, activity: RunActivity? = nil) -> RunChange {
            var change = change
            var next = activity ?? lastActivity ?? RunActivity(kind: .sending, at: now)
            if next.kind == .sending {
                next.pace = state.pace.rate
                next.ceiling = state.pace.ceiling
                next.reason = state.pace.reason == .configured ? nil : state.pace.reason.rawValue
            }
            let old = lastActivity
            let moved = old.map { old in
                old.kind != next.kind || old.reason != next.reason || abs((old.pace ?? 0) - (next.pace ?? 0)) > 0.05 * max(old.pace ?? 1, 1) && now - old.at >= 1
            } ?? true
            if moved {
                next.at = now
                lastActivity = next
                metadata.activity = next
                change.metadata = metadata
            }
            return change
        }

        private mutating func progress(_ state: RunState, force: Bool) {
            let time = now
            guard force || time - lastProgress >= 0.25 else { return }
            lastProgress = time
            runner.events(.progress(state.counts, pace: state.pace))
        }

        /// Asks the provider about unanswered requests; a refusal of the access key ends the run.
        private mutating func reconcile(_ batches: [BatchRecord], state: inout RunState) async throws -> RunOutcome? {
            let reconciler = Reconciler(client: client)
            for batch in batches {
                // Read-only queries: a stop asked for meanwhile ends them; what is not asked
                // about now is asked about by the next run.
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

        /// Before a plan's first request: does the provider already have it? Asked about its first
        /// few batches (one may have been refused for its recipients and left no record), on every
        /// China date since the campaign's start (at most 30 days, the provider's records) or the
        /// last `probeDays`.
        private func probe(state: RunState) async -> RunOutcome? {
            let reconciler = Reconciler(client: client)
            let time = now
            var days = runner.options.probeDays
            if let start = runner.policy.calendar.startDate?.timeIntervalSince1970, start < time {
                days = max(days, min(30, Int(((time - start) / 86_400).rounded(.up)) + 1))
            }
            let firsts = Array(state.batches.prefix(3))
            runner.events(.notice("asking \(metadata.endpoint ?? "the provider") whether plan \(metadata.planID) was sent before (QuerySendDetails, \(days + 1) day\(days == 0 ? "" : "s"))"))
            var unknown = false
            for batch in firsts {
                if Task.isCancelled { return .later(.interrupted) }
                switch await reconciler.probe(outId: batch.outId, phone: batch.firstPhone, days: days, now: time) {
                case .success(.found): return .stopped(.alreadySent(outId: batch.outId, planID: metadata.planID))
                case .success(.notFound): break
                case .success(.unknown): unknown = true
                case .failure(let failure): return refused(failure, state: state)
                }
            }
            if Task.isCancelled { return .later(.interrupted) }
            guard !unknown else {
                return .later(.providerUnreachable("could not ask \(metadata.endpoint ?? "the provider") whether plan \(metadata.planID) was sent before (QuerySendDetails failed); nothing was sent; run again"))
            }
            return nil
        }
    }
}

extension RunState {
    /// The pace in force.
    public var pace: Pace { Pace(rate: flow.rate, ceiling: flow.ceiling, reason: flow.reason) }
}
