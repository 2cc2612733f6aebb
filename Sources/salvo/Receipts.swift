#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import CampaignCompiler
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
        subcommands: [Serve.self, Unmatched.self]
    )

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve POST /sms-report and /sms-up (under /TOKEN/ with a token) and keep what arrives with each campaign's state.",
            discussion: """
                Alibaba Cloud signs nothing it pushes: give an unguessable --token of at least 16 characters (or \
                SALVO_RECEIPTS_TOKEN, which ps does not show) and put HTTPS in front with a reverse proxy. On an address other \
                than loopback a token is required, unless --no-token says that something in front already guards it. A push is \
                answered {"code":0} only once it is on disk. A receipt counts only in the batch its OutId names and only for one \
                of that batch's numbers; the others, and malformed elements of a push, are kept in the state folder's ledger \
                ('salvo receipts unmatched'). SIGINT or SIGTERM: no new connections, pushes in flight are answered (at most \
                5 s), exit 0.
                """
        )

        @Option(help: stateHelp) var state: String?
        @Option(help: "The address to listen on.") var host = "127.0.0.1"
        @Option(help: "The port (0 picks a free one).") var port = 8089
        @Option(help: "Serve only under /TOKEN/, at least 16 characters (default: $SALVO_RECEIPTS_TOKEN, which is better: ps shows arguments).") var token: String?
        @Flag(help: "Serve without a token on an address other than loopback (something in front must guard it).") var noToken = false
        @Option(help: ArgumentHelp("Seconds a request's head may take to arrive before the connection is closed.", valueName: "seconds")) var headerTimeout = 10.0
        @Option(help: ArgumentHelp("Seconds a connection may stay silent (between requests, or within a body) before it is closed.", valueName: "seconds")) var idleTimeout = 60.0
        @Option(help: ArgumentHelp("Connections served at once; past them a new one is answered 503 and closed.", valueName: "n")) var maxConnections = 512

        /// The shortest token taken.
        static let minimumTokenLength = 16

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            let token = (self.token ?? environment["SALVO_RECEIPTS_TOKEN"]).flatMap { $0.isEmpty ? nil : $0 }
            if let problem = Self.problem(host: host, token: token, noToken: noToken, headerTimeout: headerTimeout, idleTimeout: idleTimeout,
                                          maxConnections: maxConnections) {
                Terminal.standardError("salvo: error: \(problem)")
                throw ExitCode(64)
            }
            let location = try stateLocation(state)
            // Receipts go to each campaign's run (in the database, when the state is one); replies
            // and the suppression list stay in the local state folder.
            let storeFor: (@Sendable (String) -> (any RunStore)?)? = location.folder == nil ? { @Sendable campaign -> (any RunStore)? in location.store(campaign: campaign) } : nil
            do {
                try ReceiptsLedger.of(stateFolder: location.localFolder).prepare()
            } catch {
                Terminal.standardError("salvo: error: \(error)")
                throw ExitCode(1)
            }
            let receiver = ReceiptsReceiver(stateFolder: location.localFolder, token: token, storeFor: storeFor)
            var limits = HTTPLimits()
            limits.headerTimeout = .milliseconds(Int64(headerTimeout * 1000))
            limits.idleTimeout = .milliseconds(Int64(idleTimeout * 1000))
            limits.maxConnections = maxConnections
            let stops = StopSignals()
            let listener: HTTPListener
            do {
                listener = try await HTTPListener.bind(host: host, port: port, limits: limits) { ReceiptsHTTPHandler(receiver: receiver) }
            } catch {
                Terminal.standardError("salvo: error: cannot listen on \(host):\(port): \(error)")
                throw ExitCode(1)
            }
            Terminal.standardOutput("listening on http://\(host.contains(":") ? "[\(host)]" : host):\(listener.port)\n")
            let signal = await stops.first()
            Terminal.standardError("salvo: \(StopSignals.name(signal)): no new connections; answering the pushes in flight (at most 5 s)")
            await listener.stop(grace: .seconds(5))
            Terminal.standardError("salvo: stopped")
        }

        /// What is wrong with the options, in words; nil when nothing is.
        static func problem(host: String, token: String?, noToken: Bool, headerTimeout: Double, idleTimeout: Double, maxConnections: Int) -> String? {
            if let token {
                if noToken { return "--no-token and a token (--token or SALVO_RECEIPTS_TOKEN) contradict each other" }
                guard token.count >= minimumTokenLength else {
                    return "the token has \(token.count) characters; use at least \(minimumTokenLength) unguessable ones (e.g. 'openssl rand -hex 16')"
                }
                guard token.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F && $0 != "/" && $0 != "?" && $0 != "#" && $0 != "%" }) else {
                    return "the token may hold only printable ASCII characters other than '/', '?', '#' and '%'"
                }
            } else if !isLoopback(host), !noToken {
                return "'\(host)' is not a loopback address: anyone who reaches it could push receipts and unsubscribe replies; give a --token (or SALVO_RECEIPTS_TOKEN) of at least \(minimumTokenLength) characters, or --no-token if something in front already guards it"
            }
            guard headerTimeout > 0, headerTimeout.isFinite, idleTimeout > 0, idleTimeout.isFinite else { return "--header-timeout and --idle-timeout are more than 0 seconds" }
            guard maxConnections >= 1 else { return "--max-connections is at least 1" }
            return nil
        }

        /// Whether `host` is a loopback address: 127.0.0.0/8, ::1, localhost.
        static func isLoopback(_ host: String) -> Bool {
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
}

