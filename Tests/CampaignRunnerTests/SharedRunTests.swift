import AliyunSMS
import CampaignCompiler
import Foundation
import PostgresStore
import PostgresTestSupport
import Testing
@testable import CampaignRunner

/// Runs shared by several runners: `RunState`'s shared mode as a value, and reading a state URL.
/// (The stores' claims, leases and shared pace are `SharedRunStoreConformanceTests`.)
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
        #expect(try StateResolver.resolve(nil, environment: ["SALVO_STATE": "postgres://ops@db/salvo"]).backend.folder == nil)
        #expect(try StateResolver.resolve(nil, environment: ["SALVO_STATE": "/srv/state"]).backend.folder == "/srv/state")
        #expect(try StateResolver.resolve("/given", environment: ["SALVO_STATE": "postgres://ops@db/salvo"]).backend.folder == "/given")
    }
}
