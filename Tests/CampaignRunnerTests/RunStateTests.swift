import AliyunSMS
import CampaignCompiler
import Foundation
import Testing
@testable import CampaignRunner

/// The run's decisions, without async code, sockets or sleeping: each test feeds `RunState` the
/// time and the answers and checks the actions it returns.
@Suite struct RunStateTests {
    static let zone = TimeZone(identifier: "Asia/Shanghai") ?? .current
    /// 2027-03-01 12:00 in Shanghai.
    static let noon = ScheduleCalendar.date(LocalDateTime(year: 2027, month: 3, day: 1, hour: 12, minute: 0, second: 0), in: zone).timeIntervalSince1970

    static func policy(schedule: Schedule = Schedule(timezone: "Asia/Shanghai"), rate: Double = 1000, concurrency: Int = 2, wait: Bool = false) -> RunPolicy {
        var policy = RunPolicy(calendar: ScheduleCalendar(schedule: schedule, templateType: .notification), timeZone: zone, rate: rate, concurrency: concurrency,
                               graceSeconds: 30, maxAttempts: 5, backoff: Backoff(base: 1, cap: 60), wait: wait)
        policy.requestTimeout = 10
        return policy
    }

    static func batches(_ states: [BatchState], attemptAt: Double? = nil) -> [BatchRecord] {
        states.enumerated().map { index, state in
            BatchRecord(batch: index + 1, action: "SendBatchSms", outId: "c:p:\(index + 1)", recipients: 10, segments: 10, firstPhone: "13800138000",
                        state: state, attempts: state == .pending ? 0 : 1, attemptAt: state == .pending ? nil : attemptAt)
        }
    }

    static let accepted: Result<SMSResponse, SMSFailure> = .success(SMSResponse(code: "OK", message: "OK", bizId: "1^0"))

    @Test func onResumeUnansweredBatchesAreAskedAboutFirst() {
        var state = RunState(batches: Self.batches([.accepted, .sending, .pending, .uncertain], attemptAt: Self.noon - 5), policy: Self.policy(), resumedAt: Self.noon)
        guard case .reconcile(let asked) = state.next(now: Self.noon) else { Issue.record("expected reconciliation first"); return }
        #expect(asked.map(\.batch) == [2, 4])
        // Not found, within the grace period: they wait; the pending batch is sent meanwhile.
        _ = state.reconciled(2, .notFound, now: Self.noon)
        _ = state.reconciled(4, .notFound, now: Self.noon)
        guard case .markSending(let change) = state.next(now: Self.noon) else { Issue.record("expected the pending batch marked"); return }
        #expect(change.batches.map(\.batch) == [3] && change.durable)
        #expect(state.batches[1].state == .uncertain && state.batches[3].state == .uncertain)
    }

    @Test func theGraceOfARunThatDiedCountsFromItsDeathOrTheRequestsTimeout() {
        // Sent 5 s before the resume, with a 10 s request timeout: the provider may have acted on
        // it until the run died, so the 30 s grace counts from the resume, not from the departure.
        var state = RunState(batches: Self.batches([.sending], attemptAt: Self.noon - 5), policy: Self.policy(), resumedAt: Self.noon)
        _ = state.next(now: Self.noon)
        _ = state.reconciled(1, .notFound, now: Self.noon + 26)
        #expect(state.batches[0].state == .uncertain, "26 s after the departure, but only 26 s after the resume")
        guard case .wait(let until, .unanswered) = state.next(now: Self.noon + 26) else { Issue.record("expected a wait for the grace"); return }
        #expect(until == Self.noon + 30)
        guard case .reconcile = state.next(now: Self.noon + 30) else { Issue.record("expected a second question"); return }
        let change = state.reconciled(1, .notFound, now: Self.noon + 30)
        #expect(change.batches.first?.state == .pending)
        #expect(change.batches.first?.attempts == 0, "an attempt that got no answer and left no record does not count")

        // Sent an hour ago: the timeout bounds it, the grace is long over.
        var old = RunState(batches: Self.batches([.sending], attemptAt: Self.noon - 3600), policy: Self.policy(), resumedAt: Self.noon)
        _ = old.next(now: Self.noon)
        #expect(old.reconciled(1, .notFound, now: Self.noon).batches.first?.state == .pending)
    }

    @Test func anAnsweredButAmbiguousAttemptCountsAndIsSettledAfterItsGrace() {
        var state = RunState(batches: Self.batches([.pending]), policy: Self.policy(), resumedAt: Self.noon)
        guard case .markSending = state.next(now: Self.noon), case .launch(let batch, _) = state.next(now: Self.noon) else { Issue.record("expected a send"); return }
        let change = state.answered(batch.batch, .failure(SMSFailure(errorClass: .ambiguous, code: "InternalError", message: "m")), now: Self.noon + 1, random: 0.5)
        #expect(change.batches.first?.state == .uncertain && change.attempts.first?.outcome == .unanswered)
        guard case .wait(let until, .unanswered) = state.next(now: Self.noon + 1) else { Issue.record("expected a wait"); return }
        #expect(until == Self.noon + 31)
        guard case .reconcile = state.next(now: Self.noon + 31) else { Issue.record("expected a question"); return }
        let settled = state.reconciled(1, .notFound, now: Self.noon + 31)
        #expect(settled.batches.first?.state == .pending && settled.batches.first?.attempts == 1, "the provider answered: the attempt counts")
    }

