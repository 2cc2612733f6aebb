import AliyunSMS
import CampaignCompiler
import Foundation

/// Everything a run decides, as a value: which batches to settle, mark, send, expire or put back,
/// when to wait and why, and when the run is over. Its methods take the time and the answers and
/// return actions and the changes to commit; it does no I/O, never sleeps and reads no clock, so
/// its rules are tested on injected time without async code (swift-nio's state machine pattern).
///
/// The order on resume: batches whose answer is unknown (`sending`, `uncertain`) are asked about
/// first; those the provider has are counted as sent, those it has no record of a grace period
/// after their attempt are sent again. Pending batches are sent meanwhile (they are other
/// recipients, so this is safe); unanswered ones are settled as their grace periods end.
public struct RunState: Sendable {
    /// How the run behaves.
    public let policy: RunPolicy
    /// Every batch, in plan order (batch n at n - 1).
    public private(set) var batches: [BatchRecord]
    /// Recipients by outcome, kept in step.
    public private(set) var counts: RunCounts
    /// The pace.
    public private(set) var flow: FlowControl

    /// Batches waiting to be sent that no attempt of this run touched, in plan order, from `cursor`.
    private var fresh: [Int]
    private var cursor = 0
    /// Other batches waiting to be sent (back from an attempt, or deferred).
    private var retry: Set<Int> = []
    /// Batches whose answer is unknown.
    private var unsettled: Set<Int> = []
    /// Marked `sending` and not yet sent, in order.
    private var queued: [Int] = []
    private var queuedAt: Double = 0
    /// Requests out, by batch: when each left.
    private var inFlight: [Int: Double] = [:]
    /// Unanswered batches asked about, and when: not asked again before their grace ends.
    private var askedAt: [Int: Double] = [:]
    /// For batches found `sending` on resume: when their grace period starts.
    private var settleFrom: [Int: Double] = [:]
    /// Batches the provider could not be asked about, and how many times in a row.
    private var unreachable: [Int: Int] = [:]
    /// The open window in force, merged across back-to-back openings (midnight in an all-day
    /// schedule), and since when it was found.
    private var window: (from: Double, until: Double)?
    /// Set when the run must end once nothing is in flight.
    private var ending: RunOutcome?

    // Shared state (a `SharedRunStore`): batches are claimed from the store, not picked here.
    /// This runner's id in a shared store; nil when it is the only runner.
    public let runner: String?
    /// Unsettled batches other runners hold: theirs to settle, not ours.
    private var held: Set<Int> = []
    /// The slots the store booked for claimed batches on the shared pace (not to leave before).
    private var slots: [Int: Double] = [:]
    /// When to claim again.
    private var nextClaim = -Double.infinity
    /// The store's change counter of this view; whether the next claim asks for every batch.
    private var since: Int64 = 0
    private var fullSyncNext = true
    /// Whether the last claim brought nothing, with every batch in view.
    private var emptyAndComplete = false
    /// Other live runners at the last claim.
    private var otherRunners = 0
    /// How long after a claim that brought nothing to claim again, in seconds.
    public static let claimPoll = 0.25

    /// A run over `batches` (as stored), resumed at `resumedAt`; `runner` is this runner's id
    /// in a shared store (its unsettled batches are its own to settle, the others' are not).
    public init(batches: [BatchRecord], policy: RunPolicy, resumedAt: Double? = nil, runner: String? = nil) {
        self.batches = batches
        self.policy = policy
        self.runner = runner
        counts = RunCounts(batches)
        fresh = batches.filter { $0.state.isWaiting && $0.notBefore == nil }.map(\.batch)
        retry = Set(batches.filter { $0.state.isWaiting && $0.notBefore != nil }.map(\.batch))
        unsettled = Set(batches.filter { $0.state.isUnsettled && (runner == nil || $0.owner == runner) }.map(\.batch))
        if runner != nil { held = Set(batches.filter { $0.state.isUnsettled && $0.owner != runner }.map(\.batch)) }
        flow = FlowControl(rate: policy.rate, windowAnswers: max(20, policy.concurrency * 2))
        if let resumedAt {
            // A run that died may have had a request in flight until it died.
            for batch in batches where batch.state == .sending && unsettled.contains(batch.batch) { settleAsOrphan(batch, at: resumedAt) }
        }
    }

