@testable import AliyunSMS
import Foundation
import Testing

/// Credentials as production runs them, end to end: the built binary against `salvo emulator
/// --sts` on loopback playing STS and the ECS metadata service. Runs that outlast many short-lived
/// credentials (the OIDC token file rewritten as they go), a token the provider refuses as expired
/// mid-run, `salvo credentials` for each place of the chain and for an empty one, and no secret,
/// security token or OIDC token in anything Salvo wrote.
@Suite(.serialized) struct CredentialsChainRunTests {
    static let keyId = "LTAI5tChainKeyId0042"
    static let secret = "MARKER-CHAIN-SECRET-91e3"
    static let permanent = ["ALIBABA_CLOUD_ACCESS_KEY_ID": keyId, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": secret]
    static let roleArn = "acs:ram::1234567890123456:role/salvo-sms-sender"
    static let providerArn = "acs:ram::1234567890123456:oidc-provider/ack-rrsa-c0ffee"
    static let tokenMarker = "MARKER-OIDC-TOKEN"

    /// Where a run's credentials come from.
    enum Path: String, CaseIterable, CustomTestStringConvertible {
        case oidc, ecs, configRamRole
        var testDescription: String { rawValue }
        /// The name `salvo credentials` and the run's log give the source.
        var source: String {
            switch self {
            case .oidc: "oidc_role_arn"
            case .ecs: "ecs_ram_role"
            case .configRamRole: "cli_profile/ram_role_arn"
            }
        }
    }

    /// A scratch folder: a HOME of its own, an OIDC token file, a campaign, its state and the
    /// emulator's record.
    struct Setup {
        let folder: String
        var home: String { folder + "/home" }
        var tokenFile: String { folder + "/token" }
        var campaign: String { folder + "/c.yaml" }
        var record: String { folder + "/record.db" }
        var state: String { folder + "/state" }

        init(recipients: Int, rate: Int) throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-chain-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: folder + "/home", withIntermediateDirectories: true)
            try writeToken(1)
            let rows = (0..<recipients).map { "1391000\(String(format: "%04d", $0)),客户\($0)\n" }.joined()
            try ("phone,name\n" + rows).write(toFile: folder + "/m.csv", atomically: true, encoding: .utf8)
            try """
                version: 1
                campaign: chain-\(recipients)
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
                  rate: \(rate)
                  concurrency: 1
                  batch-size: 1
                """.write(toFile: campaign, atomically: true, encoding: .utf8)
        }

        /// Replaces the token file at once (a rename), as the kubelet rotates a projected token.
        func writeToken(_ generation: Int) throws {
            let scratch = tokenFile + ".new"
            try "eyJhbGciOiJSUzI1NiJ9.\(CredentialsChainRunTests.tokenMarker)-\(generation).c2lnbmF0dXJl\n".write(toFile: scratch, atomically: false, encoding: .utf8)
            guard rename(scratch, tokenFile) == 0 else { throw CocoaError(.fileWriteUnknown) }
        }

        /// `salvo emulator --sts` with `extra` options; its URL.
        func emulator(_ extra: [String]) throws -> (RunningSalvo, String) {
            let emulator = try RunningSalvo(["emulator", "--port", "0", "--record", record, "--sts", "--sts-oidc-token-file", tokenFile] + extra,
                                            environment: CredentialsChainRunTests.permanent)
            guard let first = emulator.firstLine(), first.hasPrefix("listening on ") else {
                _ = emulator.stop()
                throw CocoaError(.fileReadUnknown)
            }
            return (emulator, String(first.dropFirst("listening on ".count)))
        }