    @Test func anInterruptPutsBackWhatWasMarkedAndWaitsForWhatIsInFlight() {
        var state = RunState(batches: Self.batches([.pending, .pending, .pending, .pending]), policy: Self.policy(rate: 20), resumedAt: Self.noon)
        guard case .markSending(let marked) = state.next(now: Self.noon) else { Issue.record("expected a group"); return }
        #expect(marked.batches.count == 1, "at 20 messages/s half a second holds one request of 10")
        guard case .launch(let first, _) = state.next(now: Self.noon) else { Issue.record("expected a launch"); return }
        guard case .markSending = state.next(now: Self.noon) else { Issue.record("expected a second group"); return }
        state.interrupt()
        guard case .commit(let putBack) = state.next(now: Self.noon) else { Issue.record("expected the marked batch put back"); return }
        #expect(putBack.batches.map(\.state) == [.pending] && putBack.batches.map(\.attempts) == [0])
        guard case .wait(nil, .finishing) = state.next(now: Self.noon) else { Issue.record("expected to wait for the request in flight"); return }
        _ = state.answered(first.batch, Self.accepted, now: Self.noon + 0.1, random: 0.5)
        #expect(state.next(now: Self.noon + 0.1) == .finish(.later(.interrupted)))
        #expect(state.counts.sent == 10 && state.counts.pending == 30)
    }

    @Test func atTheEndWaitingBatchesExpireAndRequestsInFlightAreAwaited() {
        let end = LocalDateTime(year: 2027, month: 3, day: 1, hour: 12, minute: 0, second: 10)
        var state = RunState(batches: Self.batches([.pending, .pending, .pending]), policy: Self.policy(schedule: Schedule(timezone: "Asia/Shanghai", end: end), rate: 10),
                             resumedAt: Self.noon)
        guard case .markSending = state.next(now: Self.noon), case .launch(let first, _) = state.next(now: Self.noon) else { Issue.record("expected a send"); return }
        guard case .commit(let expired) = state.next(now: Self.noon + 11) else { Issue.record("expected expiries"); return }
        #expect(Set(expired.batches.map(\.batch)) == [2, 3] && expired.batches.allSatisfy { $0.state == .expired })
        guard case .wait(nil, .answers) = state.next(now: Self.noon + 11) else { Issue.record("expected to wait for the answer"); return }
        _ = state.answered(first.batch, Self.accepted, now: Self.noon + 11.5, random: 0.5)
        #expect(state.next(now: Self.noon + 11.5) == .finish(.done))
        #expect(state.counts.sent == 10 && state.counts.expired == 20)
    }

    @Test func beforeTheStartItSaysSoAndOutsideAWindowItSaysThat() {
        let start = LocalDateTime(year: 2027, month: 3, day: 2, hour: 9, minute: 0, second: 0)
        var early = RunState(batches: Self.batches([.pending]), policy: Self.policy(schedule: Schedule(timezone: "Asia/Shanghai", start: start)), resumedAt: Self.noon)
        #expect(early.next(now: Self.noon) == .finish(.later(.beforeStart(opens: "2027-03-02 09:00:00 Asia/Shanghai"))))
        var waiting = RunState(batches: Self.batches([.pending]), policy: Self.policy(schedule: Schedule(timezone: "Asia/Shanghai", start: start), wait: true), resumedAt: Self.noon)
        guard case .wait(_, .beforeStart) = waiting.next(now: Self.noon) else { Issue.record("expected a wait before the start"); return }
        let windows = Schedule(timezone: "Asia/Shanghai", windows: [DailyWindow(start: 9 * 60, end: 10 * 60)])
        var outside = RunState(batches: Self.batches([.pending]), policy: Self.policy(schedule: windows), resumedAt: Self.noon)
        #expect(outside.next(now: Self.noon) == .finish(.later(.outsideWindows(opens: "2027-03-02 09:00:00 Asia/Shanghai"))))
    }

