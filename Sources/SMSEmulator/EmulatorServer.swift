import NIOCore
import NIOHTTP1
import NIOPosix

/// The emulator on the network: HTTP/1.1 with keep-alive on SwiftNIO, one `EmulatorCore` behind it.
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
    public init(core: EmulatorCore, host: String = "127.0.0.1", port: Int = 0, limits: HTTPLimits = EmulatorServer.defaultLimits) async throws {
        listener = try await HTTPListener.bind(host: host, port: port, limits: limits) { EmulatorHTTPHandler(core: core) }
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

/// Collects one request, asks the core, and writes its answer after the core's delay (or closes
/// the connection without one, for an ambiguous fault).
final class EmulatorHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let core: EmulatorCore
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private static let bodyLimit = 4 << 20

    init(core: EmulatorCore) {
        self.core = core
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let received):
            head = received
            body.removeAll(keepingCapacity: true)
        case .body(var buffer):
            if body.count + buffer.readableBytes > Self.bodyLimit {
                context.close(promise: nil)
                return
            }
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard let head else { return }
            self.head = nil
            let request = EmulatorRequest(method: head.method.rawValue, uri: head.uri,
                                          headers: head.headers.map { ($0.name.lowercased(), $0.value) }, body: body)
            let reply = core.handle(request)
            let keepAlive = head.isKeepAlive
            let version = head.version
            let respond = {
                if reply.dropConnection {
                    context.close(promise: nil)
                    return
                }
                var headers = HTTPHeaders(reply.headers.map { ($0.0, $0.1) })
                headers.add(name: "content-length", value: String(reply.body.count))
                if !keepAlive { headers.add(name: "connection", value: "close") }
                let status = HTTPResponseStatus(statusCode: reply.status)
                context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: version, status: status, headers: headers))), promise: nil)
                context.write(self.wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: reply.body)))), promise: nil)
                let done = context.writeAndFlush(self.wrapOutboundOut(.end(nil)))
                if !keepAlive { done.assumeIsolated().whenComplete { _ in context.close(promise: nil) } }
            }
            if reply.delay > .zero {
                let nanoseconds = reply.delay.components.seconds * 1_000_000_000 + reply.delay.components.attoseconds / 1_000_000_000
                context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(nanoseconds)) { respond() }
            } else {
                respond()
            }
        }
    }
}
