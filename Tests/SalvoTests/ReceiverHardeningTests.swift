import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP client that sends raw bytes and reads what comes back, with a receive timeout
/// (a hang detector: a test asserts what arrived, never how fast).
final class LoopbackClient {
    let descriptor: Int32

    init?(port: Int, receiveTimeout seconds: Int = 10) {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            return nil
        }
    }

    deinit { close(descriptor) }

    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    /// What came back.
    enum Received: Equatable {
        /// A whole answer (head and the body its content-length announces).
        case answer(String)
        /// The server closed the connection; what it sent before.
        case closed(String)
        /// Nothing more within the receive timeout.
        case timedOut(String)

        var text: String {
            switch self {
            case .answer(let text), .closed(let text), .timedOut(let text): text
            }
        }

        var statusLine: String { text.components(separatedBy: "\r\n").first ?? "" }
    }

    /// Reads one answer, or until the connection closes or the timeout passes.
    func receive() -> Received {
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            if let text = Self.complete(data) { return .answer(text) }
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 { return .closed(String(decoding: data, as: UTF8.self)) }
            if count < 0 { return errno == EAGAIN || errno == EWOULDBLOCK ? .timedOut(String(decoding: data, as: UTF8.self)) : .closed(String(decoding: data, as: UTF8.self)) }
            data += chunk[..<count]
        }
    }

    /// After an answer: whether the server then closes the connection (rather than keeping it).
    func closesAfterwards() -> Bool {
        if case .closed("") = receive() { return true }
        return false
    }

    private static func complete(_ data: [UInt8]) -> String? {
        let text = String(decoding: data, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return nil }
        let head = text[..<end.lowerBound].lowercased()
        let length = head.components(separatedBy: "\r\n").first { $0.hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        return text.utf8.count - text[..<end.upperBound].utf8.count >= length ? text : nil
    }

    /// A POST of `body` to `path`.
    static func post(_ path: String, _ body: String, keepAlive: Bool = true) -> String {
        "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
            + (keepAlive ? "" : "Connection: close\r\n") + "\r\n" + body
    }
}

/// `salvo receipts serve` against clients that are slow, many, wrong or hostile, and stopped by a
/// signal; `salvo emulator` stopped with pushes still to make.
@Suite(.serialized) struct ReceiverHardeningTests {
    static let token = "0123456789abcdef-test"

    static func folder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-hardening-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    /// A receiver on a free port of a fresh state folder.
    static func receiver(_ extra: [String] = [], state: String? = nil) throws -> (RunningSalvo, port: Int, state: String) {
        let state = try state ?? folder() + "/state"
        let process = try RunningSalvo(["receipts", "serve", "--state", state, "--port", "0", "--token", token] + extra)
        guard let first = process.firstLine(), first.hasPrefix("listening on http://127.0.0.1:"),
              let port = Int(first.split(separator: ":").last ?? "") else {
            _ = process.stop()
            throw CocoaError(.fileReadUnknown)
        }
        return (process, port, state)
    }

    static func receipt(_ phone: String, outId: String, biz: String = "1^0") -> String {
        "{\"phone_number\":\"\(phone)\",\"send_time\":\"2027-03-01 10:00:00\",\"report_time\":\"2027-03-01 10:00:03\",\"success\":true,"
            + "\"err_code\":\"DELIVERED\",\"err_msg\":\"用户接收成功\",\"sms_size\":\"1\",\"biz_id\":\"\(biz)\",\"out_id\":\"\(outId)\"}"
    }

    @Test func hundredsOfSlowConnectionsDoNotKeepAPushFromBeingAnswered() throws {
        let (receiver, port, _) = try Self.receiver()
        defer { _ = receiver.stop() }
        var slow: [LoopbackClient] = []
        for index in 0..<300 {
            let client = try #require(LoopbackClient(port: port), "connection \(index)")
            client.send("POST /\(Self.token)/sms-report HTTP/1.1\r\nHo")
            slow.append(client)
        }
        // Each slow client goes on dribbling its head.
        for client in slow { client.send("st: 127.0.0.1\r\nX-Slow: ") }
        let push = try #require(LoopbackClient(port: port, receiveTimeout: 5))
        push.send(LoopbackClient.post("/\(Self.token)/sms-report", "[" + Self.receipt("13800000001", outId: "nobody:p:1") + "]"))
        let answer = push.receive()
        #expect(answer.statusLine == "HTTP/1.1 200 OK", "\(answer)")
        #expect(answer.text.hasSuffix("{\"code\":0,\"msg\":\"接收成功\"}"))
        for client in slow { client.send("1\r\n") }
    }

