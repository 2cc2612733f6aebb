import AliyunSMS
import CampaignCompiler
import Foundation
import PostgresStore
import PostgresTestSupport
import Testing
@testable import CampaignRunner

/// Runs shared by several runners: `RunState`'s shared mode as a value, and the PostgreSQL store's
/// claims, leases and shared pace against the throwaway cluster.
@Suite struct SharedRunTests {
    typealias Base = RunStateTests
    static let me = "runner-a"

    static func plan(_ number: Int) throws -> PlanBatch {
        let line = #"{"batch":\#(number),"action":"SendBatchSms","outId":"c:p:\#(number)","recipients":[["13800138000","0","1"]],"segments":10}"#
        return try JSONDecoder().decode(PlanBatch.self, from: Data(line.utf8))
    }

    static func claim(taken: [Int] = [], adopted: [BatchRecord] = [], changed: [BatchRecord] = [], complete: Bool = false, at now: Double, rate: Double = 1000, others: Int = 1) throws -> Claim {
        let records = try taken.map { number -> (record: BatchRecord, plan: PlanBatch, slot: Double) in
            var record = Base.batches([.pending])[0]
            record.batch = number
            record.state = .sending
            record.attempts = 1
            record.attemptAt = now
            record.owner = me
            return (record, try plan(number), now)
        }
        return Claim(taken: records, adopted: adopted, changed: changed, version: 7, complete: complete, pace: SharedPace(rate: rate), otherRunners: others)
    }

    @Test func aSharedRunClaimsInsteadOfPickingAndLeavesOthersBatchesAlone() throws {
        var batches = Base.batches([.pending, .pending, .sending, .pending])
        batches[2].owner = "runner-b"
        batches[2].attemptAt = Base.noon - 1
        var state = RunState(batches: batches, policy: Base.policy(), resumedAt: Base.noon, runner: Self.me)
        // Batch 3 is another live runner's: not asked about, not sent; the first action is a claim
        // that asks for every batch.
        guard case .claim(let limit, let since) = state.next(now: Base.noon) else { Issue.record("expected a claim"); return }
        #expect(limit >= 1 && since == 0)
        state.claimed(try Self.claim(taken: [1, 2], at: Base.noon), now: Base.noon)
        guard case .launch(let first, _) = state.next(now: Base.noon) else { Issue.record("expected batch 1 sent"); return }
        #expect(first.batch == 1)
        // Ten messages at 1,000 a second later.
        guard case .launch(let second, _) = state.next(now: Base.noon + 0.01) else { Issue.record("expected batch 2 sent"); return }
        #expect(second.batch == 2)
        // The next claim asks only for what changed since.
        guard case .claim(_, let after) = state.next(now: Base.noon + 0.01) else { Issue.record("expected another claim"); return }
        #expect(after == 7)
    }

    @Test func nothingLeftToClaimWhileOthersSendEndsWith75OrWaits() throws {
        var batches = Base.batches([.accepted, .sending])
        batches[1].owner = "runner-b"
        var state = RunState(batches: batches, policy: Base.policy(), resumedAt: Base.noon, runner: Self.me)
        guard case .claim = state.next(now: Base.noon) else { Issue.record("expected a claim"); return }
        // An empty claim that saw only what changed: claim again at once, asking for everything.
        state.claimed(try Self.claim(at: Base.noon), now: Base.noon)
        guard case .claim(_, let since) = state.next(now: Base.noon) else { Issue.record("expected a full claim"); return }
        #expect(since == 0)
        state.claimed(try Self.claim(complete: true, at: Base.noon), now: Base.noon)
        #expect(state.next(now: Base.noon) == .finish(.later(.othersSending(runners: 1, recipients: 10))))

        var waiting = RunState(batches: batches, policy: Base.policy(wait: true), resumedAt: Base.noon, runner: Self.me)
        _ = waiting.next(now: Base.noon)
        waiting.claimed(try Self.claim(complete: true, at: Base.noon), now: Base.noon)
        guard case .wait(let until, .othersSending) = waiting.next(now: Base.noon) else { Issue.record("--wait waits for the others"); return }
        #expect(until == Base.noon + RunState.claimPoll)
        // The other runner finished it: done.
        var finished = batches[1]
        finished.state = .accepted
        finished.owner = nil
        _ = waiting.next(now: Base.noon + 1)
        waiting.claimed(try Self.claim(changed: [finished], complete: true, at: Base.noon + 1), now: Base.noon + 1)
        #expect(waiting.next(now: Base.noon + 1) == .finish(.done))
    }

