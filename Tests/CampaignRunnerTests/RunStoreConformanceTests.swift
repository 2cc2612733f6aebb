import CampaignCompiler
import Foundation
import PostgresStore
import PostgresTestSupport
import Testing
@testable import CampaignRunner

/// The kinds of run store; every one passes the same suite. (The PostgreSQL one runs against the
/// throwaway cluster of scripts/test, each test in a database of its own.)
enum StoreKind: String, CaseIterable, CustomTestStringConvertible {
    case sqlite, memory, sharedMemory, postgres

    var testDescription: String { rawValue }

    /// A fresh store, and a plan of `batches` requests to create a run from.
    func make(batches: Int = 4) async throws -> (store: any RunStore, plan: String, records: [BatchRecord]) {
        let fixture = try RunFixture(count: batches * 10, batchSize: 10)
        let folder = fixture.folder + "/state/run-test"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let store: any RunStore = switch self {
        case .sqlite: SQLiteRunStore(folder: folder)
        case .memory: InMemoryRunStore()
        case .sharedMemory: InMemorySharedRunStore()
        case .postgres:
            try PostgresRunStore(database: PostgresLocation(url: TestPostgres.freshDatabase("conformance"), environment: ["PGPASSWORD": TestPostgres.server().password]),
                                 campaign: "run-test")
        }
        let plan = store.planStagingPath ?? fixture.folder + "/plan.jsonl"
        let result = try await PlanCompiler(campaign: try await fixture.campaign()).compile(output: plan)
        #expect(result.isComplete)
        var records: [BatchRecord] = []
        _ = try PlanReader.batches(at: plan) { batch in
            records.append(BatchRecord(batch: batch.batch, action: batch.action, outId: batch.outId, recipients: batch.recipients.count, segments: batch.segments,
                                       firstPhone: batch.recipients[0][0], state: .pending, attempts: 0))
        }
        return (store, plan, records)
    }
}

@Suite struct RunStoreConformanceTests {
    static let metadata = RunMetadata(planID: "p1", campaign: "run-test", createdAt: 1000, endpoint: "http://127.0.0.1:1")

    @Test(arguments: StoreKind.allCases) func aNewStoreHoldsNoRun(kind: StoreKind) async throws {
        let (store, _, _) = try await kind.make()
        #expect(try await store.load() == nil)
    }

    @Test(arguments: StoreKind.allCases) func aCreatedRunReadsBackWhole(kind: StoreKind) async throws {
        let (store, plan, records) = try await kind.make()
        try await store.create(NewRun(metadata: Self.metadata, batches: records, planFile: plan))
        let run = try #require(try await store.load())
        #expect(run.metadata == Self.metadata)
        #expect(run.batches == records)
        let third = try await store.planBatch(PlanBatchRequest(batch: 3))
        #expect(third.batch == 3 && third.outId == records[2].outId && third.recipients.count == 10)
        var read: [Int] = []
        try await store.readPlan { read.append($0.batch) }
        #expect(read == [1, 2, 3, 4])
        await #expect(throws: RunStoreError.self) { try await store.planBatch(PlanBatchRequest(batch: 5)) }
    }

    static func receipt(_ batch: Int, _ phone: String, biz: String = "9^0", success: Bool = true, code: String = "DELIVERED") -> Receipt {
        Receipt(bizId: biz, phone: phone, outId: "run-test:p1:\(batch)", batch: batch, success: success, code: code, message: "", segments: 1,
                sendTime: "2027-03-01 10:00:00", reportTime: "2027-03-01 10:00:05", receivedAt: 1003)
    }