    /// A `sending` batch whose runner is gone (this one before a crash, or another whose lease
    /// ran out), found at `time`: that runner may have had its request in flight until it went,
    /// and the provider may have acted on it until the request's timeout, so its grace counts
    /// from then.
    private mutating func settleAsOrphan(_ batch: BatchRecord, at time: Double) {
        settleFrom[batch.batch] = min((batch.attemptAt ?? time) + policy.requestTimeout, time)
    }

    /// Requests out now.
    public var inFlightCount: Int { inFlight.count }

    private mutating func set(_ record: BatchRecord) {
        let old = batches[record.batch - 1]
        counts.remove(old)
        batches[record.batch - 1] = record
        counts.add(record)
        if record.state.isUnsettled, runner != nil, record.owner != runner {
            held.insert(record.batch)
            unsettled.remove(record.batch)
        } else {
            held.remove(record.batch)
            if record.state.isUnsettled { unsettled.insert(record.batch) } else { unsettled.remove(record.batch) }
        }
        // A batch leaves the fresh sequence only through `eligible` (marked) or expiry, so only
        // batches coming back to waiting join `retry`.
        if record.state.isWaiting, !old.state.isWaiting { retry.insert(record.batch) }
        if !record.state.isWaiting { retry.remove(record.batch) }
    }

    /// Waiting batches that may leave at `now`, in plan order: retried ones first, then fresh.
    private mutating func eligible(now: Double, limit: Int) -> [Int] {
        var picked = retry.filter { (batches[$0 - 1].notBefore ?? 0) <= now }.sorted().prefix(limit).map { $0 }
        while picked.count < limit, cursor < fresh.count {
            let number = fresh[cursor]
            cursor += 1
            let batch = batches[number - 1]
            guard batch.state.isWaiting else { continue }
            if (batch.notBefore ?? 0) <= now {
                picked.append(number)
            } else {
                retry.insert(number)
            }
        }
        return picked
    }

    /// Every waiting batch.
    private var waiting: [Int] {
        (Array(retry) + fresh[cursor...].filter { batches[$0 - 1].state.isWaiting }).sorted()
    }

    // MARK: - Deciding

    /// What to do at `now`.
    public mutating func next(now: Double) -> RunAction {
        if let ending {
            if !queued.isEmpty { return .commit(putBack()) }
            if !inFlight.isEmpty { return .wait(until: nil, reason: .finishing) }
            return .finish(ending)
        }
        if let settle = settleDue(now: now) { return settle }
        if counts.isDone, inFlight.isEmpty { return .finish(.done) }
        // The end of the campaign: nothing new leaves; what waits expires.
        if let end = policy.calendar.endDate?.timeIntervalSince1970, now >= end { return campaignEnded(now: now) }
        // The send windows.
        guard let openUntil = openUntil(now) else { return windowClosed(now: now) }
        // Send what is marked, at the pace, at most `concurrency` at once.
        if let first = queued.first { return launch(first, now: now, openUntil: openUntil) }
        // Nothing more leaves in this window at the pace: wait for answers, then for the window's
        // end (or end the run).
        if flow.nextSlot(now: now) >= openUntil {
            if !inFlight.isEmpty { return .wait(until: nil, reason: .answers) }
            if policy.wait { return .wait(until: openUntil, reason: .outsideWindows) }
            return .finish(.later(.windowClosing(at: policy.describe(openUntil))))
        }
        // Mark the next group: what can leave in about half a second at the pace, at least one
        // request, at most two rounds of in-flight requests.
        let perRequest = Double(max(batches.first?.recipients ?? 1, 1))
        let fits = Int((flow.rate * 0.5 / perRequest).rounded(.up))
        let limit = min(max(fits, 1), policy.concurrency * 2)
        if runner != nil {
            if now >= nextClaim { return .claim(limit: limit, since: fullSyncNext ? 0 : since) }
            return sharedIdle(now: now, openUntil: openUntil)
        }
        let group = eligible(now: now, limit: limit)
        if !group.isEmpty { return mark(group, now: now) }
        return idle(now: now, openUntil: openUntil)
    }