    @Test func aConnectionPastTheCapIsAnswered503() throws {
        let (receiver, port, _) = try Self.receiver(["--max-connections", "3"])
        defer { _ = receiver.stop() }
        // Three connections, each served once and kept alive: the receiver holds them.
        var held: [LoopbackClient] = []
        for _ in 0..<3 {
            let client = try #require(LoopbackClient(port: port))
            client.send(LoopbackClient.post("/\(Self.token)/sms-report", "[]"))
            #expect(client.receive().statusLine == "HTTP/1.1 200 OK")
            held.append(client)
        }
        let extra = try #require(LoopbackClient(port: port))
        let refused = extra.receive()
        #expect(refused.statusLine == "HTTP/1.1 503 Service Unavailable", "\(refused)")
        #expect(refused.text.lowercased().contains("connection: close"))
        // Once one of them goes, a push gets in again.
        held.removeLast()
        var answered = LoopbackClient.Received.timedOut("")
        for _ in 0..<100 {
            let client = try #require(LoopbackClient(port: port))
            client.send(LoopbackClient.post("/\(Self.token)/sms-report", "[]"))
            answered = client.receive()
            if answered.statusLine == "HTTP/1.1 200 OK" { break }
            usleep(20_000)
        }
        #expect(answered.statusLine == "HTTP/1.1 200 OK", "\(answered)")
    }

    @Test func aWrongPathOrMethodIsAnsweredWithoutItsBodyAndClosed() throws {
        let (receiver, port, _) = try Self.receiver()
        defer { _ = receiver.stop() }
        // 7 GB announced, none of it sent: the answer comes from the head alone.
        for (head, status) in [("POST /sms-report HTTP/1.1", "404"), ("POST /wrong-token-0000000/sms-report HTTP/1.1", "404"),
                               ("PUT /\(Self.token)/sms-report HTTP/1.1", "405"), ("POST /\(Self.token)/sms-up HTTP/1.1", "413")] {
            let client = try #require(LoopbackClient(port: port))
            client.send(head + "\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 7000000000\r\n\r\n")
            let answer = client.receive()
            #expect(answer.statusLine.hasPrefix("HTTP/1.1 \(status)"), "\(head): \(answer)")
            #expect(answer.text.lowercased().contains("connection: close"), "\(head)")
            #expect(client.closesAfterwards(), "\(head): the connection stays open")
        }
        // A 400 closes the connection too; a 200 keeps it.
        let client = try #require(LoopbackClient(port: port))
        client.send(LoopbackClient.post("/\(Self.token)/sms-report", "[]"))
        #expect(client.receive().statusLine == "HTTP/1.1 200 OK")
        client.send(LoopbackClient.post("/\(Self.token)/sms-report", "[{"))
        let bad = client.receive()
        #expect(bad.statusLine == "HTTP/1.1 400 Bad Request", "\(bad)")
        #expect(client.closesAfterwards())
        // A request that is not HTTP at all gets its 400 and the door, at once, not after the
        // header timeout (10 s here; the client waits 5 s for the close).
        for garbage in ["FOO\r\n\r\n", "POST /\(Self.token)/sms-report HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", "POST / HTTP/1.1\r\nHost x\r\n\r\n"] {
            let client = try #require(LoopbackClient(port: port, receiveTimeout: 5))
            client.send(garbage)
            let answer = client.receive()
            #expect(answer.statusLine.hasPrefix("HTTP/1.1 400"), "\(garbage.debugDescription): \(answer)")
            #expect(client.closesAfterwards(), "\(garbage.debugDescription): the connection stays open")
        }
    }

