/// Settings for the HTTP client.
public struct TransportConfiguration: Sendable {
    /// How long a connection may take to open.
    public var connectTimeout: Duration = .seconds(5)
    /// Connections kept per host (at least the run's concurrency).
    public var maxConnections = 16
    /// A proxy, as `http://[user:password@]host:port`; nil for none.
    public var proxy: String?
    /// A PEM file of certificate authorities trusted for HTTPS besides the system's (a company's
    /// TLS-inspecting proxy, a private gateway); nil for the system's alone.
    public var extraTrustRoots: String?

    /// Creates settings.
    public init(connectTimeout: Duration = .seconds(5), maxConnections: Int = 16, proxy: String? = nil, extraTrustRoots: String? = nil) {
        self.connectTimeout = connectTimeout
        self.maxConnections = maxConnections
        self.proxy = proxy
        self.extraTrustRoots = extraTrustRoots
    }

    /// The environment variable that names extra trusted certificate authorities.
    public static let trustRootsVariable = "SALVO_CA_FILE"

    /// The proxy the environment names for `endpoint`: `https_proxy`/`HTTPS_PROXY` for https,
    /// `http_proxy`/`HTTP_PROXY` for http, unless `no_proxy`/`NO_PROXY` lists the host.
    public static func proxy(for endpoint: Endpoint, environment: [String: String]) -> String? {
        let names = endpoint.scheme == "https" ? ["https_proxy", "HTTPS_PROXY"] : ["http_proxy", "HTTP_PROXY"]
        guard let proxy = names.lazy.compactMap({ environment[$0] }).first(where: { !$0.isEmpty }) else { return nil }
        let exclusions = (environment["no_proxy"] ?? environment["NO_PROXY"] ?? "").split(separator: ",").map { $0.strippingEdges(" ").lowercased() }
        let host = endpoint.host.lowercased()
        for exclusion in exclusions where !exclusion.isEmpty {
            let bare = exclusion.hasPrefix(".") ? String(exclusion.dropFirst()) : exclusion
            if exclusion == "*" || host == bare || host.hasSuffix("." + bare) { return nil }
        }
        return proxy
    }
}