    /// Settle what is unanswered: at once on resume, then when each grace period ends. (Batches
    /// marked or in flight are unsettled too; only the others are asked about.)
    private mutating func settleDue(now: Double) -> RunAction? {
        let others = unsettled.count > queued.count + inFlight.count
        let due = !others ? [] : unsettled.sorted().map { batches[$0 - 1] }.filter { batch in
            guard inFlight[batch.batch] == nil, !queued.contains(batch.batch) else { return false }
            guard let asked = askedAt[batch.batch] else { return true }
            return now >= max(asked + retryDelay(batch.batch), graceStart(batch, now: asked) + policy.graceSeconds)
        }
        guard !due.isEmpty else { return nil }
        for batch in due { askedAt[batch.batch] = now }
        return .reconcile(due)
    }

    /// After the campaign's end: marked batches go back, waiting ones expire, unanswered ones are
    /// still settled; then the run ends.
    private mutating func campaignEnded(now: Double) -> RunAction {
        if !queued.isEmpty { return .commit(putBack()) }
        let expiring = waiting
        if !expiring.isEmpty {
            var change = RunChange()
            cursor = fresh.count
            for number in expiring {
                var batch = batches[number - 1]
                batch.state = .expired
                batch.code = "Expired"
                batch.message = "the campaign ended before it was sent"
                set(batch)
                change.batches.append(batch)
            }
            return .commit(change)
        }
        if !inFlight.isEmpty { return .wait(until: nil, reason: .answers) }
        if let unreachable = unreachableOutcome() { return .finish(unreachable) }
        if let settle = settleTime(now: now) { return .wait(until: settle, reason: .unanswered) }
        return .finish(counts.isDone ? .done : .later(.campaignEnded(uncertain: counts.uncertain)))
    }

    /// Outside the send windows: marked batches go back; wait for answers, for grace periods, or
    /// for the next window (or end the run until then).
    private mutating func windowClosed(now: Double) -> RunAction {
        if !queued.isEmpty { return .commit(putBack()) }
        if !inFlight.isEmpty { return .wait(until: nil, reason: .answers) }
        let beforeStart = policy.calendar.startDate.map { now < $0.timeIntervalSince1970 } ?? false
        guard let opens = policy.calendar.nextOpening(after: Date(timeIntervalSince1970: now))?.timeIntervalSince1970 else {
            // No window opens within the calendar's horizon: look again in an hour.
            if policy.wait { return .wait(until: now + 3600, reason: beforeStart ? .beforeStart : .outsideWindows) }
            return .finish(.later(.outsideWindows(opens: "no time soon (no window opens in the schedule's next year)")))
        }
        if let unreachable = unreachableOutcome(), !policy.wait { return .finish(unreachable) }
        if let settle = settleTime(now: now), settle < opens { return .wait(until: settle, reason: .unanswered) }
        if policy.wait { return .wait(until: opens, reason: beforeStart ? .beforeStart : .outsideWindows) }
        return .finish(.later(beforeStart ? .beforeStart(opens: policy.describe(opens)) : .outsideWindows(opens: policy.describe(opens))))
    }

    /// The first marked batch leaves when the pace (and, shared, its booked slot) allows and a
    /// request may be in flight; one that would leave after the window goes back.
    private mutating func launch(_ first: Int, now: Double, openUntil: Double) -> RunAction {
        guard inFlight.count < policy.concurrency else { return .wait(until: nil, reason: .answers) }
        // A claimed batch also waits for the slot the store booked on the shared pace.
        let slot = max(flow.nextSlot(now: now), slots[first] ?? now)
        if slot >= openUntil { return .commit(putBack()) }
        guard slot <= now else { return .wait(until: slot, reason: .pace) }
        slots[first] = nil
        let start = flow.schedule(messages: batches[first - 1].recipients, now: now)
        queued.removeFirst()
        inFlight[first] = start
        var batch = batches[first - 1]
        var change: RunChange?
        // Paced well after its group was marked: record when it leaves, or a crash after it
        // left would be reconciled with a grace period that ran out before it was sent.
        if start > queuedAt + min(0.5, policy.graceSeconds / 10) {
            batch.attemptAt = start
            set(batch)
            change = RunChange(batches: [batch])
        }
        return .launch(batch, change: change)
    }