        /// The environment that makes `path` the chain's first answer against the emulator at `url`.
        func environment(_ path: Path, _ url: String) throws -> [String: String] {
            var environment = ["HOME": home, "ALIBABA_CLOUD_STS_ENDPOINT": url]
            switch path {
            case .oidc:
                environment["ALIBABA_CLOUD_ROLE_ARN"] = CredentialsChainRunTests.roleArn
                environment["ALIBABA_CLOUD_OIDC_PROVIDER_ARN"] = CredentialsChainRunTests.providerArn
                environment["ALIBABA_CLOUD_OIDC_TOKEN_FILE"] = tokenFile
                environment["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = "true"
            case .ecs:
                environment["SALVO_ECS_METADATA_URL"] = url
            case .configRamRole:
                try writeConfig("""
                    {"current": "sms", "profiles": [
                      {"name": "default", "mode": "AK", "access_key_id": "LTAI5tNotThisOne000", "access_key_secret": "MARKER-CHAIN-WRONG-PROFILE"},
                      {"name": "sms", "mode": "RamRoleArn", "access_key_id": "\(CredentialsChainRunTests.keyId)",
                       "access_key_secret": "\(CredentialsChainRunTests.secret)", "ram_role_arn": "\(CredentialsChainRunTests.roleArn)",
                       "ram_session_name": "chain-test", "region_id": "cn-hangzhou"}]}
                    """)
                environment["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = "true"
            }
            return environment
        }

        /// Writes `~/.aliyun/config.json`, owner-only (it holds a secret).
        func writeConfig(_ text: String) throws {
            try FileManager.default.createDirectory(atPath: home + "/.aliyun", withIntermediateDirectories: true)
            try text.write(toFile: home + "/.aliyun/config.json", atomically: true, encoding: .utf8)
            chmod(home + "/.aliyun/config.json", 0o600)
        }

        /// The emulator record's counts.
        func stats() throws -> [String: Any] {
            let outcome = try SalvoProcess.run(["emulator", "stats", "--record", record])
            return try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any], "\(outcome.all)")
        }

