import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix

/// The one way the remote credentials sources speak HTTP: one process-wide client that follows no
/// redirect (a redirect to another host would carry an OIDC token or a metadata token with it),
/// one deadline per call. A failure says which host was asked for what, never a URL's query, a
/// header or a body (they hold signatures, tokens and secrets).
enum RemoteHTTP {
    /// The client, made once and kept for the life of the process (so never shut down, and
    /// never deinitialised while running).
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// The deadline of each instance metadata call, as the SDKs set it.
    static let metadataTimeout: Duration = .seconds(1)
    /// The deadline of each STS or credentials URI call.
    static let stsTimeout: Duration = .seconds(10)
    /// The most of an answer that is read.
    static let maxBody = 1 << 20

    /// One call: what it asks (for error messages), and the request.
    struct Call: Sendable {
        /// What is asked, in words: "AssumeRole", "the IMDS token", "the role name".
        var purpose: String
        /// `GET`, `PUT` or `POST`.
        var method: String
        /// The full URL, query included.
        var url: String
        /// Headers to send.
        var headers: [(String, String)] = []
        /// The body (a form, for POST).
        var body: [UInt8] = []
        /// How long the whole call may take.
        var timeout: Duration
    }

    /// Sends `call` and returns the answer, whatever its status; a call that cannot be made or
    /// is not answered in time is `.unavailable`.
    static func send(_ call: Call) async throws(CredentialsError) -> HTTPResponse {
        let host = Self.host(of: call.url)
        var request = HTTPClientRequest(url: call.url)
        switch call.method {
        case "PUT": request.method = .PUT
        case "POST": request.method = .POST
        default: request.method = .GET
        }
        for (name, value) in call.headers {
            request.headers.add(name: name, value: value)
        }
        if !call.body.isEmpty || call.method != "GET" {
            request.body = .bytes(ByteBuffer(bytes: call.body))
        }
        do {
            return try await client.answer(request, timeout: call.timeout, limit: maxBody)
        } catch {
            throw CredentialsError(.unavailable, "could not ask \(host) for \(call.purpose): \(describe(error, timeout: call.timeout))", cause: error)
        }
    }

    /// `host[:port]` of a URL, or the URL up to its path when it does not parse.
    static func host(of url: String) -> String {
        if let parts = URLComponents(string: url), let host = parts.host, !host.isEmpty {
            return parts.port.map { "\(host):\($0)" } ?? host
        }
        let afterScheme = url.range(of: "://").map { url[$0.upperBound...] } ?? Substring(url)
        return String(afterScheme.prefix { $0 != "/" && $0 != "?" })
    }

    /// A URL fit for a message: without its query, fragment or user and password (any may hold a
    /// token).
    static func redacted(_ url: String) -> String {
        guard var parts = URLComponents(string: url) else { return host(of: url) }
        let hidden = parts.query != nil || parts.user != nil || parts.password != nil
        parts.query = nil
        parts.fragment = nil
        parts.user = nil
        parts.password = nil
        return (parts.string ?? host(of: url)) + (hidden ? " (query and user hidden)" : "")
    }

    /// A failure in words that hold no part of the request.
    static func describe(_ error: any Error, timeout: Duration) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout: return "no answer within \(timeout)"
            case .connectTimeout: return "could not connect within \(timeout)"
            case .remoteConnectionClosed: return "the connection was closed before an answer"
            case .invalidURL, .emptyHost, .emptyScheme: return "the URL is not valid"
            default: return "\(error)"
            }
        }
        if let error = error as? NIOTooManyBytesError {
            return "the answer is larger than \(error.maxBytes.map(String.init) ?? String(maxBody)) bytes"
        }
        if let error = error as? IOError {
            return "could not connect: \(String(cString: strerror(error.errnoCode)))"
        }
        if error is NIOConnectionError || error is ChannelError {
            return "could not connect"
        }
        let name = String(reflecting: type(of: error))
        if name.contains("NIOSSL") || name.contains("BoringSSL") {
            return "TLS failed: \(error)"
        }
        return "\(error)"
    }
}
