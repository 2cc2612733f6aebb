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

    /// Runs `body` with a client of `server`, whose transport is shut down however `body` ends.
    @discardableResult
    static func withClient<T>(_ server: EmulatorServer, _ body: (SMSClient) async throws -> T) async throws -> T {
        let transport = HTTPClientTransport()
        let client = SMSClient(signer: RequestSigner(credentials: Credentials(accessKeyId: "id", accessKeySecret: "secret"), endpoint: try Endpoint(url: server.url),
                                                     scheme: .v3), transport: transport, timeout: .seconds(20))
        do {
            let result = try await body(client)
            await transport.shutdown()
            return result
        } catch {
            await transport.shutdown()
            throw error
        }
    }

    static let operation: SMSOperation = {
        (try? SMSOperation.sendSms(phoneNumbers: ["13800138000"], signName: "云杉商城", templateCode: "SMS_1", templateParameters: ["name": "张伟"], outId: "o"))
            ?? SMSOperation(action: "", query: [], body: [])
    }()

    /// Waits until the emulator has recorded the request (its answer is then delayed). A busy
    /// test process (every suite at once on two cores) can take many seconds to connect: the wait
    /// is long, and a request that never arrived fails here, not as a reset when the listener is
    /// closed under a connection still in its backlog.
    static func waitUntilRecorded(_ server: EmulatorServer) async throws {
        let deadline = ContinuousClock.now + .seconds(90)
        while server.core.record.messages().isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        try #require(!server.core.record.messages().isEmpty, "the request never reached the emulator")
    }

    @Test func aStopLetsTheRequestInFlightBeAnswered() async throws {
        let server = try await Self.server(latency: .milliseconds(800))
        let response = try await Self.withClient(server) { client in
            let answered = Task { try await client.send(Self.operation) }
            try await Self.waitUntilRecorded(server)
            // The grace is long: stop returns as soon as the answer has gone, and a loaded machine
            // may take seconds to write it.
            await server.stop(grace: .seconds(60))
            return try await answered.value
        }
        #expect(response.isOK, "\(response)")
        // Nothing new is taken.
        try await Self.withClient(server) { client in
            await #expect(throws: (any Error).self) { _ = try await client.send(Self.operation) }
        }
    }

    @Test func whatIsStillOpenAfterTheGraceIsClosed() async throws {
        let server = try await Self.server(latency: .seconds(30))
        try await Self.withClient(server) { client in
            let answered = Task { try await client.send(Self.operation) }
            try await Self.waitUntilRecorded(server)
            await server.stop(grace: .milliseconds(200))
            // The connection was closed without an answer: the send fails, it is not answered.
            await #expect(throws: (any Error).self) { _ = try await answered.value }
        }
    }
}
