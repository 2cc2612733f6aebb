import Foundation
import Testing

/// A hostile operator against the state folder: links planted where salvo writes, folders of
/// another user or open to everyone, state that cannot be read. The link cases run as an
/// unprivileged user (`runuser -u nobody`), as an attacker sharing a machine would.
@Suite(.serialized) struct StateFolderSafetyTests {
    /// A campaign readable by everyone, in a folder of its own; `state` is where its state goes.
    struct Setup {
        let folder: String
        var campaign: String { folder + "/c.yaml" }
        var state: String { folder + "/state" }
        /// A file the attacker wants overwritten, owned by the user under test.
        var victim: String { folder + "/victim.txt" }

        init(type: String = "notification") throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-hostile-state-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            chmod(folder, 0o755)
            try "phone,name\n13900000001,王\n13900000002,李\n".write(toFile: folder + "/m.csv", atomically: true, encoding: .utf8)
            try """
                version: 1
                campaign: crash-test
                sign-name: 云杉商城
                template:
                  code: SMS_465012346
                  type: \(type)
                  content: "${name}您好，您的包裹已到驿站。\(type == "promotional" ? "拒收请回复R" : "")"
                parameters:
                  name: { type: name, from: name }
                recipients:
                  from:
                    - csv: m.csv
                """.write(toFile: campaign, atomically: true, encoding: .utf8)
            for name in ["m.csv", "c.yaml"] { chmod(folder + "/" + name, 0o644) }
            try "precious\n".write(toFile: victim, atomically: true, encoding: .utf8)
        }

        /// Makes `path` (and what is below it) belong to `nobody`.
        func giveToNobody(_ path: String) throws {
            let outcome = try StateFolderSafetyTests.command("/bin/chown", ["-R", "nobody:nogroup", path])
            #expect(outcome.status == 0, "\(outcome.all)")
        }

        var victimText: String { (try? String(contentsOfFile: victim, encoding: .utf8)) ?? "" }

