import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `salvo receipts serve` as Alibaba Cloud meets it: real processes, the emulator pushing the
/// receipts of a real run, the receiver killed with SIGKILL mid-way and started again on its
/// port, the emulator's retries bringing the rest.
@Suite(.serialized) struct ReceiptsCommandTests {
    static func receiver(state: String, port: Int, token: String) throws -> (RunningSalvo, Int) {
        let process = try RunningSalvo(["receipts", "serve", "--state", state, "--port", String(port), "--token", token])
        guard let first = process.firstLine(), first.hasPrefix("listening on http://127.0.0.1:"),
              let bound = Int(first.split(separator: ":").last ?? "") else { throw CocoaError(.fileReadUnknown) }
        return (process, bound)
    }

    /// A receiver in a fresh state folder, and an emulator that pushes to it what it accepts of a
    /// campaign of `recipients` (`options`: more `--report-…` and `--reply-rate` options).
    struct Pushing {
        let folder: String
        var state: String { folder + "/state" }
        let token: String
        var receiver: RunningSalvo
        let port: Int
        let setup: RunCommandTests.Setup

        init(recipients: Int, rate: Int, batchSize: Int, options: [String]) throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-receipts-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            token = "t0k3n-\(UUID().uuidString.prefix(12))"
            (receiver, port) = try ReceiptsCommandTests.receiver(state: folder + "/state", port: 0, token: token)
            setup = try RunCommandTests.Setup(recipients: recipients, rate: rate, batchSize: batchSize,
                                              faults: ["--report-url", "http://127.0.0.1:\(port)/\(token)/sms-report"] + options)
        }

        /// `salvo run` of the campaign into the receiver's state folder, started.
        func run() throws -> RunningSalvo {
            try RunningSalvo(["run", setup.campaign, "--endpoint", setup.url, "--state", state], environment: setup.environment)
        }

