import CampaignCompiler
import Foundation
import Testing
@testable import CampaignRunner

/// The state folder's rules as a library: links refused by name, folders of others or open to
/// others refused, databases and their WAL and shared-memory files owner-only from birth (under
/// the tests' umask 022, which made them 0644 before; the umask itself is process-wide, so it is
/// left alone here while other suites run).
@Suite(.serialized) struct StateFolderRulesTests {
    static func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-folder-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        chmod(path, 0o700)
        return path
    }

    @Test func aRootIsMadeOwnerOnlyWithItsParents() throws {
        let base = try Self.folder()
        let made = try #require(try StateFolder.root(base + "/a/b/state", create: true))
        for path in [base + "/a", base + "/a/b", base + "/a/b/state"] {
            let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
            #expect(mode == 0o700, "\(path)")
        }
        #expect(made.resolvedPath.hasSuffix("/a/b/state"))
        #expect(try StateFolder.root(base + "/missing", create: false) == nil)
    }

    @Test func linksInsideAreRefusedByName() throws {
        let base = try Self.folder()
        let root = try #require(try StateFolder.root(base, create: false))
        try FileManager.default.createSymbolicLink(atPath: base + "/camp", withDestinationPath: "/tmp")
        let folderError = #expect(throws: RunStoreError.self) { try root.folder("camp", create: true) }
        #expect(folderError?.code == .denied && folderError?.message.contains("\(base)/camp' is a symbolic link") == true, "\(folderError?.message ?? "")")
        try "x".write(toFile: base + "/target", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: base + "/lock", withDestinationPath: base + "/target")
        let fileError = #expect(throws: RunStoreError.self) { try root.openFile("lock", O_RDWR | O_CREAT) }
        #expect(fileError?.message.contains("lock' is a symbolic link") == true)
        #expect(throws: RunStoreError.self) { try root.hasFile("lock") }
        #expect(try String(contentsOfFile: base + "/target", encoding: .utf8) == "x")
    }

    @Test func aFolderOthersMayWriteIsRefused() throws {
        let base = try Self.folder()
        chmod(base, 0o775)
        let error = #expect(throws: RunStoreError.self) { try StateFolder.root(base, create: false) }
        #expect(error?.code == .denied && error?.message.contains("chmod 700 \(base)") == true && error?.message.contains("its group") == true)
        chmod(base, 0o755)
        #expect(try StateFolder.root(base, create: false) != nil, "readable by others is allowed, as ssh allows it")
    }

    @Test func aParentOthersCanWriteWithoutTheStickyBitIsRefused() throws {
        let base = try Self.folder()
        try FileManager.default.createDirectory(atPath: base + "/shared/state", withIntermediateDirectories: true)
        chmod(base + "/shared", 0o777)
        let error = #expect(throws: RunStoreError.self) { try StateFolder.root(base + "/shared/state", create: false) }
        #expect(error?.code == .denied && error?.message.contains("inside '\(base)/shared'") == true && error?.message.contains("chmod go-w") == true,
                "\(error?.message ?? "")")
        // A state folder to be made there is refused before anything is made.
        #expect(throws: RunStoreError.self) { try StateFolder.root(base + "/shared/new/state", create: true) }
        #expect(!FileManager.default.fileExists(atPath: base + "/shared/new"))
        // With the sticky bit (as /tmp has) others cannot move the state folder away.
        chmod(base + "/shared", 0o1777)
        #expect(try StateFolder.root(base + "/shared/state", create: false) != nil)
    }

    @Test func linksAtTheLedgerDatabaseOrItsWALAreRefusedByName() throws {
        for name in ["receipts.db", "receipts.db-wal", "receipts.db-shm"] {
            let base = try Self.folder()
            try FileManager.default.createDirectory(atPath: base + "/.receipts", withIntermediateDirectories: true)
            chmod(base + "/.receipts", 0o700)
            try FileManager.default.createSymbolicLink(atPath: base + "/.receipts/" + name, withDestinationPath: base + "/elsewhere")
            let ledger = ReceiptsLedger.of(stateFolder: base)
            #expect(throws: RunStoreError.self, "\(name)") { try ledger.prepare() }
            do {
                try ledger.suppress([(signName: "云杉商城", phone: "13900000001")], source: "import", at: 0)
                Issue.record("\(name): stored through a link")
            } catch {
                #expect("\(error)".contains(".receipts/\(name)' is a symbolic link"), "\(error)")
            }
            #expect(!FileManager.default.fileExists(atPath: base + "/elsewhere"))
        }
    }

    @Test func theLedgerAndItsWALAreOwnerOnlyFromBirth() throws {
        let base = try Self.folder()
        let ledger = ReceiptsLedger.of(stateFolder: base)
        try ledger.suppress([(signName: "云杉商城", phone: "13900000001")], source: "import", at: 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: base + "/.receipts")
        #expect(names.contains("receipts.db-wal"), "\(names)")
        for name in names {
            let mode = (try FileManager.default.attributesOfItem(atPath: base + "/.receipts/" + name)[.posixPermissions] as? NSNumber)?.intValue
            #expect(mode == 0o600, "\(name): \(String(mode ?? 0, radix: 8))")
        }
        withExtendedLifetime(ledger) {}
    }

    @Test func theRunStoreAndItsWALAreOwnerOnlyFromBirth() async throws {
        let (store, folder) = try await SQLiteRunStoreTests.started()
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(names.contains("state.db-wal"), "\(names)")
        for name in names where name.hasPrefix("state.db") || name == "plan.jsonl" {
            let mode = (try FileManager.default.attributesOfItem(atPath: folder + "/" + name)[.posixPermissions] as? NSNumber)?.intValue
            #expect(mode == 0o600, "\(name): \(String(mode ?? 0, radix: 8))")
        }
        withExtendedLifetime(store) {}
    }
}