    @Test func batchesOfADeadRunnerAreSettledBeforeAnythingIsSentAgain() throws {
        var batches = Base.batches([.sending, .pending])
        batches[0].owner = "runner-dead"
        batches[0].attemptAt = Base.noon - 60
        var state = RunState(batches: batches, policy: Base.policy(), resumedAt: Base.noon, runner: Self.me)
        guard case .claim = state.next(now: Base.noon) else { Issue.record("expected a claim"); return }
        var adopted = batches[0]
        adopted.owner = Self.me
        state.claimed(try Self.claim(adopted: [adopted], complete: true, at: Base.noon), now: Base.noon)
        guard case .reconcile(let asked) = state.next(now: Base.noon) else { Issue.record("an adopted batch is asked about first"); return }
        #expect(asked.map(\.batch) == [1])
        let change = state.reconciled(1, .found(bizId: "9^0"), now: Base.noon)
        #expect(change.batches.first?.state == .accepted)
    }

    @Test func aClaimedBatchWaitsForTheSlotBookedOnTheSharedPace() throws {
        var state = RunState(batches: Base.batches([.pending]), policy: Base.policy(), resumedAt: Base.noon, runner: Self.me)
        _ = state.next(now: Base.noon)
        var claim = try Self.claim(taken: [1], at: Base.noon)
        claim.taken[0].slot = Base.noon + 0.4
        state.claimed(claim, now: Base.noon)
        #expect(state.next(now: Base.noon) == .wait(until: Base.noon + 0.4, reason: .pace))
        guard case .launch = state.next(now: Base.noon + 0.4) else { Issue.record("sent at its slot"); return }
    }

    @Test func throttlingSeenByAnotherRunnerSlowsThisOne() throws {
        var state = RunState(batches: Base.batches([.pending, .pending]), policy: Base.policy(rate: 1000), resumedAt: Base.noon, runner: Self.me)
        _ = state.next(now: Base.noon)
        state.claimed(try Self.claim(taken: [1], at: Base.noon, rate: 400), now: Base.noon)
        #expect(state.flow.rate == 400)
        #expect(state.flow.reason == .providerThrottling)
    }

    // MARK: - URLs

