import Foundation
import Testing

/// `salvo preflight` as CI runs it: the built binary against `salvo emulator --config` on
/// loopback, configured with approved, pending, rejected, unregistered and mismatched signs and
/// templates. Each finding both ways, the exit statuses, nothing sent, no secret in the output.
@Suite(.serialized) struct PreflightCommandTests {
    static let keyId = "LTAI5tPreflightKeyab12"
    static let secret = "MARKER-PREFLIGHT-SECRET-7c6b5a"
    static let credentials = ["ALIBABA_CLOUD_ACCESS_KEY_ID": keyId, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": secret]

    static let configuration = """
        {"signs": [{"name": "云杉商城"},
                   {"name": "云杉待审", "status": "reviewing"},
                   {"name": "云杉驳回", "status": 2, "rejectInfo": "签名与企业名称不符"},
                   {"name": "云杉新店", "carriers": [{"operator": "mobile", "status": 3}, {"operator": "unicom", "status": -2}, {"operator": "telecom", "status": 3}]},
                   {"name": "云杉等待", "carriers": [{"operator": "mobile", "status": 3}, {"operator": "unicom", "status": 1}, {"operator": "telecom", "status": -1}]}],
         "templates": [{"code": "SMS_100", "content": "${name}您好，您的包裹已到驿站。", "type": "notification", "variableAttributes": {"name": "name"}},
                       {"code": "SMS_101", "content": "${name}您好，您的包裹已到驿站。", "type": "notification", "status": "reviewing"},
                       {"code": "SMS_102", "content": "${name}您好，您的包裹已到驿站。", "type": 1, "status": "rejected", "rejectInfo": "模板内容含营销信息"},
                       {"code": "SMS_103", "content": "${name}您好，您的包裹已到驿站。", "type": "promotional"},
                       {"code": "SMS_104", "content": "${name}您好，您的快递已到驿站。", "type": "notification"},
                       {"code": "SMS_105", "content": "${name}您好，您的包裹已到${station}。", "type": "notification"},
                       {"code": "SMS_106", "content": "您的验证码是${code}，5分钟内有效。", "type": "verification", "variableAttributes": {"code": "numberCaptcha"}}]}
        """

    /// A scratch folder with the emulator's configuration and campaign files made by `campaign`.
    struct Setup {
        let folder: String
        var record: String { folder + "/record.db" }

        init() throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-preflight-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: folder + "/campaigns", withIntermediateDirectories: true)
            try PreflightCommandTests.configuration.write(toFile: folder + "/account.json", atomically: true, encoding: .utf8)
            try "phone,name,code\n13900000000,客户,123456\n".write(toFile: folder + "/campaigns/m.csv", atomically: true, encoding: .utf8)
        }

