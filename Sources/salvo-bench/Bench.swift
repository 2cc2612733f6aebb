import AliyunSMS
import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

/// Micro-benchmarks that print figures (never asserted in tests). Build in release:
/// `swift run -c release salvo-bench signing` or `scripts/bench-provider`.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "salvo-bench", subcommands: [Signing.self, EmulatorThroughput.self, TransportFloor.self])
}

/// The median of some measurements.
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}

/// CPU seconds this process has used.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// Runs `request(i)` for i in 0..<count with at most `concurrency` at a time; the number that
/// returned false.
func slidingWindow(count: Int, concurrency: Int, _ request: @escaping @Sendable (Int) async -> Bool) async -> Int {
    await withTaskGroup(of: Bool.self) { group in
        var next = 0, failed = 0
        func add() {
            let index = next
            next += 1
            group.addTask { await request(index) }
        }
        for _ in 0..<min(concurrency, count) { add() }
        while let succeeded = await group.next() {
            if !succeeded { failed += 1 }
            if next < count { add() }
        }
        return failed
    }
}

/// One SendBatchSms of 100 recipients with realistic parameters.
func batchOperation(_ index: Int) throws -> SMSOperation {
    let phones = (0..<100).map { "1390000\(String(format: "%04d", $0))" }
    let parameters = (0..<100).map { ["name": "客户\($0)号", "order_no": "YS\(index)-\($0)", "ship_date": "3月4日", "carrier": "顺丰速运"] }
    return try SMSOperation.sendBatchSms(phoneNumbers: phones, signNames: Array(repeating: "云杉商城", count: 100), templateCode: "SMS_465012346",
                                         templateParameters: parameters, outId: "bench:plan:\(index)")
}

struct Signing: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Requests signed and encoded per second on one core: 100-number SendBatchSms, v1 and v3.")

    @Option(help: "Runs per scheme; the median is reported.") var runs = 5
    @Option(help: "Seconds per run.") var seconds = 1.0
    @Flag(help: "Sign with the key pair given, without asking the credentials provider: what asking it costs.") var withoutProvider = false

    func run() async throws {
        let credentials = Credentials(accessKeyId: "LTAI5tBenchKeyId", accessKeySecret: "bench-secret")
        let endpoint = try Endpoint(url: "https://dysmsapi.aliyuncs.com")
        for scheme in SignatureScheme.allCases {
            let signer = RequestSigner(credentials: credentials, endpoint: endpoint, scheme: scheme)
            var rates: [Double] = []
            var bytes = 0
            for _ in 0..<runs {
                var count = 0
                let start = cpuSeconds()
                while cpuSeconds() - start < seconds {
                    for _ in 0..<50 {
                        // Building the operation (its JSON) and asking the credentials provider
                        // are part of the cost of every request.
                        let operation = try batchOperation(count)
                        let signed = withoutProvider
                            ? signer.sign(operation, with: credentials, nonce: UUID().uuidString.lowercased(), timestamp: AliyunTime.timestamp(Date()))
                            : try await signer.request(for: operation)
                        bytes = signed.body.count + signed.url.utf8.count
                        count += 1
                    }
                }
                rates.append(Double(count) / (cpuSeconds() - start))
            }
            print("signing \(scheme.rawValue)\(withoutProvider ? " (without the provider)" : ""): median \(Int(median(rates))) requests/s per core (100-number SendBatchSms, \(bytes) bytes each; runs: \(rates.map { String(Int($0)) }.joined(separator: " ")))")
        }
    }
}

struct EmulatorThroughput: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "emulator", abstract: "Requests per second a running 'salvo emulator' sustains with verification and recording on.")

    @Option(help: "The emulator's URL (start it with the bench key pair).") var url: String
    @Option(help: "Requests per run.") var requests = 2000
    @Option(help: "Requests in flight.") var concurrency = 16
    @Option(help: "Runs; the median is reported.") var runs = 5

    func run() async throws {
        let transport = HTTPClientTransport(configuration: TransportConfiguration(maxConnections: concurrency))
        let client = SMSClient(signer: RequestSigner(credentials: Credentials(accessKeyId: "LTAI5tBenchKeyId", accessKeySecret: "bench-secret"), endpoint: try Endpoint(url: url), scheme: .v3),
                               transport: transport)
        let operations = try (0..<64).map(batchOperation)
        var rates: [Double] = []
        var failures = 0
        for _ in 0..<runs {
            let start = Date()
            failures += await slidingWindow(count: requests, concurrency: concurrency) { index in
                (try? await client.send(operations[index % operations.count])) != nil
            }
            rates.append(Double(requests) / Date().timeIntervalSince(start))
        }
        await transport.shutdown()
        print("emulator: median \(Int(median(rates))) requests/s = \(Int(median(rates) * 100)) messages/s (100-number SendBatchSms, v3 verified, recorded; \(concurrency) in flight; runs: \(rates.map { String(Int($0)) }.joined(separator: " ")); failures: \(failures))")
    }
}