        /// `salvo run` that would fail on the network if it ever got that far.
        var runArguments: [String] { ["run", campaign, "--state", state, "--endpoint", "http://127.0.0.1:9"] }
    }

    static let credentials = ["ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI5tHostileKey", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "hostile-secret"]

    /// Runs a program (not salvo) and waits for it.
    static func command(_ path: String, _ arguments: [String]) throws -> SalvoProcess.Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return SalvoProcess.Outcome(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// `salvo` as the user `nobody`, through runuser (the tests run as root).
    static func asNobody(_ arguments: [String]) throws -> SalvoProcess.Outcome {
        let environment = credentials.merging(["HOME": "/tmp", "PATH": "/usr/bin:/bin"]) { _, new in new }
        return try command("/usr/sbin/runuser", ["-u", "nobody", "--", "/usr/bin/env", "-i"] + environment.map { "\($0.key)=\($0.value)" } + [SalvoProcess.binary] + arguments)
    }

    // MARK: - Links planted in a state folder of one's own

    @Test func aLockLinkIsRefusedAndItsTargetUntouched() throws {
        let setup = try Setup()
        try FileManager.default.createDirectory(atPath: setup.state + "/crash-test", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: setup.state + "/crash-test/lock", withDestinationPath: setup.victim)
        try setup.giveToNobody(setup.folder)
        for arguments in [setup.runArguments, ["state", "reset", setup.campaign, "--state", setup.state]] {
            let outcome = try Self.asNobody(arguments)
            #expect(outcome.status == 1, "\(arguments[0]): \(outcome.all)")
            #expect(outcome.stderr.contains("crash-test/lock' is a symbolic link"), "\(outcome.stderr)")
            #expect(setup.victimText == "precious\n", "the link's target was written through")
        }
    }

    @Test func aStateDatabaseLinkIsRefusedAndNothingIsCreatedElsewhere() throws {
        let setup = try Setup()
        try FileManager.default.createDirectory(atPath: setup.state + "/crash-test", withIntermediateDirectories: true)
        let elsewhere = setup.folder + "/elsewhere.db"
        try FileManager.default.createSymbolicLink(atPath: setup.state + "/crash-test/state.db", withDestinationPath: elsewhere)
        try setup.giveToNobody(setup.folder)
        for arguments in [setup.runArguments, ["status", setup.campaign, "--state", setup.state]] {
            let outcome = try Self.asNobody(arguments)
            #expect(outcome.status == 1, "\(arguments[0]): \(outcome.all)")
            #expect(outcome.stderr.contains("state.db' is a symbolic link"), "\(outcome.stderr)")
            #expect(!FileManager.default.fileExists(atPath: elsewhere))
        }
    }

    @Test func aReceiptsFolderLinkIsRefused() throws {
        let setup = try Setup(type: "promotional")
        let open = setup.folder + "/open"
        try FileManager.default.createDirectory(atPath: open, withIntermediateDirectories: true)
        chmod(open, 0o755)
        try FileManager.default.createDirectory(atPath: setup.state, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: setup.state + "/.receipts", withDestinationPath: open)
        try setup.giveToNobody(setup.folder)
        // A promotional plan reads the suppression list; a replies database would be made there.
        for arguments in [setup.runArguments, ["suppression", "export", "--state", setup.state]] {
            let outcome = try Self.asNobody(arguments)
            #expect(outcome.status == 1, "\(arguments[0]): \(outcome.all)")
            #expect(outcome.stderr.contains(".receipts' is a symbolic link"), "\(outcome.stderr)")
        }
        #expect((try FileManager.default.contentsOfDirectory(atPath: open)).isEmpty, "nothing written through the link")
    }

    @Test func aCampaignFolderSwappedForALinkIsRefused() throws {
        let setup = try Setup()
        let theirs = setup.folder + "/theirs"
        try FileManager.default.createDirectory(atPath: theirs, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: setup.state, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: setup.state + "/crash-test", withDestinationPath: theirs)
        try setup.giveToNobody(setup.folder)
        let outcome = try Self.asNobody(setup.runArguments)
        #expect(outcome.status == 1, "\(outcome.all)")
        #expect(outcome.stderr.contains("crash-test' is a symbolic link"), "\(outcome.stderr)")
        #expect((try FileManager.default.contentsOfDirectory(atPath: theirs)).isEmpty, "no plan written into the link's target")
    }

    @Test func aStateDatabaseThisUserMayNotOpenIsNeverPutAside() throws {
        let setup = try Setup()
        let folder = setup.state + "/crash-test"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "not for nobody".write(toFile: folder + "/state.db", atomically: true, encoding: .utf8)
        try setup.giveToNobody(setup.folder)
        // The campaign's folder is nobody's; its state.db is root's and closed to others.
        _ = try Self.command("/bin/chown", ["root:root", folder + "/state.db"])
        chmod(folder + "/state.db", 0o600)
        for arguments in [["state", "reset", setup.campaign, "--state", setup.state], ["status", setup.campaign, "--state", setup.state], setup.runArguments] {
            let outcome = try Self.asNobody(arguments)
            #expect(outcome.status == 1 && outcome.stderr.contains("state.db': Permission denied"), "\(arguments[0]): \(outcome.all)")
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(Set(left).isSubset(of: ["state.db", "lock"]), "nothing put aside, no plan made: \(left)")
    }

    @Test func receiptsServeWorksForAnUnprivilegedUserAndChecksItsFolderFirst() throws {
        let setup = try Setup()
        try FileManager.default.createDirectory(atPath: setup.state, withIntermediateDirectories: true)
        chmod(setup.state, 0o700)
        try setup.giveToNobody(setup.folder)
        // A receiver as nobody answers a push (a socket option only root may set closed every
        // connection of a non-root receiver and emulator before).
        let receiver = Process()
        receiver.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
        receiver.arguments = ["-u", "nobody", "--", SalvoProcess.binary, "receipts", "serve", "--state", setup.state, "--port", "0", "--token", "a-token-of-sixteen-plus"]
        let out = Pipe()
        receiver.standardOutput = out
        receiver.standardError = FileHandle.nullDevice
        try receiver.run()
        defer { if receiver.isRunning { kill(receiver.processIdentifier, SIGKILL) } }
        let line = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        let port = try #require(line.split(separator: "\n").first.flatMap { Int($0.split(separator: ":").last ?? "") }, "\(line)")
        let client = try #require(LoopbackClient(port: port))
        #expect(client.send(LoopbackClient.post("/a-token-of-sixteen-plus/sms-report", "[]")))
        #expect(client.receive().statusLine == "HTTP/1.1 200 OK")
        // runuser does not pass a signal on: the receiver (its child) is stopped itself, and
        // drains and exits 0, which runuser then exits with.
        let parent = receiver.processIdentifier
        let child = try String(contentsOfFile: "/proc/\(parent)/task/\(parent)/children", encoding: .utf8).split(separator: " ").first.flatMap { Int32($0) }
        kill(try #require(child), SIGTERM)
        receiver.waitUntilExit()
        #expect(receiver.terminationStatus == 0)
        // A state folder others may write to stops the receiver before it listens, and
        // 'receipts unmatched' reads nothing from it.
        _ = try Self.command("/bin/chown", ["-R", "root:root", setup.folder])
        chmod(setup.state, 0o777)
        for arguments in [["receipts", "serve", "--state", setup.state, "--port", "0", "--token", "a-token-of-sixteen-plus"], ["receipts", "unmatched", "--state", setup.state]] {
            let outcome = try SalvoProcess.run(arguments, seconds: 30)
            #expect(outcome.status == 1 && outcome.stderr.contains("chmod 700") && !outcome.timedOut, "\(arguments[1]): \(outcome.all)")
        }
    }

    // MARK: - Folders someone else could write to

    @Test func aStateFolderOfAnotherUserIsRefusedWithTheFix() throws {
        let setup = try Setup()
        try FileManager.default.createDirectory(atPath: setup.state + "/crash-test", withIntermediateDirectories: true)
        try setup.giveToNobody(setup.state)
        // Root runs salvo on a folder that nobody (another user) owns and could fill with links.
        let environment = Self.credentials
        for arguments in [setup.runArguments, ["status", setup.campaign, "--state", setup.state], ["state", "reset", setup.campaign, "--state", setup.state]] {
            let outcome = try SalvoProcess.run(arguments, environment: environment)
            #expect(outcome.status == 1, "\(arguments[0]): \(outcome.all)")
            #expect(outcome.stderr.contains("belongs to nobody") && outcome.stderr.contains("chown"), "\(outcome.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: setup.state + "/crash-test/lock"))
    }

    @Test(arguments: [0o777, 0o770, 0o1777])
    func aStateFolderOthersCanWriteToIsRefusedWithTheFix(mode: Int) throws {
        let setup = try Setup()
        try FileManager.default.createDirectory(atPath: setup.state, withIntermediateDirectories: true)
        chmod(setup.state, mode_t(mode))
        let outcome = try SalvoProcess.run(setup.runArguments, environment: Self.credentials)
        #expect(outcome.status == 1, "\(outcome.all)")
        #expect(outcome.stderr.contains("chmod 700 \(setup.state)"), "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: setup.state + "/crash-test"), "nothing made in it")
    }

    @Test func aCampaignFolderOthersCanWriteToIsRefused() throws {
        let setup = try Setup()
        try FileManager.default.createDirectory(atPath: setup.state + "/crash-test", withIntermediateDirectories: true)
        chmod(setup.state, 0o700)
        chmod(setup.state + "/crash-test", 0o777)
        let outcome = try SalvoProcess.run(["status", setup.campaign, "--state", setup.state, "--json"], environment: Self.credentials)
        #expect(outcome.status == 1, "\(outcome.all)")
        #expect(outcome.stderr.contains("chmod 700 \(setup.state)/crash-test"), "\(outcome.stderr)")
    }

    // MARK: - State that cannot be read

    @Test func unreadableStateIsAnErrorNeverNotStarted() throws {
        let setup = try Setup()
        try FileManager.default.createDirectory(atPath: setup.state + "/crash-test", withIntermediateDirectories: true)
        chmod(setup.state, 0o700)
        // The folder is root's; nobody runs the commands.
        let status = try Self.asNobody(["status", setup.campaign, "--state", setup.state])
        #expect(status.status == 1 && status.stderr.contains("Permission denied") && !status.stdout.contains("not started"), "\(status.all)")
        let json = try Self.asNobody(["status", setup.campaign, "--state", setup.state, "--json"])
        #expect(json.status == 1, "\(json.all)")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["state"] as? String == "error" && (object?["error"] as? String)?.contains("Permission denied") == true, "\(json.stdout)")
        let reset = try Self.asNobody(["state", "reset", setup.campaign, "--state", setup.state])
        #expect(reset.status == 1 && reset.stderr.contains("Permission denied"), "\(reset.all)")
        let run = try Self.asNobody(setup.runArguments)
        #expect(run.status == 1 && run.stderr.contains("Permission denied") && !run.stderr.contains("cannot create"), "\(run.all)")
        let report = try Self.asNobody(["report", setup.campaign, "--state", setup.state])
        #expect(report.status == 1 && report.stderr.contains("Permission denied"), "\(report.all)")
    }
}
