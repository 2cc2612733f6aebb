import Foundation
import Testing
@testable import AliyunSMS
import SMSEmulator

/// Stopping the shared listener: what is in flight is answered within the grace, what is still
/// open after it is closed, and nothing new is taken.
@Suite struct HTTPListenerStopTests {
    static func server(latency: Duration) async throws -> EmulatorServer {
        var configuration = EmulatorConfiguration(accessKeyId: "id", accessKeySecret: "secret")
        configuration.faults.latency = latency
        return try await EmulatorServer(core: EmulatorCore(configuration: configuration, record: try EmulatorRecord(path: ":memory:")))
    }

    static func client(_ server: EmulatorServer, transport: HTTPClientTransport) throws -> SMSClient {
        SMSClient(signer: RequestSigner(credentials: Credentials(accessKeyId: "id", accessKeySecret: "secret"), endpoint: try Endpoint(url: server.url), scheme: .v3),
                  transport: transport, timeout: .seconds(20))
    }

    static let operation: SMSOperation = {
        (try? SMSOperation.sendSms(phoneNumbers: ["13800138000"], signName: "云杉商城", templateCode: "SMS_1", templateParameters: ["name": "张伟"], outId: "o"))
            ?? SMSOperation(action: "", query: [], body: [])
    }()

    @Test func aStopLetsTheRequestInFlightBeAnswered() async throws {
        let server = try await Self.server(latency: .milliseconds(800))
        let transport = HTTPClientTransport()
        let client = try Self.client(server, transport: transport)
        let answered = Task { try await client.send(Self.operation) }
        // The request is in the emulator (its answer delayed) when the stop comes.
        let deadline = ContinuousClock.now + .seconds(10)
        while server.core.record.messages().isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        await server.stop(grace: .seconds(5))
        let response = try await answered.value
        #expect(response.isOK, "\(response)")
        // Nothing new is taken.
        let other = HTTPClientTransport()
        let after = try Self.client(server, transport: other)
        await #expect(throws: (any Error).self) { _ = try await after.send(Self.operation) }
        await other.shutdown()
        await transport.shutdown()
    }

    @Test func whatIsStillOpenAfterTheGraceIsClosed() async throws {
        let server = try await Self.server(latency: .seconds(30))
        let transport = HTTPClientTransport()
        let client = try Self.client(server, transport: transport)
        let answered = Task { try await client.send(Self.operation) }
        let deadline = ContinuousClock.now + .seconds(10)
        while server.core.record.messages().isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        await server.stop(grace: .milliseconds(200))
        // The connection was closed without an answer: the send is ambiguous, not answered.
        await #expect(throws: (any Error).self) { _ = try await answered.value }
        await transport.shutdown()
    }
}