    @Test func aStateURLIsReadAndItsPasswordNeverShown() throws {
        let location = try PostgresLocation(url: "postgresql://ops:s3cr%40t@db.example.com:6432/salvo?sslmode=verify-full", environment: [:])
        #expect(location.user == "ops" && location.password == "s3cr@t" && location.host == "db.example.com" && location.port == 6432)
        #expect(location.database == "salvo" && location.sslMode == .verifyFull)
        #expect(location.description == "postgres://ops:***@db.example.com:6432/salvo?sslmode=verify-full")
        let fromEnvironment = try PostgresLocation(url: "postgres://ops@db/salvo", environment: ["PGPASSWORD": "pw-from-env"])
        #expect(fromEnvironment.password == "pw-from-env" && fromEnvironment.port == 5432 && fromEnvironment.sslMode == .prefer)
        #expect(!fromEnvironment.description.contains("pw-from-env"))
        for bad in ["postgres://db/salvo", "postgres://ops:pw@db", "postgres://ops:pw@db/salvo?sslmode=maybe", "postgres://ops:pw@db/salvo?password=x"] {
            let error = #expect(throws: RunStoreError.self) { try PostgresLocation(url: bad, environment: [:]) }
            #expect(error?.message.contains(":pw@") == false, "\(bad): \(error?.message ?? "")")
        }
        // A password passed as a parameter salvo does not take is not printed back either.
        let query = #expect(throws: RunStoreError.self) { try PostgresLocation(url: "postgres://ops@db/salvo?sslmode=require&password=hunter2", environment: [:]) }
        #expect(query?.message.contains("hunter2") == false && query?.message.contains("password=***") == true && query?.message.contains("sslmode=require") == true,
                "\(query?.message ?? "")")
        #expect(try StateLocation.resolve(nil, environment: ["SALVO_STATE": "postgres://ops@db/salvo"]).folder == nil)
        #expect(try StateLocation.resolve(nil, environment: ["SALVO_STATE": "/srv/state"]).folder == "/srv/state")
        #expect(try StateLocation.resolve("/given", environment: ["SALVO_STATE": "postgres://ops@db/salvo"]).folder == "/given")
    }

    // MARK: - The PostgreSQL store

    /// A run in a fresh database and `count` stores (runners) on it.
    static func sharedRun(runners count: Int, batches: Int) async throws -> [PostgresRunStore] {
        let (_, plan, records) = try await StoreKind.sqlite.make(batches: batches)
        let url = try TestPostgres.freshDatabase("shared")
        let password = try TestPostgres.server().password
        let stores = try (0..<count).map { _ in
            PostgresRunStore(database: try PostgresLocation(url: url, environment: ["PGPASSWORD": password]), campaign: "run-test", leaseSeconds: 2)
        }
        try await stores[0].create(NewRun(metadata: RunStoreConformanceTests.metadata, batches: records, planFile: plan))
        for store in stores { try await store.join(RunnerInfo(host: "test", pid: 1)) }
        return stores
    }

    @Test func claimsHandEachBatchToOneRunnerAndBookSlotsAtTheSharedRate() async throws {
        let stores = try await Self.sharedRun(runners: 3, batches: 40)
        // Three runners claim at once, again and again, until nothing is left.
        var taken: [(batch: Int, slot: Double, runner: Int)] = []
        var claims = 0
        while taken.count < 40, claims < 100 {
            claims += 1
            let results = try await withThrowingTaskGroup(of: (Int, Claim).self) { group in
                for (index, store) in stores.enumerated() {
                    group.addTask { (index, try await store.claim(ClaimRequest(limit: 3, now: Date().timeIntervalSince1970, since: 0, rate: 100, reason: "configured"))) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            for (index, claim) in results {
                taken += claim.taken.map { ($0.record.batch, $0.slot, index) }
                #expect(claim.taken.allSatisfy { $0.record.state == .sending && $0.record.attempts == 1 && $0.record.owner == stores[index].runnerID })
            }
        }
        #expect(taken.map(\.batch).sorted() == Array(1...40), "every batch claimed once")
        #expect(Set(taken.map(\.runner)).count == 3, "all three runners got some")
        // 40 requests of 10 messages at 100 a second: the slots, whoever holds them, are 0.1 s
        // apart, so that no 5 s window holds more than the rate allows (plus one request).
        let slots = taken.map(\.slot).sorted()
        for (index, slot) in slots.enumerated() {
            let inWindow = slots[index...].prefix { $0 < slot + 5 }.count
            #expect(Double(inWindow * 10) <= 100 * 5 + 10, "window from \(slot - slots[0]): \(inWindow) requests")
        }
        let span = (slots.last ?? 0) - (slots.first ?? 0)
        #expect(span >= 3.5, "40 × 10 messages at 100/s take about 4 s: \(span)")
    }

    @Test func aDeadRunnersBatchesGoToAnotherOnceItsLeaseRunsOut() async throws {
        let stores = try await Self.sharedRun(runners: 2, batches: 4)
        let now = Date().timeIntervalSince1970
        let first = try await stores[0].claim(ClaimRequest(limit: 2, now: now, since: 0, rate: 1000, reason: "configured"))
        #expect(first.taken.map(\.record.batch) == [1, 2])
        // While its lease lives, the other runner gets the rest, and none of its batches.
        let second = try await stores[1].claim(ClaimRequest(limit: 4, now: now, since: 0, rate: 1000, reason: "configured"))
        #expect(second.taken.map(\.record.batch) == [3, 4] && second.adopted.isEmpty)
        #expect(second.changed.contains { $0.batch == 1 && $0.owner == stores[0].runnerID }, "it sees who holds batch 1")
        // A change by the runner that does not hold the batch is refused whole.
        var stolen = first.taken[0].record
        stolen.state = .accepted
        let refused = await #expect(throws: RunStoreError.self) { try await stores[1].commit(RunChange(batches: [stolen])) }
        #expect(refused?.code == .taken)
        // The first runner dies (no heartbeat for its 2 s lease): its batches go to the other.
        try await Task.sleep(for: .seconds(2.3))
        let later = try await stores[1].claim(ClaimRequest(limit: 4, now: now + 3, since: 0, rate: 1000, reason: "configured"))
        #expect(later.adopted.map(\.batch) == [1, 2] && later.adopted.allSatisfy { $0.owner == stores[1].runnerID && $0.state == .sending })
        let runners = try await stores[1].runners()
        #expect(runners.count == 2 && runners.filter(\.live).map(\.id) == [stores[1].runnerID])
        #expect(runners.first { !$0.live }?.holding == 0, "the dead runner holds nothing now")
        // A runner that leaves ends its lease at once.
        await stores[1].leave()
        #expect(try await stores[0].runners().filter(\.live).isEmpty)
    }

    @Test func statusListsNoDepartedRunnerAndItsInFlightCountsAddUp() async throws {
        let stores = try await Self.sharedRun(runners: 3, batches: 4)
        let campaign = try await RunFixture(count: 40, batchSize: 10).campaign()
        let now = Date().timeIntervalSince1970
        _ = try await stores[0].claim(ClaimRequest(limit: 2, now: now, since: 0, rate: 1000, reason: "configured"))
        _ = try await stores[1].claim(ClaimRequest(limit: 1, now: now, since: 0, rate: 1000, reason: "configured"))
        // The third runner was killed holding nothing: once its lease is over it is gone. The
        // other two beat and keep their batches in flight (each beat says one request, as a
        // runner counts them: the status counts recipients, so the runners add up to the total).
        for _ in 0..<3 {
            try await Task.sleep(for: .seconds(0.8))
            for store in stores.prefix(2) { try await store.heartbeat(Heartbeat(inFlight: 1)) }
        }
        let status = try await StatusReader(campaign: campaign, store: stores[0]).status()
        let runners = try #require(status.runners)
        #expect(Set(runners.map(\.id)) == [stores[0].runnerID, stores[1].runnerID], "the departed runner is not listed: \(runners)")
        #expect(runners.first { $0.id == stores[0].runnerID }?.inFlight == 20 && runners.first { $0.id == stores[1].runnerID }?.inFlight == 10, "\(runners)")
        #expect(runners.reduce(0) { $0 + $1.inFlight } == status.inFlight && status.inFlight == 30, "\(status.inFlight)")
        #expect(!status.text().contains("lease expired"), "\(status.text())")
        #expect(status.text().contains("last heartbeat") && status.text().contains(" Asia/Shanghai, 20 recipients in flight"), "the heartbeat's zone is said: \(status.text())")
    }

    @Test func aLowerRateFromOneRunnerIsEveryonesAndARiseWaits() async throws {
        let stores = try await Self.sharedRun(runners: 2, batches: 4)
        let now = Date().timeIntervalSince1970
        _ = try await stores[0].claim(ClaimRequest(limit: 0, now: now, since: 0, rate: 1000, reason: "configured"))
        let throttled = try await stores[0].claim(ClaimRequest(limit: 0, now: now, since: 0, rate: 300, reason: "providerThrottling"))
        #expect(throttled.pace.rate == 300)
        // The other runner, still at the configured rate, is told the lower one; its own higher
        // rate does not undo it at once.
        let other = try await stores[1].claim(ClaimRequest(limit: 0, now: now, since: 0, rate: 1000, reason: "configured"))
        #expect(other.pace.rate == 300 && other.pace.reason == "providerThrottling")
        var state = RunState(batches: Base.batches([.pending]), policy: Base.policy(rate: 1000), resumedAt: now, runner: stores[1].runnerID)
        _ = state.next(now: now)
        state.claimed(other, now: now)
        #expect(state.flow.rate == 300)
    }
}
