import Foundation
import Testing

/// `salvo run` preflighting its plan before the first send, as real processes against
/// `salvo emulator --config` on loopback: a refusal with the findings and nothing sent,
/// `--no-preflight`, the record in the state, a resume within a day that does not ask again, a
/// provider that cannot be asked.
@Suite(.serialized) struct RunPreflightTests {
    static let credentials = PreflightCommandTests.credentials
    static let content = "${name}您好，您的包裹已到驿站。"

    /// The account's template SMS_100: approved as the file says, rejected, or approved with
    /// other wording (which sends accept, and a preflight refuses).
    enum Account: String {
        case approved, rejected, otherWording

        var json: String {
            let template = switch self {
            case .approved: #"{"code": "SMS_100", "content": "\#(RunPreflightTests.content)", "type": "notification"}"#
            case .rejected: #"{"code": "SMS_100", "content": "\#(RunPreflightTests.content)", "type": "notification", "status": "rejected", "rejectInfo": "模板内容含营销信息"}"#
            case .otherWording: #"{"code": "SMS_100", "content": "${name}您好，您的快递已到驿站。", "type": "notification"}"#
            }
            return #"{"signs": [{"name": "云杉商城"}], "templates": [\#(template)]}"#
        }
    }

    /// A scratch folder: a campaign of `recipients` at `rate`, one per request, its state, and
    /// the emulator's record (kept across emulators).
    struct Setup {
        let folder: String
        var campaign: String { folder + "/c.yaml" }
        var record: String { folder + "/record.db" }
        var state: String { folder + "/state" }

        init(recipients: Int = 3, rate: Int = 100) throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-run-preflight-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let rows = (0..<recipients).map { "1390000\(String(format: "%04d", $0)),客户\($0)\n" }.joined()
            try ("phone,name\n" + rows).write(toFile: folder + "/m.csv", atomically: true, encoding: .utf8)
            try """
                version: 1
                campaign: run-preflight
                sign-name: 云杉商城
                template:
                  code: SMS_100
                  type: notification
                  content: "\(RunPreflightTests.content)"
                parameters:
                  name: { type: name, from: name }
                recipients:
                  from:
                    - csv: m.csv
                sending:
                  rate: \(rate)
                  concurrency: 1
                  batch-size: 1
                """.write(toFile: campaign, atomically: true, encoding: .utf8)
        }

        /// An emulator answering as `account` says, recording in `record`; its URL.
        func emulator(_ account: Account, _ extra: [String] = []) throws -> (RunningSalvo, String) {
            let path = folder + "/\(account.rawValue).json"
            try account.json.write(toFile: path, atomically: true, encoding: .utf8)
            let emulator = try RunningSalvo(["emulator", "--port", "0", "--record", record, "--config", path] + extra, environment: RunPreflightTests.credentials)
            guard let first = emulator.firstLine(), first.hasPrefix("listening on ") else {
                _ = emulator.stop()
                throw CocoaError(.fileReadUnknown)
            }
            return (emulator, String(first.dropFirst("listening on ".count)))
        }

        func run(_ url: String, _ extra: [String] = []) throws -> SalvoProcess.Outcome {
            try SalvoProcess.run(["run", campaign, "--endpoint", url, "--state", state, "--grace-seconds", "0.3", "--retry-base", "0.01"] + extra,
                                 environment: RunPreflightTests.credentials, seconds: 120)
        }

        func started(_ url: String) throws -> RunningSalvo {
            try RunningSalvo(["run", campaign, "--endpoint", url, "--state", state, "--grace-seconds", "0.3", "--retry-base", "0.01"], environment: RunPreflightTests.credentials)
        }

