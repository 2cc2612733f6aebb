import CampaignCompiler
import Foundation
import SMSEmulator
import SQLiteDatabase
import Testing
@testable import CampaignRunner

@Suite struct SQLiteRunStoreTests {
    /// A run created in a fresh state folder; the folder.
    static func started() async throws -> (store: SQLiteRunStore, folder: String) {
        let (store, plan, records) = try await StoreKind.sqlite.make()
        var metadata = RunStoreConformanceTests.metadata
        metadata.planID = try #require(PlanReader.header(at: plan)).planId
        try await store.create(NewRun(metadata: metadata, batches: records, planFile: plan))
        let sqlite = try #require(store as? SQLiteRunStore)
        return (sqlite, sqlite.folder)
    }

    @Test func aDeletedStateBesideAStartedPlanIsLostNotNew() async throws {
        let (_, folder) = try await Self.started()
        try FileManager.default.removeItem(atPath: folder + "/state.db")
        let error = await #expect(throws: RunStoreError.self) { try await SQLiteRunStore(folder: folder).load() }
        #expect(error?.code == .lost)
        #expect(error?.message.contains("is missing") == true && error?.message.contains("salvo state reset") == true, "\(error?.message ?? "")")
    }

    @Test func anEmptiedStateBesideAStartedPlanIsLostNotNew() async throws {
        let (_, folder) = try await Self.started()
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: folder + "/state.db" + suffix) }
        try Data().write(to: URL(fileURLWithPath: folder + "/state.db"))
        let error = await #expect(throws: RunStoreError.self) { try await SQLiteRunStore(folder: folder).load() }
        #expect(error?.code == .lost)
        #expect(error?.message.contains("is empty") == true)
    }

    @Test func aRunKilledBeforeItsPlanWasRenamedIsCompleted() async throws {
        let (_, folder) = try await Self.started()
        try FileManager.default.moveItem(atPath: folder + "/plan.jsonl", toPath: folder + "/plan.jsonl.new")
        let run = try #require(try await SQLiteRunStore(folder: folder).load())
        #expect(run.metadata.planID == PlanReader.header(at: folder + "/plan.jsonl")?.planId)
        #expect(FileManager.default.fileExists(atPath: folder + "/plan.jsonl"))
    }

    @Test func filesOthersCouldReadAreMadeOwnerOnlyAndSaidSo() async throws {
        let (_, folder) = try await Self.started()
        chmod(folder + "/state.db", 0o666)
        chmod(folder + "/plan.jsonl", 0o644)
        let run = try #require(try await SQLiteRunStore(folder: folder).load())
        #expect(run.notices.count == 2, "\(run.notices)")
        #expect(run.notices.contains { $0.contains("state.db") && $0.contains("666") && $0.contains("600") })
        for name in ["state.db", "plan.jsonl"] {
            let mode = (try FileManager.default.attributesOfItem(atPath: folder + "/" + name)[.posixPermissions] as? NSNumber)?.intValue
            #expect(mode == 0o600, "\(name)")
        }
        #expect(try await SQLiteRunStore(folder: folder).load()?.notices.isEmpty == true, "said once")
    }

    @Test func stateWrittenBySalvo010IsReadAndMigratedOnWrite() async throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/state-0.1.0").path
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-legacy-\(UUID().uuidString)").path
        try FileManager.default.copyItem(atPath: fixture, toPath: copy)
        let folder = copy + "/state/legacy-state"
        let readOnly = try #require(try await SQLiteRunStore(folder: folder, readOnly: true).load())
        #expect(readOnly.metadata.planID == "94ffacce1a3b7ae5" && readOnly.metadata.salvoVersion == "0.1.0" && readOnly.metadata.endpoint == nil)
        #expect(readOnly.batches.map(\.state.rawValue) == ["accepted", "accepted", "accepted", "accepted", "accepted", "sending", "sending", "sending",
                                                             "pending", "pending", "pending", "pending"])
        #expect(try SQLiteConnection(path: folder + "/state.db", mode: .readOnly).integer("PRAGMA user_version") == 1, "reading changes nothing")
        let store = SQLiteRunStore(folder: folder)
        var metadata = readOnly.metadata
        metadata.endpoint = "http://127.0.0.1:1"
        try await store.commit(RunChange(attempts: [AttemptRecord(batch: 6, startedAt: 1, endedAt: 2, outcome: .notFound)], metadata: metadata))
        #expect(try SQLiteConnection(path: folder + "/state.db", mode: .readOnly).integer("PRAGMA user_version") == SQLiteRunStore.schemaVersion)
        #expect(try await store.attempts(AttemptQuery()).count == 1)
        #expect(try await store.load()?.metadata.endpoint == "http://127.0.0.1:1")
    }
}