        /// Writes `campaigns/NAME.yaml` and returns its path.
        @discardableResult
        func campaign(_ name: String, sign: String = "云杉商城", code: String = "SMS_100", type: String = "notification",
                      content: String = "${name}您好，您的包裹已到驿站。", parameter: String = "name: { type: name, from: name }") throws -> String {
            let path = folder + "/campaigns/\(name).yaml"
            try """
                version: 1
                campaign: \(name)
                sign-name: \(sign)
                template:
                  code: \(code)
                  type: \(type)
                  content: "\(content)"
                parameters:
                  \(parameter)
                recipients:
                  from:
                    - csv: m.csv
                """.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        func emulator(_ extra: [String] = []) throws -> (RunningSalvo, String) {
            let emulator = try RunningSalvo(["emulator", "--port", "0", "--record", record, "--config", folder + "/account.json"] + extra,
                                            environment: PreflightCommandTests.credentials)
            guard let first = emulator.firstLine(), first.hasPrefix("listening on ") else {
                _ = emulator.stop()
                throw CocoaError(.fileReadUnknown)
            }
            return (emulator, String(first.dropFirst("listening on ".count)))
        }

        func preflight(_ arguments: [String], endpoint: String, environment: [String: String] = PreflightCommandTests.credentials) throws -> SalvoProcess.Outcome {
            try SalvoProcess.run(["preflight", "--endpoint", endpoint] + arguments, environment: environment, seconds: 120)
        }

        /// The emulator's record: what it counts as sent.
        func statistics() throws -> [String: Any] {
            let outcome = try SalvoProcess.run(["emulator", "stats", "--record", record])
            return try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any], "\(outcome.all)")
        }
    }

    /// The JSON report of one preflight: its diagnostics' ids and messages.
    static func diagnostics(_ outcome: SalvoProcess.Outcome) throws -> [[String: Any]] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any], "\(outcome.all)")
        return object["diagnostics"] as? [[String: Any]] ?? []
    }

    @Test func anAgreeingAccountExits0AndNothingIsSent() throws {
        let setup = try Setup()
        let path = try setup.campaign("ok")
        let (emulator, url) = try setup.emulator()
        defer { _ = emulator.stop() }
        let outcome = try setup.preflight([path], endpoint: url)
        #expect(outcome.status == 0, "\(outcome.all)")
        #expect(outcome.stdout == "checked 1 file: 0 errors, 0 warnings\n")
        let json = try setup.preflight(["--format", "json", path], endpoint: url)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["files"] as? Int == 1 && object["errors"] as? Int == 0 && object["warnings"] as? Int == 0)
        #expect((object["diagnostics"] as? [Any])?.isEmpty == true)
        let statistics = try setup.statistics()
        #expect(statistics["messages"] as? Int == 0 && statistics["requests"] as? Int == 0, "\(statistics)")
        #expect((statistics["messagesByAction"] as? [String: Any])?.isEmpty == true)
    }

    /// Each case: a campaign file, the id it must find (nil: none) and words of its message.
    static let cases: [(name: String, sign: String, code: String, type: String, content: String?, parameter: String?, id: String?, severity: String?, words: String)] = [
        ("sign-pending", "云杉待审", "SMS_100", "notification", nil, nil, "sign-not-approved", "error", "it is under review"),
        ("sign-rejected", "云杉驳回", "SMS_100", "notification", nil, nil, "sign-not-approved", "error", "rejected: '签名与企业名称不符'"),
        ("sign-unknown", "云杉无名", "SMS_100", "notification", nil, nil, "sign-not-approved", "error", "does not exist in the account"),
        ("sign-unregistered", "云杉新店", "SMS_100", "notification", nil, nil, "sign-carrier-registration", "error", "unicom: not registered"),
        ("sign-registering", "云杉等待", "SMS_100", "notification", nil, nil, "sign-carrier-registration", "warning", "unicom: registered, awaiting verification; telecom: registering"),
        ("template-pending", "云杉商城", "SMS_101", "notification", nil, nil, "template-not-approved", "error", "it is under review"),
        ("template-rejected", "云杉商城", "SMS_102", "notification", nil, nil, "template-not-approved", "error", "rejected: '模板内容含营销信息'"),
        ("template-unknown", "云杉商城", "SMS_999", "notification", nil, nil, "template-not-approved", "error", "does not exist in the account"),
        ("template-type", "云杉商城", "SMS_103", "notification", nil, nil, "template-type-mismatch", "error", "is a promotional template in the account, not 'notification'"),
        ("template-content", "云杉商城", "SMS_104", "notification", nil, nil, "template-content-differs", "error", "[-包裹-]{+快递+}"),
        ("template-variables", "云杉商城", "SMS_105", "notification", nil, nil, "template-variables-differ", "error", "placeholder '${station}'"),
        ("attribute", "云杉商城", "SMS_106", "verification", "您的验证码是${code}，5分钟内有效。", "code: { type: text, from: code }", "variable-attribute", "error",
         "declared 'text', but the template takes it as 'numberCaptcha'"),
        ("attribute-fits", "云杉商城", "SMS_106", "verification", "您的验证码是${code}，5分钟内有效。", "code: { type: code, from: code }", "variable-attribute", "warning",
         "declared 'code', but the template takes it as 'numberCaptcha'"),
    ]

    @Test func everyFindingAgainstTheEmulatorBothWays() throws {
        let setup = try Setup()
        let (emulator, url) = try setup.emulator()
        defer { _ = emulator.stop() }
        for item in Self.cases {
            let path = try setup.campaign(item.name, sign: item.sign, code: item.code, type: item.type, content: item.content ?? "${name}您好，您的包裹已到驿站。",
                                          parameter: item.parameter ?? "name: { type: name, from: name }")
            let outcome = try setup.preflight(["--format", "json", path], endpoint: url)
            let found = try Self.diagnostics(outcome)
            let matching = found.filter { $0["id"] as? String == item.id }
            #expect(matching.count >= 1, "\(item.name): \(outcome.all)")
            #expect(matching.allSatisfy { $0["severity"] as? String == item.severity && $0["file"] as? String == path && $0["line"] as? Int != nil })
            #expect(matching.contains { ($0["message"] as? String)?.contains(item.words) == true }, "\(item.name): \(matching)")
            #expect(outcome.status == (item.severity == "error" ? 1 : 0), "\(item.name): \(outcome.all)")
            // Absent: no other case's id shows up on an otherwise agreeing file.
            let others = Set(found.compactMap { $0["id"] as? String }).subtracting([item.id ?? ""])
            #expect(others.isSubset(of: ["template-content-differs", "template-variables-differ"]), "\(item.name): \(others)")
        }
        // Nothing was sent for any of them.
        #expect(try setup.statistics()["messages"] as? Int == 0)
    }

    @Test func theTextShowsTheLineAndTheDiff() throws {
        let setup = try Setup()
        let path = try setup.campaign("content", code: "SMS_104")
        let (emulator, url) = try setup.emulator()
        defer { _ = emulator.stop() }
        let outcome = try setup.preflight([path], endpoint: url)
        #expect(outcome.status == 1)
        #expect(outcome.stdout.contains("\(path):7:12: error: content differs from approved template 'SMS_104': ${name}您好，您的[-包裹-]{+快递+}已到驿站。 ([-…-] only in the file, {+…+} only in the account) [template-content-differs]"), "\(outcome.stdout)")
        #expect(outcome.stdout.contains("note: the approved content: '${name}您好，您的快递已到驿站。'"))
        #expect(outcome.stdout.hasSuffix("checked 1 file: 1 error, 0 warnings\n"), "\(outcome.stdout)")
    }

    @Test func theExampleCampaignsAgreeWithAnEmulatorThatLearnedThem() throws {
        let setup = try Setup()
        let examples = ["campaigns/login-code.yaml", "campaigns/order-shipped.yaml", "campaigns/order-shipped-intl.yaml", "campaigns/spring-sale.yaml"]
        let emulator = try RunningSalvo(["emulator", "--port", "0", "--record", setup.record] + examples.flatMap { ["--campaign", $0] }, environment: Self.credentials)
        defer { _ = emulator.stop() }
        let first = try #require(emulator.firstLine())
        let outcome = try setup.preflight(["campaigns"], endpoint: String(first.dropFirst("listening on ".count)))
        #expect(outcome.status == 0, "\(outcome.all)")
        #expect(outcome.stdout == "checked 4 files: 0 errors, 0 warnings\n", "\(outcome.stdout)")
        #expect(try setup.statistics()["messages"] as? Int == 0)
    }

    @Test func annotationsAndSARIFCarryTheFindings() throws {
        let setup = try Setup()
        let path = try setup.campaign("type", code: "SMS_103")
        let (emulator, url) = try setup.emulator()
        defer { _ = emulator.stop() }
        let github = try setup.preflight(["--format", "github", path], endpoint: url)
        #expect(github.status == 1)
        #expect(github.stdout.contains("::error file=\(path),line=6,"), "\(github.stdout)")
        #expect(github.stdout.contains("[template-type-mismatch]"), "\(github.stdout)")
        let sarif = try setup.preflight(["--format", "sarif", path], endpoint: url)
        #expect(sarif.status == 1)
        let log = try #require(try JSONSerialization.jsonObject(with: Data(sarif.stdout.utf8)) as? [String: Any])
        #expect(log["version"] as? String == "2.1.0")
        #expect(sarif.stdout.contains("template-type-mismatch"))
    }

    @Test func aFolderIsCheckedAndAFileWithErrorsIsNotAskedAbout() throws {
        let setup = try Setup()
        try setup.campaign("a")
        try setup.campaign("b", sign: "云杉驳回")
        try "version: 1\ncampaign: broken\n".write(toFile: setup.folder + "/campaigns/broken.yaml", atomically: true, encoding: .utf8)
        let (emulator, url) = try setup.emulator()
        defer { _ = emulator.stop() }
        let outcome = try setup.preflight(["--format", "json", setup.folder + "/campaigns"], endpoint: url)
        #expect(outcome.status == 1)
        let found = try Self.diagnostics(outcome)
        #expect(found.map { $0["id"] as? String ?? "" } == ["sign-not-approved", "campaign-invalid"], "\(found)")
        #expect((found.last?["message"] as? String)?.contains("it was not checked against the account") == true)
        #expect((try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])?["files"] as? Int == 3)
    }

    @Test func anUnreachableOrThrottlingProviderExits75() throws {
        let setup = try Setup()
        let path = try setup.campaign("ok")
        let down = try setup.preflight([path], endpoint: "http://127.0.0.1:\(SalvoProcess.closedLoopbackPort())")
        #expect(down.status == 75, "\(down.all)")
        #expect(down.stderr.contains("preflight could not ask the provider (Transport:"), "\(down.stderr)")
        #expect(down.stdout.isEmpty)

        let (emulator, url) = try setup.emulator(["--throttle-rate", "1"])
        defer { _ = emulator.stop() }
        let throttled = try setup.preflight([path], endpoint: url)
        #expect(throttled.status == 75, "\(throttled.all)")
        #expect(throttled.stderr.contains("Throttling.User"), "\(throttled.stderr)")
        #expect(!(down.all + throttled.all).contains(Self.secret))
        #expect(try setup.statistics()["messages"] as? Int == 0)
    }

    @Test func aRefusedKeyExits1NamingTheMaskedKeyNeverTheSecret() throws {
        let setup = try Setup()
        let path = try setup.campaign("ok")
        let (emulator, url) = try setup.emulator()
        defer { _ = emulator.stop() }
        let wrong = "MARKER-WRONG-PREFLIGHT-SECRET-1a2b"
        let outcome = try setup.preflight([path], endpoint: url, environment: ["ALIBABA_CLOUD_ACCESS_KEY_ID": Self.keyId, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": wrong])
        #expect(outcome.status == 1, "\(outcome.all)")
        #expect(outcome.stderr.contains("LTAI****ab12") && outcome.stderr.contains("SignatureDoesNotMatch"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("dysms:GetSmsSign"))
        #expect(!outcome.all.contains(wrong) && !outcome.all.contains(Self.secret) && !outcome.all.contains(Self.keyId))
    }

    @Test func usageErrorsExit64() throws {
        let setup = try Setup()
        let missing = try setup.preflight([setup.folder + "/nothing.yaml"], endpoint: "http://127.0.0.1:9")
        #expect(missing.status == 64, "\(missing.all)")
        let path = try setup.campaign("ok")
        let noKey = try setup.preflight([path], endpoint: "http://127.0.0.1:9", environment: [:])
        #expect(noKey.status == 64, "\(noKey.all)")
        let format = try setup.preflight(["--format", "yaml", path], endpoint: "http://127.0.0.1:9")
        #expect(format.status == 64, "\(format.all)")
    }
}
