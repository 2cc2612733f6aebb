import AliyunSMS
import ArgumentParser
import Foundation

/// Micro-benchmarks that print figures (never asserted in tests). Build in release:
/// `swift run -c release salvo-bench signing` or `scripts/bench-provider`.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "salvo-bench", subcommands: [Signing.self, EmulatorThroughput.self])
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
                        // Building the operation (its JSON) is part of the cost of every request.
                        let signed = signer.sign(try batchOperation(count))
                        bytes = signed.body.count + signed.url.utf8.count
                        count += 1
                    }
                }
                rates.append(Double(count) / (cpuSeconds() - start))
            }
            print("signing \(scheme.rawValue): median \(Int(median(rates))) requests/s per core (100-number SendBatchSms, \(bytes) bytes each; runs: \(rates.map { String(Int($0)) }.joined(separator: " ")))")
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
            failures += await withTaskGroup(of: Int.self) { group in
                var next = 0
                var failed = 0
                func add() {
                    let operation = operations[next % operations.count]
                    next += 1
                    group.addTask {
                        do {
                            _ = try await client.send(operation)
                            return 0
                        } catch {
                            return 1
                        }
                    }
                }
                for _ in 0..<min(concurrency, requests) { add() }
                while let result = await group.next() {
                    failed += result
                    if next < requests { add() }
                }
                return failed
            }
            rates.append(Double(requests) / Date().timeIntervalSince(start))
        }
        await transport.shutdown()
        print("emulator: median \(Int(median(rates))) requests/s = \(Int(median(rates) * 100)) messages/s (100-number SendBatchSms, v3 verified, recorded; \(concurrency) in flight; runs: \(rates.map { String(Int($0)) }.joined(separator: " ")); failures: \(failures))")
    }
}
