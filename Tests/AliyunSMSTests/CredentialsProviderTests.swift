import Foundation
import Synchronization
import Testing
@testable import AliyunSMS

/// A provider whose key changes every time it is asked, as STS credentials change at a refresh.
final class RotatingProvider: CredentialsProvider {
    private let asked = Mutex(0)

    /// How many times it was asked.
    var count: Int { asked.withLock { $0 } }

    func credentials() async throws(CredentialsError) -> Credentials {
        let number = asked.withLock { count -> Int in
            count += 1
            return count
        }
        return Credentials(accessKeyId: "STS.RotatingKey\(number)", accessKeySecret: "secret-\(number)", securityToken: "token-\(number)",
                           expiration: Date().addingTimeInterval(3600))
    }
}

/// A provider that has nothing to give.
struct FailingProvider: CredentialsProvider {
    var code = CredentialsError.Code.unavailable

    func credentials() async throws(CredentialsError) -> Credentials {
        throw CredentialsError(code, code == .unavailable ? "the STS endpoint did not answer" : "AssumeRole refused: NoPermission")
    }
}

/// Keeps every request it is given and answers with one body, or fails as told.
final class RecordingTransport: SMSTransport {
    private let requests = Mutex<[SignedRequest]>([])
    let body: String
    let failure: TransportError?

    init(body: String = #"{"Code":"OK","Message":"OK","RequestId":"r","BizId":"b"}"#, failure: TransportError? = nil) {
        self.body = body
        self.failure = failure
    }

    var received: [SignedRequest] { requests.withLock { $0 } }

    func execute(_ request: SignedRequest, timeout: Duration) async throws(TransportError) -> HTTPResponse {
        requests.withLock { $0.append(request) }
        if let failure { throw failure }
        return HTTPResponse(status: 200, headers: [], body: Array(body.utf8))
    }
}

/// The signer asks its credentials provider for every request, and signs an STS token in both schemes.
@Suite struct CredentialsProviderTests {
    static let operation: SMSOperation = {
        (try? SMSOperation.sendBatchSms(phoneNumbers: ["13800138000"], signNames: ["云杉商城"], templateCode: "SMS_1", templateParameters: [["name": "张 伟"]], outId: "o"))
            ?? SMSOperation(action: .sendBatchSms, query: [], body: [])
    }()

    static func keyId(_ request: SignedRequest, scheme: SignatureScheme) -> String? {
        switch scheme {
        case .v1:
            return URLComponents(string: request.url)?.queryItems?.first { $0.name == "AccessKeyId" }?.value
        case .v3:
            let authorization = request.headers.first { $0.0 == "authorization" }?.1 ?? ""
            return authorization.split(separator: ",").first?.split(separator: "=").last.map(String.init)
        }
    }

    static func signature(_ request: SignedRequest, scheme: SignatureScheme) -> String? {
        switch scheme {
        case .v1: URLComponents(string: request.url)?.queryItems?.first { $0.name == "Signature" }?.value
        case .v3: request.headers.first { $0.0 == "authorization" }?.1.components(separatedBy: "Signature=").last
        }
    }

    @Test(arguments: SignatureScheme.allCases)
    func aRefreshingProviderIsAskedForEveryRequest(_ scheme: SignatureScheme) async throws {
        let provider = RotatingProvider()
        let transport = RecordingTransport()
        let client = SMSClient(signer: RequestSigner(credentialsProvider: provider, endpoint: try Endpoint(url: "https://x.test"), scheme: scheme), transport: transport)
        #expect(client.signer.credentials.accessKeyId == "", "nothing signed yet")
        _ = try await client.send(Self.operation)
        #expect(client.signer.credentials.accessKeyId == "STS.RotatingKey1")
        _ = try await client.send(Self.operation)
        #expect(provider.count == 2)
        let requests = transport.received
        #expect(requests.map { Self.keyId($0, scheme: scheme) } == ["STS.RotatingKey1", "STS.RotatingKey2"])
        #expect(Self.signature(requests[0], scheme: scheme) != Self.signature(requests[1], scheme: scheme))
        #expect(client.signer.credentials.accessKeyId == "STS.RotatingKey2", "a refused key is named as the one signed with last")
    }

    @Test(arguments: SignatureScheme.allCases)
    func aSecurityTokenIsSentAndSigned(_ scheme: SignatureScheme) async throws {
        let signer = RequestSigner(credentialsProvider: RotatingProvider(), endpoint: try Endpoint(url: "https://x.test"), scheme: scheme)
        let request = try await signer.request(for: Self.operation)
        for text in ["\(signer)", String(reflecting: signer), "\(signer.credentials)"] {
            #expect(!text.contains("token-1") && !text.contains("secret-1"), "leaked in: \(text)")
        }
        switch scheme {
        case .v1:
            let items = URLComponents(string: request.url)?.queryItems ?? []
            #expect(items.first { $0.name == "SecurityToken" }?.value == "token-1")
        case .v3:
            #expect(request.headers.first { $0.0 == "x-acs-security-token" }?.1 == "token-1")
            #expect(request.headers.first { $0.0 == "x-acs-accesskey-id" }?.1 == "STS.RotatingKey1")
            let signed = request.headers.first { $0.0 == "authorization" }?.1 ?? ""
            #expect(signed.contains("x-acs-security-token"), "the token is a signed header: \(signed)")
        }
    }

