import Foundation
import Testing

/// An international campaign as cron runs it: `salvo run` against `salvo emulator` (which learned
/// the campaign's international template and enforces its rules), killed with SIGKILL, resumed;
/// everyone in Hong Kong, Singapore and the UK gets one message, in the form the provider takes,
/// and `status` counts each country.
@Suite(.serialized) struct InternationalRunCommandTests {
    static let keyId = "LTAI5tIntlRunKey"
    static let secret = "intl-run-secret"
    static var environment: [String: String] { ["ALIBABA_CLOUD_ACCESS_KEY_ID": keyId, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": secret] }

    /// Recipients in every written form, each country in turn: `+852 5…`, `0065 8…`,
    /// `+44 (0)7700 9…` and bare Hong Kong national numbers (the default country).
    static func rows(_ count: Int) -> [(written: String, provider: String)] {
        (0..<count).map { index in
            let tail = String(format: "%03d", index % 1000)
            switch index % 4 {
            case 0: return ("+852 5\(String(format: "%03d", index / 1000)) 4\(tail)", "8525\(String(format: "%03d", index / 1000))4\(tail)")
            case 1: return ("0065 8\(String(format: "%03d", index / 1000)) 4\(tail)", "658\(String(format: "%03d", index / 1000))4\(tail)")
            case 2: return ("+44 (0)7700 9\(String(format: "%02d", index / 1000))\(tail)", "4477009\(String(format: "%02d", index / 1000))\(tail)")
            default: return ("6\(String(format: "%03d", index / 1000)) 5\(tail)", "8526\(String(format: "%03d", index / 1000))5\(tail)")
            }
        }
    }

    @Test func killedAndResumedItSendsEveryCountryExactlyOnce() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-intl-run-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let recipients = Self.rows(800)
        let names = ["Ann", "Zoë", "李娜", "Bob"]
        try ("phone,name\n" + recipients.enumerated().map { "\"\($1.written)\",\(names[$0 % names.count]) \($0)\n" }.joined())
            .write(toFile: folder + "/m.csv", atomically: true, encoding: .utf8)
        try """
            version: 1
            campaign: intl-crash-test
            sign-name: Yunshan
            template:
              code: SMS_465012390
              type: notification
              destination: international
              content: "Hi ${name}, your parcel is on its way."
            parameters:
              name: { type: name, from: name }
            recipients:
              from:
                - csv: m.csv
              default-country: HK
            sending:
              rate: 100
              concurrency: 4
              batch-size: 5
              price-per-segment: { "852": 0.3, "65": 0.2, default: 0.1 }
            """.write(toFile: folder + "/c.yaml", atomically: true, encoding: .utf8)
        let emulator = try RunningSalvo(["emulator", "--port", "0", "--record", folder + "/record.db", "--seed", "27", "--campaign", folder + "/c.yaml",
                                         "--ambiguous-rate", "0.02"], environment: Self.environment)
        defer { _ = emulator.stop() }
        let first = try #require(emulator.firstLine())
        let url = String(first.dropFirst("listening on ".count))
        let state = folder + "/state"

        var kills = 0
        var finished = false
        var attempts = 0
        var random = SystemRandomNumberGenerator()
        while !finished, attempts < 100 {
            attempts += 1
            let run = try RunningSalvo(["run", folder + "/c.yaml", "--endpoint", url, "--state", state, "--grace-seconds", "0.3", "--retry-base", "0.01"],
                                       environment: Self.environment)
            if kills < 8 {
                usleep(UInt32.random(in: 100_000...500_000, using: &random))
                if run.process.isRunning {
                    kill(run.process.processIdentifier, SIGKILL)
                    kills += 1
                }
            }
            let output = run.finish()
            if run.process.terminationReason == .exit {
                #expect(run.process.terminationStatus == 0, "\(output.stderr)")
                finished = run.process.terminationStatus == 0
            }
        }
        #expect(kills >= 8, "the campaign finished before it could be killed 8 times")
        #expect(finished)

        let outcome = try SalvoProcess.run(["emulator", "stats", "--record", folder + "/record.db"])
        let statistics = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        #expect(statistics["messages"] as? Int == 800, "nobody left out")
        #expect(statistics["distinctNumbers"] as? Int == 800)
        #expect(statistics["extraCopies"] as? Int == 0, "nobody got the message twice")

        // Every number reached the provider as country code + number, digits only.
        let report = try SalvoProcess.run(["report", folder + "/c.yaml", "--state", state, "--format", "json"])
        let rows = report.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(rows.count == 800, "\(report.stdout.prefix(300))")
        #expect(Set(rows.compactMap { $0["phone"] as? String }) == Set(recipients.map(\.provider)))
        #expect(Set(rows.compactMap { $0["country"] as? String }) == ["852", "65", "44"])

        let status = try SalvoProcess.run(["status", folder + "/c.yaml", "--state", state, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        #expect(object["state"] as? String == "done")
        let countries = try #require(object["countries"] as? [String: [String: Any]], "\(status.stdout)")
        #expect(countries["852"]?["recipients"] as? Int == 400 && countries["852"]?["sent"] as? Int == 400)
        #expect(countries["65"]?["sent"] as? Int == 200 && countries["44"]?["sent"] as? Int == 200)
        // "Hi Ann, your parcel is on its way." is GSM-7 and one segment; 李娜's is UCS-2 and one too.
        #expect(countries["44"]?["segments"] as? Int == 200)
        #expect(abs((countries["852"]?["cost"] as? Double ?? 0) - 400 * 0.3) < 1e-6)
        #expect(abs((countries["44"]?["cost"] as? Double ?? 0) - 200 * 0.1) < 1e-6, "the UK at the default price")
    }
}
