import Foundation

/// Signs operations with fresh nonces and timestamps, asking its credentials provider for every
/// request. Every attempt must be signed anew: the gateway refuses a nonce it has seen and a
/// timestamp more than 15 minutes off.
public struct RequestSigner: Sendable {
    /// Supplies the credentials, asked once per request.
    public var credentialsProvider: any CredentialsProvider
    /// Where requests go.
    public var endpoint: Endpoint
    /// Which signature.
    public var scheme: SignatureScheme
    /// The user agent sent (and, in v3, signed).
    public var userAgent: String
    /// The credentials of the last request signed (the fixed ones from the start for a static
    /// provider), for naming a refused key without asking the provider again.
    let lastSigned: LastCredentials

    /// Creates a signer that asks `credentialsProvider` for every request.
    public init(credentialsProvider: any CredentialsProvider, endpoint: Endpoint, scheme: SignatureScheme, userAgent: String = "salvo/0.1.0") {
        self.credentialsProvider = credentialsProvider
        self.endpoint = endpoint
        self.scheme = scheme
        self.userAgent = userAgent
        // Credentials known without asking (a fixed key pair) are named from the start.
        lastSigned = LastCredentials((credentialsProvider as? StaticCredentialsProvider)?.fixed ?? (credentialsProvider as? CredentialsChain)?.staticCredentials)
    }

    /// Creates a signer with one fixed key pair (a `StaticCredentialsProvider`).
    public init(credentials: Credentials, endpoint: Endpoint, scheme: SignatureScheme, userAgent: String = "salvo/0.1.0") {
        self.init(credentialsProvider: StaticCredentialsProvider(credentials), endpoint: endpoint, scheme: scheme, userAgent: userAgent)
    }

    /// `operation` signed with credentials asked of the provider now, a new random nonce and the
    /// current time: the path every request the client sends takes.
    public func request(for operation: SMSOperation, now: Date = Date()) async throws(CredentialsError) -> SignedRequest {
        try await requestAndCredentials(for: operation, now: now).request
    }

    /// `operation` signed as `request(for:)` does (or with `credentials` when given), and the
    /// credentials it was signed with: what a refusal of them must name and replace.
    public func requestAndCredentials(for operation: SMSOperation, with credentials: Credentials? = nil, now: Date = Date())
        async throws(CredentialsError) -> (request: SignedRequest, credentials: Credentials) {
        let used: Credentials
        if let credentials { used = credentials } else { used = try await credentialsProvider.credentials() }
        lastSigned.record(used)
        return (sign(operation, with: used, nonce: UUID().uuidString.lowercased(), timestamp: AliyunTime.timestamp(now)), used)
    }

    /// Signs `operation` with the given credentials, nonce and timestamp (`yyyy-MM-ddTHH:mm:ssZ`):
    /// a pure function, for tests, benchmarks and the two schemes' known vectors.
    public func sign(_ operation: SMSOperation, with credentials: Credentials, nonce: String, timestamp: String, method: String = "POST") -> SignedRequest {
        let body = Array(PercentEncoding.form(operation.body).utf8)
        switch scheme {
        case .v1: return signV1(operation, body: body, credentials: credentials, nonce: nonce, timestamp: timestamp, method: method)
        case .v3: return signV3(operation, body: body, credentials: credentials, nonce: nonce, timestamp: timestamp, method: method)
        }
    }

    /// RPC style: common parameters (and `SecurityToken` for STS) in the query with the
    /// operation's, signed together with the form body.
    private func signV1(_ operation: SMSOperation, body: [UInt8], credentials: Credentials, nonce: String, timestamp: String, method: String) -> SignedRequest {
        var query: [(String, String)] = [
            ("AccessKeyId", credentials.accessKeyId), ("Action", operation.action.wireName), ("Format", "json"),
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
        return SignedRequest(action: operation.action.wireName, method: method, url: endpoint.base + "?" + PercentEncoding.form(wire), headers: headers, body: body)
    }

    /// ACS3 style: the action and common values (and `x-acs-security-token` for STS) in signed
    /// headers, the operation's parameters in the query and body.
    private func signV3(_ operation: SMSOperation, body: [UInt8], credentials: Credentials, nonce: String, timestamp: String, method: String) -> SignedRequest {
        let payloadHash = SignatureV3.hexSHA256(body)
        var headers: [(String, String)] = [
            ("host", endpoint.hostHeader), ("x-acs-action", operation.action.wireName), ("x-acs-version", SMSOperation.version),
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
        return SignedRequest(action: operation.action.wireName, method: method, url: endpoint.base + (query.isEmpty ? "" : "?" + query), headers: headers, body: body)
    }
}
