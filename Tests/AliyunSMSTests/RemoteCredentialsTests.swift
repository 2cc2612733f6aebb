import Foundation
import Testing
@testable import AliyunSMS
import SMSEmulator

/// The remote credentials sources: AssumeRole signed exactly as the official Python package signs
/// it, the STS endpoint's resolution, and each source against the emulator's STS and metadata
/// service over real loopback HTTP (or a scripted server for answers the emulator never gives).
@Suite struct RemoteCredentialsTests {
    // MARK: - Helpers

    /// Marker secrets: an error that holds one has leaked it.
    static let sourceSecret = "MARKER-SOURCE-SECRET-5b1e"
    static let oidcToken = "MARKER-OIDC-TOKEN-eyJhbGciOi.c2Fsdm8.c2ln"

    static func emulator(_ adjust: (inout EmulatorConfiguration) -> Void = { _ in }) async throws -> EmulatorServer {
        var configuration = EmulatorConfiguration(accessKeyId: "LTAI5tRemoteTestKey", accessKeySecret: sourceSecret)
        configuration.sts.enabled = true
        adjust(&configuration)
        return try await EmulatorServer(core: EmulatorCore(configuration: configuration, record: try EmulatorRecord(path: ":memory:")))
    }

    static func endpoint(_ url: String) throws -> STSEndpoint {
        try STSEndpoint.resolve(environment: [STSEndpoint.endpointVariable: url])
    }

    static let source = StaticCredentialsProvider(Credentials(accessKeyId: "LTAI5tRemoteTestKey", accessKeySecret: sourceSecret))
    static let roleArn = "acs:ram::1234567890123456:role/salvo-sender"
    static let providerArn = "acs:ram::1234567890123456:oidc-provider/ack-rrsa-c1"

    static func temporaryFile(_ content: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-oidc-\(UUID().uuidString)").path
        try content.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A metadata source with a deadline a busy test machine keeps (the 1 s default is tested
    /// against a silent server).
    static func metadata(baseURL: String, roleName: String?, v1Disabled: Bool) -> ECSMetadataSource {
        var source = ECSMetadataSource(baseURL: baseURL, roleName: roleName, v1Disabled: v1Disabled)
        source.timeout = .seconds(20)
        return source
    }

    /// Everything an error says, its cause included.
    static func words(_ error: CredentialsError) -> String {
        "\(error) | \(error.message) | \(String(describing: error.cause)) | \(String(reflecting: error))"
    }

    /// The error `body` throws, which must be a CredentialsError.
    static func failure(_ body: () async throws(CredentialsError) -> Credentials) async -> CredentialsError? {
        do {
            _ = try await body()
            return nil
        } catch {
            return error
        }
    }

    static func queryPairs(_ url: String) -> [String: String] {
        guard let mark = url.firstIndex(of: "?") else { return [:] }
        let pairs = PercentEncoding.parseForm(url[url.index(after: mark)...]) ?? []
        return Dictionary(pairs, uniquingKeysWith: { first, _ in first })
    }

    // MARK: - The AssumeRole signature, against the official Python package

    // How these vectors were made (alibabacloud-credentials 1.0.12, Python 3.11.7):
    //   python3 -m venv /tmp/venv-cred && /tmp/venv-cred/bin/pip install alibabacloud-credentials
    // then a script imported alibabacloud_credentials.provider.ram_role_arn, replaced
    // parameter_helper.get_uuid with 'b7a1c0de-2f4e-4d6a-9c3b-0123456789ab',
    // parameter_helper.get_iso_8061_date with '2026-12-07T17:30:00Z' (1796664600) and
    // Tea.core.TeaCore.do_action with a function that captured the request, and called
    // RamRoleArnCredentialsProvider(...)._refresh_credentials(): the package's own code composed
    // the query, compose_string_to_sign('GET', query) and sign_string(..., secret + '&'). The
    // queries and signatures below are what it captured. (The package encodes with quote_plus, a
    // space as '+'; Salvo as the API documents, '%20': the vectors hold no space, where both agree.)

    @Test func assumeRoleIsSignedAsTheOfficialPackageSignsIt() throws {
        let source = AssumeRoleSource(
            name: "ram_role_arn", sourceCredentials: Self.source, roleArn: Self.roleArn, sessionName: nil,
            endpoint: STSEndpoint.global)
        let credentials = Credentials(accessKeyId: "LTAI5tVectorKeyId01", accessKeySecret: "VectorSecret/With+Chars=")
        let call = try source.request(credentials: credentials, nonce: "b7a1c0de-2f4e-4d6a-9c3b-0123456789ab", timestamp: Date(timeIntervalSince1970: 1_796_664_600))
        #expect(call.method == "GET")
        #expect(call.url.hasPrefix("https://sts.aliyuncs.com/?"))
        #expect(Self.queryPairs(call.url) == [
            "Action": "AssumeRole", "Format": "JSON", "Version": "2015-04-01", "DurationSeconds": "3600",
            "RoleArn": "acs:ram::1234567890123456:role/salvo-sender", "RoleSessionName": "salvo-1796664600",
            "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "Timestamp": "2026-12-07T17:30:00Z",
            "SignatureNonce": "b7a1c0de-2f4e-4d6a-9c3b-0123456789ab", "AccessKeyId": "LTAI5tVectorKeyId01",
            "Signature": "s48cfnQLzFYB4+u9EnklfHAankQ=",
        ])
    }

