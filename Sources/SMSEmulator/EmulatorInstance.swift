import HTTPServing

/// A serving emulator: its record, its receipt pusher (with a report plan) and its server,
/// started together and stopped in order (no new connections, the requests in flight answered,
/// then the pushes in flight finished and those not made yet kept in a durable record).
public final class EmulatorInstance: Sendable {
    /// The server (its URL and its core).
    public let server: EmulatorServer
    /// What it accepted.
    public let record: EmulatorRecord
    private let recordPath: String
    private let pusher: ReportPusher?

    /// How a stop went.
    public struct Stopped: Sendable, Hashable {
        /// Receipt and reply pushes not made yet when the pusher stopped (0 without a report plan).
        public var pushesLeft = 0
        /// Where those pushes are kept for the next emulator on the record; nil when they are
        /// dropped (a record in memory).
        public var keptIn: String?
    }

    private init(server: EmulatorServer, record: EmulatorRecord, recordPath: String, pusher: ReportPusher?) {
        self.server = server
        self.record = record
        self.recordPath = recordPath
        self.pusher = pusher
    }

    /// Opens the record at `recordPath` (nil: in memory), starts pushing receipts of what is
    /// accepted as `reportPlan` says (taking over the pushes a stopped emulator kept in the
    /// record), and serves on `host:port` (port 0 picks a free one).
    public static func start(configuration: EmulatorConfiguration, recordPath: String?, reportPlan: ReportPlan?,
                             host: String, port: Int) async throws(EmulatorError) -> EmulatorInstance {
        let path = recordPath ?? ":memory:"
        let record = try EmulatorRecord(path: path)
        var configuration = configuration
        let queue = configuration.queue.enabled ? MNSQueueService(configuration: configuration, record: record) : nil
        var pusher: ReportPusher?
        // With --queue and no address to push to, the receipts are made for the queues alone.
        if let plan = reportPlan ?? (queue != nil ? ReportPlan(url: "") : nil) {
            // The core holds the pusher and the queues for as long as it serves.
            let made = plan.url.isEmpty ? nil : ReportPusher(plan: plan, record: record)
            configuration.onAccepted = { messages in
                let reports = plan.reports(for: messages)
                reports.record(in: record)
                made?.push(reports)
                queue?.put(reports, delay: plan.delay)
            }
            pusher = made
        }
        do {
            let server = try await EmulatorServer(core: EmulatorCore(configuration: configuration, record: record, queue: queue), host: host, port: port)
            return EmulatorInstance(server: server, record: record, recordPath: path, pusher: pusher)
        } catch {
            // The pushes taken over go back to the record.
            _ = await pusher?.stop()
            throw EmulatorError(code: .listenFailed, message: "\(error)", cause: error)
        }
    }

    /// The URL clients use.
    public var url: String { server.url }

    /// Pushes taken over from an emulator that stopped before on the same record, being made now.
    public var resumedPushes: Int { pusher?.resumed ?? 0 }

    /// Stops: no new connections, the requests in flight are answered within `grace`, then the
    /// pushes in flight finish (each within its own timeout, under a second) and those not made
    /// yet are kept in a durable record, where the next emulator on it makes them.
    public func stop(grace: Duration) async -> Stopped {
        // Long polls waiting on the queues answer at once.
        server.core.queue?.close()
        await server.stop(grace: grace)
        guard let pusher else { return Stopped() }
        let left = await pusher.stop()
        return Stopped(pushesLeft: left, keptIn: record.isDurable ? recordPath : nil)
    }
}
