@testable import AliyunSMS
import Foundation
import Synchronization
import Testing
@testable import SMSEmulator

/// The emulator playing STS and the ECS metadata service (`--sts`), over real loopback HTTP:
/// AssumeRole's signature, role chaining, AssumeRoleWithOIDC against a token file, IMDS v1 and v2,
/// and the SMS API accepting issued keys only with their own, unexpired token.
@Suite struct EmulatorSTSTests {
    static let roleArn = "acs:ram::1234567890123456:role/salvo-sender"
    static let providerArn = "acs:ram::1234567890123456:oidc-provider/ack-rrsa-c1"

    /// A clock the test moves.
    final class TestClock: Sendable {
        private let date = Mutex(Date())
        var now: Date { date.withLock { $0 } }
        func advance(seconds: Double) { date.withLock { $0.addTimeInterval(seconds) } }
    }

    /// A serving emulator with `--sts` as `adjust` says, on a clock the test moves.
    struct Setup {
        let server: EmulatorServer
        let clock: TestClock
        var core: EmulatorCore { server.core }
        var statistics: EmulatorStatistics { server.core.record.statistics() }

        init(_ adjust: (inout EmulatorConfiguration) -> Void = { _ in }) async throws {
            let clock = TestClock()
            var configuration = EmulatorConfiguration(accessKeyId: "id", accessKeySecret: "secret")
            configuration.signNames = ["云杉商城"]
            configuration.templates = ["SMS_1": EmulatorCoreTests.template]
            configuration.sts.enabled = true
            configuration.now = { clock.now }
            adjust(&configuration)
            server = try await EmulatorServer(core: EmulatorCore(configuration: configuration, record: try EmulatorRecord(path: ":memory:")))
            self.clock = clock
        }
    }

    // MARK: - HTTP on a thread of its own

    /// An answer: status, header fields (names lowercased) and body.
    struct Answer: Sendable {
        var status: Int
        var headers: [String: String]
        var body: String
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
        var code: String? { json["Code"] as? String }
    }