    /// The official SDK's vectors with an STS token, signed with credentials a provider hands out:
    /// the same signature byte for byte.
    @Test(arguments: SigningVector.all.filter { $0["method"] == "POST" && $0["source"] == "sdk-client" && $0.fields["securityToken"] != nil })
    func providedTokensMatchTheSDK(_ vector: SigningVector) async throws {
        let provider: any CredentialsProvider = StaticCredentialsProvider(Credentials(accessKeyId: vector["accessKeyId"], accessKeySecret: vector["accessKeySecret"],
                                                                                     securityToken: vector["securityToken"]))
        let scheme: SignatureScheme = vector["scheme"] == "v1" ? .v1 : .v3
        let signer = RequestSigner(credentialsProvider: provider, endpoint: try Endpoint(url: "https://" + vector["host"]), scheme: scheme,
                                   userAgent: vector.headers.first { $0.0 == "user-agent" }?.1 ?? "")
        let common = ["AccessKeyId", "Action", "Format", "SignatureMethod", "SignatureNonce", "SignatureVersion", "Timestamp", "Version", "SecurityToken", "Signature"]
        let order = ["PhoneNumberJson", "SignNameJson", "TemplateParamJson", "SmsUpExtendCodeJson"]
        let operation = SMSOperation(action: SMSAction(wireName: vector["action"]), query: vector.query.filter { !common.contains($0.0) },
                                     body: vector.bodyParams.sorted { (order.firstIndex(of: $0.0) ?? 9) < (order.firstIndex(of: $1.0) ?? 9) })
        let signed = signer.sign(operation, with: try await provider.credentials(), nonce: vector["nonce"], timestamp: vector["timestamp"])
        switch scheme {
        case .v1:
            #expect(Self.signature(signed, scheme: .v1) == vector["signature"])
            #expect(URLComponents(string: signed.url)?.queryItems?.first { $0.name == "SecurityToken" }?.value == vector["securityToken"])
        case .v3:
            #expect(String(decoding: signed.body, as: UTF8.self) == vector["body"])
            #expect(signed.headers.first { $0.0 == "authorization" }?.1 == vector["authorization"])
            #expect(signed.headers.first { $0.0 == "x-acs-security-token" }?.1 == vector["securityToken"])
        }
    }

    /// No credentials: nothing sent; STS that cannot answer is tried again with backoff (as a
    /// network outage is), a refusal stops the run.
    @Test(arguments: [(CredentialsError.Code.unavailable, ErrorClass.backoff), (.refused, .fatal)])
    func noCredentialsSendsNothing(_ code: CredentialsError.Code, _ expected: ErrorClass) async throws {
        let transport = RecordingTransport()
        let client = SMSClient(signer: RequestSigner(credentialsProvider: FailingProvider(code: code), endpoint: try Endpoint(url: "https://x.test"), scheme: .v3),
                               transport: transport)
        do {
            _ = try await client.send(Self.operation)
            Issue.record("expected a failure")
        } catch {
            #expect(error.code == SMSFailure.credentialsCode && error.errorClass == expected && error.notSent)
            #expect((error.cause as? CredentialsError)?.code == code)
        }
        #expect(transport.received.isEmpty)
    }

    @Test func expiryIsMeasuredFromNow() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        let sts = Credentials(accessKeyId: "STS.a", accessKeySecret: "s", securityToken: "t", expiration: now.addingTimeInterval(20 * 60))
        #expect(!sts.expires(within: .seconds(15 * 60), of: now))
        #expect(sts.expires(within: .seconds(15 * 60), of: now.addingTimeInterval(6 * 60)))
        #expect(!Credentials(accessKeyId: "a", accessKeySecret: "s").expires(within: .seconds(86_400), of: now), "a permanent AccessKey never expires")
    }

    @Test func theEnvironmentGivesAStaticProvider() async throws {
        let provider = try CredentialsLoader.provider(environment: [
            "ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI5tExampleKeyId", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": CredentialsTests.marker, "ALIBABA_CLOUD_SECURITY_TOKEN": "tok",
        ])
        let credentials = try await provider.credentials()
        #expect(credentials.accessKeyId == "LTAI5tExampleKeyId" && credentials.securityToken?.value == "tok")
        #expect(!"\(provider)".contains(CredentialsTests.marker) && !String(reflecting: provider).contains(CredentialsTests.marker))
        #expect(!"\(provider)".contains("tok)"), "the token is never shown")
    }
}

/// Setting a client up from the environment fails before anything is sent, with the words the
/// command line prints.
@Suite struct ClientSetupTests {
    @Test func eachProblemHasItsCode() throws {
        let key = ["ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI5tExampleKeyId", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": CredentialsTests.marker]
        let cases: [([String: String], String, SMSClientSetupError.Code, String)] = [
            (["HOME": "/nonexistent", "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true"], "https://dysmsapi.aliyuncs.com", .credentials,
             "no credentials found; the chain looked at:\n  env: ALIBABA_CLOUD_ACCESS_KEY_ID"),
            (key, "dysmsapi.aliyuncs.com", .endpoint, "endpoint 'dysmsapi.aliyuncs.com' is not an http or https URL"),
            (key.merging(["SALVO_CA_FILE": "/nonexistent/ca.pem"]) { $1 }, "https://dysmsapi.aliyuncs.com", .trustRoots,
             "SALVO_CA_FILE names '/nonexistent/ca.pem', which cannot be read"),
        ]
        for (environment, endpoint, code, words) in cases {
            do {
                _ = try SMSClient.fromEnvironment(endpoint: endpoint, scheme: .v3, maxConnections: 1, environment: environment)
                Issue.record("expected \(code)")
            } catch {
                #expect(error.code == code)
                #expect("\(error)".hasPrefix(words), "\(error)")
                #expect(!"\(error)".contains(CredentialsTests.marker))
            }
        }
    }
}