    @Test func aClientThatAsksFirstIsToldToGoOn() throws {
        let (receiver, port, _) = try Self.receiver()
        defer { _ = receiver.stop() }
        let client = try #require(LoopbackClient(port: port))
        client.send("POST /\(Self.token)/sms-report HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
        #expect(client.receive().statusLine == "HTTP/1.1 100 Continue")
        client.send("[]")
        #expect(client.receive().statusLine == "HTTP/1.1 200 OK")
    }

    @Test func theHeaderTimeoutClosesAPartialRequest() throws {
        let (receiver, port, _) = try Self.receiver(["--header-timeout", "1", "--idle-timeout", "1"])
        defer { _ = receiver.stop() }
        let partial = try #require(LoopbackClient(port: port, receiveTimeout: 20))
        partial.send("POST /\(Self.token)/sms-report HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        #expect(partial.receive() == .closed(""), "a partial request was left open")
        // Kept alive after an answer, a silent connection is closed too.
        let idle = try #require(LoopbackClient(port: port, receiveTimeout: 20))
        idle.send(LoopbackClient.post("/\(Self.token)/sms-report", "[]"))
        #expect(idle.receive().statusLine == "HTTP/1.1 200 OK")
        #expect(idle.receive() == .closed(""), "an idle connection was left open")
    }

    @Test func aMixedPushStoresTheGoodOneAndTheBadOneIsInTheLedger() throws {
        let (receiver, port, state) = try Self.receiver()
        defer { _ = receiver.stop() }
        let client = try #require(LoopbackClient(port: port))
        client.send(LoopbackClient.post("/\(Self.token)/sms-report", "[" + Self.receipt("13800000001", outId: "nobody:p:1") + ", {\"success\":\"yes\"}]"))
        let answer = client.receive()
        #expect(answer.statusLine == "HTTP/1.1 200 OK", "\(answer)")
        #expect(answer.text.hasSuffix("{\"code\":0,\"msg\":\"接收成功\"}"))
        let listed = try SalvoProcess.run(["receipts", "unmatched", "--state", state, "--json"])
        #expect(listed.status == 0, "\(listed.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])
        let malformed = try #require(object["malformed"] as? [String: Any])
        #expect(malformed["byReason"] as? [String: Int] == ["malformed-value": 1])
        let receipts = try #require(object["receipts"] as? [String: Any])
        #expect(receipts["byReason"] as? [String: Int] == ["no-campaign": 1])
        #expect(listed.stdout.contains("138****0001"))
        #expect(!listed.stdout.contains("13800000001"), "a full number in the listing")
        let text = try SalvoProcess.run(["receipts", "unmatched", "--state", state])
        #expect(text.stdout.contains("malformed-value: 1"), "\(text.stdout)")
        #expect(text.stdout.contains("{\"success\":\"yes\"}"), "\(text.stdout)")
    }

    @Test func aReceiptForANumberNotInTheBatchIsNotCounted() throws {
        let pushing = try ReceiptsCommandTests.Pushing(recipients: 20, rate: 5000, batchSize: 10, options: ["--report-delay-ms", "20"])
        defer { pushing.stop() }
        let run = try pushing.run()
        let ran = run.finish()
        #expect(run.process.terminationStatus == 0, "\(ran.stderr)")
        func status() throws -> [String: Any] {
            let status = try SalvoProcess.run(["status", pushing.setup.campaign, "--state", pushing.state, "--json"])
            return (try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]) ?? [:]
        }
        var object: [String: Any] = [:]
        let deadline = Date().addingTimeInterval(30)
        repeat {
            usleep(100_000)
            object = try status()
        } while (object["delivery"] as? [String: Int])?["delivered"] != 20 && Date() < deadline
        #expect((object["delivery"] as? [String: Int])?["delivered"] == 20)
        let plan = try #require(object["planId"] as? String)
        // Batch 1 is 13900000000-09: a real OutId with another number, and a NUL inside a number.
        let client = try #require(LoopbackClient(port: pushing.port))
        client.send(LoopbackClient.post("/\(pushing.token)/sms-report", "[" + Self.receipt("13900000015", outId: "crash-test:\(plan):1", biz: "x^1") + ","
                                        + Self.receipt("1390000\\u00000001", outId: "crash-test:\(plan):1", biz: "x^2") + "]"))
        #expect(client.receive().statusLine == "HTTP/1.1 200 OK")
        object = try status()
        #expect(object["delivery"] as? [String: Int] == ["delivered": 20, "failed": 0, "waiting": 0])
        let listed = try SalvoProcess.run(["receipts", "unmatched", "--state", pushing.state, "--json"])
        let ledger = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])
        #expect((ledger["receipts"] as? [String: Any])?["byReason"] as? [String: Int] == ["phone-not-in-batch": 1], "\(listed.stdout)")
        #expect((ledger["malformed"] as? [String: Any])?["byReason"] as? [String: Int] == ["malformed-control-character": 1], "\(listed.stdout)")
    }

    @Test(arguments: [
        (["--host", "192.0.2.1"], "not a loopback address"), (["--host", "::"], "not a loopback address"),
        (["--token", "short-token"], "at least 16"), (["--host", "127.0.0.1", "--token", "0123456789abcdef", "--no-token"], "contradict"),
    ])
    func unsafeOptionsAreRefused(arguments: [String], message: String) throws {
        let outcome = try SalvoProcess.run(["receipts", "serve", "--state", try Self.folder(), "--port", "0"] + arguments, seconds: 60)
        #expect(outcome.status == 64, "\(outcome.all)")
        #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
        #expect(outcome.stdout.isEmpty)
    }

    @Test func aShortTokenFromTheEnvironmentIsRefusedToo() throws {
        let outcome = try SalvoProcess.run(["receipts", "serve", "--state", try Self.folder(), "--port", "0"], environment: ["SALVO_RECEIPTS_TOKEN": "abc"], seconds: 60)
        #expect(outcome.status == 64, "\(outcome.all)")
    }

    @Test(arguments: [SIGTERM, SIGINT])
    func aSignalStopsTheReceiverWithExitZero(_ number: Int32) throws {
        let (receiver, port, _) = try Self.receiver()
        // An idle keep-alive connection does not hold the stop up.
        let idle = try #require(LoopbackClient(port: port))
        idle.send(LoopbackClient.post("/\(Self.token)/sms-report", "[]"))
        #expect(idle.receive().statusLine == "HTTP/1.1 200 OK")
        kill(receiver.process.processIdentifier, number)
        let output = receiver.finish()
        #expect(receiver.process.terminationReason == .exit)
        #expect(receiver.process.terminationStatus == 0, "\(output.stderr)")
        #expect(output.stderr.contains("stopped"))
        #expect(idle.receive() == .closed(""))
    }

    /// The emulator stopped with receipts still to push keeps them in its record; started again
    /// on it, it pushes them.
    @Test func aStoppedEmulatorKeepsItsPushesForTheNextOne() throws {
        let (receiver, port, state) = try Self.receiver()
        defer { _ = receiver.stop() }
        let url = "http://127.0.0.1:\(port)/\(Self.token)/sms-report"
        let setup = try RunCommandTests.Setup(recipients: 20, rate: 5000, batchSize: 10, faults: ["--report-url", url, "--report-delay-ms", "600000"])
        let run = try RunningSalvo(["run", setup.campaign, "--endpoint", setup.url, "--state", state], environment: setup.environment)
        let ran = run.finish()
        #expect(run.process.terminationStatus == 0, "\(ran.stderr)")
        kill(setup.emulator.process.processIdentifier, SIGTERM)
        let stopped = setup.emulator.finish()
        #expect(setup.emulator.process.terminationStatus == 0, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("2 pushes not made yet are kept"), "\(stopped.stderr)")
        var statistics = try setup.statistics()
        #expect(statistics["pendingPushes"] as? Int == 2)
        #expect(statistics["reportsAcknowledged"] as? Int == 0)

        let again = try RunningSalvo(["emulator", "--port", "0", "--record", setup.record, "--report-url", url, "--report-delay-ms", "10"], environment: setup.environment)
        defer { _ = again.stop() }
        #expect(again.firstLine()?.hasPrefix("listening on ") == true)
        let deadline = Date().addingTimeInterval(30)
        repeat {
            usleep(100_000)
            statistics = try setup.statistics()
        } while (statistics["reportsAcknowledged"] as? Int ?? 0) < 20 && Date() < deadline
        #expect(statistics["reportsAcknowledged"] as? Int == 20)
        #expect(statistics["pendingPushes"] as? Int == 0)
        let status = try SalvoProcess.run(["status", setup.campaign, "--state", state, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        #expect(object["delivery"] as? [String: Int] == ["delivered": 20, "failed": 0, "waiting": 0])
    }

    @Test func withoutARecordTheEmulatorSaysHowManyPushesItDropped() throws {
        let (receiver, port, state) = try Self.receiver()
        defer { _ = receiver.stop() }
        let url = "http://127.0.0.1:\(port)/\(Self.token)/sms-report"
        let setup = try RunCommandTests.Setup(recipients: 20, rate: 5000, batchSize: 10)
        defer { _ = setup.emulator.stop() }
        let emulator = try RunningSalvo(["emulator", "--port", "0", "--report-url", url, "--report-delay-ms", "600000"], environment: setup.environment)
        let first = try #require(emulator.firstLine())
        let run = try RunningSalvo(["run", setup.campaign, "--endpoint", String(first.dropFirst("listening on ".count)), "--state", state], environment: setup.environment)
        let ran = run.finish()
        #expect(run.process.terminationStatus == 0, "\(ran.stderr)")
        kill(emulator.process.processIdentifier, SIGINT)
        let stopped = emulator.finish()
        #expect(emulator.process.terminationStatus == 0, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("2 pushes not made yet are dropped"), "\(stopped.stderr)")
    }
}
