import AliyunSMS
import CampaignCompiler
import Foundation

/// Sends a campaign's plan under its schedule and rate, checkpointing every step in its state
/// store, so that a run killed at any moment resumes without sending anyone the message twice and
/// without losing anyone.
///
/// Before a group of requests leaves, their intent is committed (`sending`) in one transaction;
/// every answer is committed as it comes. On resume, every batch whose answer is unknown is
/// reconciled through QuerySendDetails (its first number, the attempt's China date, matched by
/// OutId) before anything is sent again; only a batch the provider has no record of, a grace period
/// after the attempt, is sent again.
public final class CampaignRunner {
    let campaign: Campaign
    let options: RunOptions
    let client: SMSClient?
    let events: @Sendable (RunEvent) -> Void
    private let calendar: ScheduleCalendar
    private var backoff: Backoff { Backoff(base: options.retryBase, cap: max(60, options.retryBase)) }

    /// A runner; `client` may be nil only for a dry run.
    public init(campaign: Campaign, options: RunOptions, client: SMSClient?, events: @escaping @Sendable (RunEvent) -> Void = { _ in }) {
        self.campaign = campaign
        self.options = options
        self.client = client
        self.events = events
        calendar = ScheduleCalendar(schedule: campaign.schedule, templateType: campaign.template.type.value)
    }

    /// The campaign's state folder.
    public var folder: String { options.stateFolder + "/" + campaign.id.value }

    /// Runs until every recipient has an outcome, a window closes, a stop is asked for, or a fatal
    /// error; what happened is in the outcome and the state store.
    public func run() async -> RunOutcome {
        if options.dryRun { return await dryRun() }
        do {
            return try await runLocked()
        } catch let error as StateStoreError {
            return .stopped(error.description)
        } catch let error as PlanError {
            return .stopped(error.description)
        } catch {
            return .stopped("\(error)")
        }
    }

    // MARK: - Set-up