        /// What the emulator's record counts as sent.
        func messages() throws -> Int {
            let outcome = try SalvoProcess.run(["emulator", "stats", "--record", record])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any], "\(outcome.all)")
            return try #require(object["messages"] as? Int)
        }

        func status(json: Bool = false) throws -> String {
            try SalvoProcess.run(["status", campaign, "--state", state] + (json ? ["--json"] : [])).stdout
        }
    }

    @Test func aRejectedTemplateRefusesTheRunWithTheFindingsAndNothingIsSent() throws {
        let setup = try Setup()
        let (emulator, url) = try setup.emulator(.rejected)
        defer { _ = emulator.stop() }
        let outcome = try setup.run(url)
        #expect(outcome.status == 1, "\(outcome.all)")
        // The findings as `salvo preflight` renders them, located in the file.
        #expect(outcome.stderr.contains("c.yaml:5:"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("template-not-approved") && outcome.stderr.contains("模板内容含营销信息"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("salvo: error: the account disagrees with the campaign (preflight of 1 sign name, 1 template: 1 error"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("nothing was sent"))
        #expect(try setup.messages() == 0)
        let status = try setup.status()
        #expect(status.contains("  preflight of 1 sign name, 1 template: 1 error, 0 warnings (template-not-approved)"), "\(status)")
        // Asked again (a failed preflight does not stand), refused again.
        let again = try setup.run(url, ["--json"])
        #expect(again.status == 1)
        #expect(again.stdout.contains(#""event":"preflight""#) && again.stderr.contains("template-not-approved"), "\(again.all)")
        #expect(try setup.messages() == 0)
    }

    @Test func noPreflightSendsAndRecordsTheSkip() throws {
        let setup = try Setup()
        let (emulator, url) = try setup.emulator(.otherWording)
        defer { _ = emulator.stop() }
        let outcome = try setup.run(url, ["--no-preflight"])
        #expect(outcome.status == 0, "\(outcome.all)")
        #expect(outcome.stderr.contains("preflight skipped (--no-preflight)") && !outcome.stderr.contains("template-content-differs"), "\(outcome.stderr)")
        #expect(try setup.messages() == 3)
        #expect(try setup.status().contains("  preflight: skipped (--no-preflight) ("))
    }

    @Test func anAgreeingAccountSendsAndTheRunRecordsItsPreflight() throws {
        let setup = try Setup()
        let (emulator, url) = try setup.emulator(.approved)
        defer { _ = emulator.stop() }
        let outcome = try setup.run(url)
        #expect(outcome.status == 0, "\(outcome.all)")
        #expect(outcome.stderr.contains("preflight of 1 sign name, 1 template: the account agrees"), "\(outcome.stderr)")
        #expect(try setup.messages() == 3)
        #expect(try setup.status().contains("  preflight of 1 sign name, 1 template: the account agrees ("))
        let json = try setup.status(json: true)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], "\(json)")
        let preflight = try #require(object["preflight"] as? [String: Any], "status --json carries the run's preflight: \(json)")
        #expect(preflight["result"] as? String == "preflight of 1 sign name, 1 template: the account agrees" && preflight["at"] is Double, "\(json)")
    }

    @Test func anEmulatorAcceptingAnyTemplateWarnsThatTheWordingWasNotComparedAndSends() throws {
        let setup = try Setup()
        let emulator = try RunningSalvo(["emulator", "--port", "0", "--record", setup.record], environment: Self.credentials)
        defer { _ = emulator.stop() }
        let url = try #require(emulator.firstLine()).replacingOccurrences(of: "listening on ", with: "")
        let outcome = try setup.run(url)
        #expect(outcome.status == 0, "\(outcome.all)")
        #expect(outcome.stderr.contains("warning") && outcome.stderr.contains("the account gave no content for template 'SMS_100'; its wording was not compared"), "\(outcome.stderr)")
        #expect(try setup.messages() == 3)
    }

    @Test func aResumeWithinADayDoesNotAskAgain() throws {
        let setup = try Setup(recipients: 30, rate: 1)
        var (emulator, url) = try setup.emulator(.approved)
        let first = try setup.started(url)
        let deadline = Date().addingTimeInterval(30)
        while ((try? setup.messages()) ?? 0) < 2, Date() < deadline { usleep(100_000) }
        #expect(RunLifecycleTests.terminate(first))
        let firstOutput = first.finish()
        #expect(first.process.terminationStatus == 75, "\(firstOutput.stderr)")
        #expect(firstOutput.stderr.contains("the account agrees"), "\(firstOutput.stderr)")
        let sent = try setup.messages()
        _ = emulator.stop()
        // The account now disagrees: a preflight would refuse (shown by `salvo preflight`), but
        // the resume does not ask, and sends on.
        (emulator, url) = try setup.emulator(.otherWording)
        defer { _ = emulator.stop() }
        let asked = try SalvoProcess.run(["preflight", "--endpoint", url, setup.campaign], environment: Self.credentials, seconds: 120)
        #expect(asked.status == 1 && asked.stdout.contains("template-content-differs"), "\(asked.all)")
        let resumed = try setup.started(url)
        usleep(2_500_000)
        #expect(RunLifecycleTests.terminate(resumed))
        let output = resumed.finish()
        #expect(output.stderr.contains("preflight: not asked again, the account was asked less than an hour ago"), "\(output.stderr)")
        #expect(!output.stderr.contains("template-content-differs"), "\(output.stderr)")
        #expect(try setup.messages() > sent, "the resume sent more")
    }

    @Test func aProviderThatCannotBeAskedExits75WithNothingSent() throws {
        let setup = try Setup()
        let closed = try setup.run("http://127.0.0.1:\(SalvoProcess.closedLoopbackPort())")
        #expect(closed.status == 75, "\(closed.all)")
        #expect(closed.stderr.contains("preflight could not ask"), "\(closed.stderr)")
        let (emulator, url) = try setup.emulator(.approved, ["--throttle-rate", "1"])
        defer { _ = emulator.stop() }
        let throttled = try setup.run(url)
        #expect(throttled.status == 75, "\(throttled.all)")
        #expect(throttled.stderr.contains("preflight could not ask") && throttled.stderr.contains("nothing was sent"), "\(throttled.stderr)")
        #expect(try setup.messages() == 0)
        #expect(try setup.status(json: true).contains(#""sent":0"#))
    }
}