    @Test(arguments: StoreKind.allCases) func receiptsAreKeptOnceEach(kind: StoreKind) async throws {
        let (store, plan, records) = try await kind.make()
        try await store.create(NewRun(metadata: Self.metadata, batches: records, planFile: plan))
        let first = try await store.storeReceipts(ReceiptBatch(receipts: [Self.receipt(1, "13800000001"), Self.receipt(1, "13800000002", success: false, code: "UNDELIV")]))
        #expect(first == ReceiptsStored(stored: 2, duplicates: 0))
        // The same push again, and one new receipt with it.
        let again = try await store.storeReceipts(ReceiptBatch(receipts: [Self.receipt(1, "13800000001"), Self.receipt(2, "13800000003", biz: "10^0")]))
        #expect(again == ReceiptsStored(stored: 1, duplicates: 1))
        let all = try await store.receipts(ReceiptQuery())
        #expect(all.map(\.phone) == ["13800000001", "13800000002", "13800000003"])
        #expect(all[1] == Self.receipt(1, "13800000002", success: false, code: "UNDELIV"))
        #expect(try await store.receipts(ReceiptQuery(batch: 2)).map(\.phone) == ["13800000003"])
        let delivery = DeliveryCounts(receipts: all, sent: 5)
        #expect(delivery.delivered == 2 && delivery.failed == 1 && delivery.waiting == 2 && delivery.failedByCode == ["UNDELIV": 1])
    }

