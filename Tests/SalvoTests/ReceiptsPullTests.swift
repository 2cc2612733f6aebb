import Foundation
import Testing

/// `salvo receipts pull` against `salvo emulator --queue` as real processes on loopback: a sent
/// campaign's receipts taken from the queue while the puller is killed with SIGKILL again and
/// again, every receipt stored once and every message deleted, `status --json` equal to what the
/// emulator decided; a token that expires, deletes that fail, malformed messages, a wrong queue.
@Suite(.serialized) struct ReceiptsPullTests {
    static let keyId = "LTAI5tQueuePullKey001"
    static let secret = "MARKER-QUEUE-PULL-SECRET-5d1f"
    static let credentials = ["ALIBABA_CLOUD_ACCESS_KEY_ID": keyId, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": secret]
    static let reportQueue = "Alicom-Queue-1234567890123456-SmsReport"
    static let upQueue = "Alicom-Queue-1234567890123456-SmsUp"

    /// A campaign of `recipients` sent to an emulator that queues its receipts.
    struct Setup {
        let folder: String
        var campaign: String { folder + "/c.yaml" }
        var state: String { folder + "/state" }
        var record: String { folder + "/record.db" }
        let emulator: RunningSalvo
        let url: String

        init(recipients: Int, emulatorOptions: [String]) throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-pull-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let rows = (0..<recipients).map { "1392000\(String(format: "%04d", $0)),客户\($0)\n" }.joined()
            try ("phone,name\n" + rows).write(toFile: folder + "/m.csv", atomically: true, encoding: .utf8)
            try """
                version: 1
                campaign: pull-\(recipients)
                sign-name: 云杉商城
                template:
                  code: SMS_100
                  type: notification
                  content: "${name}您好，您的包裹已到驿站。"
                parameters:
                  name: { type: name, from: name }
                recipients:
                  from:
                    - csv: m.csv
                sending:
                  rate: 5000
                  concurrency: 4
                  batch-size: 50
                """.write(toFile: folder + "/c.yaml", atomically: true, encoding: .utf8)
            emulator = try RunningSalvo(["emulator", "--port", "0", "--record", folder + "/record.db", "--queue", "--report-delay-ms", "0"] + emulatorOptions,
                                        environment: ReceiptsPullTests.credentials)
            guard let first = emulator.firstLine(), first.hasPrefix("listening on ") else {
                _ = emulator.stop()
                throw CocoaError(.fileReadUnknown)
            }
            url = String(first.dropFirst("listening on ".count))
            let sent = try SalvoProcess.run(["run", folder + "/c.yaml", "--endpoint", url, "--state", folder + "/state", "--no-preflight"],
                                            environment: ReceiptsPullTests.credentials)
            guard sent.status == 0 else {
                _ = emulator.stop()
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: sent.all])
            }
        }

        func pullArguments(_ extra: [String] = []) -> [String] {
            ["receipts", "pull", "--queue", ReceiptsPullTests.reportQueue, "--state", state, "--dybase-endpoint", url, "--mns-endpoint", url, "--wait", "1"] + extra
        }

        func stats() throws -> [String: Any] {
            let outcome = try SalvoProcess.run(["emulator", "stats", "--record", record])
            return try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any], "\(outcome.all)")
        }

        func delivery() throws -> [String: Any] {
            let status = try SalvoProcess.run(["status", campaign, "--state", state, "--json"])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any], "\(status.all)")
            return try #require(object["delivery"] as? [String: Any], "\(status.stdout)")
        }
    }

    @Test func killedAgainAndAgainThePullStoresEveryReceiptOnceAndDeletesEveryMessage() throws {
        let setup = try Setup(recipients: 600, emulatorOptions: ["--report-fail-rate", "0.1", "--queue-visibility", "2"])
        defer { _ = setup.emulator.stop() }
        // Receipts are queued as the emulator decides them; wait until all 600 are there.
        let deadline = Date().addingTimeInterval(30)
        while (try setup.stats()["queued"] as? Int ?? 0) < 600, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        #expect(try setup.stats()["queued"] as? Int == 600)
        // Killed at a different moment each time, then started again.
        for delay in [0.3, 0.5, 0.2, 0.7, 0.4] {
            let puller = try RunningSalvo(setup.pullArguments(), environment: Self.credentials)
            Thread.sleep(forTimeInterval: delay)
            kill(puller.process.processIdentifier, SIGKILL)
            _ = puller.finish()
        }
        // What was taken but not deleted comes back after the 2 s visibility timeout.
        Thread.sleep(forTimeInterval: 2.5)
        let last = try SalvoProcess.run(setup.pullArguments(["--once"]), environment: Self.credentials, seconds: 120)
        #expect(last.status == 0, "\(last.all)")
        #expect(last.stdout.contains("pulled from \(Self.reportQueue):"), "\(last.stdout)")
        let stats = try setup.stats()
        #expect(stats["queueDeleted"] as? Int == 600, "every message deleted once: \(stats)")
        let delivery = try setup.delivery()
        #expect(delivery["delivered"] as? Int == stats["reportsDelivered"] as? Int, "\(delivery) \(stats)")
        #expect(delivery["failed"] as? Int == stats["reportsFailed"] as? Int, "\(delivery) \(stats)")
        #expect(delivery["waiting"] as? Int == 0, "\(delivery)")
        for text in [last.stdout, last.stderr] { #expect(!text.contains(Self.secret)) }
    }

    @Test func anExpiringTokenFailingDeletesAndMalformedMessagesLoseNothing() throws {
        let setup = try Setup(recipients: 200, emulatorOptions: ["--queue-token-lifetime", "2", "--queue-fail-deletes", "3", "--queue-malformed", "2",
                                                                "--queue-visibility", "1"])
        defer { _ = setup.emulator.stop() }
        let deadline = Date().addingTimeInterval(30)
        while (try setup.stats()["queued"] as? Int ?? 0) < 200, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        // Paced so that the 2 s token expires during the pull: --for bounds it.
        let pulled = try SalvoProcess.run(setup.pullArguments(["--for", "8s"]), environment: Self.credentials, seconds: 120)
        #expect(pulled.status == 0, "\(pulled.all)")
        #expect(pulled.stdout.contains("2 malformed"), "\(pulled.stdout)")
        let stats = try setup.stats()
        #expect(stats["queueDeleted"] as? Int == 202, "every message, the malformed too, deleted: \(stats)")
        let delivery = try setup.delivery()
        #expect(delivery["waiting"] as? Int == 0 && delivery["delivered"] as? Int == stats["reportsDelivered"] as? Int, "\(delivery) \(stats)")
        let unmatched = try SalvoProcess.run(["receipts", "unmatched", "--state", setup.state, "--json"])
        #expect(unmatched.stdout.contains("malformed-not-base64") || unmatched.stdout.contains("malformed-not-json"), "\(unmatched.stdout)")
    }

    @Test func aQueueThatDoesNotExistIsExit1AndAnUnreachableOne75() throws {
        let setup = try Setup(recipients: 3, emulatorOptions: [])
        defer { _ = setup.emulator.stop() }
        var arguments = setup.pullArguments(["--once"])
        arguments[3] = "Alicom-Queue-1234567890123456-NoSuchQueue"
        let missing = try SalvoProcess.run(arguments, environment: Self.credentials)
        #expect(missing.status == 1, "\(missing.all)")
        let unreachable = try SalvoProcess.run(["receipts", "pull", "--queue", Self.reportQueue, "--state", setup.state, "--once",
                                                "--dybase-endpoint", "http://127.0.0.1:9", "--mns-endpoint", "http://127.0.0.1:9"],
                                               environment: Self.credentials, seconds: 120)
        #expect(unreachable.status == 75, "\(unreachable.all)")
        for text in [missing.all, unreachable.all] { #expect(!text.contains(Self.secret)) }
    }
}
