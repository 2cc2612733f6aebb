import Foundation
import Testing

/// `salvo run` as users and cron run it: real processes against `salvo emulator` on loopback,
/// killed with SIGKILL, started twice at once, and searched for a marker secret.
@Suite(.serialized) struct RunCommandTests {
    static let keyId = "LTAI5tCrashTestKey"

    struct Setup {
        let folder: String
        let emulator: RunningSalvo
        let url: String
        let secret: String
        var campaign: String { folder + "/c.yaml" }
        var record: String { folder + "/record.db" }
        var state: String { folder + "/state" }
        var environment: [String: String] { ["ALIBABA_CLOUD_ACCESS_KEY_ID": RunCommandTests.keyId, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": secret] }

        init(recipients: Int, rate: Int, batchSize: Int, faults: [String] = [], secret: String = "crash-test-secret", schedule: String = "") throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-run-cli-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            self.secret = secret
            let rows = (0..<recipients).map { "1390000\(String(format: "%04d", $0)),客户\($0)\n" }.joined()
            try ("phone,name\n" + rows).write(toFile: folder + "/m.csv", atomically: true, encoding: .utf8)
            try """
                version: 1
                campaign: crash-test
                sign-name: 云杉商城
                template:
                  code: SMS_465012346
                  type: notification
                  content: "${name}您好，您的包裹已到驿站。"
                parameters:
                  name: { type: name, from: name }
                recipients:
                  from:
                    - csv: m.csv
                sending:
                  rate: \(rate)
                  concurrency: 4
                  batch-size: \(batchSize)
                \(schedule)
                """.write(toFile: folder + "/c.yaml", atomically: true, encoding: .utf8)
            emulator = try RunningSalvo(["emulator", "--port", "0", "--record", folder + "/record.db", "--seed", "9"] + faults,
                                        environment: ["ALIBABA_CLOUD_ACCESS_KEY_ID": RunCommandTests.keyId, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": secret])
            guard let first = emulator.firstLine(), first.hasPrefix("listening on ") else { throw CocoaError(.fileReadUnknown) }
            url = String(first.dropFirst("listening on ".count))
        }

        func run(_ extra: [String] = []) throws -> RunningSalvo {
            try RunningSalvo(["run", campaign, "--endpoint", url, "--state", state, "--grace-seconds", "0.3", "--retry-base", "0.01"] + extra, environment: environment)
        }

        func statistics() throws -> [String: Any] {
            let outcome = try SalvoProcess.run(["emulator", "stats", "--record", record])
            return (try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]) ?? [:]
        }
    }

    @Test func killedTwentyTimesItStillSendsEveryoneExactlyOnce() throws {
        let setup = try Setup(recipients: 1000, rate: 100, batchSize: 5, faults: ["--ambiguous-rate", "0.02"])
        var random = SystemRandomNumberGenerator()
        var kills = 0
        var finished = false
        var attempts = 0
        while !finished, attempts < 200 {
            attempts += 1
            let run = try setup.run()
            if kills < 20 {
                usleep(UInt32.random(in: 80_000...400_000, using: &random))
                if run.process.isRunning {
                    kill(run.process.processIdentifier, SIGKILL)
                    kills += 1
                }
            }
            _ = run.finish()
            if run.process.terminationReason == .exit, run.process.terminationStatus == 0 { finished = true }
        }
        #expect(kills >= 20, "the campaign finished before it could be killed 20 times")
        #expect(finished)
        let statistics = try setup.statistics()
        #expect(statistics["messages"] as? Int == 1000, "nobody left out")
        #expect(statistics["distinctNumbers"] as? Int == 1000)
        #expect(statistics["extraCopies"] as? Int == 0, "nobody got the message twice")
        let status = try SalvoProcess.run(["status", setup.campaign, "--state", setup.state, "--json"])
        #expect(status.stdout.contains("\"state\":\"done\""))
        _ = setup.emulator.stop()
    }

    @Test func twoRunsStartedAtOnceSendNothingTwice() throws {
        let setup = try Setup(recipients: 300, rate: 600, batchSize: 10)
        let first = try setup.run()
        let second = try setup.run()
        let outputs = [first.finish(), second.finish()]
        let statuses = [first.process.terminationStatus, second.process.terminationStatus].sorted()
        #expect(statuses == [0, 75], "one sends, the other leaves the campaign alone: \(outputs)")
        #expect(outputs.contains { $0.stderr.contains("another run holds campaign 'crash-test'") })
        let statistics = try setup.statistics()
        #expect(statistics["messages"] as? Int == 300 && statistics["extraCopies"] as? Int == 0)
        _ = setup.emulator.stop()
    }

    @Test func theSecretAppearsNowhere() throws {
        let marker = "MARKER-SECRET-7c6b5a4d3e"
        let setup = try Setup(recipients: 40, rate: 1000, batchSize: 10, faults: ["--throttle-rate", "0.2"], secret: marker)
        var written = ""
        let dry = try setup.run(["--dry-run"])
        let dryOutput = dry.finish()
        #expect(dry.process.terminationStatus == 0)
        #expect(dryOutput.stdout.contains("authorization: ACS3-HMAC-SHA256 Credential=\(Self.keyId)"), "a dry run prints the signed requests")
        written += dryOutput.stdout + dryOutput.stderr
        let run = try setup.run(["--json"])
        let runOutput = run.finish()
        #expect(run.process.terminationStatus == 0)
        written += runOutput.stdout + runOutput.stderr
        for command in [["status", setup.campaign, "--state", setup.state], ["report", setup.campaign, "--state", setup.state]] {
            let outcome = try SalvoProcess.run(command, environment: setup.environment)
            written += outcome.stdout + outcome.stderr
        }
        let report = try SalvoProcess.run(["report", setup.campaign, "--state", setup.state])
        #expect(report.stdout.split(separator: "\n").count == 41, "a header and one row per recipient")
        let emulatorOutput = setup.emulator.stop()
        written += emulatorOutput.stdout + emulatorOutput.stderr
        let files = FileManager.default.enumerator(atPath: setup.folder)?.allObjects.compactMap { $0 as? String } ?? []
        for file in files {
            written += String(decoding: FileManager.default.contents(atPath: setup.folder + "/" + file) ?? Data(), as: UTF8.self)
        }
        #expect(!written.contains(marker), "the secret reached an output or a file")
        let stateMode = (try FileManager.default.attributesOfItem(atPath: setup.state + "/crash-test")[.posixPermissions] as? NSNumber)?.intValue
        #expect(stateMode == 0o700)
        let planMode = (try FileManager.default.attributesOfItem(atPath: setup.state + "/crash-test/plan.jsonl")[.posixPermissions] as? NSNumber)?.intValue
        #expect(planMode == 0o600)
    }

    @Test func anUnreadableTrustFileIsAUsageError() throws {
        let outcome = try SalvoProcess.run(["run", "campaigns/order-shipped.yaml", "--state", NSTemporaryDirectory() + "salvo-ca-\(UUID().uuidString)"],
                                           environment: ["ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI5tCaKey", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "ca-secret",
                                                         "SALVO_CA_FILE": "/nonexistent/company-ca.pem"])
        #expect(outcome.status == 64)
        #expect(outcome.stderr.contains("SALVO_CA_FILE names '/nonexistent/company-ca.pem', which cannot be read"), "\(outcome.stderr)")
    }

    @Test func aReviewedPlanRunsAsWrittenAndAStaleOneIsRefused() throws {
        let setup = try Setup(recipients: 30, rate: 1000, batchSize: 10)
        let planPath = setup.folder + "/reviewed.plan"
        let plan = try SalvoProcess.run(["plan", setup.campaign, "--out", planPath])
        #expect(plan.status == 0)
        try ("phone,name\n" + (0..<31).map { "1390000\(String(format: "%04d", $0)),客户\($0)\n" }.joined()).write(toFile: setup.folder + "/m.csv", atomically: true, encoding: .utf8)
        let stale = try setup.run(["--plan", planPath])
        let staleOutput = stale.finish()
        #expect(stale.process.terminationStatus == 1)
        #expect(staleOutput.stderr.contains("recipient source m.csv changed: 1 recipient added, 0 removed"), "\(staleOutput.stderr)")
        #expect((try setup.statistics())["messages"] as? Int == 0)

        let fresh = try SalvoProcess.run(["plan", setup.campaign, "--out", planPath])
        #expect(fresh.status == 0)
        #expect(fresh.stderr.contains("What changed"))

        // A reviewed plan edited afterwards (a number changed by hand) is refused as well.
        let reviewed = try String(contentsOfFile: planPath, encoding: .utf8)
        try reviewed.replacingOccurrences(of: "\"13900000003\"", with: "\"13900000033\"").write(toFile: planPath, atomically: true, encoding: .utf8)
        let edited = try setup.run(["--plan", planPath])
        let editedOutput = edited.finish()
        #expect(edited.process.terminationStatus == 1)
        #expect(editedOutput.stderr.contains("edited or damaged"), "\(editedOutput.stderr)")
        #expect((try setup.statistics())["messages"] as? Int == 0)
        try reviewed.write(toFile: planPath, atomically: true, encoding: .utf8)

        let run = try setup.run(["--plan", planPath])
        _ = run.finish()
        #expect(run.process.terminationStatus == 0)
        #expect((try setup.statistics())["messages"] as? Int == 31)
        let report = try SalvoProcess.run(["report", setup.campaign, "--state", setup.state, "--receipts", "--endpoint", setup.url], environment: setup.environment)
        let lines = report.stdout.split(separator: "\n")
        #expect(lines.first == "phone,name,outcome,code,batch,out_id,biz_id,receipt,receipt_code,received_at,delivery,delivery_code,reported_at,country")
        #expect(lines.count == 32 && lines.dropFirst().allSatisfy { $0.contains(",sent,") && $0.contains(",delivered,DELIVERED,") }, "\(report.stdout)\(report.stderr)")
        _ = setup.emulator.stop()
    }

    @Test func reportsAreSafeInSpreadsheetsAndListEveryoneNotSent() throws {
        let setup = try Setup(recipients: 5, rate: 1000, batchSize: 10)
        let campaign = try String(contentsOfFile: setup.campaign, encoding: .utf8)
        try campaign.replacingOccurrences(of: "    - csv: m.csv\n", with: "    - csv: m.csv\n  invalid: skip\n").write(toFile: setup.campaign, atomically: true, encoding: .utf8)
        let rows = try String(contentsOfFile: setup.folder + "/m.csv", encoding: .utf8)
        // A duplicate of a recipient, and an invalid row (an empty name) of a number a later row
        // holds, are those recipients': they got the message and are not listed.
        try (rows + "13900009998,\"=cmd|' /C calc'!A0\"\n13900000001,又一次\n12345,坏号码\n13900009997,\n13900009997,后来\n").write(toFile: setup.folder + "/m.csv", atomically: true, encoding: .utf8)
        let run = try setup.run()
        _ = run.finish()
        #expect(run.process.terminationStatus == 0)

        let report = try SalvoProcess.run(["report", setup.campaign, "--state", setup.state])
        #expect(report.stdout.contains("13900009998,\"'=cmd|' /C calc'!A0\",sent,"), "\(report.stdout)")
        let raw = try SalvoProcess.run(["report", setup.campaign, "--state", setup.state, "--raw"])
        #expect(raw.stdout.contains("13900009998,=cmd|' /C calc'!A0,sent,"), "\(raw.stdout)")

        let out = setup.folder + "/not-sent.csv"
        let notSent = try SalvoProcess.run(["report", setup.campaign, "--state", setup.state, "--not-sent", "--out", out])
        #expect(notSent.status == 0, "\(notSent.stderr)")
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text == """
            phone,name,reason,code,source,line,batch,out_id
            12345,坏号码,invalid,recipient-phone-invalid,m.csv,9,,

            """, "\(text)")
        let mode = (try FileManager.default.attributesOfItem(atPath: out)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)
        _ = setup.emulator.stop()
    }
}