    @Test(arguments: StoreKind.allCases) func aReceiptForABatchTheRunLacksIsRefusedWhole(kind: StoreKind) async throws {
        let (store, plan, records) = try await kind.make()
        try await store.create(NewRun(metadata: Self.metadata, batches: records, planFile: plan))
        await #expect(throws: RunStoreError.self) {
            try await store.storeReceipts(ReceiptBatch(receipts: [Self.receipt(1, "13800000001"), Self.receipt(99, "13800000002")]))
        }
        #expect(try await store.receipts(ReceiptQuery()).isEmpty)
    }

    @Test(arguments: StoreKind.allCases) func aSecondRunIsRefused(kind: StoreKind) async throws {
        let (store, plan, records) = try await kind.make()
        try await store.create(NewRun(metadata: Self.metadata, batches: records, planFile: plan))
        let error = await #expect(throws: RunStoreError.self) {
            try await store.create(NewRun(metadata: Self.metadata, batches: records, planFile: plan))
        }
        #expect(error?.code == .exists)
    }

    @Test(arguments: StoreKind.allCases) func changesAreCommittedTogether(kind: StoreKind) async throws {
        let (store, plan, records) = try await kind.make()
        try await store.create(NewRun(metadata: Self.metadata, batches: records, planFile: plan))
        var first = records[0]
        first.state = .accepted
        first.attempts = 1
        first.attemptAt = 1001.5
        first.bizId = "9^0"
        first.code = "OK"
        var second = records[1]
        second.state = .deferred
        second.notBefore = 2000
        second.code = "isv.BUSINESS_LIMIT_CONTROL"
        second.message = "触发天级流控"
        var metadata = Self.metadata
        metadata.lastEnd = .waiting
        metadata.activity = RunActivity(kind: .waiting, reason: "deferred recipients", until: 2000, at: 1002)
        let attempts = [AttemptRecord(batch: 1, startedAt: 1001.5, endedAt: 1001.6, outcome: .accepted, code: "OK"),
                        AttemptRecord(batch: 2, startedAt: 1001.5, endedAt: 1001.7, outcome: .refused, code: "isv.BUSINESS_LIMIT_CONTROL")]
        try await store.commit(RunChange(batches: [first, second], attempts: attempts, metadata: metadata, durable: true))
        let run = try #require(try await store.load())
        #expect(run.batches == [first, second, records[2], records[3]])
        #expect(run.metadata == metadata)
        #expect(try await store.attempts(AttemptQuery()) == attempts)
        #expect(try await store.attempts(AttemptQuery(batch: 2)) == [attempts[1]])

        // Metadata that is cleared is gone, not kept from before.
        metadata.activity = nil
        metadata.lastEnd = .done
        try await store.commit(RunChange(metadata: metadata))
        #expect(try await store.load()?.metadata == metadata)
    }

    @Test(arguments: StoreKind.allCases) func thePreflightIsRecordedWithTheRunAndKeptByLaterChanges(kind: StoreKind) async throws {
        let (store, plan, records) = try await kind.make()
        try await store.create(NewRun(metadata: Self.metadata, batches: records, planFile: plan))
        var metadata = Self.metadata
        metadata.preflightAt = 1000.25
        metadata.preflight = "preflight of 1 sign name, 1 template: the account agrees"
        metadata.preflightPassed = true
        try await store.commit(RunChange(metadata: metadata))
        #expect(try await store.load()?.metadata == metadata)
        // A later change of batches and metadata keeps it, or changes it.
        var first = records[0]
        first.state = .accepted
        first.attempts = 1
        metadata.lastEnd = .done
        try await store.commit(RunChange(batches: [first], attempts: [], metadata: metadata, durable: true))
        #expect(try await store.load()?.metadata == metadata)
        first.attempts = 2
        metadata.preflightAt = 90_000
        metadata.preflight = "preflight of 1 sign name, 1 template: 0 errors, 1 warning (template-content-unknown)"
        try await store.commit(RunChange(batches: [first], attempts: [], metadata: metadata, durable: true))
        #expect(try await store.load()?.metadata == metadata)
        // Skipped, then cleared.
        metadata.preflight = "skipped (--no-preflight)"
        metadata.preflightPassed = false
        try await store.commit(RunChange(metadata: metadata))
        #expect(try await store.load()?.metadata == metadata)
        metadata.preflightAt = nil
        metadata.preflight = nil
        metadata.preflightPassed = nil
        try await store.commit(RunChange(metadata: metadata))
        #expect(try await store.load()?.metadata == metadata)
    }

    @Test(arguments: StoreKind.allCases) func aRunSetAsideLeavesRoomForANewOne(kind: StoreKind) async throws {
        let (store, plan, records) = try await kind.make()
        let copy = plan + ".copy"
        try FileManager.default.copyItem(atPath: plan, toPath: copy)
        try await store.create(NewRun(metadata: Self.metadata, batches: records, planFile: plan))
        _ = try await store.setAside(SetAsideRequest(at: 1_800_000_000))
        #expect(try await store.load() == nil)
        var metadata = Self.metadata
        metadata.planID = "p2"
        try await store.create(NewRun(metadata: metadata, batches: records, planFile: copy))
        #expect(try await store.load()?.metadata.planID == "p2")
        #expect(try await store.attempts(AttemptQuery()).isEmpty)
    }

    @Test(arguments: StoreKind.allCases) func aChangeWithABatchTheRunLacksChangesNothing(kind: StoreKind) async throws {
        let (store, plan, records) = try await kind.make()
        try await store.create(NewRun(metadata: Self.metadata, batches: records, planFile: plan))
        var first = records[0]
        first.state = .accepted
        var stranger = records[1]
        stranger.batch = 99
        var metadata = Self.metadata
        metadata.lastEnd = .done
        await #expect(throws: RunStoreError.self) {
            try await store.commit(RunChange(batches: [first, stranger], attempts: [AttemptRecord(batch: 1, startedAt: 1, endedAt: 2, outcome: .accepted)], metadata: metadata))
        }
        let run = try #require(try await store.load())
        #expect(run.batches == records && run.metadata == Self.metadata, "all or nothing")
        #expect(try await store.attempts(AttemptQuery()).isEmpty)
    }

    @Test(arguments: StoreKind.allCases) func theStoredPlansHeaderAndTrailerReadBack(kind: StoreKind) async throws {
        let (store, plan, records) = try await kind.make()
        #expect(try await store.planHeader() == nil, "no run, no plan")
        #expect(try await store.planTrailer() == nil)
        let header = try #require(PlanReader.header(at: plan))
        let trailer = try #require(PlanReader.trailer(at: plan))
        try await store.create(NewRun(metadata: Self.metadata, batches: records, planFile: plan))
        #expect(try await store.planHeader()?.planId == header.planId)
        #expect(try await store.planTrailer()?.recipients == trailer.recipients)
        if store.comparesRecipients {
            let recipients = try #require(try await store.planRecipients(PlanRecipientsRequest(sources: [0])))
            #expect(recipients[0]?.count == records.reduce(0) { $0 + $1.recipients })
        } else {
            #expect(try await store.planRecipients(PlanRecipientsRequest(sources: [0])) == nil)
        }
        _ = try await store.setAside(SetAsideRequest(at: 1_800_000_000))
        #expect(try await store.planHeader() == nil, "a run set aside takes its plan with it")
    }
}
