/// Where requests go: scheme, host and port of the endpoint URL.
public struct Endpoint: Sendable, Hashable {
    /// `http` or `https`.
    public var scheme: String
    /// The host name or address.
    public var host: String
    /// The port, where not the scheme's default.
    public var port: Int?

    /// Parses an endpoint such as `https://dysmsapi.aliyuncs.com` or `http://127.0.0.1:8080`.
    public init(url: String) throws(SMSOperation.Invalid) {
        let scheme: String
        if url.hasPrefix("https://") { scheme = "https" } else if url.hasPrefix("http://") { scheme = "http" } else {
            throw SMSOperation.Invalid(.endpoint, "endpoint '\(url)' is not an http or https URL")
        }
        let authority = url.dropFirst(scheme.count + 3).prefix { $0 != "/" && $0 != "?" }
        var host = Substring(authority)
        var port: Int?
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            guard let number = Int(authority[authority.index(after: colon)...]), (1...65535).contains(number) else {
                throw SMSOperation.Invalid(.endpoint, "endpoint '\(url)' has a bad port")
            }
            port = number
            host = authority[..<colon]
        }
        guard !host.isEmpty else { throw SMSOperation.Invalid(.endpoint, "endpoint '\(url)' has no host") }
        self.scheme = scheme
        self.host = String(host)
        self.port = port == (scheme == "https" ? 443 : 80) ? nil : port
    }

    /// The `host` header: the host, with the port when it is not the default.
    public var hostHeader: String { port.map { "\(host):\($0)" } ?? host }

    /// The URL up to and including the path `/`.
    public var base: String { "\(scheme)://\(hostHeader)/" }
}