        func stop() {
            _ = receiver.stop()
            _ = setup.emulator.stop()
        }
    }

    @Test func aKilledReceiverLosesNothingAndStoresNothingTwice() throws {
        var pushing = try Pushing(recipients: 2000, rate: 500, batchSize: 50, options: [
            "--report-delay-ms", "200", "--report-fail-rate", "0.1", "--report-duplicate-rate", "0.2", "--report-retry-scale", "0.01",
        ])
        defer { pushing.stop() }
        let setup = pushing.setup, state = pushing.state
        let run = try pushing.run()
        // The receiver dies once receipts are flowing (about 4 s of sending), stays down until a
        // push has been refused, and comes back on its port: the refused arrays are pushed again
        // after 0.6, 3 and 6 s (the 1/5/10-minute schedule scaled).
        func wait(until done: ([String: Any]) -> Bool) throws {
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                if done(try setup.statistics()) { return }
                usleep(20_000)
            }
        }
        try wait { ($0["reportsAcknowledged"] as? Int ?? 0) >= 50 }
        kill(pushing.receiver.process.processIdentifier, SIGKILL)
        _ = pushing.receiver.finish()
        try wait { ($0["reportPushesRefused"] as? Int ?? 0) > 0 }
        (pushing.receiver, _) = try Self.receiver(state: state, port: pushing.port, token: pushing.token)
        let ran = run.finish()
        #expect(run.process.terminationStatus == 0, "\(ran.stderr)")

        var statistics: [String: Any] = [:]
        let deadline = Date().addingTimeInterval(30)
        repeat {
            usleep(200_000)
            statistics = try setup.statistics()
        } while (statistics["reportsAcknowledged"] as? Int ?? 0) < 2000 && Date() < deadline
        #expect(statistics["messages"] as? Int == 2000)
        #expect(statistics["reportsAcknowledged"] as? Int == 2000)
        let delivered = try #require(statistics["reportsDelivered"] as? Int)
        let failed = try #require(statistics["reportsFailed"] as? Int)
        #expect(failed > 100 && delivered > 1500)
        // Pushes were refused while the receiver was down, and the retries brought them.
        #expect((statistics["reportPushesRefused"] as? Int ?? 0) > 0, "\(statistics)")

        let status = try SalvoProcess.run(["status", setup.campaign, "--state", state, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let delivery = try #require(object["delivery"] as? [String: Int])
        #expect(delivery == ["delivered": delivered, "failed": failed, "waiting": 0])
        let byCode = try #require(object["deliveryFailedByCode"] as? [String: Int])
        #expect(byCode.values.reduce(0, +) == failed)
        // The report's rows carry each recipient's receipt.
        let report = try SalvoProcess.run(["report", setup.campaign, "--state", state])
        let rows = report.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(rows.first?.suffix(4) == ["delivery", "delivery_code", "reported_at", "country"])
        #expect(rows.dropFirst().filter { $0.count > 4 && $0[$0.count - 4] == "delivered" }.count == delivered)
        #expect(rows.dropFirst().filter { $0.count > 4 && $0[$0.count - 4] == "failed" }.count == failed)
        #expect(rows.dropFirst().allSatisfy { $0.last == "86" }, "a mainland campaign's rows are all +86")
    }

    @Test func repliesThatUnsubscribeReachTheSuppressionList() throws {
        let pushing = try Pushing(recipients: 500, rate: 5000, batchSize: 100, options: ["--report-delay-ms", "20", "--reply-rate", "0.2"])
        defer { pushing.stop() }
        let setup = pushing.setup, state = pushing.state, folder = pushing.folder
        _ = try pushing.run().finish()
        var statistics: [String: Any] = [:]
        var exported: [String] = []
        let deadline = Date().addingTimeInterval(20)
        repeat {
            usleep(100_000)
            statistics = try setup.statistics()
            exported = try SalvoProcess.run(["suppression", "export", "--state", state]).stdout.split(separator: "\n").map(String.init)
        } while exported.count - 1 < (statistics["unsubscribes"] as? Int ?? 1) && Date() < deadline
        let unsubscribes = try #require(statistics["unsubscribes"] as? Int)
        #expect(unsubscribes > 20)
        #expect(exported.first == "sign_name,phone,source,added_at")
        #expect(exported.count - 1 == unsubscribes)
        #expect(exported.dropFirst().allSatisfy { $0.hasPrefix("云杉商城,139") && $0.contains(",reply,") })

        // A list from elsewhere comes in as CSV; numbers already on it are counted once.
        let known = exported[1].split(separator: ",")[1]
        try "phone,sign_name\n\(known),云杉商城\n+86 137-0000-0001,云杉商城\nnot-a-number,云杉商城\n".write(toFile: folder + "/in.csv", atomically: true, encoding: .utf8)
        let imported = try SalvoProcess.run(["suppression", "import", folder + "/in.csv", "--state", state, "--skip-invalid"])
        #expect(imported.stdout == "1 numbers added to the suppression list (1 already on it, 1 invalid row skipped)\n", "\(imported.stderr)")
        let after = try SalvoProcess.run(["suppression", "export", "--state", state]).stdout
        #expect(after.contains("云杉商城,13700000001,import,"))
    }

    /// Sends raw HTTP and returns the status line.
    static func rawRequest(port: Int, _ request: [UInt8], then body: Int = 0) -> String? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        _ = request.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        let chunk = [UInt8](repeating: 0x20, count: 1 << 16)
        var sent = 0
        while sent < body {
            let count = chunk.withUnsafeBytes { send(descriptor, $0.baseAddress, min($0.count, body - sent), Int32(MSG_NOSIGNAL)) }
            if count <= 0 { break }
            sent += count
        }
        var answer = [UInt8](repeating: 0, count: 512)
        let read = answer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard read > 0 else { return nil }
        return String(decoding: answer[..<read], as: UTF8.self).split(separator: "\r\n").first.map(String.init)
    }

    @Test func aFiftyMegabyteBodyAndAWrongPathAreRefusedOverHTTP() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-receipts-\(UUID().uuidString)").path
        let (receiver, port) = try Self.receiver(state: folder, port: 0, token: "abc-0123456789abcdef")
        defer { _ = receiver.stop() }
        let huge = 50 << 20
        let head = Array("POST /abc-0123456789abcdef/sms-report HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(huge)\r\n\r\n".utf8)
        #expect(Self.rawRequest(port: port, head, then: huge)?.hasPrefix("HTTP/1.1 413") == true)
        let wrong = Array("POST /sms-report HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n[]".utf8)
        #expect(Self.rawRequest(port: port, wrong)?.hasPrefix("HTTP/1.1 404") == true)
        let good = Array("POST /abc-0123456789abcdef/sms-report HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n[]".utf8)
        #expect(Self.rawRequest(port: port, good)?.hasPrefix("HTTP/1.1 200") == true)
    }
}
