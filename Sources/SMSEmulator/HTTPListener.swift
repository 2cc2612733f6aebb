import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// What keeps a listener up when clients are slow or many.
public struct HTTPLimits: Sendable, Hashable {
    /// How long a request's head may take to arrive, from its first byte (or from the connection,
    /// for its first request); a connection whose head is not complete by then is closed.
    public var headerTimeout: Duration = .seconds(10)
    /// How long a connection may stay silent: between requests (keep-alive), and between the
    /// reads of a request's body.
    public var idleTimeout: Duration = .seconds(60)
    /// Connections served at once; past them a new connection is answered 503 and closed.
    public var maxConnections = 512

    /// The defaults: 10 s for a head, 60 s of silence, 512 connections.
    public init() {}
}

/// An HTTP/1.1 server on SwiftNIO (keep-alive, pipelining handled by NIO) whose connections each
/// get a handler from `handler`: the emulator's and the receipts receiver's. Slow clients are cut
/// off (`HTTPLimits`), and `stop` stops accepting and lets what is in flight finish.
public final class HTTPListener: Sendable {
    private let channel: any Channel
    private let connections: ConnectionRegistry
    /// The port it listens on.
    public let port: Int

    private init(channel: any Channel, connections: ConnectionRegistry, port: Int) {
        self.channel = channel
        self.connections = connections
        self.port = port
    }

    /// Binds to `host:port` (port 0 picks a free one) and starts serving.
    public static func bind(host: String, port: Int, limits: HTTPLimits = HTTPLimits(),
                            handler: @escaping @Sendable () -> any ChannelHandler) async throws -> HTTPListener {
        let connections = ConnectionRegistry(capacity: max(limits.maxConnections, 1))
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.backlog, value: 1024)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    guard connections.admit(channel) else {
                        try sync.addHandler(RefusingHandler())
                        return
                    }
                    channel.closeFuture.whenComplete { _ in connections.remove(channel) }
                    let deadlines = ConnectionDeadlines(limits: limits, channel: channel)
                    try sync.configureHTTPServerPipeline(withErrorHandling: true)
                    try sync.addHandler(ByteWatch(deadlines), position: .first)
                    try sync.addHandler(RequestWatch(deadlines))
                    try sync.addHandler(handler())
                    try sync.addHandler(ClosingOnError())
                }
            }
        let channel = try await bootstrap.bind(host: host, port: port).get()
        return HTTPListener(channel: channel, connections: connections, port: channel.localAddress?.port ?? port)
    }

    /// Stops accepting, lets the requests in flight be answered (idle connections are closed at
    /// once, the others after their answer), and closes what is still open after `grace`.
    public func stop(grace: Duration) async {
        try? await channel.close()
        for open in connections.startClosing() {
            open.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        let deadline = ContinuousClock.now + grace
        while connections.count > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        for open in connections.startClosing() {
            try? await open.close()
        }
    }
}

// MARK: - Connections

/// The connections a listener serves, counted against its capacity.
final class ConnectionRegistry: Sendable {
    private struct State {
        var open: [ObjectIdentifier: any Channel] = [:]
        var closing = false
    }

    private let state = Mutex(State())
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    var count: Int { state.withLock { $0.open.count } }

    /// Takes a new connection in, unless the listener is full or stopping.
    func admit(_ channel: any Channel) -> Bool {
        state.withLock { state in
            guard !state.closing, state.open.count < capacity else { return false }
            state.open[ObjectIdentifier(channel)] = channel
            return true
        }
    }

    func remove(_ channel: any Channel) {
        _ = state.withLock { $0.open.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// Takes no new connection from now on; the ones open.
    func startClosing() -> [any Channel] {
        state.withLock { state in
            state.closing = true
            return Array(state.open.values)
        }
    }
}

/// The end of every connection's pipeline: a request that cannot be parsed has been answered 400
/// (by NIO's protocol error handler, before it), and the connection is closed then, not left
/// open until a timeout.
private final class ClosingOnError: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// A connection past the listener's capacity: answered 503 and closed, nothing read.
final class RefusingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var answered = false

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { refuse(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        refuse(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    private func refuse(context: ChannelHandlerContext) {
        guard !answered else { return }
        answered = true
        let body = "{\"code\":503,\"msg\":\"too many connections open\"}"
        let text = "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: \(body.utf8.count)\r\nconnection: close\r\n\r\n" + body
        context.writeAndFlush(NIOAny(context.channel.allocator.buffer(string: text))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}

// MARK: - Deadlines

/// A connection's one timer: the head's deadline while a head is awaited, the idle deadline
/// otherwise; none while an answer is being prepared.
final class ConnectionDeadlines {
    private enum Phase {
        /// Waiting for a head (its first byte has come, or it is the connection's first).
        case awaitingHead
        /// Reading a request's body.
        case reading
        /// The request is read; its answer is being prepared.
        case answering
        /// Between requests.
        case idle
    }

    private let limits: HTTPLimits
    private let channel: any Channel
    private var phase = Phase.awaitingHead
    private var timer: Scheduled<Void>?

    init(limits: HTTPLimits, channel: any Channel) {
        self.limits = limits
        self.channel = channel
        arm(limits.headerTimeout)
    }

    private func arm(_ duration: Duration) {
        timer?.cancel()
        let channel = self.channel
        let (seconds, attoseconds) = duration.components
        let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        timer = channel.eventLoop.scheduleTask(in: .nanoseconds(max(nanoseconds, 1))) { channel.close(promise: nil) }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }

    /// Bytes came in.
    func bytesArrived() {
        switch phase {
        case .idle:
            phase = .awaitingHead
            arm(limits.headerTimeout)
        case .reading:
            arm(limits.idleTimeout)
        case .awaitingHead, .answering:
            break
        }
    }

    func headArrived() {
        phase = .reading
        arm(limits.idleTimeout)
    }

    func requestEnded() {
        phase = .answering
        disarm()
    }

    func answered() {
        // A request answered before it was read to its end (a refusal) keeps its deadlines.
        guard phase == .answering else { return }
        phase = .idle
        arm(limits.idleTimeout)
    }

    func closed() {
        disarm()
    }
}

/// Sees the bytes before the HTTP decoder does.
final class ByteWatch: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    private let deadlines: ConnectionDeadlines

    init(_ deadlines: ConnectionDeadlines) {
        self.deadlines = deadlines
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        deadlines.bytesArrived()
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadlines.closed()
        context.fireChannelInactive()
    }
}

/// Sees requests and answers after the HTTP decoder.
final class RequestWatch: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart
    private let deadlines: ConnectionDeadlines

    init(_ deadlines: ConnectionDeadlines) {
        self.deadlines = deadlines
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: deadlines.headArrived()
        case .body: break
        case .end: deadlines.requestEnded()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { deadlines.answered() }
        context.write(data, promise: promise)
    }
}
