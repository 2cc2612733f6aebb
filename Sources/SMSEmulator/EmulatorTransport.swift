import AliyunSMS

/// An in-process transport: hands each signed request straight to an `EmulatorCore`, as
/// `EmulatorServer` would after reading it from HTTP, and answers as the HTTP client would.
///
/// Used by runner tests, so that most of them run without loopback HTTP. The core's delay is
/// waited on `clock`; when it exceeds the caller's timeout, the transport waits the timeout and
/// fails as ambiguous. A cancelled task stops waiting but still gets the answer (an in-flight
/// request finishes). A dropped connection fails as ambiguous: the request reached the server
/// and no answer came.
public struct EmulatorTransport: SMSTransport {
    /// The core that answers.
    public let core: EmulatorCore
    /// The clock the core's delays and the caller's timeouts are waited on.
    public let clock: any Clock<Duration>

    /// Creates a transport over `core`, waiting on `clock`.
    public init(core: EmulatorCore, clock: any Clock<Duration> = ContinuousClock()) {
        self.core = core
        self.clock = clock
    }

    /// Answers `request` from the core, after the core's delay or fails after `timeout`.
    public func execute(_ request: SignedRequest, timeout: Duration) async throws(TransportError) -> HTTPResponse {
        let reply = core.handle(Self.emulatorRequest(request))
        if reply.delay > timeout {
            await wait(timeout)
            throw TransportError(.ambiguous, "no answer within \(timeout)")
        }
        await wait(reply.delay)
        if reply.dropConnection {
            throw TransportError(.ambiguous, "no answer: the server closed the connection")
        }
        var headers = reply.headers.map { ($0.0.lowercased(), $0.1) }
        headers.append(("content-length", String(reply.body.count)))
        return HTTPResponse(status: reply.status, headers: headers, body: reply.body)
    }

    /// Waits `duration`; cancellation ends the wait early (the answer is still given).
    private func wait(_ duration: Duration) async {
        guard duration > .zero else { return }
        try? await clock.sleep(for: duration)
    }

    // MARK: - The request as the server sees it

    /// `request` as `EmulatorServer` receives it over HTTP: the URL's path and query as the URI,
    /// header names in lower case, with the `host` and `content-length` headers the HTTP client
    /// adds when the request lacks them.
    static func emulatorRequest(_ request: SignedRequest) -> EmulatorRequest {
        let (authority, uri) = split(url: request.url)
        var headers = request.headers.map { ($0.0.lowercased(), $0.1) }
        if !authority.isEmpty, !headers.contains(where: { $0.0 == "host" }) {
            headers.insert(("host", authority), at: 0)
        }
        if !request.body.isEmpty || request.method == "POST", !headers.contains(where: { $0.0 == "content-length" }) {
            headers.append(("content-length", String(request.body.count)))
        }
        return EmulatorRequest(method: request.method, uri: uri, headers: headers, body: request.body)
    }

    /// The authority (`host[:port]`) and the request target (path and query, `/` when the URL
    /// has no path) of an absolute URL; the fragment, if any, is not sent.
    static func split(url: String) -> (authority: String, uri: String) {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        rest = rest.prefix { $0 != "#" }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        let target = rest[authorityEnd...]
        return (String(authority), target.hasPrefix("/") ? String(target) : "/" + target)
    }
}
