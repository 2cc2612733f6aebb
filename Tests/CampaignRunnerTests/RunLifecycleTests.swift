import CampaignCompiler
import Foundation
import Testing
@testable import CampaignRunner

/// The run's lifecycle, without async code, a store or a provider: each test feeds `RunLifecycle`
/// what happened and the time, and checks what it says to do.
@Suite struct RunLifecycleTests {
    typealias Base = RunStateTests
    static let metadata = RunMetadata(planID: "p1", campaign: "c", createdAt: 1000, endpoint: "http://127.0.0.1:1")

    static func lifecycle(probeDays: Int = 7, start: Double? = nil, reconnect: Double = 10) -> RunLifecycle {
        RunLifecycle(storeLocation: "db", probeDays: probeDays, campaignStart: start, reconnectSeconds: reconnect)
    }

    static func run(_ states: [BatchState], planID: String = "p1") -> StoredRun {
        var metadata = Self.metadata
        metadata.planID = planID
        return StoredRun(metadata: metadata, batches: Base.batches(states, attemptAt: Base.noon - 60))
    }

    // MARK: - Preparing

    @Test func aStoreWithoutARunIsPlannedAndTheNewPlanIsProbedOnce() {
        var lifecycle = Self.lifecycle()
        #expect(lifecycle.loaded(nil, planID: "p1", endpoint: nil) == .plan)
        #expect(lifecycle.phase == .preparing)
        lifecycle.created()
        lifecycle.started(endpoint: "http://sms.example")
        #expect(lifecycle.phase == .sending)
        let probe = lifecycle.probe(batches: Base.batches([.pending, .pending, .pending, .pending]), now: Base.noon)
        #expect(probe?.batches.map(\.batch) == [1, 2, 3] && probe?.days == 7)
        #expect(probe?.notice == "asking http://sms.example whether plan p1 was sent before (QuerySendDetails, 8 days)")
        #expect(lifecycle.phase == .probing)
        #expect(lifecycle.probeEnded() == nil && lifecycle.phase == .sending)
        #expect(lifecycle.probe(batches: Base.batches([.pending]), now: Base.noon) == nil, "asked once")
    }

    @Test func theSamePlanResumesAndIsProbedOnlyWhenNothingOfItWasTried() {
        var untouched = Self.lifecycle()
        let stored = Self.run([.pending, .pending])
        #expect(untouched.loaded(stored, planID: "p1", endpoint: nil) == .resume(stored))
        #expect(untouched.probe(batches: stored.batches, now: Base.noon) != nil)

        var tried = Self.lifecycle()
        let started = Self.run([.accepted, .pending])
        #expect(tried.loaded(started, planID: "p1", endpoint: nil) == .resume(started))
        #expect(tried.probe(batches: started.batches, now: Base.noon) == nil)
    }

    @Test func otherInputsPlanAgainWhenNothingWasSentAndAreRefusedOtherwise() {
        var untouched = Self.lifecycle()
        #expect(untouched.loaded(Self.run([.pending, .failed, .deferred, .expired], planID: "p0"), planID: "p1", endpoint: nil) == .setAsideAndPlan(oldPlanID: "p0"))
        var sent = Self.lifecycle()
        #expect(sent.loaded(Self.run([.accepted, .uncertain, .sending, .pending], planID: "p0"), planID: "p1", endpoint: nil) == .refuse(oldPlanID: "p0", sent: 10, unsettled: 20))
    }

    // MARK: - Probing

    @Test func theProbeLooksBackToTheCampaignsStartAtMostThirtyDays() {
        var recent = Self.lifecycle(probeDays: 2, start: Base.noon - 10 * 86_400)
        recent.created()
        #expect(recent.probe(batches: Base.batches([.pending]), now: Base.noon)?.days == 11)
        var old = Self.lifecycle(probeDays: 2, start: Base.noon - 90 * 86_400)
        old.created()
        #expect(old.probe(batches: Base.batches([.pending]), now: Base.noon)?.days == 30)
        var today = Self.lifecycle(probeDays: 0)
        today.created()
        #expect(today.probe(batches: Base.batches([.pending]), now: Base.noon)?.notice.hasSuffix("(QuerySendDetails, 1 day)") == true)
    }

    @Test func aPlanFoundAtTheProviderStopsAndAnUnanswerableProbeEndsTheRunForLater() {
        var found = Self.lifecycle()
        _ = found.loaded(nil, planID: "p1", endpoint: nil)
        found.created()
        let batches = Base.batches([.pending, .pending])
        _ = found.probe(batches: batches, now: Base.noon)
        #expect(found.probed(batches[0], .notFound) == nil)
        #expect(found.probed(batches[1], .found(bizId: nil)) == .stopped(.alreadySent(outId: "c:p:2", planID: "p1")))

        var unknown = Self.lifecycle()
        _ = unknown.loaded(nil, planID: "p1", endpoint: nil)
        unknown.created()
        _ = unknown.probe(batches: batches, now: Base.noon)
        #expect(unknown.probed(batches[0], .unknown) == nil)
        #expect(unknown.probed(batches[1], .notFound) == nil)
        guard case .later(.providerUnreachable) = unknown.probeEnded() else { Issue.record("expected the run to end for later"); return }
    }