    private func prepareFolder() throws(StateStoreError) {
        // Parents such as ~/.local/state may not exist yet; the folders Salvo makes are owner-only.
        for path in [options.stateFolder, folder] where !FileManager.default.fileExists(atPath: path) {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw StateStoreError("cannot create the state folder '\(path)': \(error.localizedDescription)")
            }
        }
        chmod(folder, 0o700)
    }

    private func runLocked() async throws -> RunOutcome {
        guard client != nil else { return .stopped("no client to send with") }
        try prepareFolder()
        let lock: CampaignLock
        switch try CampaignLock.acquire(path: folder + "/lock") {
        case .success(let held): lock = held
        case .failure(let holder):
            return .later("another run holds campaign '\(campaign.id.value)'" + (holder.pid.map { " (pid \($0))" } ?? "") + "; it was left alone")
        }
        defer { withExtendedLifetime(lock) {} }
        let store = try StateStore(path: folder + "/state.db")
        let planPath = folder + "/plan.jsonl"
        if let refusal = try await preparePlan(store: store, planPath: planPath) { return refusal }
        // The plan in the state folder is sent line by line as it stands: indexing it checks, on
        // every start, that it is still the one this run read whole and stored.
        let index: PlanIndex
        do {
            index = try PlanIndex(path: planPath)
        } catch {
            return .stopped("the state in \(folder) is damaged: \(error); move the folder away to start over")
        }
        let stored = try store.batches().count
        guard index.count == stored else {
            return .stopped("the state in \(folder) is damaged: its plan has \(index.count) requests and its state \(stored); move the folder away to start over")
        }
        let outcome = try await loop(store: store, index: index)
        let label: String
        switch outcome {
        case .done: label = "done"
        case .later(let reason): label = reason.hasPrefix("interrupted") ? "interrupted" : "waiting"
        case .stopped: label = "stopped"
        }
        var meta = ["last_outcome": label]
        if case .stopped(let reason) = outcome { meta["stop_reason"] = reason }
        try store.setMeta(meta)
        return outcome
    }

    /// Makes sure the store has the plan this campaign compiles to; a refusal when it has another.
    private func preparePlan(store: StateStore, planPath: String) async throws -> RunOutcome? {
        let current = try PlanCompiler.header(for: campaign)
        if let storedID = store.meta("plan_id") {
            guard let stored = PlanReader.header(at: planPath), stored.planId == storedID else {
                return .stopped("the state in \(folder) is damaged: its plan file is missing or is another plan; move the folder away to start over")
            }
            guard storedID == current.planId else {
                let changes = try await describeChanges(from: stored, planPath: planPath)
                return .stopped("the campaign's inputs changed since this run began (plan \(storedID)); refusing to resume. What changed:\n"
                                + changes.map { "  - \($0)" }.joined(separator: "\n"))
            }
            let batches = try store.batches()
            events(.planned(batches: batches.count, recipients: batches.reduce(0) { $0 + $1.recipients }, planId: storedID, resumed: true))
            return nil
        }
        if let given = options.planPath {
            guard let header = PlanReader.header(at: given) else { return .stopped("'\(given)' is not a salvo plan") }
            guard header.planId == current.planId else {
                let changes = try await describeChanges(from: header, planPath: given)
                return .stopped("the plan '\(given)' was made from other inputs than the campaign has now; refusing to run it. What changed:\n"
                                + changes.map { "  - \($0)" }.joined(separator: "\n"))
            }
            let temporary = planPath + ".copy"
            try? FileManager.default.removeItem(atPath: temporary)
            do {
                try FileManager.default.copyItem(atPath: given, toPath: temporary)
            } catch {
                throw PlanError("cannot copy the plan into the state folder: \(error.localizedDescription)")
            }
            chmod(temporary, 0o600)
            guard rename(temporary, planPath) == 0 else { throw PlanError("cannot move the plan into the state folder") }
        } else {
            let result = try await PlanCompiler(campaign: campaign).compile(output: planPath, header: current)
            guard result.isComplete else {
                events(.problems(ValidationReport(fileCount: 1, diagnostics: result.diagnostics.diagnostics, sources: result.sources, omitted: result.diagnostics.omitted)))
                return .stopped("the campaign has errors in its recipients or limits (above); nothing was sent")
            }
        }
        var records: [BatchRecord] = []
        var recipients = 0
        _ = try PlanReader.batches(at: planPath) { batch in
            recipients += batch.recipients.count
            records.append(BatchRecord(batch: batch.batch, action: batch.action, outId: batch.outId, recipients: batch.recipients.count, segments: batch.segments,
                                       firstPhone: batch.recipients.first?.first ?? "", state: .pending, attempts: 0))
        }
        try store.initialize(batches: records, meta: ["plan_id": current.planId, "campaign": campaign.id.value, "salvo": SalvoVersion.current,
                                                      "created_at": String(options.now())])
        events(.planned(batches: records.count, recipients: recipients, planId: current.planId, resumed: false))
        return nil
    }

    private func describeChanges(from old: PlanHeader, planPath: String) async throws -> [String] {
        let temporary = folder + "/plan.compare.jsonl"
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        let result = try await PlanCompiler(campaign: campaign).compile(output: temporary)
        let changed = PlanReader.changedSources(from: old, to: result.header)
        let newPhones = result.isComplete ? PlanReader.phones(at: temporary, sources: changed) : [:]
        return PlanReader.changes(from: old, oldPhones: PlanReader.phones(at: planPath, sources: changed), to: result.header, newPhones: newPhones)
    }

    // MARK: - The loop

    private func loop(store: StateStore, index: PlanIndex) async throws -> RunOutcome {
        var pacer = Pacer(rate: Double(campaign.sending.rate))
        while true {
            if options.shouldStop() { return .later("interrupted: no new requests were started; run again to resume") }
            var batches = try store.batches()
            events(.progress(RunCounts(batches)))
            var now = options.now()

            // Anything whose answer is unknown is settled first.
            if batches.contains(where: { $0.state == .sending || $0.state == .uncertain }) {
                try await reconcile(store: store, batches: batches)
                batches = try store.batches()
                now = options.now()
            }
            if RunCounts(batches).isDone { return .done }

            // The end of the campaign.
            if let end = calendar.endDate?.timeIntervalSince1970, now >= end {
                if let waitUntil = uncertainWait(batches, now: now) {
                    try await options.sleep(waitUntil - now)
                    continue
                }
                for batch in batches where batch.state == .pending || batch.state == .deferred {
                    try store.update(batch.batch, state: .expired, code: "Expired", message: "the campaign ended before it was sent")
                }
                let counts = RunCounts(try store.batches())
                events(.progress(counts))
                return counts.isDone ? .done : .later("the campaign has ended; \(counts.uncertain) recipients await reconciliation")
            }

            // The send windows.
            guard let openUntil = calendar.openUntil(at: Date(timeIntervalSince1970: now))?.timeIntervalSince1970 else {
                guard let next = calendar.nextOpening(after: Date(timeIntervalSince1970: now))?.timeIntervalSince1970 else {
                    try await options.sleep(1)
                    continue
                }
                if options.wait {
                    events(.waiting(until: next, local: Self.describe(next, campaign: campaign), reason: "outside the send windows"))
                    try await options.sleep(next - now)
                    continue
                }
                return .later("outside the send windows; the next opens at \(Self.describe(next, campaign: campaign))")
            }

            let eligible = batches.filter { ($0.state == .pending || $0.state == .deferred) && ($0.notBefore ?? 0) <= now }
            guard !eligible.isEmpty else {
                let reconcileAt = uncertainWait(batches, now: now)
                let wakeAt = ([reconcileAt] + batches.filter { !$0.state.isFinal && $0.state != .uncertain && $0.state != .sending }.map(\.notBefore))
                    .compactMap { $0 }.min() ?? now + 1
                if options.wait || wakeAt - now <= 120 || batches.contains(where: { $0.state == .uncertain || $0.state == .sending }) {
                    if wakeAt >= openUntil, !options.wait {
                        return .later("outside the send windows from \(Self.describe(openUntil, campaign: campaign))")
                    }
                    let reason = wakeAt == reconcileAt || reconcileAt == nil && batches.contains(where: { $0.state == .uncertain || $0.state == .sending })
                        ? "unanswered requests; asking the provider again" : "deferred recipients"
                    events(.waiting(until: wakeAt, local: Self.describe(wakeAt, campaign: campaign), reason: reason))
                    try await options.sleep(max(wakeAt - now, 0.05))
                    continue
                }
                let counts = RunCounts(batches)
                return .later("\(counts.deferred + counts.pending) recipients are deferred until \(Self.describe(wakeAt, campaign: campaign)); run again then")
            }

            // Durable intent, then send the group.
            // Every request of the group is built before any is marked: a plan line that cannot be
            // read stops the run with nothing in flight and nothing to reconcile.
            let group = Array(eligible.prefix(campaign.sending.concurrency * 2))
            var operations: [Int: SMSOperation] = [:]
            for batch in group { operations[batch.batch] = try operation(for: index.batch(batch.batch)) }
            try store.markSending(group.map(\.batch), at: now)
            let stop = try await send(group, operations: operations, markedAt: now, store: store, pacer: &pacer, openUntil: openUntil)
            if let stop { return stop }
        }
    }

    /// Sends a group with at most `concurrency` requests in flight, paced, recording each answer.
    private func send(_ group: [BatchRecord], operations: [Int: SMSOperation], markedAt: Double, store: StateStore, pacer: inout Pacer,
                      openUntil: Double) async throws -> RunOutcome? {
        guard let client else { return .stopped("no client") }
        var fatal: String?
        var localPacer = pacer
        let concurrency = max(campaign.sending.concurrency, 1)
        try await withThrowingTaskGroup(of: (BatchRecord, Result<SMSResponse, SMSFailure>?).self) { tasks in
            var inFlight = 0
            var remaining = group[...]
            while let batch = remaining.first {
                remaining = remaining.dropFirst()
                while inFlight >= concurrency, let (done, result) = try await tasks.next() {
                    inFlight -= 1
                    if let reason = try record(done, result, store: store, pacer: &localPacer) { fatal = reason }
                }
                let now = options.now()
                let start = localPacer.schedule(messages: batch.recipients, now: now)
                if fatal != nil || options.shouldStop() || start >= openUntil {
                    // Never left: back to pending.
                    for unsent in [batch] + remaining {
                        try store.update(unsent.batch, state: .pending, notBefore: unsent.notBefore, code: unsent.code, message: unsent.message, retractingAttempt: true)
                    }
                    break
                }
                guard let operation = operations[batch.batch] else { throw PlanError("batch \(batch.batch) has no request") }
                // Paced well after its group was marked (a low rate, a throttled pace, a wait for a
                // free slot): record when it will leave, or a crash after it left would be
                // reconciled with a grace period that had run out before the request was sent.
                // (Within a tenth of the grace period the group's time stands, sparing a write per
                // request at high rates.)
                if start > markedAt + min(0.5, options.graceSeconds / 10) { try store.setAttemptAt(batch.batch, start) }
                let sleep = options.sleep
                let shouldStop = options.shouldStop
                // Each request waits for its slot in its own task, so answers are recorded as they come;
                // one whose slot comes after a stop was asked for is not sent.
                tasks.addTask {
                    if start > now { try? await sleep(start - now) }
                    if shouldStop() { return (batch, nil) }
                    do throws(SMSFailure) {
                        return (batch, .success(try await client.send(operation)))
                    } catch {
                        return (batch, .failure(error))
                    }
                }
                inFlight += 1
            }
            while let (done, result) = try await tasks.next() {
                if let reason = try record(done, result, store: store, pacer: &localPacer) { fatal = reason }
            }
        }
        pacer = localPacer
        if let fatal { return .stopped(fatal) }
        return nil
    }

    /// Records one answer (nil: the request never left); returns a reason when the campaign must stop.
    private func record(_ batch: BatchRecord, _ result: Result<SMSResponse, SMSFailure>?, store: StateStore, pacer: inout Pacer) throws -> String? {
        let transition = BatchTransition.after(result, batch: batch, now: options.now(), backoff: backoff, random: options.random(), maxAttempts: options.maxAttempts)
        let neverLeft: Bool
        switch result {
        case nil: neverLeft = true
        case .failure(let failure)?: neverLeft = failure.notSent
        case .success?: neverLeft = false
        }
        try store.update(batch.batch, state: transition.state, notBefore: transition.notBefore, bizId: transition.bizId, code: transition.code, message: transition.message,
                         retractingAttempt: neverLeft)
        if transition.state == .uncertain {
            // Whatever the provider did with it, it did before this moment: the grace before
            // sending it again counts from here.
            try store.setAttemptAt(batch.batch, options.now())
        }
        switch transition.pace {
        case .succeeded: pacer.succeeded()
        case .throttled: pacer.throttled()
        case .none: break
        }
        switch result {
        case .success?: events(.sent(batch: batch.batch, action: batch.action, recipients: batch.recipients))
        case .failure(let failure)?: events(.refused(batch: batch.batch, code: failure.code, errorClass: failure.errorClass, message: failure.message))
        case nil: break
        }
        return transition.stop
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

    private func uncertainWait(_ batches: [BatchRecord], now: Double) -> Double? {
        batches.filter { $0.state == .uncertain || $0.state == .sending }.compactMap { $0.attemptAt.map { $0 + options.graceSeconds } }.filter { $0 > now }.min()
    }

    // MARK: - Reconciliation

    /// The code of a batch whose run ended before any answer came.
    static let noAnswer = "NoAnswer"

    /// Settles every batch whose answer is unknown: found at the provider (by OutId) → accepted;
    /// no record a grace period after the attempt → pending; otherwise it stays uncertain.
    private func reconcile(store: StateStore, batches: [BatchRecord]) async throws {
        guard let client else { return }
        for batch in batches where batch.state == .sending || batch.state == .uncertain {
            let attempt = batch.attemptAt ?? options.now()
            switch await Reconciler(client: client).find(outId: batch.outId, phone: batch.firstPhone, attemptAt: attempt) {
            case .found(let bizId):
                try store.update(batch.batch, state: .accepted, bizId: bizId, code: "OK", message: "found at the provider on reconciliation")
                events(.reconciled(batch: batch.batch, found: true))
            case .notFound:
                if options.now() - attempt >= options.graceSeconds {
                    // An attempt that got no answer at all (the run ended first) and that the
                    // provider has no record of never reached it: it does not count. One the
                    // provider answered ambiguously (InternalError, a dropped connection) does.
                    let unanswered = batch.state == .sending || batch.code == Self.noAnswer
                    try store.update(batch.batch, state: .pending, notBefore: nil, code: unanswered ? nil : batch.code, message: "not found at the provider; safe to send",
                                     retractingAttempt: unanswered)
                    events(.reconciled(batch: batch.batch, found: false))
                } else if batch.state == .sending {
                    try store.update(batch.batch, state: .uncertain, code: Self.noAnswer, message: "no answer; waiting for the provider's records")
                }
            case .unknown:
                if batch.state == .sending {
                    try store.update(batch.batch, state: .uncertain, code: Self.noAnswer, message: "could not ask the provider; will ask again")
                }
            }
        }
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

    /// Signs every request of the plan and reports it, sending nothing and writing no state.
    private func dryRun() async -> RunOutcome {
        guard let signer = client?.signer else { return .stopped("a dry run signs requests: it needs credentials") }
        let temporary = NSTemporaryDirectory() + "salvo-dry-run-\(getpid()).jsonl"
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        do {
            let path: String
            if let given = options.planPath {
                path = given
            } else {
                let result = try await PlanCompiler(campaign: campaign).compile(output: temporary)
                guard result.isComplete else { return .stopped("the campaign has errors; 'salvo plan \(campaign.path)' shows them") }
                path = temporary
            }
            _ = try PlanReader.batches(at: path) { (batch: PlanBatch) throws(PlanError) in
                guard let operation = try? operation(for: batch) else { throw PlanError("batch \(batch.batch) cannot be built") }
                events(.dryRun(signer.sign(operation)))
            }
            return .done
        } catch {
            return .stopped("\(error)")
        }
    }

    static func describe(_ time: Double, campaign: Campaign) -> String {
        let zone = TimeZone(identifier: campaign.schedule.timezone.value) ?? .current
        return PlanSummary.clock(Date(timeIntervalSince1970: time), zone) + " " + zone.identifier
    }
}