/// The receiver on the network: each request is judged by its head (a wrong path or method is
/// answered at once, its body never read, the connection closed), bodies over the receiver's limit
/// are answered 413, and every 4xx closes the connection.
final class ReceiptsHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let receiver: ReceiptsReceiver
    private var request: (head: HTTPRequestHead, route: ReceiptsReceiver.Route)?
    private var body = Data()
    /// The request was answered before its body was read: what is left of it is dropped.
    private var refused = false

    /// Bodies from this size on are followed by giving freed memory back to the system.
    static let largeBody = 1 << 20

    init(receiver: ReceiptsReceiver) {
        self.receiver = receiver
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = nil
            body = Data()
            refused = false
            switch receiver.route(method: head.method.rawValue, path: head.uri) {
            case .refuse(let reply):
                refuse(context: context, head: head, reply: reply)
            case .serve(let route):
                let length = head.headers.first(name: "content-length").flatMap { Int($0) }
                if let length, length > ReceiptsReceiver.bodyLimit {
                    refuse(context: context, head: head, reply: ReceiptsReceiver.tooLarge)
                    return
                }
                request = (head, route)
                // One buffer the size announced: the body is never copied while it grows.
                body = Data(capacity: max(length ?? 0, 0))
                // A client that asks first (curl does for large bodies) is told to go on.
                if head.headers["expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                    context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
                }
            }
        case .body(let buffer):
            guard !refused, let request else { return }
            guard body.count + buffer.readableBytes <= ReceiptsReceiver.bodyLimit else {
                refuse(context: context, head: request.head, reply: ReceiptsReceiver.tooLarge)
                return
            }
            buffer.withUnsafeReadableBytes { bytes in
                if let base = bytes.baseAddress { body.append(base.assumingMemoryBound(to: UInt8.self), count: bytes.count) }
            }
        case .end:
            guard !refused, let request else { return }
            self.request = nil
            let received = body
            body = Data()
            let receiver = self.receiver
            let size = received.count
            let promise = context.eventLoop.makePromise(of: ReceiptsReceiver.Reply.self)
            promise.completeWithTask { await receiver.handle(request.route, body: received) }
            promise.futureResult.assumeIsolated().whenSuccess { reply in
                self.respond(context: context, version: request.head.version, keepAlive: request.head.isKeepAlive && reply.status < 400, reply: reply)
                // One line per push on standard error: counts and campaign ids, never a number.
                Terminal.standardError("\(reply.status) \(request.route.rawValue): \(reply.note ?? reply.body)")
                if size >= Self.largeBody { Self.giveMemoryBack() }
            }
        }
    }

    /// Answers without reading the rest of the request, and closes the connection.
    private func refuse(context: ChannelHandlerContext, head: HTTPRequestHead, reply: ReceiptsReceiver.Reply) {
        refused = true
        request = nil
        body = Data()
        respond(context: context, version: head.version, keepAlive: false, reply: reply)
        // Only the route is named: a path may hold the token.
        let path = head.uri.hasSuffix("/sms-report") ? "sms-report" : head.uri.hasSuffix("/sms-up") ? "sms-up" : "another path"
        Terminal.standardError("\(reply.status) \(path): \(reply.body)")
    }

    private func respond(context: ChannelHandlerContext, version: HTTPVersion, keepAlive: Bool, reply: ReceiptsReceiver.Reply) {
        var headers = HTTPHeaders([("content-type", "application/json; charset=utf-8"), ("content-length", String(reply.body.utf8.count))])
        if !keepAlive { headers.add(name: "connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: reply.status), headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: reply.body)))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { done.assumeIsolated().whenComplete { _ in context.close(promise: nil) } }
    }

    /// Returns the memory a large push used to the system (glibc keeps freed memory otherwise).
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

extension Receipts {
    struct Unmatched: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the receipts that count in no batch, and the malformed elements of pushes: counts by reason and the latest of each (numbers masked).",
            discussion: """
                Reasons: unknown-out-id (not CAMPAIGN:PLAN:BATCH), no-campaign (no run of it here), other-plan (the run sends \
                another plan), unknown-batch, phone-not-in-batch; malformed-… for elements that are not a well-formed receipt \
                or reply (kept as their first 2 KiB of JSON).
                """
        )

        @Option(help: stateHelp) var state: String?
        @Flag(help: "Print JSON.") var json = false
        @Option(help: "Samples shown per reason.") var samples = 3

        func run() async throws {
            let location = try stateLocation(state)
            let summary: UnmatchedSummary
            do {
                summary = try ReceiptsLedger.of(stateFolder: location.localFolder).unmatchedSummary(samples: max(samples, 0))
            } catch {
                Terminal.standardError("salvo: error: cannot read the receipts ledger in '\(location.localFolder)/.receipts': \(error)")
                throw ExitCode(1)
            }
            Terminal.standardOutput(json ? Self.json(summary) : Self.text(summary))
        }

        static func text(_ summary: UnmatchedSummary) -> String {
            let receipts = summary.receipts.values.reduce(0, +), malformed = summary.malformed.values.reduce(0, +)
            guard receipts + malformed > 0 else { return "no unmatched receipts and no malformed elements\n" }
            var out = "\(receipts) receipts count in no batch\n"
            for (reason, count) in summary.receipts.sorted(by: { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }) {
                out += "  \(PrintableText.escape(reason)): \(count)\n"
                for receipt in summary.receiptSamples[reason] ?? [] {
                    out += "    \(maskedPhone(receipt.phone))  out id '\(PrintableText.escape(receipt.outId))'  biz id '\(PrintableText.escape(receipt.bizId))'  "
                        + "\(receipt.success ? "delivered" : "failed") \(PrintableText.escape(receipt.code))\n"
                }
            }
            out += "\(malformed) malformed elements\n"
            for (reason, count) in summary.malformed.sorted(by: { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }) {
                out += "  \(PrintableText.escape(reason)): \(count)\n"
                for element in summary.malformedSamples[reason] ?? [] {
                    let excerpt = maskDigits(element.element)
                    out += "    \(element.route): \(PrintableText.escape(element.detail)): \(PrintableText.escape(excerpt.count > 200 ? String(excerpt.prefix(200)) + "…" : excerpt))\n"
                }
            }
            return out
        }

        static func json(_ summary: UnmatchedSummary) -> String {
            let object: [String: Any] = [
                "receipts": [
                    "total": summary.receipts.values.reduce(0, +),
                    "byReason": summary.receipts,
                    "samples": summary.receiptSamples.mapValues { receipts in
                        receipts.map { ["phone": maskedPhone($0.phone), "outId": $0.outId, "bizId": $0.bizId, "success": $0.success, "code": $0.code,
                                        "receivedAt": $0.receivedAt] as [String: Any] }
                    },
                ] as [String: Any],
                "malformed": [
                    "total": summary.malformed.values.reduce(0, +),
                    "byReason": summary.malformed,
                    "samples": summary.malformedSamples.mapValues { elements in
                        elements.map { ["route": $0.route, "detail": $0.detail, "element": maskDigits($0.element)] }
                    },
                ] as [String: Any],
            ]
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
            return String(decoding: data, as: UTF8.self) + "\n"
        }

        /// A number as it may be shown: `138****0001`.
        static func maskedPhone(_ phone: String) -> String {
            (try? PhoneNumber.parse(phone).get())?.masked ?? maskDigits(phone)
        }

        /// Text with the middle of every run of 7 digits or more hidden (they may be numbers).
        static func maskDigits(_ text: String) -> String {
            var out = ""
            var run = ""
            func flush() {
                if run.count >= 7 {
                    out += run.count > 7 ? String(run.prefix(3)) + String(repeating: "*", count: run.count - 7) + String(run.suffix(4)) : String(repeating: "*", count: run.count)
                } else {
                    out += run
                }
                run = ""
            }
            for character in text {
                if character.isASCII, character.isNumber {
                    run.append(character)
                } else {
                    flush()
                    out.append(character)
                }
            }
            flush()
            return out
        }
    }
}
