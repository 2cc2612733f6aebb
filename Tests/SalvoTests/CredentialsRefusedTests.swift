import Foundation
import Testing

/// `salvo run` with an access key the provider refuses, as cron runs it: real processes against
/// `salvo emulator` on loopback. A refused key is exit 1 (fix the key), never 75 (run again), and
/// the message names the masked key id and what to check, never the secret.
@Suite(.serialized) struct CredentialsRefusedTests {
    static let emulatorKeyId = "LTAI5tEmulatorKeyab12"
    static let emulatorSecret = "MARKER-EMULATOR-SECRET-5f4e3d"

    struct Setup {
        let folder: String
        let emulator: RunningSalvo
        let url: String
        var campaign: String { folder + "/c.yaml" }
        var state: String { folder + "/state" }

        init(faults: [String] = []) throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-key-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let rows = (0..<30).map { "1390000\(String(format: "%04d", $0)),客户\($0)\n" }.joined()
            try ("phone,name\n" + rows).write(toFile: folder + "/m.csv", atomically: true, encoding: .utf8)
            try """
                version: 1
                campaign: key-test
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
                  rate: 100
                  concurrency: 2
                  batch-size: 10
                """.write(toFile: folder + "/c.yaml", atomically: true, encoding: .utf8)
            emulator = try RunningSalvo(["emulator", "--port", "0", "--record", folder + "/record.db"] + faults,
                                        environment: ["ALIBABA_CLOUD_ACCESS_KEY_ID": CredentialsRefusedTests.emulatorKeyId,
                                                      "ALIBABA_CLOUD_ACCESS_KEY_SECRET": CredentialsRefusedTests.emulatorSecret])
            guard let first = emulator.firstLine(), first.hasPrefix("listening on ") else { throw CocoaError(.fileReadUnknown) }
            url = String(first.dropFirst("listening on ".count))
        }

        func run(keyId: String, secret: String, extra: [String] = []) throws -> SalvoProcess.Outcome {
            try SalvoProcess.run(["run", campaign, "--endpoint", url, "--state", state] + extra,
                                 environment: ["ALIBABA_CLOUD_ACCESS_KEY_ID": keyId, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": secret], seconds: 120)
        }

        func messages() throws -> Int? {
            let outcome = try SalvoProcess.run(["emulator", "stats", "--record", folder + "/record.db"])
            return (try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])?["messages"] as? Int
        }
    }

    @Test func aWrongSecretIsExit1NamingTheMaskedKeyAndNeverTheSecret() throws {
        let setup = try Setup()
        defer { _ = setup.emulator.stop() }
        let wrong = "MARKER-WRONG-SECRET-9a8b7c"
        let outcome = try setup.run(keyId: Self.emulatorKeyId, secret: wrong)
        #expect(!outcome.timedOut)
        #expect(outcome.status == 1, "a refused key is not 'run again': \(outcome.all)")
        #expect(outcome.stderr.contains("LTAI****ab12"), "names the masked key id: \(outcome.stderr)")
        #expect(outcome.stderr.contains("SignatureDoesNotMatch") && outcome.stderr.contains("ALIBABA_CLOUD_ACCESS_KEY_SECRET"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("dysms:SendBatchSms"), "says what to check: \(outcome.stderr)")
        #expect(!outcome.all.contains(wrong) && !outcome.all.contains(Self.emulatorSecret), "the secret appears nowhere")
        #expect(!outcome.all.contains(Self.emulatorKeyId), "the key id only masked")
        #expect(!outcome.all.contains("run again"), "\(outcome.all)")
        #expect(try setup.messages() == 0)
        // The state says why, for `status`.
        let status = try SalvoProcess.run(["status", setup.campaign, "--state", setup.state, "--json"])
        #expect(status.stdout.contains("LTAI****ab12"), "\(status.all)")
        #expect(!status.all.contains(wrong))

        // With JSON output the same.
        let json = try setup.run(keyId: Self.emulatorKeyId, secret: wrong, extra: ["--json"])
        #expect(json.status == 1, "\(json.all)")
        #expect(json.stderr.contains("LTAI****ab12") && !json.all.contains(wrong))

        // The key fixed, the same state sends everyone.
        let fixed = try setup.run(keyId: Self.emulatorKeyId, secret: Self.emulatorSecret)
        #expect(fixed.status == 0, "\(fixed.all)")
        #expect(try setup.messages() == 30)
    }

    @Test func anUnknownKeyIdIsExit1NamingIt() throws {
        let setup = try Setup()
        defer { _ = setup.emulator.stop() }
        let outcome = try setup.run(keyId: "LTAI5tSomebodyElsezz99", secret: Self.emulatorSecret)
        #expect(outcome.status == 1, "\(outcome.all)")
        #expect(outcome.stderr.contains("LTAI****zz99") && outcome.stderr.contains("InvalidAccessKeyId.NotFound"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("ALIBABA_CLOUD_ACCESS_KEY_ID"), "\(outcome.stderr)")
        #expect(!outcome.all.contains(Self.emulatorSecret))
        #expect(try setup.messages() == 0)
    }

    @Test func aProviderThatCannotAnswerIsStillExit75() throws {
        // Every request answered 503 ServiceUnavailable: that may pass by itself.
        let setup = try Setup(faults: ["--unavailable-rate", "1"])
        defer { _ = setup.emulator.stop() }
        let outcome = try setup.run(keyId: Self.emulatorKeyId, secret: Self.emulatorSecret)
        #expect(outcome.status == 75, "\(outcome.all)")
        #expect(outcome.stderr.contains("could not ask"), "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("refused the AccessKey"))
        #expect(try setup.messages() == 0)
    }
}
