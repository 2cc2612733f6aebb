import Foundation
import Synchronization
import Testing
@testable import AliyunSMS

/// A HOME folder of its own, with the files a test writes into it.
struct TemporaryHome {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-chain-\(UUID().uuidString)").path

    /// Writes `text` to `relative` (folders made), owner-only unless `mode` says otherwise.
    @discardableResult
    func write(_ relative: String, _ text: String, mode: mode_t = 0o600) throws -> String {
        let file = path + "/" + relative
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, mode)
        return file
    }

    /// An environment with this HOME, instance metadata off, and `more`.
    func environment(_ more: [String: String] = [:]) -> [String: String] {
        ["HOME": path, "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true"].merging(more) { $1 }
    }
}

/// A provider that counts its asks and answers or fails as told.
final class CountingProvider: CredentialsProvider {
    private let asked = Mutex(0)
    let answer: Result<Credentials, CredentialsError>

    init(_ answer: Result<Credentials, CredentialsError>) {
        self.answer = answer
    }

    var count: Int { asked.withLock { $0 } }

    func credentials() async throws(CredentialsError) -> Credentials {
        asked.withLock { $0 += 1 }
        return try answer.get()
    }
}

/// The default chain: its order, the reasons it gives when nothing answers, each file's profiles
/// turned into the right source, and errors that stop it at once.
@Suite struct CredentialsChainTests {
    static let secret = "MARKER-SECRET-1e2d3c4b"
    static let key = ["ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI5tEnvKeyId", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": secret]

    static func expectError(_ code: CredentialsError.Code, _ words: String, _ environment: [String: String],
                            sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try CredentialsLoader.provider(environment: environment)
            Issue.record("expected: \(words)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.code == code, sourceLocation: sourceLocation)
            #expect(error.message.contains(words), "\(error.message)", sourceLocation: sourceLocation)
            #expect(!error.message.contains(secret), sourceLocation: sourceLocation)
        }
    }

    static func source<T>(_ chain: CredentialsChain, _ name: String, as type: T.Type, sourceLocation: SourceLocation = #_sourceLocation) -> T? {
        let link = chain.links.first { $0.name == name }
        #expect(link != nil, "no link \(name) in \(chain.links)", sourceLocation: sourceLocation)
        return (link?.provider as? RefreshingCredentialsProvider)?.source as? T
    }

    // MARK: - Order and reasons

    @Test func anEmptyChainListsEveryLinkAndWhy() throws {
        let home = TemporaryHome()
        do {
            _ = try CredentialsLoader.provider(environment: home.environment())
            Issue.record("expected no credentials")
        } catch {
            #expect(error.code == .missing)
            #expect(error.message == """
                no credentials found; the chain looked at:
                  env: ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET are not set
                  oidc_role_arn: ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE are not all set
                  cli_profile: \(home.path)/.aliyun/config.json does not exist
                  profile: \(home.path)/.alibabacloud/credentials.ini and \(home.path)/.alibabacloud/credentials do not exist
                  ecs_ram_role: ALIBABA_CLOUD_ECS_METADATA_DISABLED=true
                  credentials_uri: ALIBABA_CLOUD_CREDENTIALS_URI is not set
                """)
        }
    }

    @Test func aLinkThatFailsToFetchIsListedAndTheChainGoesOn() async throws {
        let home = TemporaryHome()
        let chain = try CredentialsLoader.provider(environment: home.environment([
            "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "", "SALVO_ECS_METADATA_URL": "http://127.0.0.1:9",
            "ALIBABA_CLOUD_CLI_PROFILE_DISABLED": "TRUE", "ALIBABA_CLOUD_ROLE_ARN": "acs:ram::1:role/r",
        ]))
        #expect(chain.links.map(\.name) == ["env", "oidc_role_arn", "cli_profile", "profile", "ecs_ram_role", "credentials_uri"])
        #expect(Self.source(chain, "ecs_ram_role", as: ECSMetadataSource.self)?.baseURL == "http://127.0.0.1:9")
        do {
            _ = try await chain.resolve()
            Issue.record("expected no credentials")
        } catch {
            // The metadata service was named (SALVO_ECS_METADATA_URL) and could not be reached:
            // try again later, not "nothing set up".
            #expect(error.code == .unavailable)
            let lines = error.message.split(separator: "\n").map(String.init)
            #expect(lines.count == 7 && lines[0] == "no credentials found; the chain looked at:")
            #expect(lines[2].hasSuffix("(ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE are not)"))
            #expect(lines[3] == "  cli_profile: ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true")
            #expect(lines[5].hasPrefix("  ecs_ram_role: ") && lines[5].count > "  ecs_ram_role: ".count, "why the metadata service gave nothing")
        }
        #expect(await chain.sourceName == nil)
    }

    @Test func theFirstLinkThatAnswersWinsAndIsAskedFromThenOn() async throws {
        let failing = CountingProvider(.failure(CredentialsError(.unavailable, "STS refused")))
        let answering = CountingProvider(.success(Credentials(accessKeyId: "LTAI5tThirdLink", accessKeySecret: Self.secret)))
        let later = CountingProvider(.success(Credentials(accessKeyId: "LTAI5tFourthLink", accessKeySecret: Self.secret)))
        let chain = CredentialsChain(links: [.init(name: "env", absent: "not set"), .init(name: "oidc_role_arn", provider: failing),
                                             .init(name: "cli_profile/static_ak", provider: answering), .init(name: "profile/access_key", provider: later)])
        let answers = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { try await chain.resolve().source } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(answers) == ["cli_profile/static_ak"])
        #expect(failing.count == 1, "one walk however many ask at once")
        #expect(try await chain.credentials().accessKeyId == "LTAI5tThirdLink")
        #expect(try await chain.refresh(replacing: try await chain.credentials()).accessKeyId == "LTAI5tThirdLink")
        #expect(failing.count == 1 && later.count == 0 && (4...23).contains(answering.count))
        #expect(await chain.sourceName == "cli_profile/static_ak")
        #expect(chain.staticCredentials == nil, "the first link with a provider fetches")
    }

    @Test func theLinkThatAnsweredIsNamedWhenItFailsLater() async throws {
        let clock = ManualClock()
        let source = ScriptedSource(clock: clock, lifetime: 3600, failingFrom: 2)
        let chain = CredentialsChain(links: [.init(name: "credentials_uri", provider: RefreshingCredentialsProvider(source: source, now: clock.reading))])
        _ = try await chain.resolve()
        clock.advance(by: 3600)
        do {
            _ = try await chain.resolve()
            Issue.record("expected a failure")
        } catch {
            #expect(error.code == .unavailable && error.message == "credentials_uri: STS did not answer (fetch 2)", "no second walk")
        }
    }

    // MARK: - The environment

    @Test func theEnvironmentWinsAndLaterFilesAreNotRead() async throws {
        let home = TemporaryHome()
        try home.write(".aliyun/config.json", "{ not json")
        let chain = try CredentialsLoader.provider(environment: home.environment(Self.key.merging(["ALIBABA_CLOUD_SECURITY_TOKEN": "tok"]) { $1 }))
        #expect(chain.links.map(\.name) == ["env"])
        let (source, credentials) = try await chain.resolve()
        #expect(source == "env" && credentials.accessKeyId == "LTAI5tEnvKeyId" && credentials.securityToken?.value == "tok")
        #expect(chain.staticCredentials?.accessKeyId == "LTAI5tEnvKeyId")
        #expect(!"\(chain)".contains(Self.secret))
    }

    @Test func halfAKeyPairStopsTheChain() throws {
        let home = TemporaryHome()
        try home.write(".alibabacloud/credentials", "[default]\naccess_key_id = a\naccess_key_secret = \(Self.secret)\n")
        Self.expectError(.incomplete, "ALIBABA_CLOUD_ACCESS_KEY_ID is set but ALIBABA_CLOUD_ACCESS_KEY_SECRET is not",
                         home.environment(["ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI5tHalf"]))
        Self.expectError(.incomplete, "ALIBABA_CLOUD_ACCESS_KEY_SECRET is set but ALIBABA_CLOUD_ACCESS_KEY_ID is not",
                         home.environment(["ALIBABA_CLOUD_ACCESS_KEY_SECRET": Self.secret]))
    }

    @Test func theOIDCVariablesMakeAnOIDCRoleSource() throws {
        let chain = try CredentialsLoader.provider(environment: TemporaryHome().environment([
            "ALIBABA_CLOUD_ROLE_ARN": "acs:ram::123:role/pod", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN": "acs:ram::123:oidc-provider/ack",
            "ALIBABA_CLOUD_OIDC_TOKEN_FILE": "/var/run/secrets/token", "ALIBABA_CLOUD_ROLE_SESSION_NAME": "salvo-job",
        ]))
        #expect(chain.links.map(\.name) == ["env", "oidc_role_arn", "cli_profile", "profile", "ecs_ram_role", "credentials_uri"])
        let source = try #require(Self.source(chain, "oidc_role_arn", as: OIDCRoleSource.self))
        #expect(source.name == "oidc_role_arn" && source.roleArn == "acs:ram::123:role/pod" && source.providerArn == "acs:ram::123:oidc-provider/ack")
        #expect(source.tokenFile == "/var/run/secrets/token" && source.sessionName == "salvo-job" && source.durationSeconds == 3600)
    }

    @Test func theMetadataAndURILinksReadTheirVariables() throws {
        for spelling in ["ALIBABA_CLOUD_IMDSV1_DISABLED", "ALIBABA_CLOUD_IMDSV1_DISABLE"] {
            let chain = try CredentialsLoader.provider(environment: TemporaryHome().environment([
                "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "false", "ALIBABA_CLOUD_ECS_METADATA": "EcsSender", spelling: "true",
                "ALIBABA_CLOUD_CREDENTIALS_URI": "http://127.0.0.1:9/credentials",
            ]))
            let metadata = try #require(Self.source(chain, "ecs_ram_role", as: ECSMetadataSource.self))
            #expect(metadata.baseURL == ECSMetadataSource.defaultURL && metadata.roleName == "EcsSender" && metadata.v1Disabled)
            #expect(Self.source(chain, "credentials_uri", as: CredentialsURISource.self)?.uri == "http://127.0.0.1:9/credentials")
        }
        let chain = try CredentialsLoader.provider(environment: TemporaryHome().environment(["ALIBABA_CLOUD_ECS_METADATA_DISABLED": ""]))
        #expect(Self.source(chain, "ecs_ram_role", as: ECSMetadataSource.self)?.v1Disabled == false)
        #expect(chain.links.last?.provider == nil, "no URI")
    }

    // MARK: - config.json

    @Test(arguments: [
        ("ak", "cli_profile/static_ak"), ("sts", "cli_profile/static_sts"), ("role", "cli_profile/ram_role_arn"),
        ("chained", "cli_profile/chainable_ram_role_arn"), ("ecs", "cli_profile/ecs_ram_role"), ("oidc-ram", "cli_profile/oidc_role_arn"),
    ])
    func everyConfigModeBecomesItsLink(_ profile: String, _ name: String) throws {
        let home = TemporaryHome()
        try home.write(".aliyun/config.json", ProfileFileTests.config)
        let chain = try CredentialsLoader.provider(environment: home.environment(["ALIBABA_CLOUD_PROFILE": profile]))
        #expect(chain.links[2].name == name)
        let provider = chain.links[2].provider
        switch profile {
        case "ak", "sts":
            #expect((provider as? StaticCredentialsProvider)?.fixed.accessKeySecret.value == ProfileFileTests.secret)
            #expect(chain.links.count == 3, "a fixed key ends the chain")
        case "role":
            let role = try #require(Self.source(chain, name, as: AssumeRoleSource.self))
            #expect(role.roleArn == "acs:ram::123:role/sender" && role.sessionName == "nightly" && role.durationSeconds == 1800)
            #expect(role.policy == "{}" && role.externalId == "ext")
            #expect((role.sourceCredentials as? StaticCredentialsProvider)?.fixed.accessKeyId == "LTAI5tCliKeyId")
        case "chained":
            let role = try #require(Self.source(chain, name, as: AssumeRoleSource.self))
            #expect(role.roleArn == "acs:ram::456:role/other" && role.durationSeconds == 3600)
            let inner = try #require((role.sourceCredentials as? RefreshingCredentialsProvider)?.source as? AssumeRoleSource)
            #expect(inner.roleArn == "acs:ram::123:role/sender" && (inner.sourceCredentials as? StaticCredentialsProvider) != nil)
        case "ecs":
            #expect(Self.source(chain, name, as: ECSMetadataSource.self)?.roleName == "EcsSender")
        default:
            #expect(Self.source(chain, name, as: OIDCRoleSource.self)?.sessionName == "from-ram-session-name")
        }
    }

    @Test func theCurrentProfileIsUsedWhenNoneIsNamed() async throws {
        let home = TemporaryHome()
        try home.write(".aliyun/config.json", ProfileFileTests.config)
        let chain = try CredentialsLoader.provider(environment: home.environment())
        #expect(try await chain.resolve().source == "cli_profile/static_ak")
        #expect(try CredentialsLoader.load(environment: home.environment()).accessKeyId == "LTAI5tCliKeyId")
        let disabled = try CredentialsLoader.provider(environment: home.environment(["ALIBABA_CLOUD_CLI_PROFILE_DISABLED": "true",
                                                                                     "ALIBABA_CLOUD_CREDENTIALS_URI": "http://127.0.0.1:9"]))
        #expect(disabled.links[2].reason == "ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true")
    }

    @Test func unusableConfigFilesStopTheChain() throws {
        let home = TemporaryHome()
        let path = try home.write(".aliyun/config.json", ProfileFileTests.config)
        for (profile, words) in [("loop-a", "is a cycle"), ("sso", "mode 'CloudSSO'"), ("half", "has no ram_role_arn")] {
            Self.expectError(.invalidProfile, "'\(path)': ", home.environment(["ALIBABA_CLOUD_PROFILE": profile]))
            Self.expectError(.invalidProfile, words, home.environment(["ALIBABA_CLOUD_PROFILE": profile]))
        }
        Self.expectError(.invalidProfile, "ALIBABA_CLOUD_PROFILE names profile 'nowhere', which neither ~/.aliyun/config.json nor the credentials file has",
                         home.environment(["ALIBABA_CLOUD_PROFILE": "nowhere"]))
        try home.write(".aliyun/config.json", #"{"current": "gone", "profiles": []}"#)
        Self.expectError(.invalidProfile, "'\(path)': its current profile 'gone' is not among its profiles", home.environment())
        try home.write(".aliyun/config.json", "{\"current\": ")
        Self.expectError(.invalidProfile, "'\(path)' is not a valid aliyun CLI configuration", home.environment())
        // A secret that others can read is refused, as in the INI file; without one the mode is no matter.
        try home.write(".aliyun/config.json", #"{"current": "a", "profiles": [{"name": "a", "mode": "AK", "access_key_id": "LTAI5tJsonKey", "access_key_secret": "s3cret"}]}"#, mode: 0o644)
        Self.expectError(.exposedFile, "Run: chmod 600 '\(path)'", home.environment())
        try home.write(".aliyun/config.json", #"{"current": "e", "profiles": [{"name": "e", "mode": "EcsRamRole", "ram_role_name": "r"}]}"#, mode: 0o644)
        #expect(throws: Never.self) { _ = try CredentialsLoader.provider(environment: home.environment()) }
    }

    @Test func aNamedProfileWithNoProfileFilesIsNoError() throws {
        let chain = try CredentialsLoader.provider(environment: TemporaryHome().environment([
            "ALIBABA_CLOUD_PROFILE": "prod", "ALIBABA_CLOUD_CREDENTIALS_URI": "http://127.0.0.1:9",
        ]))
        #expect(chain.links.map(\.name) == ["env", "oidc_role_arn", "cli_profile", "profile", "ecs_ram_role", "credentials_uri"])
    }

    @Test func aProfileNamedForTheINIFileIsFoundThere() async throws {
        let home = TemporaryHome()
        try home.write(".aliyun/config.json", ProfileFileTests.config)
        try home.write(".alibabacloud/credentials", "[ci]\ntype = access_key\naccess_key_id = LTAI5tIniKeyId\naccess_key_secret = \(Self.secret)\n")
        let chain = try CredentialsLoader.provider(environment: home.environment(["ALIBABA_CLOUD_PROFILE": "ci"]))
        #expect(chain.links[2].reason == "'\(home.path)/.aliyun/config.json' has no profile 'ci' (ALIBABA_CLOUD_PROFILE)")
        #expect(try await chain.resolve().source == "profile/access_key")
    }

    // MARK: - The INI file

    @Test func everyINITypeBecomesItsLink() throws {
        let home = TemporaryHome()
        try home.write(".alibabacloud/credentials", """
            [default]
            type = ram_role_arn
            access_key_id = LTAI5tIniKeyId
            access_key_secret = \(Self.secret)
            role_arn = acs:ram::123:role/sender # the sender role
            [oidc]
            type = oidc_role_arn
            role_arn = acs:ram::123:role/pod
            oidc_provider_arn = acs:ram::123:oidc-provider/ack
            oidc_token_file_path = /var/run/token
            role_session_name = ini-session
            [ecs]
            type = ecs_ram_role
            """)
        let role = try CredentialsLoader.provider(environment: home.environment(["ALIBABA_CLOUD_ROLE_SESSION_NAME": "env-session"]))
        let assume = try #require(Self.source(role, "profile/ram_role_arn", as: AssumeRoleSource.self))
        #expect(assume.roleArn == "acs:ram::123:role/sender" && assume.sessionName == "env-session")
        let oidc = try CredentialsLoader.provider(environment: home.environment(["ALIBABA_CLOUD_PROFILE": "oidc", "ALIBABA_CLOUD_ROLE_SESSION_NAME": "env-session"]))
        #expect(Self.source(oidc, "profile/oidc_role_arn", as: OIDCRoleSource.self)?.sessionName == "ini-session", "the profile's name first")
        let ecs = try CredentialsLoader.provider(environment: home.environment(["ALIBABA_CLOUD_PROFILE": "ecs", "SALVO_ECS_METADATA_URL": "http://127.0.0.1:9"]))
        let metadata = try #require(Self.source(ecs, "profile/ecs_ram_role", as: ECSMetadataSource.self))
        #expect(metadata.baseURL == "http://127.0.0.1:9" && metadata.roleName == nil)
    }

    @Test func theINIFileIsFoundWhereTheSDKsLook() async throws {
        let home = TemporaryHome()
        let plain = "[default]\naccess_key_id = LTAI5tPlainFile\naccess_key_secret = \(Self.secret)\n"
        try home.write(".alibabacloud/credentials", plain)
        #expect(try await CredentialsLoader.provider(environment: home.environment()).credentials().accessKeyId == "LTAI5tPlainFile")
        try home.write(".alibabacloud/credentials.ini", plain.replacingOccurrences(of: "PlainFile", with: "IniFile1"))
        #expect(try await CredentialsLoader.provider(environment: home.environment()).credentials().accessKeyId == "LTAI5tIniFile1", ".ini first")
        let named = try home.write("elsewhere/creds", plain.replacingOccurrences(of: "PlainFile", with: "Elsewhere"))
        let chain = try CredentialsLoader.provider(environment: home.environment(["ALIBABA_CLOUD_CREDENTIALS_FILE": named]))
        #expect(try await chain.credentials().accessKeyId == "LTAI5tElsewhere")
        Self.expectError(.unreadableFile, "ALIBABA_CLOUD_CREDENTIALS_FILE names '\(home.path)/nope', which does not exist",
                         home.environment(["ALIBABA_CLOUD_CREDENTIALS_FILE": home.path + "/nope"]))
    }

    @Test func unusableINIFilesStopTheChain() throws {
        let home = TemporaryHome()
        let path = try home.write(".alibabacloud/credentials", "[default]\naccess_key_id = LTAI5tIniKeyId\naccess_key_secret = \(Self.secret)\n", mode: 0o644)
        Self.expectError(.exposedFile, "Run: chmod 600 '\(path)'", home.environment())
        try home.write(".alibabacloud/credentials", "[default]\ntype = ecs_ram_role\n", mode: 0o644)
        #expect(throws: Never.self, "no secret in it: others may read it") { try CredentialsLoader.provider(environment: home.environment()) }
        try home.write(".alibabacloud/credentials", "[default]\n\(Self.secret)\n")
        Self.expectError(.invalidProfile, "\(path):2: expected '[section]' or 'key = value'", home.environment())
        try home.write(".alibabacloud/credentials", "[default]\ntype = rsa_key_pair\n")
        Self.expectError(.invalidProfile, "\(path):2: [default] has type 'rsa_key_pair'", home.environment())
        try home.write(".alibabacloud/credentials", "[other]\ntype = ecs_ram_role\n")
        let chain = try CredentialsLoader.provider(environment: home.environment(["ALIBABA_CLOUD_CREDENTIALS_URI": "http://127.0.0.1:9"]))
        #expect(chain.links[3].reason == "'\(path)' has no [default] section", "no [default]: not an error, the chain goes on")
    }

    @Test func noErrorHoldsASecret() async throws {
        let home = TemporaryHome()
        try home.write(".aliyun/config.json", ProfileFileTests.config)
        var messages: [String] = []
        for profile in ["loop-a", "sso", "half", "short", "wordy", "dangling", "modeless", "nowhere"] {
            do { _ = try CredentialsLoader.provider(environment: home.environment(["ALIBABA_CLOUD_PROFILE": profile])) } catch { messages.append("\(error)") }
        }
        try home.write(".alibabacloud/credentials", "[default]\naccess_key_id \(Self.secret)\n")
        do { _ = try CredentialsLoader.provider(environment: home.environment(["ALIBABA_CLOUD_CLI_PROFILE_DISABLED": "true"])) } catch { messages.append("\(error)") }
        do { _ = try CredentialsLoader.load(environment: ["ALIBABA_CLOUD_ACCESS_KEY_ID": Self.secret]) } catch { messages.append("\(error)") }
        do { _ = try CredentialsLoader.load(environment: ["ALIBABA_CLOUD_ACCESS_KEY_SECRET": Self.secret]) } catch { messages.append("\(error)") }
        #expect(messages.count == 11)
        for message in messages {
            #expect(!message.contains(Self.secret), "leaked in: \(message)")
        }
    }
}