        /// Every file of the state folder, read as bytes.
        func stateBytes() -> [(String, Data)] {
            let enumerator = FileManager.default.enumerator(atPath: state)
            var files: [(String, Data)] = []
            while let name = enumerator?.nextObject() as? String {
                if let data = FileManager.default.contents(atPath: state + "/" + name) { files.append((name, data)) }
            }
            return files
        }
    }

    /// Rewrites the token file every `interval` until stopped, on a thread of its own.
    final class TokenRotator: @unchecked Sendable {
        // `stopped` is read by the rotating thread and set once by the test; a lost race costs one
        // more rewrite, nothing else.
        private let lock = NSLock()
        private var stopped = false
        private(set) var generations = 1

        func start(_ setup: Setup, every interval: TimeInterval) {
            Thread { [self] in
                while true {
                    Thread.sleep(forTimeInterval: interval)
                    lock.lock()
                    if stopped { lock.unlock(); return }
                    generations += 1
                    let generation = generations
                    lock.unlock()
                    try? setup.writeToken(generation)
                }
            }.start()
        }

        func stop() -> Int {
            lock.lock()
            defer { lock.unlock() }
            stopped = true
            return generations
        }
    }

    /// Nothing secret in `texts`: the permanent secret, no OIDC token, no issued secret or token.
    static func expectNothingSecret(_ texts: [(String, String)], issued: [String]) {
        for (name, text) in texts {
            for marker in [secret, tokenMarker, "MARKER-CHAIN-WRONG-PROFILE"] + issued {
                #expect(!text.contains(marker), "\(name) holds a secret (\(marker.prefix(12))…)")
            }
        }
    }

    /// What the emulator issued and Salvo must never show: every secret it issues starts with the
    /// first, every token holds the second.
    static let issuedMarkers = ["EmulatorStsSecret", "EmulatorStsToken"]

    @Test(arguments: Path.allCases)
    func aRunOutlastsFiveRefreshesAndSendsEveryoneOnce(_ path: Path) throws {
        // 902 s stated: 15 minutes of margin leave 2 s, so the credentials are refreshed about
        // every 2 s; 30 recipients at 2 a second take about 15 s, with the preflight before.
        let setup = try Setup(recipients: 30, rate: 2)
        let (emulator, url) = try setup.emulator(["--sts-duration", "902"])
        defer { _ = emulator.stop() }
        let rotator = TokenRotator()
        rotator.start(setup, every: 1.5)
        let outcome = try SalvoProcess.run(["run", setup.campaign, "--endpoint", url, "--state", setup.state, "--grace-seconds", "0.3", "--retry-base", "0.01"],
                                           environment: try setup.environment(path, url), seconds: 240)
        let generations = rotator.stop()
        #expect(outcome.status == 0, "\(outcome.all)")
        let refreshes = outcome.stderr.split(separator: "\n").filter { $0.contains("credentials: STS.") && $0.contains("from \(path.source)") }
        #expect(refreshes.count >= 6, "a first fetch and at least five refreshes: \(outcome.stderr)")
        #expect(!outcome.stderr.contains("failed, keeping"), "every refresh succeeded: \(outcome.stderr)")
        if path == .oidc { #expect(generations >= 5, "the token file was rewritten during the run") }
        let stats = try setup.stats()
        #expect(stats["messages"] as? Int == 30 && stats["distinctNumbers"] as? Int == 30 && stats["numbersRecordedMoreThanOnce"] as? Int == 0, "\(stats)")
        let files = setup.stateBytes().map { ($0.0, String(decoding: $0.1, as: UTF8.self)) }
        #expect(!files.isEmpty)
        Self.expectNothingSecret([("stdout", outcome.stdout), ("stderr", outcome.stderr)] + files, issued: Self.issuedMarkers)
    }

    @Test func aTokenRefusedAsExpiredMidRunIsRefreshedAndTheSendIsMadeOnce() throws {
        // The credentials say an hour, the emulator refuses each token 2 s after issuing it: every
        // such refusal is a send refused before it was processed, signed again and sent once.
        let setup = try Setup(recipients: 16, rate: 4)
        let (emulator, url) = try setup.emulator(["--sts-duration", "3600", "--sts-revoke-after", "2"])
        defer { _ = emulator.stop() }
        let outcome = try SalvoProcess.run(["run", setup.campaign, "--endpoint", url, "--state", setup.state, "--grace-seconds", "0.3", "--retry-base", "0.01"],
                                           environment: try setup.environment(.oidc, url), seconds: 240)
        #expect(outcome.status == 0, "\(outcome.all)")
        let fetches = outcome.stderr.split(separator: "\n").filter { $0.contains("credentials: STS.") }
        #expect(fetches.count >= 2, "the refused token was replaced: \(outcome.stderr)")
        let stats = try setup.stats()
        #expect(stats["messages"] as? Int == 16 && stats["numbersRecordedMoreThanOnce"] as? Int == 0, "\(stats)")
        let status = try SalvoProcess.run(["status", setup.campaign, "--state", setup.state, "--json"])
        #expect(status.stdout.contains("\"sent\":16"), "\(status.stdout)")
    }

    @Test func aFixedTokenThatExpiredStopsTheRunNamingWhatToDo() async throws {
        // STS credentials handed in through the environment cannot be renewed: the run stops at
        // once with exit 1 and the advice, and sends nothing.
        let setup = try Setup(recipients: 3, rate: 100)
        let (emulator, url) = try setup.emulator(["--sts-duration", "3600", "--sts-revoke-after", "1"])
        defer { _ = emulator.stop() }
        // The emulator's metadata service hands out what the test then pins in the environment.
        let credentials = try await ECSMetadataSource(baseURL: url, roleName: nil, v1Disabled: false).fetch()
        let fetched = (id: credentials.accessKeyId, secret: credentials.accessKeySecret.value, token: try #require(credentials.securityToken?.value))
        try await Task.sleep(for: .milliseconds(1500))
        let outcome = try SalvoProcess.run(["run", setup.campaign, "--endpoint", url, "--state", setup.state, "--no-preflight", "--grace-seconds", "0.3"],
                                           environment: ["HOME": setup.home, "ALIBABA_CLOUD_ACCESS_KEY_ID": fetched.id,
                                                         "ALIBABA_CLOUD_ACCESS_KEY_SECRET": fetched.secret, "ALIBABA_CLOUD_SECURITY_TOKEN": fetched.token],
                                           seconds: 120)
        #expect(outcome.status == 1, "\(outcome.all)")
        #expect(outcome.stderr.contains("InvalidSecurityToken.Expired") && outcome.stderr.contains("cannot be renewed"), "\(outcome.stderr)")
        #expect(try setup.stats()["messages"] as? Int == 0)
        Self.expectNothingSecret([("stdout", outcome.stdout), ("stderr", outcome.stderr)], issued: [fetched.secret, fetched.token])
    }

    @Test(arguments: Path.allCases)
    func credentialsNamesTheSourceAndShowsNoSecret(_ path: Path) throws {
        let setup = try Setup(recipients: 1, rate: 1)
        let (emulator, url) = try setup.emulator(["--sts-duration", "3600"])
        defer { _ = emulator.stop() }
        let text = try SalvoProcess.run(["credentials"], environment: try setup.environment(path, url))
        #expect(text.status == 0, "\(text.all)")
        #expect(text.stdout.contains("source: \(path.source)") && text.stdout.contains("access key id: STS.") && text.stdout.contains("expires: "), "\(text.stdout)")
        let json = try SalvoProcess.run(["credentials", "--json"], environment: try setup.environment(path, url))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.all)")
        #expect(object["source"] as? String == path.source && object["temporary"] as? Bool == true && object["expiration"] is String, "\(object)")
        Self.expectNothingSecret([("text", text.all), ("json", json.all)], issued: Self.issuedMarkers)
    }

    @Test func anEmptyChainSaysWhyEachPlaceHadNothing() throws {
        let setup = try Setup(recipients: 1, rate: 1)
        let environment = ["HOME": setup.home, "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true"]
        let outcome = try SalvoProcess.run(["credentials"], environment: environment)
        #expect(outcome.status == 1, "\(outcome.all)")
        for place in ["env", "oidc_role_arn", "cli_profile", "profile", "ecs_ram_role", "credentials_uri"] {
            #expect(outcome.stderr.contains("\(place):"), "\(place) is named: \(outcome.stderr)")
        }
        let json = try SalvoProcess.run(["credentials", "--json"], environment: environment)
        #expect(json.status == 1 && json.stdout.contains("\"found\":false"), "\(json.all)")
        // A run with no credentials sends nothing and says why, before it plans.
        let run = try SalvoProcess.run(["run", setup.campaign, "--state", setup.state, "--endpoint", "http://127.0.0.1:9"], environment: environment)
        #expect(run.status == 64 && run.stderr.contains("no credentials"), "\(run.all)")
    }

    @Test func anUnreachableMetadataServiceIsAReasonNotAHang() throws {
        // A closed port stands for a machine that is not an ECS instance: the chain moves on.
        let setup = try Setup(recipients: 1, rate: 1)
        let outcome = try SalvoProcess.run(["credentials"], environment: ["HOME": setup.home, "SALVO_ECS_METADATA_URL": "http://127.0.0.1:9"], seconds: 30)
        #expect(outcome.status == 1, "\(outcome.all)")
        #expect(outcome.stderr.contains("ecs_ram_role:"), "\(outcome.stderr)")
    }

    @Test func aRefusedRoleIsSaidAndAnUnreachableSTSIsLater() throws {
        let setup = try Setup(recipients: 3, rate: 100)
        let (emulator, url) = try setup.emulator(["--sts-duration", "3600"])
        defer { _ = emulator.stop() }
        // A token the STS does not accept (not the emulator's file).
        let wrongToken = setup.folder + "/wrong-token"
        try "eyJhbGciOiJSUzI1NiJ9.\(Self.tokenMarker)-wrong.c2ln\n".write(toFile: wrongToken, atomically: true, encoding: .utf8)
        var environment = try setup.environment(.oidc, url)
        environment["ALIBABA_CLOUD_OIDC_TOKEN_FILE"] = wrongToken
        // Refused, nothing else set up: exit 1 with STS's words, nothing sent.
        let refused = try SalvoProcess.run(["run", setup.campaign, "--endpoint", url, "--state", setup.state], environment: environment)
        #expect(refused.status == 1 && refused.stderr.contains("AssumeRoleWithOIDC refused"), "\(refused.all)")
        #expect(try setup.stats()["messages"] as? Int == 0)
        // The metadata service answers instead: used, and the refused role is said, not passed over silently.
        environment["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = nil
        environment["SALVO_ECS_METADATA_URL"] = url
        let fellThrough = try SalvoProcess.run(["credentials"], environment: environment)
        #expect(fellThrough.status == 0 && fellThrough.stdout.contains("source: ecs_ram_role"), "\(fellThrough.all)")
        #expect(fellThrough.stderr.contains("warning: credentials: oidc_role_arn: AssumeRoleWithOIDC refused") && fellThrough.stderr.contains("using ecs_ram_role instead"),
                "\(fellThrough.stderr)")
        // STS that cannot be reached: run again later (75), nothing sent.
        var unreachable = try setup.environment(.oidc, url)
        unreachable["ALIBABA_CLOUD_STS_ENDPOINT"] = "http://127.0.0.1:9"
        let later = try SalvoProcess.run(["run", setup.campaign, "--endpoint", url, "--state", setup.state], environment: unreachable, seconds: 120)
        #expect(later.status == 75, "\(later.all)")
        #expect(try setup.stats()["messages"] as? Int == 0)
        Self.expectNothingSecret([("refused", refused.all), ("fell through", fellThrough.all), ("later", later.all)], issued: Self.issuedMarkers)
    }
}
