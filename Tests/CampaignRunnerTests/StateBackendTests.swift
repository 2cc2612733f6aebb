import CampaignCompiler
import Foundation
import PostgresStore
import Testing
@testable import CampaignRunner

/// Where runs are kept: the one resolver, and what each backend hands out.
@Suite struct StateBackendTests {
    @Test func theResolverChoosesAFolderOrADatabaseAndKeepsLocalThingsInAFolder() throws {
        let folder = try StateResolver.resolve("/srv/state", environment: [:])
        #expect(folder.backend is FolderBackend && folder.backend.folder == "/srv/state" && folder.backend.localFolder == "/srv/state")
        #expect(folder.warnings.isEmpty)
        let database = try StateResolver.resolve(nil, environment: ["SALVO_STATE": "postgres://ops@db/salvo", "HOME": "/home/ops", "PGPASSWORD": "pw"])
        #expect(database.backend is PostgresBackend && database.backend.folder == nil)
        #expect(database.backend.localFolder == "/home/ops/.local/state/salvo", "the URL names no folder: the default one keeps the ledger")
        #expect(!database.backend.description.contains("pw"))
        let inURL = try StateResolver.resolve("postgres://ops:pw@db/salvo", environment: [:])
        #expect(inURL.warnings.contains(PostgresLocation.passwordInURLWarning))
        #expect(try StateResolver.resolve(nil, environment: ["SALVO_STATE": "postgres://ops:pw@db/salvo"]).warnings.isEmpty, "only a --state URL is warned about")
    }

    @Test func anotherDatabasesURLIsRefusedWithItsPasswordMasked() {
        do {
            _ = try StateResolver.resolve("mysql://ops:S3cretPW@db/salvo", environment: [:])
            Issue.record("a mysql:// state was taken as a folder")
        } catch {
            #expect(error.message.contains("mysql://ops:***@db/salvo"))
            #expect(!error.message.contains("S3cretPW"))
        }
        // A folder whose path has '://' further in is still a folder.
        #expect(throws: Never.self) { try StateResolver.resolve("/srv/odd://name", environment: [:]) }
    }

    @Test func aFolderBackendLocksEachCampaignForOneRunAtATime() async throws {
        let root = try RunFixture(count: 1, batchSize: 1).folder + "/state"
        let backend = FolderBackend(root: root)
        guard case .absent = try await backend.lock(LockRequest(campaign: "c", create: false)) else { Issue.record("a reset finds no folder to lock"); return }
        #expect(!FileManager.default.fileExists(atPath: root + "/c"), "and makes none")
        guard case .taken(let held?) = try await backend.lock(LockRequest(campaign: "c", create: true)) else { Issue.record("expected the lock"); return }
        #expect(try await backend.isLocked(campaign: "c"))
        guard case .busy(let pid) = try await backend.lock(LockRequest(campaign: "c", create: true)) else { Issue.record("expected it held"); return }
        #expect(pid == Int(getpid()))
        withExtendedLifetime(held) {}
        #expect(backend.existingStore(campaign: "c") == nil, "a campaign never run here has no store")
        #expect(backend.place(campaign: "c") == root + "/c")
    }

    @Test func aSingleStoreBackendHandsOutItsStoreAndNeedsNoLock() async throws {
        let store = InMemoryRunStore()
        let backend = SingleStoreBackend(store: store, localFolder: "/tmp/local")
        #expect(backend.store(StoreRequest(campaign: "any")) as? InMemoryRunStore === store)
        guard case .taken(nil) = try await backend.lock(LockRequest(campaign: "any", create: true)) else { Issue.record("expected no lock"); return }
        #expect(try await !backend.isLocked(campaign: "any"))
        #expect(backend.folder == nil && backend.localFolder == "/tmp/local")
    }
}
