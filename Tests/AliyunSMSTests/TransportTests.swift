import Foundation
import Testing
@testable import AliyunSMS
import SMSEmulator

/// The real HTTP client against the emulator on loopback: answers, faults, and failures to connect.
@Suite struct TransportTests {
    static func server(_ adjust: (inout EmulatorConfiguration) -> Void = { _ in }) async throws -> EmulatorServer {
        var configuration = EmulatorConfiguration(accessKeyId: "id", accessKeySecret: "secret")
        adjust(&configuration)
        return try await EmulatorServer(core: EmulatorCore(configuration: configuration, record: try EmulatorRecord(path: ":memory:")))
    }

    static func client(_ url: String, transport: HTTPClientTransport, scheme: SignatureScheme = .v3, timeout: Duration = .seconds(10)) throws -> SMSClient {
        SMSClient(signer: RequestSigner(credentials: Credentials(accessKeyId: "id", accessKeySecret: "secret"), endpoint: try Endpoint(url: url), scheme: scheme),
                  transport: transport, timeout: timeout)
    }

    static let operation: SMSOperation = {
        (try? SMSOperation.sendBatchSms(phoneNumbers: ["13800138000"], signNames: ["云杉商城"], templateCode: "SMS_1", templateParameters: [["name": "张 伟"]], outId: "o"))
            ?? SMSOperation(action: "", query: [], body: [])
    }()

    @Test(arguments: SignatureScheme.allCases)
    func sendsOverLoopback(_ scheme: SignatureScheme) async throws {
        let server = try await Self.server()
        let transport = HTTPClientTransport()
        let client = try Self.client(server.url, transport: transport, scheme: scheme)
        let response = try await client.send(Self.operation)
        #expect(response.isOK && response.bizId != nil)
        let details = try await client.querySendDetails(try .querySendDetails(phoneNumber: "13800138000", sendDate: String(AliyunTime.timestamp(Date().addingTimeInterval(8 * 3600)).prefix(10).filter { $0 != "-" })))
        #expect(details.totalCount == 1)
        await transport.shutdown()
        await server.close()
    }

    @Test func refusalsAndSilencesAreClassified() async throws {
        let transport = HTTPClientTransport()
        let throttling = try await Self.server { $0.faults.throttleRate = 1 }
        let throttled = try Self.client(throttling.url, transport: transport)
        do {
            _ = try await throttled.send(Self.operation)
            Issue.record("expected a refusal")
        } catch {
            #expect(error.errorClass == .backoff && error.code == "Throttling.User" && error.httpStatus == 400)
        }
        let silent = try await Self.server { $0.faults.ambiguousRate = 1; $0.faults.seed = 3 }
        let unanswered = try Self.client(silent.url, transport: transport)
        for _ in 0..<4 {
            do {
                _ = try await unanswered.send(Self.operation)
                Issue.record("expected no answer")
            } catch {
                #expect(error.errorClass == .ambiguous, "\(error)")
            }
        }
        #expect(silent.core.record.messages().count == 4)
        // Far slower than the client waits, so that a timer late under a loaded machine still fires first.
        let slow = try await Self.server { $0.faults.latency = .seconds(30) }
        let impatient = try Self.client(slow.url, transport: transport, timeout: .milliseconds(300))
        do {
            _ = try await impatient.send(Self.operation)
            Issue.record("expected a timeout")
        } catch {
            #expect(error.errorClass == .ambiguous, "a request that timed out after it was written may have been processed")
        }
        await transport.shutdown()
        for server in [throttling, silent, slow] { await server.close() }
    }

    /// A transport dropped without `shutdown()` (a test or an error path that threw past it) must
    /// not stop the process: AsyncHTTPClient's deinit of a running client is a fatal error, which
    /// once ended a whole CI run. If this fails, the test process crashes.
    @Test func aTransportDroppedWithoutShutdownDoesNotStopTheProcess() async throws {
        for _ in 0..<3 {
            var transport: HTTPClientTransport? = HTTPClientTransport()
            #expect(transport != nil)
            transport = nil
        }
        try await Task.sleep(for: .milliseconds(300))
    }

    @Test func aRefusedConnectionIsNotSent() async throws {
        let server = try await Self.server()
        let url = server.url
        await server.close()
        let transport = HTTPClientTransport(configuration: TransportConfiguration(connectTimeout: .seconds(1)))
        let client = try Self.client(url, transport: transport)
        do {
            _ = try await client.send(Self.operation)
            Issue.record("expected a connection failure")
        } catch {
            #expect(error.errorClass == .backoff && error.code == "Transport", "\(error)")
        }
        await transport.shutdown()
    }
}