    /// Marks `group` `sending` (the durable intent), queued to leave in order.
    private mutating func mark(_ group: [Int], now: Double) -> RunAction {
        var change = RunChange(durable: true)
        for number in group {
            var batch = batches[number - 1]
            batch.state = .sending
            batch.attempts += 1
            batch.attemptAt = now
            set(batch)
            change.batches.append(batch)
            queued.append(batch.batch)
        }
        queuedAt = now
        return .markSending(change)
    }

    /// Nothing to send now: deferred recipients, or unanswered ones in their grace period.
    private func idle(now: Double, openUntil: Double) -> RunAction {
        if !inFlight.isEmpty { return .wait(until: nil, reason: .answers) }
        if let unreachable = unreachableOutcome(), !policy.wait, retry.isEmpty { return .finish(unreachable) }
        let settle = settleTime(now: now)
        let deferredUntil = retry.compactMap { batches[$0 - 1].notBefore }.min()
        guard let wake = [settle, deferredUntil].compactMap({ $0 }).min() else { return .wait(until: now + 1, reason: .deferred) }
        let reason: WaitReason = wake == settle ? .unanswered : .deferred
        if wake >= openUntil, !policy.wait, settle == nil { return .finish(.later(.windowClosing(at: policy.describe(openUntil)))) }
        if policy.wait || wake - now <= 120 || settle != nil { return .wait(until: max(wake, now), reason: reason) }
        return .finish(.later(.deferred(recipients: counts.deferred + counts.pending, until: policy.describe(wake))))
    }

    /// Shared state, nothing claimed to send: wait for answers, grace periods, deferred
    /// recipients or the next claim; or end the run when other runners hold what is left.
    private func sharedIdle(now: Double, openUntil: Double) -> RunAction {
        if !inFlight.isEmpty { return .wait(until: nextClaim, reason: .answers) }
        // Only a claim that saw every batch and brought nothing may end the run.
        guard emptyAndComplete else { return .wait(until: nextClaim, reason: .othersSending) }
        let settle = settleTime(now: now)
        let ready = retry.contains { (batches[$0 - 1].notBefore ?? 0) <= now }
            || fresh[cursor...].contains { batches[$0 - 1].state.isWaiting && (batches[$0 - 1].notBefore ?? 0) <= now }
        // Waiting batches another runner's claim had locked: claim again.
        if ready { return .wait(until: nextClaim, reason: .othersSending) }
        if let settle { return .wait(until: max(min(settle, nextClaim), now), reason: .unanswered) }
        if let unreachable = unreachableOutcome(), !policy.wait { return .finish(unreachable) }
        let deferredUntil = retry.compactMap { batches[$0 - 1].notBefore }.filter { $0 > now }.min()
        if let deferredUntil {
            if deferredUntil >= openUntil, !policy.wait { return .finish(.later(.windowClosing(at: policy.describe(openUntil)))) }
            if policy.wait || deferredUntil - now <= 120 { return .wait(until: min(deferredUntil, held.isEmpty ? deferredUntil : nextClaim), reason: .deferred) }
            return .finish(.later(.deferred(recipients: counts.deferred + counts.pending, until: policy.describe(deferredUntil))))
        }
        if !held.isEmpty {
            if policy.wait { return .wait(until: nextClaim, reason: .othersSending) }
            return .finish(.later(.othersSending(runners: otherRunners, recipients: held.reduce(0) { $0 + batches[$1 - 1].recipients })))
        }
        return .wait(until: nextClaim, reason: .othersSending)
    }