    // MARK: - Reconnecting

    @Test func aSharedStoreThatWentAwayIsRetriedWithDoublingDelaysUntilTheDeadline() {
        var lifecycle = Self.lifecycle(reconnect: 10)
        let down = RunStoreError(.unavailable, "db does not answer")
        guard case .reconnect(let notice) = lifecycle.storeFailed(down, shared: true, now: 100) else { Issue.record("expected a reconnection"); return }
        #expect(notice.hasPrefix("db does not answer: nothing more is sent until db answers again"))
        #expect(lifecycle.phase == .reconnecting)
        var retries: [Double] = []
        var now = 100.0
        while case .retry(let at) = lifecycle.rejoinFailed(down, now: now) {
            retries.append(at - now)
            now = at
        }
        #expect(retries == [0.5, 1, 2, 4], "doubling, and never past the 10 s deadline")
        guard case .finish(.later(.stateUnavailable(let why))) = lifecycle.rejoinFailed(down, now: now) else { Issue.record("expected to give up"); return }
        #expect(why.contains("gave up after 10 s"))
    }

    @Test func aStoreFailureEndsTheRunUnlessTheStoreIsSharedAndMayComeBack() {
        var lifecycle = Self.lifecycle()
        #expect(lifecycle.storeFailed(RunStoreError(.unavailable, "gone"), shared: false, now: 1) == .finish(.stopped(.state("gone"))))
        #expect(lifecycle.storeFailed(RunStoreError(.damaged, "broken"), shared: true, now: 1) == .finish(.stopped(.state("broken"))))
        guard case .reconnect = lifecycle.storeFailed(RunStoreError(.taken, "lease ran out"), shared: true, now: 1) else { Issue.record("expected a reconnection"); return }
        #expect(lifecycle.rejoinFailed(RunStoreError(.denied, "password"), now: 2) == .finish(.stopped(.state("password"))))
        #expect(lifecycle.rejoined(nil) == .finish(.stopped(.state("the run is gone from db"))))
        let stored = Self.run([.pending])
        #expect(lifecycle.rejoined(stored) == .resume(stored, notice: "db answers again: resuming"))
        #expect(lifecycle.phase == .sending)
    }

    // MARK: - Recording

    @Test func activityIsSavedWhenItMovesEnoughToTell() {
        var lifecycle = Self.lifecycle()
        let pace = Pace(rate: 100, ceiling: 100, reason: .configured)
        #expect(lifecycle.activity(pace: pace, now: 10)?.pace == 100, "the first is always saved")
        #expect(lifecycle.activity(pace: Pace(rate: 103, ceiling: 100, reason: .configured), now: 20) == nil, "3 % is not worth a write")
        #expect(lifecycle.activity(pace: Pace(rate: 80, ceiling: 100, reason: .configured), now: 10.5) == nil, "nor anything within a second")
        let slower = lifecycle.activity(pace: Pace(rate: 80, ceiling: 100, reason: .providerThrottling), now: 11)
        #expect(slower?.reason == "providerThrottling" && slower?.at == 11)
        #expect(lifecycle.waiting(until: 500, reason: .deferred, now: 12)?.until == 500)
        #expect(lifecycle.waiting(until: 500, reason: .deferred, now: 13) == nil, "the same wait is saved once")
        #expect(lifecycle.waiting(until: 600, reason: .deferred, now: 14)?.until == 600)
    }

    @Test func progressIsReportedAtMostFourTimesASecondUnlessForced() {
        var lifecycle = Self.lifecycle()
        let due = [lifecycle.progressDue(now: 1, force: false), lifecycle.progressDue(now: 1.1, force: false),
                   lifecycle.progressDue(now: 1.1, force: true), lifecycle.progressDue(now: 1.35, force: false)]
        #expect(due == [true, false, true, true])
    }

    @Test func theEndLeavesHowTheRunEndedAndNoActivity() {
        var lifecycle = Self.lifecycle()
        var metadata = Self.metadata
        metadata.activity = RunActivity(kind: .sending, at: 1)
        metadata.stopReason = "before"
        let done = lifecycle.finished(.done, metadata: metadata)
        #expect(done.lastEnd == RunOutcome.done.end && done.stopReason == nil && done.activity == nil)
        #expect(lifecycle.phase == .finishing)
        let stopped = lifecycle.finished(.stopped(.state("broken")), metadata: metadata)
        #expect(stopped.stopReason == StopReason.state("broken").description)
    }
}