    @Test func aChainedAssumeRoleWithPolicyIsSignedAsTheOfficialPackageSignsIt() throws {
        let policy = #"{"Version":"1","Statement":[{"Effect":"Allow","Action":"dysms:*","Resource":"*"}]}"#
        let source = AssumeRoleSource(
            name: "ram_role_arn", sourceCredentials: Self.source, roleArn: "acs:ram::1234567890123456:role/chained",
            sessionName: "chain@ops_1.x", durationSeconds: 900, policy: policy, externalId: "ext-42", endpoint: STSEndpoint.global)
        let credentials = Credentials(accessKeyId: "STS.NVectorChainedKey", accessKeySecret: "ChainSecret~x", securityToken: "CAIS+token/with=chars&more")
        let call = try source.request(credentials: credentials, nonce: "b7a1c0de-2f4e-4d6a-9c3b-0123456789ab", timestamp: Date(timeIntervalSince1970: 1_796_664_600))
        let stringToSign = "GET&%2F&AccessKeyId%3DSTS.NVectorChainedKey%26Action%3DAssumeRole%26DurationSeconds%3D900%26ExternalId%3Dext-42%26Format%3DJSON%26Policy%3D%257B%2522Version%2522%253A%25221%2522%252C%2522Statement%2522%253A%255B%257B%2522Effect%2522%253A%2522Allow%2522%252C%2522Action%2522%253A%2522dysms%253A%252A%2522%252C%2522Resource%2522%253A%2522%252A%2522%257D%255D%257D%26RoleArn%3Dacs%253Aram%253A%253A1234567890123456%253Arole%252Fchained%26RoleSessionName%3Dchain%2540ops_1.x%26SecurityToken%3DCAIS%252Btoken%252Fwith%253Dchars%2526more%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3Db7a1c0de-2f4e-4d6a-9c3b-0123456789ab%26SignatureVersion%3D1.0%26Timestamp%3D2026-12-07T17%253A30%253A00Z%26Version%3D2015-04-01"
        let parameters = try source.parameters(credentials: credentials, nonce: "b7a1c0de-2f4e-4d6a-9c3b-0123456789ab", timestamp: Date(timeIntervalSince1970: 1_796_664_600))
        #expect(SignatureV1.stringToSign(method: "GET", canonicalQuery: SignatureV1.canonicalQuery(parameters)) == stringToSign)
        #expect(Self.queryPairs(call.url) == [
            "Action": "AssumeRole", "Format": "JSON", "Version": "2015-04-01", "DurationSeconds": "900",
            "RoleArn": "acs:ram::1234567890123456:role/chained", "RoleSessionName": "chain@ops_1.x",
            "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "Timestamp": "2026-12-07T17:30:00Z",
            "SignatureNonce": "b7a1c0de-2f4e-4d6a-9c3b-0123456789ab", "Policy": policy, "ExternalId": "ext-42",
            "AccessKeyId": "STS.NVectorChainedKey", "SecurityToken": "CAIS+token/with=chars&more",
            "Signature": "/XWYW/m2pjVW0Wb2q+x+gn/iJkY=",
        ])
    }

    @Test func eachFetchSignsWithAFreshNonceAndTime() throws {
        let source = AssumeRoleSource(name: "ram_role_arn", sourceCredentials: Self.source, roleArn: Self.roleArn, sessionName: "s1", endpoint: STSEndpoint.global)
        let credentials = Credentials(accessKeyId: "LTAI5tVectorKeyId01", accessKeySecret: "x")
        let first = Self.queryPairs(try source.request(credentials: credentials, nonce: UUID().uuidString, timestamp: Date()).url)
        let second = Self.queryPairs(try source.request(credentials: credentials, nonce: UUID().uuidString, timestamp: Date()).url)
        #expect(first["SignatureNonce"] != second["SignatureNonce"])
        #expect(first["Signature"] != second["Signature"])
    }

    // MARK: - Session names, durations, expirations

    @Test func aShortDurationOrABadSessionNameIsRefusedBeforeAsking() throws {
        let short = AssumeRoleSource(name: "r", sourceCredentials: Self.source, roleArn: Self.roleArn, sessionName: nil, durationSeconds: 899, endpoint: STSEndpoint.global)
        let credentials = Credentials(accessKeyId: "id", accessKeySecret: "x")
        #expect(throws: CredentialsError.self) { try short.request(credentials: credentials, nonce: "n", timestamp: Date()) }
        do {
            _ = try short.request(credentials: credentials, nonce: "n", timestamp: Date())
        } catch {
            #expect(error.code == .invalidProfile)
            #expect(error.message.contains("899") && error.message.contains("900"), "\(error)")
        }
        for name in ["a", "has space", "名字", "semi;colon"] {
            do {
                _ = try RoleSession.name(name, now: Date())
                Issue.record("'\(name)' was accepted")
            } catch {
                #expect(error.message.contains("role session name '\(name)'"), "\(error)")
            }
        }
        #expect(try RoleSession.name("ok.name@x-y_z", now: Date()) == "ok.name@x-y_z")
        #expect(try RoleSession.name(nil, now: Date(timeIntervalSince1970: 1_700_000_000.9)) == "salvo-1700000000")
        #expect(try RoleSession.name("", now: Date(timeIntervalSince1970: 5)) == "salvo-5")
    }

    @Test func expirationsAreReadAsUTC() {
        #expect(AliyunTime.parseTimestamp("2026-12-07T17:30:00Z") == Date(timeIntervalSince1970: 1_796_664_600))
        #expect(AliyunTime.parseTimestamp("2017-11-01T05:20:01Z") == Date(timeIntervalSince1970: 1_509_513_601))
        for bad in ["2026-12-07T17:30:00", "2026-12-07 17:30:00Z", "2026-02-31T00:00:00Z", "2026-12-07T17:30:00.000Z", "", "2026-13-01T00:00:00Z"] {
            #expect(AliyunTime.parseTimestamp(bad) == nil, "\(bad)")
        }
    }

    // MARK: - The STS endpoint

    @Test(arguments: [
        ([:], nil, nil, "https://sts.aliyuncs.com"),
        (["ALIBABA_CLOUD_STS_ENDPOINT": "sts.cn-shanghai.aliyuncs.com"], nil, nil, "https://sts.cn-shanghai.aliyuncs.com"),
        (["ALIBABA_CLOUD_STS_ENDPOINT": "http://127.0.0.1:8080"], nil, nil, "http://127.0.0.1:8080"),
        (["ALIBABA_CLOUD_STS_ENDPOINT": "https://sts.example.com/"], nil, nil, "https://sts.example.com"),
        (["ALIBABA_CLOUD_STS_ENDPOINT": "sts.example.com", "ALIBABA_CLOUD_STS_REGION": "cn-beijing"], "cn-hangzhou", true, "https://sts.example.com"),
        (["ALIBABA_CLOUD_STS_REGION": "cn-hangzhou"], nil, nil, "https://sts.cn-hangzhou.aliyuncs.com"),
        (["ALIBABA_CLOUD_STS_REGION": "cn-hangzhou", "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED": "true"], nil, nil, "https://sts-vpc.cn-hangzhou.aliyuncs.com"),
        (["ALIBABA_CLOUD_STS_REGION": "cn-hangzhou", "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED": "TRUE"], "ap-southeast-1", false, "https://sts.ap-southeast-1.aliyuncs.com"),
        (["ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED": "true"], nil, nil, "https://sts.aliyuncs.com"),
        ([:], "cn-shenzhen", true, "https://sts-vpc.cn-shenzhen.aliyuncs.com"),
    ] as [([String: String], String?, Bool?, String)])
    func theEndpointIsChosenAsTheSDKsChooseIt(environment: [String: String], region: String?, vpc: Bool?, expected: String) throws {
        #expect(try STSEndpoint.resolve(environment: environment, region: region, vpc: vpc).url == expected)
    }

    @Test(arguments: [
        (["ALIBABA_CLOUD_STS_ENDPOINT": "ftp://sts.example.com"], "ALIBABA_CLOUD_STS_ENDPOINT"),
        (["ALIBABA_CLOUD_STS_ENDPOINT": "https://sts.example.com/path"], "ALIBABA_CLOUD_STS_ENDPOINT"),
        (["ALIBABA_CLOUD_STS_ENDPOINT": "sts example com"], "ALIBABA_CLOUD_STS_ENDPOINT"),
        (["ALIBABA_CLOUD_STS_REGION": "CN_Hangzhou"], "ALIBABA_CLOUD_STS_REGION"),
        (["ALIBABA_CLOUD_STS_REGION": "cn-hangzhou", "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED": "yes"], "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED"),
    ] as [([String: String], String)])
    func aBadEndpointSettingIsAClearError(environment: [String: String], named: String) {
        do {
            let endpoint = try STSEndpoint.resolve(environment: environment)
            Issue.record("accepted as \(endpoint.url)")
        } catch {
            #expect(error.code == .invalidProfile)
            #expect(error.message.contains(named), "\(error)")
        }
    }

    // MARK: - AssumeRole against the emulator

    @Test func assumeRoleGetsCredentialsAndAChainedRoleSignsWithTheirToken() async throws {
        let server = try await Self.emulator { $0.sts.duration = .seconds(1800) }
        defer { Task { await server.close() } }
        let endpoint = try Self.endpoint(server.url)
        let role = AssumeRoleSource(name: "ram_role_arn", sourceCredentials: Self.source, roleArn: Self.roleArn, sessionName: nil, endpoint: endpoint)
        let first = try await role.fetch()
        #expect(first.accessKeyId.hasPrefix("STS."))
        #expect(first.securityToken != nil)
        let remaining = try #require(first.expiration).timeIntervalSinceNow
        #expect(remaining > 1700 && remaining <= 1800)
        // A second fetch asks again: new credentials.
        let second = try await role.fetch()
        #expect(second.accessKeyId != first.accessKeyId)
        // Role chaining: the issued credentials, with their token, are the next role's source.
        let chained = AssumeRoleSource(name: "cli_profile/chainable_ram_role_arn", sourceCredentials: StaticCredentialsProvider(first),
                                       roleArn: "acs:ram::1234567890123456:role/next", sessionName: "chained", endpoint: endpoint)
        let third = try await chained.fetch()
        #expect(third.accessKeyId.hasPrefix("STS.") && third.accessKeyId != first.accessKeyId)
    }

    @Test func aRefusedAssumeRoleSaysWhoRefusedWhatAndHoldsNoSecret() async throws {
        let server = try await Self.emulator()
        defer { Task { await server.close() } }
        let endpoint = try Self.endpoint(server.url)
        let host = String(server.url.dropFirst("http://".count))
        let wrongSecret = StaticCredentialsProvider(Credentials(accessKeyId: "LTAI5tRemoteTestKey", accessKeySecret: "MARKER-WRONG-SECRET-9d2c"))
        let role = AssumeRoleSource(name: "ram_role_arn", sourceCredentials: wrongSecret, roleArn: Self.roleArn, sessionName: nil, endpoint: endpoint)
        let refused = try #require(await Self.failure { () async throws(CredentialsError) in try await role.fetch() })
        #expect(refused.code == .refused)
        #expect(refused.message == "AssumeRole refused by \(host): SignatureDoesNotMatch: Specified signature is not matched with our calculation.")
        #expect(!Self.words(refused).contains("MARKER"))
        // A chained source whose token is not the one issued: refused, the token not repeated.
        let issued = try await AssumeRoleSource(name: "r", sourceCredentials: Self.source, roleArn: Self.roleArn, sessionName: nil, endpoint: endpoint).fetch()
        var forged = issued
        forged.securityToken = Secret("MARKER-FORGED-TOKEN-0a9f")
        let chained = AssumeRoleSource(name: "r", sourceCredentials: StaticCredentialsProvider(forged), roleArn: Self.roleArn, sessionName: nil, endpoint: endpoint)
        let malformed = try #require(await Self.failure { () async throws(CredentialsError) in try await chained.fetch() })
        #expect(malformed.message.hasPrefix("AssumeRole refused by \(host): InvalidSecurityToken.Malformed"), "\(malformed)")
        #expect(!Self.words(malformed).contains("MARKER") && !Self.words(malformed).contains(issued.accessKeySecret.value))
    }

    @Test func aSourceProviderThatFailsIsNamed() async throws {
        struct Failing: CredentialsProvider {
            func credentials() async throws(CredentialsError) -> Credentials { throw CredentialsError(.missing, "nothing in the environment") }
        }
        let role = AssumeRoleSource(name: "r", sourceCredentials: Failing(), roleArn: Self.roleArn, sessionName: nil, endpoint: STSEndpoint.global)
        let error = try #require(await Self.failure { () async throws(CredentialsError) in try await role.fetch() })
        #expect(error.code == .missing)
        #expect(error.message == "AssumeRole \(Self.roleArn): no source credentials: nothing in the environment")
    }

    // MARK: - AssumeRoleWithOIDC against the emulator

    @Test func oidcReadsTheTokenFileAtEveryFetch() async throws {
        let expected = try Self.temporaryFile(Self.oidcToken + "-1\n")
        let mounted = try Self.temporaryFile(Self.oidcToken + "-1\n")
        defer { try? FileManager.default.removeItem(atPath: expected); try? FileManager.default.removeItem(atPath: mounted) }
        let server = try await Self.emulator { $0.sts.oidcTokenFile = expected }
        defer { Task { await server.close() } }
        let host = String(server.url.dropFirst("http://".count))
        let oidc = OIDCRoleSource(name: "oidc_role_arn", roleArn: Self.roleArn, providerArn: Self.providerArn, tokenFile: mounted, sessionName: nil, endpoint: try Self.endpoint(server.url))
        let first = try await oidc.fetch()
        #expect(first.accessKeyId.hasPrefix("STS.") && first.expiration != nil)
        // The provider rotates the token: the old one in the mounted file is refused...
        try (Self.oidcToken + "-2").write(toFile: expected, atomically: true, encoding: .utf8)
        let refused = try #require(await Self.failure { () async throws(CredentialsError) in try await oidc.fetch() })
        #expect(refused.message == "AssumeRoleWithOIDC refused by \(host): InvalidParameter.OIDCToken: The OIDC token is invalid.")
        #expect(!Self.words(refused).contains("MARKER"))
        // ...until Kubernetes rewrites the mounted file: read again, accepted.
        try ("  " + Self.oidcToken + "-2\r\n").write(toFile: mounted, atomically: true, encoding: .utf8)
        let second = try await oidc.fetch()
        #expect(second.accessKeyId != first.accessKeyId)
    }

    @Test func aMissingOrEmptyTokenFileIsNamedAndNeverQuoted() async throws {
        let empty = try Self.temporaryFile(" \n")
        defer { try? FileManager.default.removeItem(atPath: empty) }
        let missing = empty + "-missing"
        for (path, words) in [(missing, "does not exist"), (empty, "is empty"), (FileManager.default.temporaryDirectory.path, "cannot read")] {
            let oidc = OIDCRoleSource(name: "oidc_role_arn", roleArn: Self.roleArn, providerArn: Self.providerArn, tokenFile: path, sessionName: nil, endpoint: STSEndpoint.global)
            let error = try #require(await Self.failure { () async throws(CredentialsError) in try await oidc.fetch() })
            #expect(error.code == .unreadableFile)
            #expect(error.message.contains("OIDC token file '\(path)'") && error.message.contains(words), "\(error)")
        }
    }

    @Test func theOIDCRequestIsAnUnsignedPost() throws {
        let oidc = OIDCRoleSource(name: "oidc_role_arn", roleArn: Self.roleArn, providerArn: Self.providerArn, tokenFile: "/unused", sessionName: nil,
                                  durationSeconds: 1200, policy: "{}", endpoint: STSEndpoint.global)
        let call = try oidc.request(token: "tok.en", timestamp: Date(timeIntervalSince1970: 1_796_664_600))
        #expect(call.method == "POST")
        #expect(call.url == "https://sts.aliyuncs.com/?Action=AssumeRoleWithOIDC&Format=JSON&Version=2015-04-01&Timestamp=2026-12-07T17%3A30%3A00Z")
        let form = Dictionary(PercentEncoding.parseForm(Substring(String(decoding: call.body, as: UTF8.self))) ?? [], uniquingKeysWith: { a, _ in a })
        #expect(form == ["RoleArn": Self.roleArn, "OIDCProviderArn": Self.providerArn, "OIDCToken": "tok.en",
                         "RoleSessionName": "salvo-1796664600", "DurationSeconds": "1200", "Policy": "{}"])
        #expect(!call.url.contains("Signature") && !call.url.contains("AccessKeyId"))
    }

    // MARK: - Instance metadata against the emulator

    @Test(arguments: [(false, false, nil), (true, false, nil), (true, true, nil), (false, false, "SalvoEmulatorRole")] as [(Bool, Bool, String?)])
    func metadataCredentialsWithTheToken(v2Only: Bool, v1Disabled: Bool, roleName: String?) async throws {
        let server = try await Self.emulator { $0.sts.imdsV2Only = v2Only }
        defer { Task { await server.close() } }
        let ecs = Self.metadata(baseURL: server.url, roleName: roleName, v1Disabled: v1Disabled)
        #expect(ecs.name == "ecs_ram_role")
        let credentials = try await ecs.fetch()
        #expect(credentials.accessKeyId.hasPrefix("STS.") && credentials.securityToken != nil && credentials.expiration != nil)
    }

    @Test func anUnknownRoleSaysWhichStepFailedWhere() async throws {
        let server = try await Self.emulator { $0.sts.imdsV2Only = true }
        defer { Task { await server.close() } }
        let ecs = Self.metadata(baseURL: server.url + "/", roleName: "NoSuchRole", v1Disabled: true)
        let error = try #require(await Self.failure { () async throws(CredentialsError) in try await ecs.fetch() })
        #expect(error.message == "GET \(server.url)/latest/meta-data/ram/security-credentials/NoSuchRole answered HTTP 404", "\(error)")
    }

    @Test func theCredentialsURIAnswersLikeTheMetadataService() async throws {
        let server = try await Self.emulator()
        defer { Task { await server.close() } }
        let uri = CredentialsURISource(uri: server.url + "/latest/meta-data/ram/security-credentials/SalvoEmulatorRole")
        #expect(uri.name == "credentials_uri")
        let credentials = try await uri.fetch()
        #expect(credentials.accessKeyId.hasPrefix("STS."))
        let wrong = CredentialsURISource(uri: server.url + "/latest/meta-data/ram/security-credentials/Other?token=MARKER-URI-TOKEN")
        let error = try #require(await Self.failure { () async throws(CredentialsError) in try await wrong.fetch() })
        #expect(error.message == "GET \(server.url)/latest/meta-data/ram/security-credentials/Other (query and user hidden) answered HTTP 404", "\(error)")
    }

    // MARK: - Instance metadata's fallbacks, against a scripted server

    static let metadataCredentials = #"{"Code":"Success","AccessKeyId":"STS.Scripted","AccessKeySecret":"MARKER-IMDS-SECRET","SecurityToken":"MARKER-IMDS-TOKEN","Expiration":"2030-01-01T00:00:00Z","LastUpdated":"2029-12-31T18:00:00Z"}"#

    @Test func aRefusedTokenFallsBackToV1UnlessV1IsDisabled() async throws {
        let server = try ScriptedHTTPServer { request in
            switch (request.method, request.path) {
            case ("PUT", "/latest/api/token"): return .init(status: 403, contentType: "text/plain", body: "Forbidden")
            case ("GET", "/latest/meta-data/ram/security-credentials/"): return .init(status: 200, contentType: "text/plain", body: "ScriptedRole\n")
            case ("GET", "/latest/meta-data/ram/security-credentials/ScriptedRole"): return .init(status: 200, body: Self.metadataCredentials)
            default: return .init(status: 404, contentType: "text/plain", body: "")
            }
        }
        defer { server.stop() }
        let credentials = try await Self.metadata(baseURL: server.url, roleName: nil, v1Disabled: false).fetch()
        #expect(credentials.accessKeyId == "STS.Scripted")
        #expect(credentials.expiration == AliyunTime.parseTimestamp("2030-01-01T00:00:00Z"))
        let requests = server.requests
        #expect(requests.map { "\($0.method) \($0.path)" } == ["PUT /latest/api/token", "GET /latest/meta-data/ram/security-credentials/", "GET /latest/meta-data/ram/security-credentials/ScriptedRole"])
        #expect(requests.first?.headers["x-aliyun-ecs-metadata-token-ttl-seconds"] == "21600")
        #expect(requests.allSatisfy { $0.headers["x-aliyun-ecs-metadata-token"] == nil })

        let strict = Self.metadata(baseURL: server.url, roleName: nil, v1Disabled: true)
        let error = try #require(await Self.failure { () async throws(CredentialsError) in try await strict.fetch() })
        #expect(error.message == "PUT \(server.url)/latest/api/token for an IMDSv2 token answered HTTP 403 (IMDSv1 is disabled, so there is no fallback without a token)", "\(error)")
    }

    @Test func aGetThatFailsWithTheTokenIsAskedAgainWithoutIt() async throws {
        let server = try ScriptedHTTPServer { request in
            if request.method == "PUT" { return .init(status: 200, contentType: "text/plain", body: "imds-session-token") }
            if request.headers["x-aliyun-ecs-metadata-token"] != nil { return .init(status: 500, contentType: "text/plain", body: "broken") }
            return .init(status: 200, body: Self.metadataCredentials)
        }
        defer { server.stop() }
        let credentials = try await Self.metadata(baseURL: server.url, roleName: "Given", v1Disabled: false).fetch()
        #expect(credentials.accessKeyId == "STS.Scripted")
        #expect(server.requests.map { $0.headers["x-aliyun-ecs-metadata-token"] ?? "-" } == ["-", "imds-session-token", "-"])
        // With v1 disabled the failure stands, and says where.
        let error = try #require(await Self.failure { () async throws(CredentialsError) in
            try await Self.metadata(baseURL: server.url, roleName: "Given", v1Disabled: true).fetch()
        })
        #expect(error.message == "GET \(server.url)/latest/meta-data/ram/security-credentials/Given answered HTTP 500", "\(error)")
    }

    @Test func aMetadataAnswerThatIsNotSuccessIsRefusedWithoutQuotingIt() async throws {
        let server = try ScriptedHTTPServer { request in
            request.method == "PUT" ? .init(status: 200, contentType: "text/plain", body: "t")
                : .init(status: 200, body: #"{"Code":"Failure","AccessKeyId":"x","AccessKeySecret":"MARKER-IMDS-SECRET"}"#)
        }
        defer { server.stop() }
        let error = try #require(await Self.failure { () async throws(CredentialsError) in
            try await Self.metadata(baseURL: server.url, roleName: "R", v1Disabled: true).fetch()
        })
        #expect(error.message == "GET \(server.url)/latest/meta-data/ram/security-credentials/R answered Code 'Failure', not 'Success'")
        #expect(!Self.words(error).contains("MARKER"))
    }

    // MARK: - Answers that are no answer

    @Test func aBodyThatIsNotJSONIsDescribedNotQuoted() async throws {
        let server = try ScriptedHTTPServer { _ in .init(status: 502, contentType: "text/html; charset=utf-8", body: "<html>MARKER-PROXY-PAGE</html>") }
        defer { server.stop() }
        let role = AssumeRoleSource(name: "r", sourceCredentials: Self.source, roleArn: Self.roleArn, sessionName: nil, endpoint: try Self.endpoint(server.url))
        let error = try #require(await Self.failure { () async throws(CredentialsError) in try await role.fetch() })
        #expect(error.message == "AssumeRole at 127.0.0.1:\(server.port) answered HTTP 502 with text/html (30 bytes), not JSON", "\(error)")
        #expect(!Self.words(error).contains("MARKER"))
        // The request itself went out as a signed GET, the source's secret not in it.
        let request = try #require(server.requests.first)
        #expect(request.method == "GET" && request.path.contains("Signature=") && !request.path.contains("MARKER"))
    }

    @Test func noServerAndASilentOneAreUnavailableNamingHostAndStep() async throws {
        let closed = try ScriptedHTTPServer { _ in nil }
        let port = closed.port
        closed.stop()
        // (An STS call would keep trying to connect for its 10 s; the metadata service's has 1 s.)
        let nowhere = ECSMetadataSource(baseURL: "http://127.0.0.1:\(port)", roleName: "R", v1Disabled: true)
        let refused = try #require(await Self.failure { () async throws(CredentialsError) in try await nowhere.fetch() })
        #expect(refused.code == .unavailable)
        #expect(refused.message.hasPrefix("could not ask 127.0.0.1:\(port) for an IMDSv2 token (PUT /latest/api/token): could not connect"), "\(refused)")

        let silent = try ScriptedHTTPServer { _ in nil }
        defer { silent.stop() }
        let ecs = ECSMetadataSource(baseURL: silent.url, roleName: "R", v1Disabled: true)
        let timedOut = try #require(await Self.failure { () async throws(CredentialsError) in try await ecs.fetch() })
        #expect(timedOut.message.hasPrefix("could not ask 127.0.0.1:\(silent.port) for an IMDSv2 token (PUT /latest/api/token): "), "\(timedOut)")
        #expect(timedOut.message.hasSuffix(" within 1.0 seconds (IMDSv1 is disabled, so there is no fallback without a token)"), "\(timedOut)")
    }
}
