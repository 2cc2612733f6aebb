@testable import AliyunSMS
import Foundation
import Testing
@testable import SMSEmulator

/// The in-process transport: the real client and signer against the core, without HTTP.
@Suite struct EmulatorTransportTests {
    static func client(_ core: EmulatorCore, scheme: SignatureScheme = .v3, timeout: Duration = .seconds(10)) throws -> SMSClient {
        SMSClient(signer: RequestSigner(credentials: Credentials(accessKeyId: "id", accessKeySecret: "secret"), endpoint: try Endpoint(url: "http://127.0.0.1:8080"), scheme: scheme),
                  transport: EmulatorTransport(core: core), timeout: timeout)
    }

    @Test(arguments: SignatureScheme.allCases)
    func aClientSendsABatchThroughTheCore(_ scheme: SignatureScheme) async throws {
        let core = try EmulatorCoreTests.core()
        let client = try Self.client(core, scheme: scheme)
        let response = try await client.send(EmulatorCoreTests.batch)
        let bizId = try #require(response.bizId)
        #expect(response.isOK)
        let rows = core.record.messages()
        #expect(rows.map(\.phone) == ["13800138000", "13900000001"])
        #expect(rows.allSatisfy { $0.bizId == bizId && $0.action == "SendBatchSms" && $0.outId == "camp:plan:1" })
        let details = try await client.querySendDetails(try .querySendDetails(phoneNumber: "13900000001", sendDate: EmulatorCore.chinaDate(Date()), bizId: bizId))
        #expect(details.totalCount == 1)
    }

    @Test func anAmbiguousFaultFailsAsAmbiguousAndIsRecorded() async throws {
        let core = try EmulatorCoreTests.core { $0.faults.ambiguousRate = 1 }
        let client = try Self.client(core)
        var codes: Set<String> = []
        var attempts = 0
        // Half the ambiguous faults close the connection ("Transport"), half answer HTTP 500.
        while attempts < 40, codes.count < 2 {
            attempts += 1
            do {
                _ = try await client.send(EmulatorCoreTests.batch)
                Issue.record("expected no usable answer")
            } catch {
                #expect(error.errorClass == .ambiguous, "\(error)")
                codes.insert(error.code)
            }
        }
        #expect(codes == ["Transport", "InternalError"])
        #expect(core.record.messages().count == 2 * attempts, "the server acted on every request")
    }

    @Test func anAnswerLaterThanTheTimeoutIsAmbiguous() async throws {
        let core = try EmulatorCoreTests.core { $0.faults.latency = .seconds(30) }
        let client = try Self.client(core, timeout: .milliseconds(50))
        do {
            _ = try await client.send(EmulatorCoreTests.batch)
            Issue.record("expected no answer within the timeout")
        } catch {
            #expect(error.errorClass == .ambiguous && error.code == "Transport" && !error.notSent, "\(error)")
            #expect(error.message.contains("no answer within"))
        }
        #expect(core.record.messages().count == 2, "the server acted before the caller gave up")
    }

    @Test func aCancelledRequestStillGetsItsAnswer() async throws {
        let core = try EmulatorCoreTests.core { $0.faults.latency = .seconds(30) }
        let client = try Self.client(core, timeout: .seconds(60))
        let task = Task { try await client.send(EmulatorCoreTests.batch) }
        task.cancel()
        let response = try await task.value
        #expect(response.isOK && response.bizId != nil)
    }

    @Test func flowControlReachesTheClientWithItsWait() async throws {
        // A clock that does not move, so that no token comes back between the two sends.
        let instant = Date()
        let core = try EmulatorCoreTests.core {
            $0.flowControl = UserFlowControl(requestsPerSecond: 1, retryAfter: .milliseconds(1500))
            $0.now = { instant }
        }
        let client = try Self.client(core)
        let first = try await client.send(EmulatorCoreTests.batch)
        #expect(first.isOK)
        do {
            _ = try await client.send(EmulatorCoreTests.batch)
            Issue.record("expected a flow-control refusal")
        } catch {
            #expect(error.errorClass == .backoff && error.code == "Throttling.User" && error.httpStatus == 400, "\(error)")
            #expect(error.retryAfter == .milliseconds(1500))
        }
        #expect(core.record.messages().count == 2, "the refused batch recorded nothing")
        #expect(core.throttledRequests == 1)
    }

    @Test(arguments: [
        ("http://127.0.0.1:8080/?Action=SendSms&a=%2F", "127.0.0.1:8080", "/?Action=SendSms&a=%2F"),
        ("https://dysmsapi.aliyuncs.com/", "dysmsapi.aliyuncs.com", "/"),
        ("https://dysmsapi.aliyuncs.com", "dysmsapi.aliyuncs.com", "/"),
        ("http://h?x=1", "h", "/?x=1"),
        ("http://[::1]:9/p?q#fragment", "[::1]:9", "/p?q"),
    ])
    func theURIIsThePathAndQuery(_ example: (String, String, String)) {
        let (url, authority, uri) = example
        let parts = EmulatorTransport.split(url: url)
        #expect(parts.authority == authority && parts.uri == uri)
    }

    @Test func theServerSeesAHostHeader() {
        let request = SignedRequest(action: "SendSms", method: "POST", url: "http://127.0.0.1:9/?a=b", headers: [("Accept", "application/json")], body: [])
        let received = EmulatorTransport.emulatorRequest(request)
        #expect(received.uri == "/?a=b")
        #expect(received.headers.contains { $0 == ("host", "127.0.0.1:9") })
        #expect(received.headers.contains { $0 == ("accept", "application/json") })
        #expect(received.headers.contains { $0 == ("content-length", "0") })
    }
}
