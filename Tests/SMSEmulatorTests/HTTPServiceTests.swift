import Foundation
import HTTPServing
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The shared listener serving a service that knows nothing of SwiftNIO: refusals from the head,
/// body limits, answers kept alive or closed, no answer at all.
@Suite struct HTTPServiceTests {
    /// Answers `POST /echo` with its body; refuses other paths 404 from the head; a body over 8
    /// bytes is 413, or no answer at all under `/quiet`.
    struct Echo: HTTPService {
        func judge(_ head: HTTPServiceHead) -> HTTPHeadDecision {
            head.uri.hasSuffix("/echo") ? .read(bodyLimit: 8) : .refuse(HTTPServiceResponse(status: 404, body: Array("no".utf8)))
        }

        func respond(to request: HTTPServiceRequest) async -> HTTPServiceResponse {
            HTTPServiceResponse(status: 200, headers: [("content-type", "text/plain")], body: Array(request.body))
        }

        func refuseTooLarge(_ head: HTTPServiceHead) -> HTTPServiceResponse {
            head.uri.hasPrefix("/quiet") ? .noAnswer : HTTPServiceResponse(status: 413)
        }
    }

    /// Sends `text` on a fresh loopback connection and reads until the server closes it or
    /// stays silent for a second: what came back, and whether it closed.
    static func exchange(port: Int, _ text: String) -> (text: String, closed: Bool) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return ("", true) }
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return (String(decoding: received, as: UTF8.self), count == 0) }
            received += chunk[..<count]
        }
    }

    static func post(_ path: String, _ body: String) -> String {
        "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
    }

    @Test func anAnswerIsWrittenWithItsLengthAndTheConnectionKept() async throws {
        let listener = try await HTTPListener.bind(host: "127.0.0.1", port: 0, service: Echo())
        let (text, closed) = Self.exchange(port: listener.port, Self.post("/echo", "hello"))
        await listener.stop(grace: .zero)
        #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(text)")
        #expect(text.lowercased().contains("content-type: text/plain\r\ncontent-length: 5\r\n"), "\(text)")
        #expect(text.hasSuffix("\r\n\r\nhello"))
        #expect(!closed, "a kept-alive connection was closed")
    }

    @Test func aRefusalFromTheHeadIsAnsweredAtOnceAndClosed() async throws {
        let listener = try await HTTPListener.bind(host: "127.0.0.1", port: 0, service: Echo())
        // A body announced and never sent: the answer comes from the head alone.
        let (text, closed) = Self.exchange(port: listener.port, "POST /other HTTP/1.1\r\nHost: x\r\nContent-Length: 7000000000\r\n\r\n")
        await listener.stop(grace: .zero)
        #expect(text.hasPrefix("HTTP/1.1 404 Not Found\r\n"), "\(text)")
        #expect(text.lowercased().contains("connection: close"))
        #expect(closed)
    }

    @Test func aBodyOverItsLimitIsRefusedOrLeftUnanswered() async throws {
        let listener = try await HTTPListener.bind(host: "127.0.0.1", port: 0, service: Echo())
        let announced = Self.exchange(port: listener.port, Self.post("/echo", "123456789"))
        let chunked = Self.exchange(port: listener.port, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n9\r\n123456789\r\n0\r\n\r\n")
        let quiet = Self.exchange(port: listener.port, Self.post("/quiet/echo", "123456789"))
        await listener.stop(grace: .zero)
        #expect(announced.text.hasPrefix("HTTP/1.1 413"), "\(announced.text)")
        #expect(announced.closed)
        #expect(chunked.text.hasPrefix("HTTP/1.1 413"), "\(chunked.text)")
        #expect(chunked.closed)
        #expect(quiet == ("", true))
    }

    @Test func anAddressInUseIsACannotListenError() async throws {
        let listener = try await HTTPListener.bind(host: "127.0.0.1", port: 0, service: Echo())
        await #expect {
            _ = try await HTTPListener.bind(host: "127.0.0.1", port: listener.port, service: Echo())
        } throws: { error in
            (error as? HTTPServingError)?.code == .cannotListen && "\(error)".hasPrefix("cannot listen on 127.0.0.1:\(listener.port): ")
        }
        await listener.stop(grace: .zero)
    }

    @Test(arguments: [("127.0.0.1", true), ("127.8.9.10", true), ("::1", true), ("[::1]", true), ("localhost", true), ("LOCALHOST", true),
                      ("0.0.0.0", false), ("::", false), ("192.0.2.1", false), ("example.com", false)])
    func loopbackAddressesAreKnown(host: String, loopback: Bool) {
        #expect(HTTPListener.isLoopback(host) == loopback, "\(host)")
    }
}
