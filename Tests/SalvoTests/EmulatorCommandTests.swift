import AliyunSMS
import Foundation
import Testing

/// `salvo emulator` as a process: its first line, what it records, and that a marker secret never
/// appears in anything it writes.
@Suite struct EmulatorCommandTests {
    static let marker = "MARKER-SECRET-0d1e2f3a4b"

    @Test func servesRecordsAndKeepsTheSecretToItself() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-emu-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let record = folder + "/record.db"
        let emulator = try RunningSalvo(["emulator", "--port", "0", "--record", record, "--campaign", "campaigns/order-shipped.yaml"],
                                        environment: ["ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI5tMarkerKeyId", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": Self.marker])
        let first = try #require(emulator.firstLine())
        #expect(first.hasPrefix("listening on http://127.0.0.1:"))
        let url = String(first.dropFirst("listening on ".count))

        let transport = HTTPClientTransport()
        for (secret, expected) in [(Self.marker, "OK"), ("wrong-secret", "SignatureDoesNotMatch")] {
            for scheme in SignatureScheme.allCases {
                let client = SMSClient(signer: RequestSigner(credentials: Credentials(accessKeyId: "LTAI5tMarkerKeyId", accessKeySecret: secret), endpoint: try Endpoint(url: url), scheme: scheme), transport: transport)
                let operation = try SMSOperation.sendSms(phoneNumbers: ["13800138000"], signName: "云杉商城", templateCode: "SMS_465012346",
                                                         templateParameters: ["name": "张伟", "order_no": "A1", "ship_date": "3月4日", "carrier": "顺丰"], outId: "t:\(scheme)")
                do {
                    let response = try await client.send(operation)
                    #expect(response.code == expected)
                } catch {
                    #expect(error.code == expected)
                }
            }
        }
        await transport.shutdown()
        let output = emulator.stop()
        let stats = try SalvoProcess.run(["emulator", "stats", "--record", record])
        #expect(stats.status == 0)
        let counts = try #require(try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
        #expect(counts["messages"] as? Int == 2)
        #expect(counts["numbersRecordedMoreThanOnce"] as? Int == 1)

        var written = output.stdout + output.stderr + stats.stdout + stats.stderr
        for file in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            written += String(decoding: FileManager.default.contents(atPath: folder + "/" + file) ?? Data(), as: UTF8.self)
        }
        #expect(!written.contains(Self.marker), "the secret leaked into the emulator's output or record")
    }

    @Test(arguments: ["1.5", "SMS_1=2", "SMS_x=0.5", "=0.5", "rate"])
    func aBadReportFailRateIsAUsageError(_ value: String) throws {
        let outcome = try SalvoProcess.run(["emulator", "--port", "0", "--report-fail-rate", value],
                                           environment: ["ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI5tRateKey", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "rate-secret"])
        #expect(outcome.status == 64, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("--report-fail-rate"))
    }

    @Test func withoutAKeyPairItSaysWhatToSet() throws {
        let outcome = try SalvoProcess.run(["emulator", "--port", "0"])
        #expect(outcome.status == 64)
        #expect(outcome.stderr.contains("ALIBABA_CLOUD_ACCESS_KEY_ID"))
    }
}
