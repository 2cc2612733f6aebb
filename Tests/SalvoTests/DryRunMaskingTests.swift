import Foundation
import Testing

/// `salvo run --dry-run` prints the signed requests with the phone numbers masked; only
/// `--show-numbers` prints them in full. Real processes; nothing is sent.
@Suite struct DryRunMaskingTests {
    /// A campaign of 12 recipients sent as SendBatchSms (`perRow`) or SendSms (one value for all).
    static func campaign(perRow: Bool, signing: String) throws -> (path: String, phones: [String]) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-dry-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let phones = (0..<12).map { "1391234\(String(format: "%04d", 5000 + $0))" }
        try ("phone,name\n" + phones.enumerated().map { "\($1),客户\($0)\n" }.joined()).write(toFile: folder + "/m.csv", atomically: true, encoding: .utf8)
        try """
            version: 1
            campaign: dry-masking
            provider:
              signing: \(signing)
            sign-name: 云杉商城
            template:
              code: SMS_465012346
              type: notification
              content: "${name}您好，您的包裹已到驿站。"
            parameters:
              name: \(perRow ? "{ type: name, from: name }" : "{ type: name, value: 客户 }")
            recipients:
              from:
                - csv: m.csv
            sending:
              rate: 100
              batch-size: 5
            """.write(toFile: folder + "/c.yaml", atomically: true, encoding: .utf8)
        return (folder + "/c.yaml", phones)
    }

    static let environment = ["ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI5tDryRunKey0001", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "dry-secret"]

    @Test(arguments: [(true, "v3"), (false, "v3"), (true, "v1"), (false, "v1")])
    func numbersAreMaskedUnlessShown(_ perRow: Bool, _ signing: String) throws {
        let (path, phones) = try Self.campaign(perRow: perRow, signing: signing)
        let masked = try SalvoProcess.run(["run", path, "--dry-run"], environment: Self.environment)
        #expect(masked.status == 0, "\(masked.all)")
        let decoded = masked.stdout.removingPercentEncoding ?? masked.stdout
        #expect(decoded.contains(perRow ? "PhoneNumberJson" : "PhoneNumbers"), "\(decoded)")
        for phone in phones {
            #expect(!decoded.contains(phone), "\(phone) printed in full: \(decoded)")
        }
        #expect(decoded.contains("139****5000"), "masked as elsewhere: \(decoded)")
        if signing == "v3" {
            // The body's hash with the masked number beside it would give the number back.
            #expect(Self.sha256Pattern(masked.stdout) == nil, "\(masked.stdout)")
            #expect(masked.stdout.contains("x-acs-content-sha256: (hidden"), "\(masked.stdout)")
        }

        let shown = try SalvoProcess.run(["run", path, "--dry-run", "--show-numbers"], environment: Self.environment)
        #expect(shown.status == 0, "\(shown.all)")
        let full = shown.stdout.removingPercentEncoding ?? shown.stdout
        #expect(phones.allSatisfy { full.contains($0) }, "--show-numbers prints every number")
        if signing == "v3" { #expect(Self.sha256Pattern(shown.stdout) != nil, "the requests exactly as sent") }
    }

    /// The first `x-acs-content-sha256: <64 hex digits>` line, if any.
    static func sha256Pattern(_ text: String) -> String? {
        text.range(of: "x-acs-content-sha256: [0-9a-f]{64}", options: .regularExpression).map { String(text[$0]) }
    }

    @Test func showNumbersGoesWithDryRun() throws {
        let (path, _) = try Self.campaign(perRow: true, signing: "v3")
        let outcome = try SalvoProcess.run(["run", path, "--show-numbers"], environment: Self.environment)
        #expect(outcome.status == 64, "\(outcome.all)")
    }

    @Test(arguments: ["v3", "v1"])
    func anSTSTokenIsNeverShownNumbersOrNot(_ signing: String) throws {
        // Temporary credentials from the environment: the token is a credential, like the secret.
        let (path, _) = try Self.campaign(perRow: true, signing: signing)
        var environment = Self.environment
        environment["ALIBABA_CLOUD_SECURITY_TOKEN"] = "CAISMarkerDryRunToken+/="
        for extra in [[], ["--show-numbers"], ["--json"], ["--json", "--show-numbers"]] {
            let outcome = try SalvoProcess.run(["run", path, "--dry-run"] + extra, environment: environment)
            #expect(outcome.status == 0, "\(outcome.all)")
            #expect(!outcome.all.contains("MarkerDryRunToken") && !outcome.all.contains("dry-secret"), "\(extra): \(outcome.all)")
            // Shown in its place: as a header (v3) or, percent-encoded, in the query (v1).
            #expect(outcome.stdout.contains("hidden: the STS security token") || outcome.stdout.contains("hidden%3A%20the%20STS%20security%20token"),
                    "\(extra): \(outcome.stdout)")
        }
    }
}
