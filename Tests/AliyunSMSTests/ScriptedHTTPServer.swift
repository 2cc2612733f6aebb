import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A loopback HTTP/1.1 server for tests that need answers the emulator never gives (a refused
/// token PUT, a body that is not JSON, silence). Its blocking socket calls run on a thread of its
/// own, never on Swift's cooperative pool (two threads on a two-core machine); each connection is
/// answered and closed in turn.
final class ScriptedHTTPServer: Sendable {
    /// A request as it arrived.
    struct Request: Sendable {
        var method: String
        var path: String
        /// Header names in lower case.
        var headers: [String: String]
        var body: String
    }

    /// What to answer; `nil` from the script holds the connection unanswered for 10 s (well past
    /// any deadline under test, even on a loaded machine whose timers fire late).
    struct Answer: Sendable {
        var status: Int
        var contentType = "application/json"
        var body: String
    }

    /// The port it listens on (127.0.0.1).
    let port: Int
    private let descriptor: Int32
    private let received = Mutex<[Request]>([])

    /// The server's URL, `http://127.0.0.1:<port>`.
    var url: String { "http://127.0.0.1:\(port)" }
    /// Every request so far, in order.
    var requests: [Request] { received.withLock { $0 } }

    /// Listens on a free port and answers each request with `script`.
    init(_ script: @escaping @Sendable (Request) -> Answer?) throws {
        let listening = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listening >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listening, $0, length) == 0 && listen(listening, 16) == 0 && getsockname(listening, $0, &length) == 0 }
        }
        guard bound else {
            close(listening)
            throw POSIXError(.EADDRINUSE)
        }
        descriptor = listening
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in serve(script) }
        thread.start()
    }

    /// Stops listening; the serving thread ends at its next accept and closes the socket (closing
    /// it here could hand its number to another socket while that thread still accepts on it).
    func stop() {
        shutdown(descriptor, Int32(SHUT_RDWR))
    }

    private func serve(_ script: @Sendable (Request) -> Answer?) {
        while true {
            let connection = accept(descriptor, nil, nil)
            guard connection >= 0 else {
                close(descriptor)
                return
            }
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            if let request = Self.read(connection) {
                received.withLock { $0.append(request) }
                if let answer = script(request) {
                    let head = "HTTP/1.1 \(answer.status) Scripted\r\nContent-Type: \(answer.contentType)\r\nContent-Length: \(answer.body.utf8.count)\r\nConnection: close\r\n\r\n"
                    let bytes = Array((head + answer.body).utf8)
                    _ = bytes.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                } else {
                    Thread.sleep(forTimeInterval: 10)
                }
            }
            close(connection)
        }
    }

    /// One request: its head, then as many body bytes as its content-length says.
    private static func read(_ connection: Int32) -> Request? {
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            if let end = data.firstRange(of: Array("\r\n\r\n".utf8)) {
                let head = String(decoding: data[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
                var headers: [String: String] = [:]
                for line in head.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                let length = headers["content-length"].flatMap { Int($0) } ?? 0
                if data.count - end.upperBound >= length {
                    let start = head.first?.split(separator: " ") ?? []
                    guard start.count >= 2 else { return nil }
                    return Request(method: String(start[0]), path: String(start[1]), headers: headers,
                                   body: String(decoding: data[end.upperBound...], as: UTF8.self))
                }
            }
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            data += chunk[..<count]
        }
    }
}