/// How much CPU sending alone costs, without planning, signing or bookkeeping: requests signed in
/// advance, then sent to a running emulator (a) through the HTTP client `salvo run` uses and (b)
/// through the least a client can do: blocking sockets, one per thread, writing the same bytes
/// and reading each answer by its Content-Length (plain HTTP only). The second is a floor for
/// any client on this machine.
struct TransportFloor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "transport", abstract: "CPU seconds per 100,000 messages for sending alone: the HTTP client, and a blocking-socket floor.")

    @Option(help: "The emulator's URL (start it with the bench key pair; http only).") var url: String
    @Option(help: "Requests per run (100 messages each).") var requests = 1000
    @Option(help: "Requests in flight (connections).") var concurrency = 16
    @Option(help: "Runs; the median is reported.") var runs = 5
    @Flag(help: "Run tasks on the event loops, as 'salvo run' does.") var nioExecutor = false

    func run() async throws {
        if nioExecutor { _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor() }
        let endpoint = try Endpoint(url: url)
        guard endpoint.scheme == "http" else { throw ValidationError("the floor client speaks plain HTTP only") }
        let signer = RequestSigner(credentials: Credentials(accessKeyId: "LTAI5tBenchKeyId", accessKeySecret: "bench-secret"), endpoint: endpoint, scheme: .v3)
        let transport = HTTPClientTransport(configuration: TransportConfiguration(maxConnections: concurrency))
        var client: [Double] = [], raw: [Double] = []
        var failures = 0
        for _ in 0..<runs {
            let signed = try (0..<requests).map { signer.sign(try batchOperation($0)) }
            let start = cpuSeconds()
            failures += await slidingWindow(count: requests, concurrency: concurrency) { index in
                (try? await transport.execute(signed[index], timeout: .seconds(30)))?.status == 200
            }
            client.append((cpuSeconds() - start) * 1000 / Double(requests))

            let wire = try (0..<requests).map { Self.wire(signer.sign(try batchOperation($0)), endpoint: endpoint) }
            let rawStart = cpuSeconds()
            failures += try Self.blockingSend(wire, host: endpoint.host, port: endpoint.port ?? 80, threads: concurrency)
            raw.append((cpuSeconds() - rawStart) * 1000 / Double(requests))
        }
        await transport.shutdown()
        func figures(_ values: [Double]) -> String {
            String(format: "%.3f CPU s per 100,000 messages (runs: %@)", median(values), values.map { String(format: "%.3f", $0) }.joined(separator: " "))
        }
        print("sending alone, HTTPClientTransport (AsyncHTTPClient): \(figures(client))")
        print("sending alone, blocking sockets (floor):               \(figures(raw))")
        print("(\(requests) pre-signed 100-number SendBatchSms per run, \(concurrency) in flight; failures: \(failures))")
    }

    /// The request as bytes on the wire.
    static func wire(_ request: SignedRequest, endpoint: Endpoint) -> [UInt8] {
        let path = request.url.dropFirst(endpoint.base.count - 1)
        var head = "\(request.method) \(path) HTTP/1.1\r\n"
        for (name, value) in request.headers { head += "\(name): \(value)\r\n" }
        head += "content-length: \(request.body.count)\r\n\r\n"
        return Array(head.utf8) + request.body
    }

    /// Sends every request over `threads` keep-alive connections; returns the number of non-200 answers.
    static func blockingSend(_ requests: [[UInt8]], host: String, port: Int, threads: Int) throws -> Int {
        final class Shared: @unchecked Sendable {
            let lock = NSLock()
            var next = 0
            var failures = 0
            var error: String?
        }
        let shared = Shared()
        var workers: [Thread] = []
        let done = DispatchGroup()
        for _ in 0..<threads {
            done.enter()
            let worker = Thread {
                defer { done.leave() }
                let socket = Self.connect(host: host, port: port)
                guard socket >= 0 else {
                    shared.lock.withLock { shared.error = "cannot connect to \(host):\(port)" }
                    return
                }
                defer { close(socket) }
                var buffer = [UInt8](repeating: 0, count: 64 * 1024)
                while true {
                    let index: Int = shared.lock.withLock {
                        defer { shared.next += 1 }
                        return shared.next
                    }
                    guard index < requests.count else { return }
                    let ok = requests[index].withUnsafeBytes { bytes -> Bool in
                        var sent = 0
                        while sent < bytes.count {
                            let count = send(socket, bytes.baseAddress.map { $0 + sent }, bytes.count - sent, Int32(MSG_NOSIGNAL))
                            guard count > 0 else { return false }
                            sent += count
                        }
                        return true
                    }
                    guard ok, let status = Self.readResponse(socket, buffer: &buffer) else {
                        shared.lock.withLock { shared.error = "the connection failed" }
                        return
                    }
                    if status != 200 { shared.lock.withLock { shared.failures += 1 } }
                }
            }
            workers.append(worker)
            worker.start()
        }
        done.wait()
        if let error = shared.error { throw ValidationError(error) }
        return shared.failures
    }

    static func connect(host: String, port: Int) -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return -1 }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &address.sin_addr)
        var one: Int32 = 1
        setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(socket)
            return -1
        }
        return socket
    }

    /// Reads one response (headers, then Content-Length bytes); its status, or nil.
    static func readResponse(_ socket: Int32, buffer: inout [UInt8]) -> Int? {
        var filled = 0
        var headerEnd: Int?
        var contentLength = 0
        while true {
            if let end = headerEnd, filled >= end + contentLength { break }
            if filled == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress.map { $0 + filled }, $0.count - filled, 0) }
            guard count > 0 else { return nil }
            filled += count
            if headerEnd == nil, let range = buffer[0..<filled].firstRange(of: [13, 10, 13, 10]) {
                headerEnd = range.upperBound
                let head = String(decoding: buffer[0..<range.lowerBound], as: UTF8.self).lowercased()
                for line in head.split(separator: "\r\n") where line.hasPrefix("content-length:") {
                    contentLength = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
        }
        let statusLine = String(decoding: buffer.prefix(12), as: UTF8.self)
        return Int(statusLine.dropFirst(9).prefix(3))
    }
}