    @Test func aWindowThatClosesBeforeTheNextSlotIsNotMarkedIntoAgainAndAgain() {
        // 09:00–10:00, one request of 10 every 100 s at 0.1 messages/s; from 09:59 the next slot is
        // past the window: nothing is marked (and put back, and marked...), the run ends.
        let windows = Schedule(timezone: "Asia/Shanghai", windows: [DailyWindow(start: 9 * 60, end: 10 * 60)])
        let nine = ScheduleCalendar.date(LocalDateTime(year: 2027, month: 3, day: 1, hour: 9, minute: 59, second: 0), in: Self.zone).timeIntervalSince1970
        var state = RunState(batches: Self.batches([.pending, .pending]), policy: Self.policy(schedule: windows, rate: 0.1), resumedAt: nine)
        guard case .markSending = state.next(now: nine), case .launch(let first, _) = state.next(now: nine) else { Issue.record("expected a send"); return }
        _ = state.answered(first.batch, Self.accepted, now: nine + 1, random: 0.5)
        #expect(state.next(now: nine + 1) == .finish(.later(.windowClosing(at: "2027-03-01 10:00:00 Asia/Shanghai"))))
        #expect(state.batches[1].state == .pending && state.batches[1].attempts == 0)
    }

    @Test func anAllDayScheduleDoesNotCloseAtMidnight() {
        // 23:59:59, all day every day: the window runs on through midnight.
        let late = ScheduleCalendar.date(LocalDateTime(year: 2027, month: 3, day: 1, hour: 23, minute: 59, second: 59), in: Self.zone).timeIntervalSince1970
        var state = RunState(batches: Self.batches([.pending, .pending]), policy: Self.policy(rate: 5), resumedAt: late)
        guard case .markSending = state.next(now: late), case .launch(let first, _) = state.next(now: late) else { Issue.record("expected a send"); return }
        _ = state.answered(first.batch, Self.accepted, now: late + 0.5, random: 0.5)
        guard case .markSending = state.next(now: late + 0.5) else { Issue.record("expected the second batch marked across midnight"); return }
    }

    @Test func deferredRecipientsWaitOrEndTheRunWhenTheWaitIsLong() {
        var state = RunState(batches: Self.batches([.pending]), policy: Self.policy(), resumedAt: Self.noon)
        guard case .markSending = state.next(now: Self.noon), case .launch(let batch, _) = state.next(now: Self.noon) else { Issue.record("expected a send"); return }
        let limited = SMSFailure(errorClass: .later, code: "isv.BUSINESS_LIMIT_CONTROL", message: "触发天级流控", limitWindow: .day)
        _ = state.answered(batch.batch, .failure(limited), now: Self.noon + 1, random: 0.5)
        #expect(state.next(now: Self.noon + 1) == .finish(.later(.deferred(recipients: 10, until: "2027-03-02 12:00:01 Asia/Shanghai"))))
        var minute = RunState(batches: Self.batches([.pending]), policy: Self.policy(), resumedAt: Self.noon)
        _ = minute.next(now: Self.noon)
        _ = minute.next(now: Self.noon)
        _ = minute.answered(1, .failure(SMSFailure(errorClass: .later, code: "isv.BUSINESS_LIMIT_CONTROL", message: "触发分钟级流控", limitWindow: .minute)), now: Self.noon + 1, random: 0.5)
        guard case .wait(let until, .deferred) = minute.next(now: Self.noon + 1) else { Issue.record("a minute is waited for"); return }
        #expect(until == Self.noon + 61)
    }

    @Test func aThrottledBatchGoesBackInLineAtOnceWithItsAttemptTakenBack() {
        var state = RunState(batches: Self.batches([.pending]), policy: Self.policy(), resumedAt: Self.noon)
        guard case .markSending = state.next(now: Self.noon), case .launch(let batch, _) = state.next(now: Self.noon) else { Issue.record("expected a send"); return }
        let throttled = SMSFailure(errorClass: .backoff, code: "Throttling.User", message: "m", httpStatus: 400)
        let change = state.answered(batch.batch, .failure(throttled), now: Self.noon + 0.1, random: 0.5)
        #expect(change.batches.first?.state == .pending && change.batches.first?.attempts == 0 && change.attempts.first?.outcome == .throttled)
        guard case .markSending(let again) = state.next(now: Self.noon + 0.1) else { Issue.record("expected it marked again"); return }
        #expect(again.batches.map(\.batch) == [1])
    }

    @Test func aProviderThatCannotBeAskedEndsTheRunInsteadOfAskingForever() {
        var state = RunState(batches: Self.batches([.accepted, .sending], attemptAt: Self.noon - 3600), policy: Self.policy(), resumedAt: Self.noon)
        var now = Self.noon
        var questions = 0
        while questions < 10 {
            switch state.next(now: now) {
            case .reconcile(let list):
                questions += 1
                for batch in list { _ = state.reconciled(batch.batch, .unknown, now: now) }
            case .wait(let until, _):
                now = until ?? now + 1
            case .finish(let outcome):
                guard case .later(.providerUnreachable) = outcome else { Issue.record("unexpected \(outcome)"); return }
                #expect(questions == 3, "asked three times, with a growing pause")
                #expect(now - Self.noon >= 6)
                return
            default:
                Issue.record("unexpected action")
                return
            }
        }
        Issue.record("it asked forever")
    }
}
