import Foundation

/// Credentials for a RAM role, from STS AssumeRole signed with source credentials (role chaining
/// when those are themselves STS credentials: their token is sent too). The source is asked at
/// every fetch, so a source that refreshes its own credentials is followed.
public struct AssumeRoleSource: CredentialsSource {
    /// The name `salvo credentials` prints.
    public let name: String
    let sourceCredentials: any CredentialsProvider
    let roleArn: String
    let sessionName: String?
    let durationSeconds: Int
    let policy: String?
    let externalId: String?
    let endpoint: STSEndpoint

    /// A source that assumes `roleArn` with the credentials `sourceCredentials` hands out, for
    /// `durationSeconds` (at least 900), as `sessionName` (`salvo-<unix seconds>` when nil).
    public init(name: String, sourceCredentials: any CredentialsProvider, roleArn: String,
                sessionName: String?, durationSeconds: Int = 3600, policy: String? = nil,
                externalId: String? = nil, endpoint: STSEndpoint) {
        self.name = name
        self.sourceCredentials = sourceCredentials
        self.roleArn = roleArn
        self.sessionName = sessionName
        self.durationSeconds = durationSeconds
        self.policy = policy
        self.externalId = externalId
        self.endpoint = endpoint
    }

    /// Asks the source provider for credentials, then STS for the role's.
    public func fetch() async throws(CredentialsError) -> Credentials {
        let source: Credentials
        do {
            source = try await sourceCredentials.credentials()
        } catch {
            throw CredentialsError(error.code, "AssumeRole \(roleArn): no source credentials: \(error.message)", cause: error)
        }
        let call = try request(credentials: source, nonce: UUID().uuidString, timestamp: Date())
        let response = try await RemoteHTTP.send(call)
        let sent = [source.accessKeySecret.value] + (source.securityToken.map { [$0.value] } ?? [])
        return try CredentialsAnswer.sts(response, action: "AssumeRole", host: endpoint.host, redacting: sent)
    }

    /// The signed GET: every parameter in the query, signed with HMAC-SHA1 (signature version 1.0)
    /// over `GET&%2F&<canonical query>` with the source secret followed by `&`.
    func request(credentials: Credentials, nonce: String, timestamp: Date) throws(CredentialsError) -> RemoteHTTP.Call {
        let parameters = try self.parameters(credentials: credentials, nonce: nonce, timestamp: timestamp)
        let canonical = SignatureV1.canonicalQuery(parameters)
        let signature = SignatureV1.signature(stringToSign: SignatureV1.stringToSign(method: "GET", canonicalQuery: canonical), secret: credentials.accessKeySecret.value)
        let query = canonical + "&" + PercentEncoding.form([("Signature", signature)])
        return RemoteHTTP.Call(purpose: "AssumeRole", method: "GET", url: endpoint.url + "/?" + query, timeout: RemoteHTTP.stsTimeout)
    }

    /// The parameters signed, without `Signature`, as the official SDKs send them.
    func parameters(credentials: Credentials, nonce: String, timestamp: Date) throws(CredentialsError) -> [(String, String)] {
        guard !roleArn.isEmpty else {
            throw CredentialsError(.invalidProfile, "AssumeRole needs a role ARN (acs:ram::<account>:role/<name>)")
        }
        var parameters: [(String, String)] = [
            ("Action", "AssumeRole"), ("Format", "JSON"), ("Version", "2015-04-01"),
            ("DurationSeconds", String(try RoleSession.duration(durationSeconds))),
            ("RoleArn", roleArn),
            ("RoleSessionName", try RoleSession.name(sessionName, now: timestamp)),
            ("SignatureMethod", "HMAC-SHA1"), ("SignatureVersion", "1.0"),
            ("Timestamp", AliyunTime.timestamp(timestamp)), ("SignatureNonce", nonce),
            ("AccessKeyId", credentials.accessKeyId),
        ]
        if let policy, !policy.isEmpty { parameters.append(("Policy", policy)) }
        if let externalId, !externalId.isEmpty { parameters.append(("ExternalId", externalId)) }
        if let token = credentials.securityToken?.value, !token.isEmpty { parameters.append(("SecurityToken", token)) }
        return parameters
    }
}
