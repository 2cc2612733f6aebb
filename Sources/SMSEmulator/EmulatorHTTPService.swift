import HTTPServing

/// The emulator as an `HTTPService`: every request is read (bodies up to 4 MiB; a larger one
/// closes the connection unanswered), answered by the core after its delay, or left without an
/// answer for an ambiguous fault.
struct EmulatorHTTPService: HTTPService {
    /// The core that answers.
    let core: EmulatorCore
    /// The largest body read.
    static let bodyLimit = 4 << 20

    func judge(_ head: HTTPServiceHead) -> HTTPHeadDecision {
        .read(bodyLimit: Self.bodyLimit)
    }

    func respond(to request: HTTPServiceRequest) async -> HTTPServiceResponse {
        // A long poll on the receipt queues waits here, in a task, never on the connection's thread.
        if let queue = core.queue, let reply = await queue.answerWaiting(Self.emulatorRequest(request)) {
            return HTTPServiceResponse(status: reply.status, headers: reply.headers, body: reply.body)
        }
        let (response, delay) = answer(request)
        if delay > .zero { try? await Task.sleep(for: delay) }
        return response
    }

    /// The core answers at once, on the connection's thread (as the emulator always did); the
    /// listener writes the answer after the core's delay.
    func answerNow(to request: HTTPServiceRequest) -> (response: HTTPServiceResponse, delay: Duration)? {
        // With --queue, its paths first; a long poll with nothing to give yet goes to `respond`.
        if let queue = core.queue, let immediate = queue.answerAtOnce(Self.emulatorRequest(request)) {
            guard case .answer(let reply) = immediate else { return nil }
            return (HTTPServiceResponse(status: reply.status, headers: reply.headers, body: reply.body), .zero)
        }
        return answer(request)
    }

    private static func emulatorRequest(_ request: HTTPServiceRequest) -> EmulatorRequest {
        EmulatorRequest(method: request.head.method, uri: request.head.uri, headers: request.head.headers, body: [UInt8](request.body))
    }

    private func answer(_ request: HTTPServiceRequest) -> (response: HTTPServiceResponse, delay: Duration) {
        let emulatorRequest = Self.emulatorRequest(request)
        // With --sts, STS's actions and the metadata paths first; the SMS API otherwise.
        let reply = core.sts?.answer(emulatorRequest) ?? core.handle(emulatorRequest)
        guard !reply.dropConnection else { return (.noAnswer, reply.delay) }
        return (HTTPServiceResponse(status: reply.status, headers: reply.headers, body: reply.body), reply.delay)
    }

    func refuseTooLarge(_ head: HTTPServiceHead) -> HTTPServiceResponse {
        .noAnswer
    }
}
