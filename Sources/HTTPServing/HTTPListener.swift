#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOHTTP1
import NIOPosix

/// An HTTP/1.1 server on SwiftNIO (keep-alive, pipelining handled by NIO) serving one
/// `HTTPService`: the emulator's or the receipts receiver's. Slow clients are cut off
/// (`HTTPLimits`), a request that cannot be parsed is answered 400 and closed, and `stop` stops
/// accepting and lets what is in flight finish.
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

    /// Binds to `host:port` (port 0 picks a free one) and starts serving `service`.
    public static func bind(host: String, port: Int, limits: HTTPLimits = HTTPLimits(),
                            service: some HTTPService) async throws(HTTPServingError) -> HTTPListener {
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
                    try sync.addHandler(ServiceHandler(service: service))
                    try sync.addHandler(ClosingOnError())
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: host, port: port).get()
        } catch {
            throw HTTPServingError(code: .cannotListen, message: "cannot listen on \(host):\(port)", cause: error)
        }
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

    /// Whether `host` is a loopback address: 127.0.0.0/8, ::1 (bracketed or not), localhost.
    public static func isLoopback(_ host: String) -> Bool {
        var bare = host
        if bare.hasPrefix("["), bare.hasSuffix("]") { bare = String(bare.dropFirst().dropLast()) }
        if bare.lowercased() == "localhost" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, bare, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, bare, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { bytes in bytes.prefix(15).allSatisfy { $0 == 0 } && bytes[15] == 1 }
        }
        return false
    }
}
