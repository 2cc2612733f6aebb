import CampaignCompiler
import Foundation
import PostgresStore
import PostgresTestSupport
import Testing
@testable import CampaignRunner

/// The kinds of store that runners share; every one passes the same suite: the in-memory one
/// anywhere, the PostgreSQL one against the throwaway cluster of scripts/test (a database each).
enum SharedStoreKind: String, CaseIterable, CustomTestStringConvertible {
    case memory, postgres

    var testDescription: String { rawValue }

    /// `count` runners on one fresh store, each with a 2 s lease.
    func make(runners count: Int) throws -> [any SharedRunStore] {
        switch self {
        case .memory:
            let first = InMemorySharedRunStore(leaseSeconds: 2)
            return [first] + (1..<max(count, 1)).map { _ in first.runner() }
        case .postgres:
            let url = try TestPostgres.freshDatabase("shared")
            let password = try TestPostgres.server().password
            return try (0..<count).map { _ in
                PostgresRunStore(database: try PostgresLocation(url: url, environment: ["PGPASSWORD": password]), campaign: "run-test", leaseSeconds: 2)
            }
        }
    }
}

/// Claims, leases and the shared pace: what a store that several runners share must do.
@Suite struct SharedRunStoreConformanceTests {
    typealias Base = RunStateTests

    /// A run in a fresh store and `count` runners on it, each with a 2 s lease.
    static func sharedRun(_ kind: SharedStoreKind, runners count: Int, batches: Int) async throws -> [any SharedRunStore] {
        let (_, plan, records) = try await StoreKind.sqlite.make(batches: batches)
        let stores = try kind.make(runners: count)
        try await stores[0].create(NewRun(metadata: RunStoreConformanceTests.metadata, batches: records, planFile: plan))
        for store in stores { try await store.join(RunnerInfo(host: "test", pid: 1)) }
        return stores
    }

    @Test(arguments: SharedStoreKind.allCases) func claimsHandEachBatchToOneRunnerAndBookSlotsAtTheSharedRate(kind: SharedStoreKind) async throws {
        let stores = try await Self.sharedRun(kind, runners: 3, batches: 40)
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

    @Test(arguments: SharedStoreKind.allCases) func aDeadRunnersBatchesGoToAnotherOnceItsLeaseRunsOut(kind: SharedStoreKind) async throws {
        let stores = try await Self.sharedRun(kind, runners: 2, batches: 4)
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

    @Test(arguments: SharedStoreKind.allCases) func statusListsNoDepartedRunnerAndItsInFlightCountsAddUp(kind: SharedStoreKind) async throws {
        let stores = try await Self.sharedRun(kind, runners: 3, batches: 4)
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

    @Test(arguments: SharedStoreKind.allCases) func aLowerRateFromOneRunnerIsEveryonesAndARiseWaits(kind: SharedStoreKind) async throws {
        let stores = try await Self.sharedRun(kind, runners: 2, batches: 4)
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
