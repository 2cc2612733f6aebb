import Foundation

/// Which signature a request carries.
public enum SignatureScheme: String, Sendable, CaseIterable {
    /// HMAC-SHA1, SignatureVersion 1.0, in the query.
    case v1
    /// ACS3-HMAC-SHA256, in headers.
    case v3
}

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
            throw SMSOperation.Invalid(description: "endpoint '\(url)' is not an http or https URL")
        }
        let authority = url.dropFirst(scheme.count + 3).prefix { $0 != "/" && $0 != "?" }
        var host = Substring(authority)
        var port: Int?
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            guard let number = Int(authority[authority.index(after: colon)...]), (1...65535).contains(number) else {
                throw SMSOperation.Invalid(description: "endpoint '\(url)' has a bad port")
            }
            port = number
            host = authority[..<colon]
        }
        guard !host.isEmpty else { throw SMSOperation.Invalid(description: "endpoint '\(url)' has no host") }
        self.scheme = scheme
        self.host = String(host)
        self.port = port == (scheme == "https" ? 443 : 80) ? nil : port
    }

    /// The `host` header: the host, with the port when it is not the default.
    public var hostHeader: String { port.map { "\(host):\($0)" } ?? host }

    /// The URL up to and including the path `/`.
    public var base: String { "\(scheme)://\(hostHeader)/" }
}

/// A request ready for the wire: signed, with its exact body bytes.
public struct SignedRequest: Sendable {
    /// The API action, for logs.
    public var action: String
    /// The HTTP method.
    public var method: String
    /// The full URL with the encoded query.
    public var url: String
    /// Headers to send, names in lower case.
    public var headers: [(String, String)]
    /// The body bytes (empty when there is no body).
    public var body: [UInt8]
}

/// Signs operations with fresh nonces and timestamps. Every attempt must be signed anew: the
/// gateway refuses a nonce it has seen and a timestamp more than 15 minutes off.
public struct RequestSigner: Sendable {
    /// The key pair that signs.
    public var credentials: Credentials
    /// Where requests go.
    public var endpoint: Endpoint
    /// Which signature.
    public var scheme: SignatureScheme
    /// The user agent sent (and, in v3, signed).
    public var userAgent: String

    /// Creates a signer.
    public init(credentials: Credentials, endpoint: Endpoint, scheme: SignatureScheme, userAgent: String = "salvo/0.1.0") {
        self.credentials = credentials
        self.endpoint = endpoint
        self.scheme = scheme
        self.userAgent = userAgent
    }

    /// Signs `operation` with a new random nonce and the current time.
    public func sign(_ operation: SMSOperation, now: Date = Date()) -> SignedRequest {
        sign(operation, nonce: UUID().uuidString.lowercased(), timestamp: AliyunTime.timestamp(now))
    }

    /// Signs `operation` with the given nonce and timestamp (`yyyy-MM-ddTHH:mm:ssZ`), for tests.
    public func sign(_ operation: SMSOperation, nonce: String, timestamp: String, method: String = "POST") -> SignedRequest {
        let body = Array(PercentEncoding.form(operation.body).utf8)
        switch scheme {
        case .v1:
            var query: [(String, String)] = [
                ("AccessKeyId", credentials.accessKeyId), ("Action", operation.action), ("Format", "json"),
                ("SignatureMethod", "HMAC-SHA1"), ("SignatureNonce", nonce), ("SignatureVersion", "1.0"),
                ("Timestamp", timestamp), ("Version", SMSOperation.version),
            ]
            if let token = credentials.securityToken { query.append(("SecurityToken", token.value)) }
            query += operation.query
            let canonical = SignatureV1.canonicalQuery(query + operation.body)
            let signature = SignatureV1.signature(stringToSign: SignatureV1.stringToSign(method: method, canonicalQuery: canonical), secret: credentials.accessKeySecret.value)
            let wire = SignatureV1.sortedByName(query) + [("Signature", signature)]
            var headers = [("host", endpoint.hostHeader), ("user-agent", userAgent), ("accept", "application/json")]
            if !body.isEmpty { headers.append(("content-type", "application/x-www-form-urlencoded")) }
            return SignedRequest(action: operation.action, method: method, url: endpoint.base + "?" + PercentEncoding.form(wire), headers: headers, body: body)
        case .v3:
            let payloadHash = SignatureV3.hexSHA256(body)
            var headers: [(String, String)] = [
                ("host", endpoint.hostHeader), ("x-acs-action", operation.action), ("x-acs-version", SMSOperation.version),
                ("x-acs-date", timestamp), ("x-acs-signature-nonce", nonce), ("x-acs-content-sha256", payloadHash),
                ("accept", "application/json"), ("user-agent", userAgent),
                ("x-acs-credentials-provider", credentials.securityToken == nil ? "static_ak" : "static_sts"),
            ]
            if !body.isEmpty { headers.append(("content-type", "application/x-www-form-urlencoded")) }
            if let token = credentials.securityToken {
                headers.append(("x-acs-accesskey-id", credentials.accessKeyId))
                headers.append(("x-acs-security-token", token.value))
            }
            let canonical = SignatureV3.canonicalRequest(method: method, query: operation.query, headers: headers, payloadHash: payloadHash)
            let signature = SignatureV3.signature(stringToSign: SignatureV3.stringToSign(canonicalRequest: canonical.request), secret: credentials.accessKeySecret.value)
            headers.append(("authorization", SignatureV3.authorization(accessKeyId: credentials.accessKeyId, signedHeaders: canonical.signedHeaders, signature: signature)))
            let query = PercentEncoding.form(SignatureV1.sortedByName(operation.query))
            return SignedRequest(action: operation.action, method: method, url: endpoint.base + (query.isEmpty ? "" : "?" + query), headers: headers, body: body)
        }
    }
}

/// Times as the API writes them.
public enum AliyunTime {
    /// `yyyy-MM-ddTHH:mm:ssZ` in UTC.
    public static func timestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
