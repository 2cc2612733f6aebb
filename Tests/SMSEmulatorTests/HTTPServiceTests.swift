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

    /// A loopback connection that sends raw bytes and reads what comes back; its receive
    /// timeout only detects a hang, it is never what a test asserts.
    final class Connection {
        let descriptor: Int32

        init(port: Int) {
            descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var timeout = timeval(tv_sec: 20, tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            _ = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }

        deinit { close(descriptor) }

        func send(_ text: String) {
            let bytes = Array(text.utf8)
            _ = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }

        /// One whole answer (its head and the body its content-length announces), or what came
        /// before the connection closed.
        func receive() -> String {
            var data: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let text = String(decoding: data, as: UTF8.self)
                if let end = text.range(of: "\r\n\r\n") {
                    let length = text[..<end.lowerBound].lowercased().components(separatedBy: "\r\n").first { $0.hasPrefix("content-length: ") }
                        .flatMap { Int($0.dropFirst("content-length: ".count)) } ?? 0
                    if text.utf8.count - text[..<end.upperBound].utf8.count >= length { return text }
                }
                let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                if count <= 0 { return text }
                data += chunk[..<count]
            }
        }

        /// Whether the server closes the connection now (rather than keeping it).
        func closes() -> Bool {
            var byte: UInt8 = 0
            return recv(descriptor, &byte, 1, 0) == 0
        }
    }

    /// Runs `body`'s blocking socket calls on a thread of their own, so that they never hold one
    /// of the few threads the listener's service tasks run on (two on a two-core machine).
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: body()) }
        }
    }

    static func post(_ path: String, _ body: String) -> String {
        "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
    }

    @Test func anAnswerIsWrittenWithItsLengthAndTheConnectionKept() async throws {
        let listener = try await HTTPListener.bind(host: "127.0.0.1", port: 0, service: Echo())
        let port = listener.port
        let (first, second) = await Self.blocking {
            let connection = Connection(port: port)
            connection.send(Self.post("/echo", "hello"))
            let first = connection.receive()
            // The same connection serves the next request.
            connection.send(Self.post("/echo", "again"))
            return (first, connection.receive())
        }
        await listener.stop(grace: .zero)
        #expect(first.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(first)")
        #expect(first.lowercased().contains("content-type: text/plain\r\ncontent-length: 5\r\n"), "\(first)")
        #expect(first.hasSuffix("\r\n\r\nhello"))
        #expect(second.hasSuffix("\r\n\r\nagain"), "\(second)")
    }

    @Test func aRefusalFromTheHeadIsAnsweredAtOnceAndClosed() async throws {
        let listener = try await HTTPListener.bind(host: "127.0.0.1", port: 0, service: Echo())
        // A body announced and never sent: the answer comes from the head alone.
        let port = listener.port
        let (text, closed) = await Self.blocking {
            let connection = Connection(port: port)
            connection.send("POST /other HTTP/1.1\r\nHost: x\r\nContent-Length: 7000000000\r\n\r\n")
            return (connection.receive(), connection.closes())
        }
        await listener.stop(grace: .zero)
        #expect(text.hasPrefix("HTTP/1.1 404 Not Found\r\n"), "\(text)")
        #expect(text.lowercased().contains("connection: close"))
        #expect(closed)
    }

    @Test func aBodyOverItsLimitIsRefusedOrLeftUnanswered() async throws {
        let listener = try await HTTPListener.bind(host: "127.0.0.1", port: 0, service: Echo())
        var answers: [(text: String, closed: Bool)] = []
        let port = listener.port
        for request in [Self.post("/echo", "123456789"), "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n9\r\n123456789\r\n0\r\n\r\n",
                        Self.post("/quiet/echo", "123456789")] {
            answers.append(await Self.blocking {
                let connection = Connection(port: port)
                connection.send(request)
                let text = connection.receive()
                return (text, text.isEmpty || connection.closes())
            })
        }
        await listener.stop(grace: .zero)
        #expect(answers[0].text.hasPrefix("HTTP/1.1 413"), "\(answers[0].text)")
        #expect(answers[0].closed)
        #expect(answers[1].text.hasPrefix("HTTP/1.1 413"), "\(answers[1].text)")
        #expect(answers[1].closed)
        #expect(answers[2] == ("", true))
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
