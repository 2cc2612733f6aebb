#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NIOCore
import NIOHTTP1

/// One connection's requests handed to an `HTTPService`: each is judged by its head (a refusal is
/// answered at once, its body never read, and the connection closed), a body is read up to the
/// limit the head was given (past it the service's too-large answer, and the door), and the whole
/// request is answered by the service.
final class ServiceHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// The request whose body is being read.
    private struct Reading {
        var head: HTTPServiceHead
        var version: HTTPVersion
        var keepAlive: Bool
        var bodyLimit: Int
    }

    private let service: any HTTPService
    private var reading: Reading?
    private var body = Data()
    /// The request was answered before its body was read: what is left of it is dropped.
    private var refused = false

    /// Bodies from this size on are followed by giving freed memory back to the system.
    static let largeBody = 1 << 20

    init(service: any HTTPService) {
        self.service = service
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            judge(context: context, head: head)
        case .body(let buffer):
            guard !refused, let reading else { return }
            guard body.count + buffer.readableBytes <= reading.bodyLimit else {
                refuse(context: context, version: reading.version, response: service.refuseTooLarge(reading.head))
                return
            }
            buffer.withUnsafeReadableBytes { bytes in
                if let base = bytes.baseAddress { body.append(base.assumingMemoryBound(to: UInt8.self), count: bytes.count) }
            }
        case .end:
            guard !refused, let reading else { return }
            self.reading = nil
            let request = HTTPServiceRequest(head: reading.head, body: body)
            body = Data()
            answer(context: context, request: request, reading: reading)
        }
    }

    private func judge(context: ChannelHandlerContext, head: HTTPRequestHead) {
        reading = nil
        body = Data()
        refused = false
        let judged = HTTPServiceHead(method: head.method.rawValue, uri: head.uri, headers: head.headers.map { ($0.name, $0.value) })
        switch service.judge(judged) {
        case .refuse(let response):
            refuse(context: context, version: head.version, response: response)
        case .read(let bodyLimit):
            let length = head.headers.first(name: "content-length").flatMap { Int($0) }
            if let length, length > bodyLimit {
                refuse(context: context, version: head.version, response: service.refuseTooLarge(judged))
                return
            }
            reading = Reading(head: judged, version: head.version, keepAlive: head.isKeepAlive, bodyLimit: bodyLimit)
            // One buffer the size announced: the body is never copied while it grows.
            body = Data(capacity: max(length ?? 0, 0))
            // A client that asks first (curl does for large bodies) is told to go on.
            if head.headers["expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
            }
        }
    }

    /// Asks the service, and writes its answer on the connection's event loop.
    private func answer(context: ChannelHandlerContext, request: HTTPServiceRequest, reading: Reading) {
        let service = self.service
        let size = request.body.count
        let deliver = { (response: HTTPServiceResponse) in
            self.write(context: context, version: reading.version, keepAlive: reading.keepAlive && !response.closesConnection, response: response)
            if size >= Self.largeBody { Self.giveMemoryBack() }
        }
        if let (response, delay) = service.answerNow(to: request) {
            guard delay > .zero else { return deliver(response) }
            let (seconds, attoseconds) = delay.components
            context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)) { deliver(response) }
            return
        }
        let promise = context.eventLoop.makePromise(of: HTTPServiceResponse.self)
        Task(executorPreference: ServiceExecutor.shared) { promise.succeed(await service.respond(to: request)) }
        promise.futureResult.assumeIsolated().whenSuccess(deliver)
    }

    /// Answers without reading the rest of the request, and closes the connection.
    private func refuse(context: ChannelHandlerContext, version: HTTPVersion, response: HTTPServiceResponse) {
        refused = true
        reading = nil
        body = Data()
        write(context: context, version: version, keepAlive: false, response: response)
    }

    private func write(context: ChannelHandlerContext, version: HTTPVersion, keepAlive: Bool, response: HTTPServiceResponse) {
        guard response.answers else {
            context.close(promise: nil)
            return
        }
        var headers = HTTPHeaders(response.headers)
        headers.add(name: "content-length", value: String(response.body.count))
        if !keepAlive { headers.add(name: "connection", value: "close") }
        let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { done.assumeIsolated().whenComplete { _ in context.close(promise: nil) } }
    }

    /// Returns the memory a large body used to the system (glibc keeps freed memory otherwise).
    static func giveMemoryBack() {
        #if canImport(Glibc)
        // malloc_trim is glibc's own (malloc.h, outside the Glibc module): looked up once.
        _ = trim.map { $0(0) }
        #endif
    }

    #if canImport(Glibc)
    private static let trim: (@convention(c) (Int) -> Int32)? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim").map {
        unsafeBitCast($0, to: (@convention(c) (Int) -> Int32).self)
    }
    #endif
}
