import HTTPServing

/// A serving receipts receiver: the replies ledger prepared in the backend's local folder, a
/// `ReceiptsReceiver` for the runs the backend keeps, and the HTTP listener in front of it.
public final class ReceiptsServer: Sendable {
    private let listener: HTTPListener
    /// The address it listens on.
    public let host: String

    private init(listener: HTTPListener, host: String) {
        self.listener = listener
        self.host = host
    }

    /// Prepares the ledger (so that a folder that cannot hold it fails now, not at the first
    /// push), then serves `/sms-report` and `/sms-up` (under `/token/` with a token) on
    /// `host:port` (port 0 picks a free one) within `limits`, telling `log` a line per request.
    public static func start(backend: any StateBackend, token: String?, host: String, port: Int, limits: HTTPLimits,
                             log: @escaping @Sendable (String) -> Void) async throws -> ReceiptsServer {
        try ReceiptsLedger.of(stateFolder: backend.localFolder).prepare()
        // Receipts go to each campaign's run (in the database, when the state is one); replies
        // and the suppression list stay in the local folder.
        let service = ReceiptsHTTPService(receiver: ReceiptsReceiver(backend: backend, token: token), log: log)
        return ReceiptsServer(listener: try await HTTPListener.bind(host: host, port: port, limits: limits, service: service), host: host)
    }

    /// The port it listens on.
    public var port: Int { listener.port }

    /// The URL pushes go to (an IPv6 address in brackets).
    public var url: String { "http://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    /// Stops: no new connections, the pushes in flight are answered within `grace`.
    public func stop(grace: Duration) async {
        await listener.stop(grace: grace)
    }
}
