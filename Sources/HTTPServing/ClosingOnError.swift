import NIOCore

/// The end of every connection's pipeline: a request that cannot be parsed has been answered 400
/// (by NIO's protocol error handler, before it), and the connection is closed then, not left
/// open until a timeout.
final class ClosingOnError: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
