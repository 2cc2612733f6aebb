import HTTPServing

/// The emulator on the network: the shared `HTTPListener` (HTTP/1.1, keep-alive), one
/// `EmulatorCore` behind it.
public final class EmulatorServer: Sendable {
    private let listener: HTTPListener
    /// The core that answers.
    public let core: EmulatorCore
    /// The port the server listens on.
    public let port: Int
    /// The host it is bound to.
    public let host: String

    /// Binds to `host:port` (port 0 picks a free one) and starts serving. Connections kept alive
    /// idle for two minutes by default: longer than HTTP clients' own pools keep them (a minute
    /// for AsyncHTTPClient), so that the client, not the emulator, closes an idle one and no
    /// request is sent on a connection the emulator is closing.
    public init(core: EmulatorCore, host: String = "127.0.0.1", port: Int = 0,
                limits: HTTPLimits = EmulatorServer.defaultLimits) async throws(HTTPServingError) {
        listener = try await HTTPListener.bind(host: host, port: port, limits: limits, service: EmulatorHTTPService(core: core))
        self.core = core
        self.host = host
        self.port = listener.port
    }

    /// The emulator's limits: the listener's defaults, with two minutes of idleness.
    public static var defaultLimits: HTTPLimits {
        var limits = HTTPLimits()
        limits.idleTimeout = .seconds(120)
        return limits
    }

    /// The URL clients use.
    public var url: String { "http://\(host):\(port)" }

    /// Stops accepting connections and closes those open.
    public func close() async {
        await listener.stop(grace: .zero)
    }

    /// Stops accepting connections, lets the requests in flight be answered, and closes what is
    /// still open after `grace`.
    public func stop(grace: Duration) async {
        await listener.stop(grace: grace)
    }
}