    /// Runs blocking socket calls on a thread of their own, never on Swift's cooperative pool.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: body()) }.start()
        }
    }

    /// One request on a new connection, and its answer.
    static func exchange(_ port: Int, _ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = []) async -> Answer {
        var head = "\(method) \(target) HTTP/1.1\r\n"
        if !headers.contains(where: { $0.0.lowercased() == "host" }) { head += "Host: 127.0.0.1\r\n" }
        for (name, value) in headers where name.lowercased() != "content-length" { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body.count)\r\n\r\n"
        let text = head + String(decoding: body, as: UTF8.self)
        let received = await onThread {
            let connection = HTTPServiceTests.Connection(port: port)
            connection.send(text)
            return connection.receive()
        }
        guard let end = received.range(of: "\r\n\r\n") else { return Answer(status: 0, headers: [:], body: received) }
        let lines = received[..<end.lowerBound].components(separatedBy: "\r\n")
        let status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            let pieces = line.split(separator: ":", maxSplits: 1)
            if pieces.count == 2 { fields[pieces[0].lowercased()] = pieces[1].trimmingCharacters(in: .whitespaces) }
        }
        return Answer(status: status, headers: fields, body: String(received[end.upperBound...]))
    }

    /// Sends a request the client's signer made.
    static func send(_ signed: SignedRequest, to setup: Setup) async -> Answer {
        let target = "/" + (signed.url.split(separator: "/", maxSplits: 3).dropFirst(2).first.map { String($0.drop { $0 != "?" }) } ?? "")
        return await exchange(setup.server.port, signed.method, target, headers: signed.headers, body: signed.body)
    }

    // MARK: - Requests

    /// AssumeRole's parameters, signed with `secret` (V1) for `method`.
    static func assumeRoleParameters(keyId: String, secret: String, token: String? = nil, method: String = "GET", now: Date,
                                     duration: String = "3600", nonce: String = UUID().uuidString) -> [(String, String)] {
        var parameters = [("Action", "AssumeRole"), ("Format", "JSON"), ("Version", "2015-04-01"), ("DurationSeconds", duration),
                          ("RoleArn", roleArn), ("RoleSessionName", "salvo-1700000000"), ("SignatureMethod", "HMAC-SHA1"),
                          ("SignatureVersion", "1.0"), ("Timestamp", AliyunTime.timestamp(now)), ("SignatureNonce", nonce), ("AccessKeyId", keyId)]
        if let token { parameters.append(("SecurityToken", token)) }
        let signature = SignatureV1.signature(stringToSign: SignatureV1.stringToSign(method: method, canonicalQuery: SignatureV1.canonicalQuery(parameters)), secret: secret)
        return parameters + [("Signature", signature)]
    }

    /// AssumeRole as the credentials library sends it: GET, everything in the query.
    static func assumeRole(_ setup: Setup, keyId: String = "id", secret: String = "secret", token: String? = nil, duration: String = "3600") async -> Answer {
        let parameters = assumeRoleParameters(keyId: keyId, secret: secret, token: token, now: setup.clock.now, duration: duration)
        return await exchange(setup.server.port, "GET", "/?" + PercentEncoding.form(parameters))
    }

    /// AssumeRoleWithOIDC as the Go library sends it: POST, the token in the form body.
    static func assumeRoleWithOIDC(_ setup: Setup, token: String, providerArn: String? = providerArn) async -> Answer {
        let query = [("Action", "AssumeRoleWithOIDC"), ("Format", "JSON"), ("Version", "2015-04-01"), ("Timestamp", AliyunTime.timestamp(setup.clock.now))]
        var form = [("RoleArn", roleArn), ("OIDCToken", token), ("RoleSessionName", "salvo-oidc"), ("DurationSeconds", "3600")]
        if let providerArn { form.append(("OIDCProviderArn", providerArn)) }
        return await exchange(setup.server.port, "POST", "/?" + PercentEncoding.form(query),
                              headers: [("content-type", "application/x-www-form-urlencoded")], body: Array(PercentEncoding.form(form).utf8))
    }

    /// The credentials an STS answer holds.
    static func credentials(_ answer: Answer) throws -> Credentials {
        let object = try #require((answer.json["Credentials"] as? [String: Any]) ?? (answer.json["Code"] as? String == "Success" ? answer.json : nil), "\(answer.body)")
        let expiration = try #require((object["Expiration"] as? String).flatMap(EmulatorCore.parseTimestamp))
        return Credentials(accessKeyId: try #require(object["AccessKeyId"] as? String), accessKeySecret: try #require(object["AccessKeySecret"] as? String),
                           securityToken: try #require(object["SecurityToken"] as? String), expiration: expiration)
    }

    /// A batch send signed with `credentials` in `scheme`, at the emulator's time.
    static func sendBatch(_ setup: Setup, with credentials: Credentials, scheme: SignatureScheme = .v3) async throws -> Answer {
        let signer = RequestSigner(credentials: credentials, endpoint: try Endpoint(url: setup.server.url), scheme: scheme)
        let signed = signer.sign(EmulatorCoreTests.batch, with: credentials, nonce: UUID().uuidString, timestamp: AliyunTime.timestamp(setup.clock.now))
        return await send(signed, to: setup)
    }

    // MARK: - AssumeRole

    @Test func assumeRoleSignedWithTheKeyPairIssuesCredentials() async throws {
        let setup = try await Setup { $0.sts.duration = .seconds(900) }
        let answer = await Self.assumeRole(setup)
        #expect(answer.status == 200, "\(answer.body)")
        #expect(Set(answer.json.keys) == ["RequestId", "AssumedRoleUser", "Credentials"])
        let user = try #require(answer.json["AssumedRoleUser"] as? [String: Any])
        #expect(user["Arn"] as? String == Self.roleArn + "/salvo-1700000000")
        #expect((user["AssumedRoleId"] as? String)?.hasSuffix(":salvo-1700000000") == true)
        let object = try #require(answer.json["Credentials"] as? [String: Any])
        #expect(Set(object.keys) == ["AccessKeyId", "AccessKeySecret", "SecurityToken", "Expiration"])
        let credentials = try Self.credentials(answer)
        #expect(credentials.accessKeyId.hasPrefix("STS."))
        // The stated lifetime is the emulator's (900 s), not the request's 3600.
        let expiration = try #require(credentials.expiration)
        #expect(abs(expiration.timeIntervalSince(setup.clock.now) - 900) < 2)
        #expect(setup.statistics.stsIssued == 1)
        await setup.server.close()
    }

    @Test func assumeRoleMaySendItsParametersInAPOSTBody() async throws {
        let setup = try await Setup()
        let parameters = Self.assumeRoleParameters(keyId: "id", secret: "secret", method: "POST", now: setup.clock.now)
        let answer = await Self.exchange(setup.server.port, "POST", "/", headers: [("content-type", "application/x-www-form-urlencoded")],
                                         body: Array(PercentEncoding.form(parameters).utf8))
        #expect(answer.status == 200, "\(answer.body)")
        await setup.server.close()
    }

    @Test func assumeRoleWithAWrongSignatureOrDurationIsRefused() async throws {
        let setup = try await Setup()
        let wrong = await Self.assumeRole(setup, secret: "not-the-secret")
        #expect(wrong.status == 400 && wrong.code == "SignatureDoesNotMatch", "\(wrong.body)")
        #expect(Set(wrong.json.keys) == ["RequestId", "Code", "Message"])
        let unknown = await Self.assumeRole(setup, keyId: "LTAIunknown")
        #expect(unknown.status == 404 && unknown.code == "InvalidAccessKeyId.NotFound")
        let short = await Self.assumeRole(setup, duration: "899")
        #expect(short.status == 400 && short.code == "InvalidParameter.DurationSeconds", "\(short.body)")
        #expect(setup.statistics.stsIssued == 0)
        await setup.server.close()
    }

    @Test func aChainedAssumeRoleIsSignedWithIssuedCredentialsAndTheirToken() async throws {
        let setup = try await Setup()
        let first = try Self.credentials(await Self.assumeRole(setup))
        let secret = first.accessKeySecret.value
        let chained = await Self.assumeRole(setup, keyId: first.accessKeyId, secret: secret, token: first.securityToken?.value)
        #expect(chained.status == 200, "\(chained.body)")
        #expect(try Self.credentials(chained).accessKeyId != first.accessKeyId)
        let withoutToken = await Self.assumeRole(setup, keyId: first.accessKeyId, secret: secret)
        #expect(withoutToken.status == 400 && withoutToken.code == "InvalidSecurityToken.Malformed", "\(withoutToken.body)")
        let withPermanentSecret = await Self.assumeRole(setup, keyId: first.accessKeyId, secret: "secret", token: first.securityToken?.value)
        #expect(withPermanentSecret.code == "SignatureDoesNotMatch")
        #expect(setup.statistics.stsIssued == 2 && setup.statistics.stsRefused == 1)
        await setup.server.close()
    }

    // MARK: - AssumeRoleWithOIDC

    @Test func oidcAcceptsTheTokenFileAsItIsNow() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-oidc-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        // A JWT whose claims say who it is for (signature not checked: the file is the authority).
        let claims = Data(#"{"iss":"https://oidc-ack.example","sub":"system:serviceaccount:sms:salvo","aud":"sts.aliyuncs.com"}"#.utf8).base64EncodedString()
            .replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        let first = "eyJhbGciOiJSUzI1NiJ9.\(claims).c2lnbmF0dXJl"
        try Data((first + "\n").utf8).write(to: URL(fileURLWithPath: file))
        let setup = try await Setup { $0.sts.oidcTokenFile = file }

        let answer = await Self.assumeRoleWithOIDC(setup, token: first)
        #expect(answer.status == 200, "\(answer.body)")
        #expect(Set(answer.json.keys) == ["RequestId", "AssumedRoleUser", "Credentials", "OIDCTokenInfo"])
        let info = try #require(answer.json["OIDCTokenInfo"] as? [String: Any])
        #expect(info["Issuer"] as? String == "https://oidc-ack.example" && info["Subject"] as? String == "system:serviceaccount:sms:salvo")
        #expect(try Self.credentials(answer).accessKeyId.hasPrefix("STS."))

        // Kubernetes rotates the token: the file's new content is the one accepted now.
        try Data("rotated-token\n".utf8).write(to: URL(fileURLWithPath: file))
        let old = await Self.assumeRoleWithOIDC(setup, token: first)
        #expect(old.status == 400 && old.code == "InvalidParameter.OIDCToken" && old.json["Message"] as? String == "The OIDC token is invalid.")
        let rotated = await Self.assumeRoleWithOIDC(setup, token: "rotated-token")
        #expect(rotated.status == 200, "\(rotated.body)")

        let wrong = await Self.assumeRoleWithOIDC(setup, token: "someone-else")
        #expect(wrong.status == 400 && wrong.code == "InvalidParameter.OIDCToken")
        let noProvider = await Self.assumeRoleWithOIDC(setup, token: "rotated-token", providerArn: nil)
        #expect(noProvider.status == 400 && noProvider.code == "MissingOIDCProviderArn")
        #expect(setup.statistics.stsIssued == 2 && setup.statistics.stsRefused == 0)
        await setup.server.close()
    }

    // MARK: - Instance metadata

    static let rolePath = STSService.metadataCredentialsPath

    @Test func metadataServesV1AndV2() async throws {
        let setup = try await Setup { $0.sts.roleName = "SalvoRole" }
        let port = setup.server.port
        // IMDSv1: no token.
        let role = await Self.exchange(port, "GET", Self.rolePath)
        #expect(role.status == 200 && role.body == "SalvoRole")
        let v1 = await Self.exchange(port, "GET", Self.rolePath + "SalvoRole")
        #expect(v1.status == 200, "\(v1.body)")
        #expect(Set(v1.json.keys) == ["Code", "AccessKeyId", "AccessKeySecret", "SecurityToken", "Expiration", "LastUpdated"])
        #expect(v1.code == "Success" && (v1.json["LastUpdated"] as? String).flatMap(EmulatorCore.parseTimestamp) != nil)
        // IMDSv2: a token first, then GETs with it.
        let token = await Self.exchange(port, "PUT", "/latest/api/token", headers: [("X-aliyun-ecs-metadata-token-ttl-seconds", "21600")])
        #expect(token.status == 200 && !token.body.isEmpty)
        let v2 = await Self.exchange(port, "GET", Self.rolePath + "SalvoRole", headers: [("X-aliyun-ecs-metadata-token", token.body)])
        #expect(v2.status == 200 && v2.code == "Success")
        #expect(try Self.credentials(v2).accessKeyId != (try Self.credentials(v1).accessKeyId), "each fetch issues new credentials")
        let bad = await Self.exchange(port, "GET", Self.rolePath, headers: [("X-aliyun-ecs-metadata-token", "forged")])
        #expect(bad.status == 401)
        let noTTL = await Self.exchange(port, "PUT", "/latest/api/token")
        #expect(noTTL.status == 400)
        #expect(await Self.exchange(port, "GET", Self.rolePath + "OtherRole").status == 404)
        #expect(setup.statistics.stsIssued == 2)
        await setup.server.close()
    }

    @Test func metadataV2OnlyRefusesRequestsWithoutAToken() async throws {
        let setup = try await Setup { $0.sts.imdsV2Only = true }
        let port = setup.server.port
        #expect(await Self.exchange(port, "GET", Self.rolePath).status == 403)
        #expect(await Self.exchange(port, "GET", Self.rolePath + STSEmulation.defaultRoleName).status == 403)
        #expect(await Self.exchange(port, "GET", Self.rolePath, headers: [("X-aliyun-ecs-metadata-token", "forged")]).status == 403)
        let token = await Self.exchange(port, "PUT", "/latest/api/token", headers: [("X-aliyun-ecs-metadata-token-ttl-seconds", "60")])
        let role = await Self.exchange(port, "GET", Self.rolePath, headers: [("X-aliyun-ecs-metadata-token", token.body)])
        #expect(role.status == 200 && role.body == STSEmulation.defaultRoleName)
        // The token lasts its ttl.
        setup.clock.advance(seconds: 61)
        #expect(await Self.exchange(port, "GET", Self.rolePath, headers: [("X-aliyun-ecs-metadata-token", token.body)]).status == 403)
        #expect(setup.statistics.stsIssued == 0)
        await setup.server.close()
    }

    // MARK: - The SMS API with issued credentials

    @Test(arguments: SignatureScheme.allCases)
    func sendsWithIssuedCredentialsAreAcceptedUntilRevoked(_ scheme: SignatureScheme) async throws {
        let setup = try await Setup { $0.sts.revokeAfter = .seconds(30) }
        let credentials = try Self.credentials(await Self.assumeRole(setup))
        let accepted = try await Self.sendBatch(setup, with: credentials, scheme: scheme)
        #expect(accepted.status == 200 && accepted.code == "OK", "\(accepted.body)")
        #expect(setup.core.record.messages().count == 2)

        setup.clock.advance(seconds: 30)
        let expired = try await Self.sendBatch(setup, with: credentials, scheme: scheme)
        #expect(expired.status == 400 && expired.code == "InvalidSecurityToken.Expired", "\(expired.body)")
        #expect(expired.json["Message"] as? String == "Specified SecurityToken is expired.")
        #expect(setup.core.record.messages().count == 2, "nothing recorded for the refused send")

        // Fresh credentials work again; the permanent key pair always did.
        #expect(try await Self.sendBatch(setup, with: try Self.credentials(await Self.assumeRole(setup)), scheme: scheme).code == "OK")
        #expect(try await Self.sendBatch(setup, with: Credentials(accessKeyId: "id", accessKeySecret: "secret"), scheme: scheme).code == "OK")
        let statistics = setup.statistics
        #expect(statistics.stsIssued == 2 && statistics.stsRefused == 1 && statistics.messages == 6)
        let json = try JSONSerialization.jsonObject(with: Data(try statistics.json().utf8)) as? [String: Any]
        #expect(json?["stsIssued"] as? Int == 2 && json?["stsRefused"] as? Int == 1)
        await setup.server.close()
    }

    @Test func credentialsPastTheirStatedExpirationAreRefused() async throws {
        let setup = try await Setup { $0.sts.duration = .seconds(120) }
        let credentials = try Self.credentials(await Self.assumeRole(setup))
        setup.clock.advance(seconds: 119)
        #expect(try await Self.sendBatch(setup, with: credentials).code == "OK")
        setup.clock.advance(seconds: 1)
        let expired = try await Self.sendBatch(setup, with: credentials, scheme: .v1)
        #expect(expired.status == 400 && expired.code == "InvalidSecurityToken.Expired", "\(expired.body)")
        // A chained AssumeRole with them is refused the same way.
        let chained = await Self.assumeRole(setup, keyId: credentials.accessKeyId, secret: credentials.accessKeySecret.value, token: credentials.securityToken?.value)
        #expect(chained.code == "InvalidSecurityToken.Expired")
        #expect(setup.core.record.messages().count == 2)
        #expect(setup.statistics.stsRefused == 2)
        await setup.server.close()
    }

    @Test(arguments: SignatureScheme.allCases)
    func aWrongMissingOrUnknownTokenIsMalformed(_ scheme: SignatureScheme) async throws {
        let setup = try await Setup()
        let credentials = try Self.credentials(await Self.assumeRole(setup))
        let other = try Self.credentials(await Self.assumeRole(setup))
        var cases = [credentials, Credentials(accessKeyId: credentials.accessKeyId, accessKeySecret: credentials.accessKeySecret.value),
                     Credentials(accessKeyId: "STS.NeverIssued", accessKeySecret: "x", securityToken: "CAISnothing")]
        cases.append(Credentials(accessKeyId: credentials.accessKeyId, accessKeySecret: credentials.accessKeySecret.value, securityToken: other.securityToken?.value))
        cases[0].securityToken = Secret("CAISforged")
        for wrong in cases {
            let answer = try await Self.sendBatch(setup, with: wrong, scheme: scheme)
            #expect(answer.status == 400 && answer.code == "InvalidSecurityToken.Malformed", "\(wrong): \(answer.body)")
            #expect(answer.json["Message"] as? String == "Specified SecurityToken is malformed.")
        }
        #expect(setup.core.record.messages().isEmpty, "nothing recorded for refused sends")
        #expect(setup.statistics.stsRefused == 4 && setup.statistics.stsIssued == 2)
        await setup.server.close()
    }

    // MARK: - Without --sts

    @Test func withoutSTSNothingIsPlayed() async throws {
        let setup = try await Setup { $0.sts.enabled = false }
        #expect(setup.core.sts == nil)
        let metadata = await Self.exchange(setup.server.port, "GET", Self.rolePath)
        #expect(metadata.status == 404 && metadata.code == "InvalidApi.NotFound")
        let assume = await Self.assumeRole(setup)
        #expect(assume.status != 200 && assume.json["Credentials"] == nil, "\(assume.body)")
        let stranger = Credentials(accessKeyId: "STS.Something", accessKeySecret: "x", securityToken: "CAIS")
        #expect(try await Self.sendBatch(setup, with: stranger).code == "InvalidAccessKeyId.NotFound")
        #expect(setup.statistics.stsIssued == 0 && setup.statistics.stsRefused == 0)
        await setup.server.close()
    }
}