    /// What a claim brought (`RunAction.claim`), at `now`: batches to send (already `sending` in
    /// the store, with their booked slots), batches to settle, and the other runners' changes.
    public mutating func claimed(_ claim: Claim, now: Double) {
        for record in claim.changed {
            let number = record.batch
            guard number >= 1, number <= batches.count else { continue }
            let mine = queued.contains(number) || inFlight[number] != nil || unsettled.contains(number)
            guard !mine else { continue }
            set(record)
            if record.state == .sending, record.owner == runner {
                // Claimed by this runner and not known to it (an answer lost with a connection):
                // settled like any batch of a runner that died.
                settleAsOrphan(record, at: now)
            }
        }
        for record in claim.adopted where record.batch >= 1 && record.batch <= batches.count {
            set(record)
            if record.state == .sending { settleAsOrphan(record, at: now) }
        }
        for (record, _, slot) in claim.taken where record.batch >= 1 && record.batch <= batches.count {
            set(record)
            queued.append(record.batch)
            slots[record.batch] = slot
        }
        if !claim.taken.isEmpty { queuedAt = now }
        since = max(since, claim.version)
        otherRunners = claim.otherRunners
        flow.follow(claim.pace, now: now)
        let empty = claim.taken.isEmpty && claim.adopted.isEmpty
        emptyAndComplete = empty && claim.complete
        // After a claim that brought something, the next is made when its group has left; after
        // an empty one, at once with every batch in view, then after a pause.
        nextClaim = empty && claim.complete ? now + Self.claimPoll : now
        fullSyncNext = empty && !claim.complete
    }

    /// When the next unanswered batch's grace period ends (nil: none waits for one).
    private func settleTime(now: Double) -> Double? {
        guard unsettled.count > queued.count + inFlight.count else { return nil }
        return unsettled.filter { inFlight[$0] == nil && !queued.contains($0) }.map { number in
            max((askedAt[number] ?? now) + retryDelay(number), graceStart(batches[number - 1], now: now) + policy.graceSeconds)
        }.min()
    }

    /// When an unanswered batch's grace period starts.
    private func graceStart(_ batch: BatchRecord, now: Double) -> Double {
        settleFrom[batch.batch] ?? batch.attemptAt ?? now
    }

    /// How long after asking about a batch to ask again: a second, or longer each time the
    /// provider could not be asked (at most a minute).
    private func retryDelay(_ number: Int) -> Double {
        guard let failures = unreachable[number], failures > 0 else { return 1 }
        return min(60, pow(2, Double(failures)))
    }

    /// When only unanswered batches are left and the provider could not be asked about them
    /// three times in a row: end the run (it is not finished) instead of asking forever.
    private func unreachableOutcome() -> RunOutcome? {
        let waiting = unsettled.filter { inFlight[$0] == nil && !queued.contains($0) }
        guard !waiting.isEmpty, waiting.allSatisfy({ (unreachable[$0] ?? 0) >= 3 }) else { return nil }
        let recipients = waiting.reduce(0) { $0 + batches[$1 - 1].recipients }
        return .later(.providerUnreachable("could not ask the provider about \(recipients) recipient\(recipients == 1 ? "" : "s") whose requests went unanswered (QuerySendDetails failed three times); they stay uncertain; run again later"))
    }

    /// The end of the open window at `now` (nil: closed), back-to-back openings merged.
    private mutating func openUntil(_ now: Double) -> Double? {
        if let window, now >= window.from, now < window.until { return window.until }
        guard var until = policy.calendar.openUntil(at: Date(timeIntervalSince1970: now))?.timeIntervalSince1970 else {
            window = nil
            return nil
        }
        for _ in 0..<400 {
            guard let next = policy.calendar.openUntil(at: Date(timeIntervalSince1970: until))?.timeIntervalSince1970, next > until else { break }
            until = next
        }
        window = (now, until)
        return until
    }

    /// Marked batches that never left go back to pending; their attempt does not count.
    private mutating func putBack() -> RunChange {
        var change = RunChange()
        for number in queued {
            var batch = batches[number - 1]
            batch.state = .pending
            batch.attempts = max(batch.attempts - 1, 0)
            set(batch)
            change.batches.append(batch)
        }
        queued = []
        return change
    }

