import ArgumentParser
import CampaignRunner
import Foundation
import NIOCore
import NIOHTTP1
import PostgresStore
import SMSEmulator

/// `salvo receipts`: take in what Alibaba Cloud pushes about a campaign's messages.
struct Receipts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Receive the delivery receipts and replies Alibaba Cloud pushes.",
        subcommands: [Serve.self]
    )

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve POST /sms-report and /sms-up (under /TOKEN/ with a token) and keep what arrives with each campaign's state.",
            discussion: """
                Alibaba Cloud signs nothing it pushes: give an unguessable --token (or SALVO_RECEIPTS_TOKEN) and put HTTPS in front \
                with a reverse proxy. A push is answered {"code":0} only once it is on disk.
                """
        )

        @Option(help: stateHelp) var state: String?
        @Option(help: "The address to listen on.") var host = "127.0.0.1"
        @Option(help: "The port (0 picks a free one).") var port = 8089
        @Option(help: "Serve only under /TOKEN/ (default: $SALVO_RECEIPTS_TOKEN, which is better: ps shows arguments).") var token: String?

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            let location = try stateLocation(state)
            // Receipts go to each campaign's run (in the database, when the state is one); replies
            // and the suppression list stay in the local state folder.
            let storeFor: (@Sendable (String) -> (any RunStore)?)? = location.folder == nil ? { @Sendable campaign -> (any RunStore)? in location.store(campaign: campaign) } : nil
            let receiver = ReceiptsReceiver(stateFolder: location.localFolder, token: token ?? environment["SALVO_RECEIPTS_TOKEN"], storeFor: storeFor)
            let server: ReceiptsServer
            do {
                server = try await ReceiptsServer(receiver: receiver, host: host, port: port)
            } catch {
                Terminal.standardError("salvo: error: cannot listen on \(host):\(port): \(error)")
                throw ExitCode(1)
            }
            Terminal.standardOutput("listening on http://\(host):\(server.port)\n")
            await server.wait()
        }
    }
}

/// The receiver on the network: HTTP/1.1 on SwiftNIO; bodies over the receiver's limit are
/// answered 413 without being read further.
final class ReceiptsServer: Sendable {
    private let channel: any Channel
    let port: Int

    init(receiver: ReceiptsReceiver, host: String, port: Int) async throws {
        channel = try await HTTPListener.bind(host: host, port: port) { ReceiptsHTTPHandler(receiver: receiver) }
        self.port = channel.localAddress?.port ?? port
    }

    func wait() async {
        try? await channel.closeFuture.get()
    }
}

final class ReceiptsHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let receiver: ReceiptsReceiver
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false

    init(receiver: ReceiptsReceiver) {
        self.receiver = receiver
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let received):
            head = received
            body.removeAll(keepingCapacity: true)
            tooLarge = false
            if let length = received.headers.first(name: "content-length").flatMap(Int.init), length > ReceiptsReceiver.bodyLimit {
                tooLarge = true
                respond(context: context, version: received.version, keepAlive: false, status: 413, body: "{\"code\":413,\"msg\":\"body too large\"}")
            }
        case .body(var buffer):
            guard !tooLarge else { return }
            if body.count + buffer.readableBytes > ReceiptsReceiver.bodyLimit {
                tooLarge = true
                if let head { respond(context: context, version: head.version, keepAlive: false, status: 413, body: "{\"code\":413,\"msg\":\"body too large\"}") }
                return
            }
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard let head, !tooLarge else { return }
            self.head = nil
            let method = head.method.rawValue, uri = head.uri, received = body
            let keepAlive = head.isKeepAlive, version = head.version
            let receiver = self.receiver
            let loop = context.eventLoop
            let promise = loop.makePromise(of: ReceiptsReceiver.Reply.self)
            promise.completeWithTask { await receiver.handle(method: method, path: uri, body: received) }
            promise.futureResult.assumeIsolated().whenSuccess { reply in
                self.respond(context: context, version: version, keepAlive: keepAlive, status: reply.status, body: reply.body)
                // One line per push on standard error: counts and campaign ids, never a number.
                // Only the route is named: a path may hold the token.
                let path = uri.hasSuffix("/sms-report") ? "sms-report" : uri.hasSuffix("/sms-up") ? "sms-up" : "another path"
                Terminal.standardError("\(reply.status) \(path): \(reply.note ?? reply.body)")
            }
        }
    }

    private func respond(context: ChannelHandlerContext, version: HTTPVersion, keepAlive: Bool, status: Int, body: String) {
        var headers = HTTPHeaders([("content-type", "application/json; charset=utf-8"), ("content-length", String(body.utf8.count))])
        if !keepAlive { headers.add(name: "connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: status), headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { done.assumeIsolated().whenComplete { _ in context.close(promise: nil) } }
    }
}
