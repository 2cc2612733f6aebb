import HTTPServing

/// The receipts receiver on the network, as an `HTTPService`: each request is judged by its head
/// (a wrong path or method is answered at once, its body never read, and the connection closed),
/// bodies over `ReceiptsReceiver.bodyLimit` are answered 413, and every 4xx closes the
/// connection. Each push and each refusal is one line for `log`: counts and campaign ids, never
/// a number, never the path (it may hold the token).
public struct ReceiptsHTTPService: HTTPService {
    /// The receiver that judges and stores pushes.
    public let receiver: ReceiptsReceiver
    private let log: @Sendable (String) -> Void

    /// Serves `receiver`, telling `log` a line per request.
    public init(receiver: ReceiptsReceiver, log: @escaping @Sendable (String) -> Void) {
        self.receiver = receiver
        self.log = log
    }

    /// The shortest token taken.
    public static let minimumTokenLength = 16

    /// What is wrong with `token` as the path segment that guards the routes, in words; nil when
    /// nothing is: at least `minimumTokenLength` printable ASCII characters, none that would end
    /// or escape a path segment.
    public static func tokenProblem(_ token: String) -> String? {
        guard token.count >= minimumTokenLength else {
            return "the token has \(token.count) characters; use at least \(minimumTokenLength) unguessable ones (e.g. 'openssl rand -hex 16')"
        }
        guard token.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F && $0 != "/" && $0 != "?" && $0 != "#" && $0 != "%" }) else {
            return "the token may hold only printable ASCII characters other than '/', '?', '#' and '%'"
        }
        return nil
    }

    /// A push to a route is read; anything else is refused from its head.
    public func judge(_ head: HTTPServiceHead) -> HTTPHeadDecision {
        switch receiver.route(method: head.method, path: head.uri) {
        case .refuse(let reply): .refuse(refusal(head, reply))
        case .serve: .read(bodyLimit: ReceiptsReceiver.bodyLimit)
        }
    }

    /// Stores the push and answers it; a 4xx closes the connection.
    public func respond(to request: HTTPServiceRequest) async -> HTTPServiceResponse {
        switch receiver.route(method: request.head.method, path: request.head.uri) {
        case .refuse(let reply):
            return refusal(request.head, reply)
        case .serve(let route):
            let reply = await receiver.handle(route, body: request.body)
            // One line per push: counts and campaign ids, never a number.
            log("\(reply.status) \(route.rawValue): \(reply.note ?? reply.body)")
            return Self.response(reply, closesConnection: reply.status >= 400)
        }
    }

    /// A body over the receiver's limit: 413.
    public func refuseTooLarge(_ head: HTTPServiceHead) -> HTTPServiceResponse {
        refusal(head, ReceiptsReceiver.tooLarge)
    }

    private func refusal(_ head: HTTPServiceHead, _ reply: ReceiptsReceiver.Reply) -> HTTPServiceResponse {
        // Only the route is named: a path may hold the token.
        let path = head.uri.hasSuffix("/sms-report") ? "sms-report" : head.uri.hasSuffix("/sms-up") ? "sms-up" : "another path"
        log("\(reply.status) \(path): \(reply.body)")
        return Self.response(reply, closesConnection: true)
    }

    private static func response(_ reply: ReceiptsReceiver.Reply, closesConnection: Bool) -> HTTPServiceResponse {
        HTTPServiceResponse(status: reply.status, headers: [("content-type", "application/json; charset=utf-8")], body: Array(reply.body.utf8),
                            closesConnection: closesConnection)
    }
}
