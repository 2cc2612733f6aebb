import AsyncHTTPClient
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// The HTTP client: AsyncHTTPClient with a connection pool, connect and request timeouts, TLS
/// verified against the system's trust store (and extra authorities when named), and an optional
/// proxy.
public final class HTTPClientTransport: SMSTransport {
    /// The pool, shared with the receipt queue's MNS calls (DELETE with a body, own deadlines).
    let client: HTTPClient
    /// Whether `shutdown()` was called.
    private let shutDown = Atomic(false)

    /// Creates a client; call `shutdown()` when done.
    public init(configuration: TransportConfiguration = TransportConfiguration()) {
        var config = HTTPClient.Configuration()
        config.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.maxConnections)
        config.timeout = .init(connect: .nanoseconds(Int64(configuration.connectTimeout.components.seconds) * 1_000_000_000 + configuration.connectTimeout.components.attoseconds / 1_000_000_000))
        config.decompression = .disabled
        if let proxy = configuration.proxy, let parsed = Self.parseProxy(proxy) {
            config.proxy = parsed
        }
        if let roots = configuration.extraTrustRoots {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.additionalTrustRoots = [.file(roots)]
            config.tlsConfiguration = tls
        }
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
    }

    /// Closes the connections.
    public func shutdown() async {
        shutDown.store(true, ordering: .sequentiallyConsistent)
        try? await client.shutdown()
    }

    /// A transport dropped without `shutdown()` (an error path that threw past it) closes its
    /// connections in the background: AsyncHTTPClient stops the process when a client it still
    /// runs is deinitialised, and the shutdown in flight keeps the client until it is done.
    deinit {
        if !shutDown.load(ordering: .sequentiallyConsistent) {
            client.shutdown(queue: .global()) { _ in }
        }
    }

    public func execute(_ request: SignedRequest, timeout: Duration) async throws(TransportError) -> HTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = request.method == "GET" ? .GET : .POST
        for (name, value) in request.headers {
            outgoing.headers.add(name: name, value: value)
        }
        if !request.body.isEmpty || request.method == "POST" {
            outgoing.body = .bytes(ByteBuffer(bytes: request.body))
        }
        do {
            return try await client.answer(outgoing, timeout: timeout, limit: 4 << 20)
        } catch {
            throw Self.classify(error)
        }
    }

    /// Whether a failure happened before the request could be written (safe to retry) or after.
    static func classify(_ error: any Error) -> TransportError {
        if let error = error as? HTTPClientError {
            let beforeWriting: [HTTPClientError] = [
                .connectTimeout, .socksHandshakeTimeout, .httpProxyHandshakeTimeout, .tlsHandshakeTimeout,
                .invalidURL, .emptyHost, .proxyAuthenticationRequired, .invalidProxyResponse,
            ]
            if beforeWriting.contains(error) {
                return TransportError(.notSent, "could not connect: \(error)", cause: error)
            }
            return TransportError(.ambiguous, "no answer: \(error)", cause: error)
        }
        if error is NIOConnectionError || error is ChannelError {
            return TransportError(.notSent, "could not connect: \(error)", cause: error)
        }
        if let error = error as? IOError, [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH].contains(error.errnoCode) {
            // The system's words ("Connection refused"), not NIO's description of the failed call.
            return TransportError(.notSent, "could not connect: \(String(cString: strerror(error.errnoCode)))", cause: error)
        }
        let name = String(reflecting: type(of: error))
        if name.contains("NIOSSL") || name.contains("BoringSSL") {
            return TransportError(.notSent, "TLS failed: \(error)", cause: error)
        }
        return TransportError(.ambiguous, "no answer: \(error)", cause: error)
    }

    private static func parseProxy(_ text: String) -> HTTPClient.Configuration.Proxy? {
        var rest = Substring(text)
        if let range = rest.range(of: "://") { rest = rest[range.upperBound...] }
        rest = rest.prefix { $0 != "/" }
        var authorization: HTTPClient.Authorization?
        if let at = rest.lastIndex(of: "@") {
            let user = rest[..<at].split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            authorization = .basic(username: String(user[0]), password: user.count > 1 ? String(user[1]) : "")
            rest = rest[rest.index(after: at)...]
        }
        var host = rest
        var port = 80
        if let colon = rest.lastIndex(of: ":"), let number = Int(rest[rest.index(after: colon)...]) {
            host = rest[..<colon]
            port = number
        }
        guard !host.isEmpty else { return nil }
        if let authorization {
            return .server(host: String(host), port: port, authorization: authorization)
        }
        return .server(host: String(host), port: port)
    }
}