    // MARK: - Events

    /// A stop was asked for (SIGINT, SIGTERM): nothing new leaves; requests in flight finish and
    /// are recorded.
    public mutating func interrupt() {
        if ending == nil { ending = .later(.interrupted) }
    }

    /// Whether the run is ending.
    public var isEnding: Bool { ending != nil }

    /// What an answer (nil: the request never left) changes, at `now`; `random` in [0, 1) for
    /// jitter.
    public mutating func answered(_ number: Int, _ result: Result<SMSResponse, SMSFailure>?, now: Double, random: Double) -> RunChange {
        let startedAt = inFlight.removeValue(forKey: number) ?? now
        var batch = batches[number - 1]
        var transition = BatchTransition.after(result, batch: batch, now: now, backoff: policy.backoff, random: random, maxAttempts: policy.maxAttempts)
        if case .failure(let failure)? = result, failure.notSent { transition.retracted = true }
        if transition.retracted { batch.attempts = max(batch.attempts - 1, 0) }
        batch.state = transition.state
        batch.notBefore = transition.notBefore
        batch.bizId = transition.bizId ?? batch.bizId
        batch.code = transition.code
        batch.message = transition.message
        if transition.state == .uncertain {
            // Whatever the provider did with it, it did before this moment: the grace before
            // sending it again counts from here.
            batch.attemptAt = now
            askedAt[number] = now
        }
        set(batch)
        if result != nil {
            flow.answered(transition.pace, messages: batch.recipients, retryAfter: transition.retryAfter, now: now)
        }
        if let stop = transition.stop, ending == nil { ending = .stopped(stop) }
        let outcome: AttemptRecord.Outcome
        switch result {
        case nil: outcome = .notSent
        case .success?: outcome = .accepted
        case .failure(let failure)?:
            outcome = failure.notSent ? .notSent : transition.pace == .throttled ? .throttled : failure.errorClass == .ambiguous ? .unanswered : .refused
        }
        return RunChange(batches: [batch], attempts: [AttemptRecord(batch: number, startedAt: startedAt, endedAt: now, outcome: outcome, code: transition.code)])
    }

    /// What the provider said about an unanswered batch, at `now`.
    public mutating func reconciled(_ number: Int, _ finding: Reconciler.Finding, now: Double) -> RunChange {
        var batch = batches[number - 1]
        guard batch.state.isUnsettled else { return RunChange() }
        let attempt = batch.attemptAt ?? now
        let graceFrom = graceStart(batch, now: now)
        var attempts: [AttemptRecord] = []
        if finding == .unknown { unreachable[number, default: 0] += 1 } else { unreachable[number] = nil }
        switch finding {
        case .found(let bizId):
            batch.state = .accepted
            batch.bizId = bizId ?? batch.bizId
            batch.code = "OK"
            batch.message = "found at the provider on reconciliation"
            attempts.append(AttemptRecord(batch: number, startedAt: attempt, endedAt: now, outcome: .found, code: "OK"))
        case .notFound where now - graceFrom >= policy.graceSeconds:
            // An attempt that got no answer at all (the run ended first) and that the provider
            // has no record of never reached it: it does not count. One the provider answered
            // ambiguously (InternalError, a dropped connection) does.
            let unanswered = batch.state == .sending || batch.code == BatchTransition.noAnswer
            if unanswered { batch.attempts = max(batch.attempts - 1, 0) }
            batch.state = .pending
            batch.notBefore = nil
            batch.code = unanswered ? nil : batch.code
            batch.message = "not found at the provider; safe to send"
            attempts.append(AttemptRecord(batch: number, startedAt: attempt, endedAt: now, outcome: .notFound, code: batch.code))
            settleFrom[number] = nil
        case .notFound, .unknown:
            guard batch.state == .sending else { return RunChange() }
            batch.state = .uncertain
            batch.code = BatchTransition.noAnswer
            batch.message = finding == .unknown ? "could not ask the provider; will ask again" : "no answer; waiting for the provider's records"
        }
        set(batch)
        return RunChange(batches: [batch], attempts: attempts)
    }
}
