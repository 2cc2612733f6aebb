import NIOCore
import NIOHTTP1
import NIOPosix

/// The emulator on the network: HTTP/1.1 with keep-alive on SwiftNIO, one `EmulatorCore` behind it.
public final class EmulatorServer: Sendable {
    private let channel: any Channel
    /// The core that answers.
    public let core: EmulatorCore
    /// The port the server listens on.
    public let port: Int
    /// The host it is bound to.
    public let host: String

    /// Binds to `host:port` (port 0 picks a free one) and starts serving.
    public init(core: EmulatorCore, host: String = "127.0.0.1", port: Int = 0) async throws {
        channel = try await HTTPListener.bind(host: host, port: port) { EmulatorHTTPHandler(core: core) }
        self.core = core
        self.host = host
        self.port = channel.localAddress?.port ?? port
    }

    /// The URL clients use.
    public var url: String { "http://\(host):\(port)" }

    /// Stops accepting connections.
    public func close() async {
        try? await channel.close()
    }

    /// Waits until the server is closed.
    public func wait() async {
        try? await channel.closeFuture.get()
    }
}

/// An HTTP/1.1 server on SwiftNIO (keep-alive, pipelining handled by NIO) whose connections each
/// get a handler from `handler`: the emulator's and the receipts receiver's.
public enum HTTPListener {
    /// Binds to `host:port` (port 0 picks a free one) and starts serving.
    public static func bind(host: String, port: Int, handler: @escaping @Sendable () -> any ChannelHandler) async throws -> any Channel {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMapThrowing {
                    try channel.pipeline.syncOperations.addHandler(handler())
                }
            }
        return try await bootstrap.bind(host: host, port: port).get()
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
