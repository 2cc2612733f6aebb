import NIOCore
import NIOHTTP1

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
