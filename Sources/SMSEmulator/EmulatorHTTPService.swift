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
        let (response, delay) = answer(request)
        if delay > .zero { try? await Task.sleep(for: delay) }
        return response
    }

    /// The core answers at once, on the connection's thread (as the emulator always did); the
    /// listener writes the answer after the core's delay.
    func answerNow(to request: HTTPServiceRequest) -> (response: HTTPServiceResponse, delay: Duration)? {
        answer(request)
    }

    private func answer(_ request: HTTPServiceRequest) -> (response: HTTPServiceResponse, delay: Duration) {
        let emulatorRequest = EmulatorRequest(method: request.head.method, uri: request.head.uri, headers: request.head.headers, body: [UInt8](request.body))
        // With --sts, STS's actions and the metadata paths first; the SMS API otherwise.
        let reply = core.sts?.answer(emulatorRequest) ?? core.handle(emulatorRequest)
        guard !reply.dropConnection else { return (.noAnswer, reply.delay) }
        return (HTTPServiceResponse(status: reply.status, headers: reply.headers, body: reply.body), reply.delay)
    }

    func refuseTooLarge(_ head: HTTPServiceHead) -> HTTPServiceResponse {
        .noAnswer
    }
}
