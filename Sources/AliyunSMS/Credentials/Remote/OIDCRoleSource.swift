import Foundation

/// Credentials for a RAM role, from STS AssumeRoleWithOIDC (RRSA): unsigned, with the OIDC token
/// the token file holds at the time of each fetch (Kubernetes rotates it).
public struct OIDCRoleSource: CredentialsSource {
    /// The name `salvo credentials` prints.
    public let name: String
    let roleArn: String
    let providerArn: String
    let tokenFile: String
    let sessionName: String?
    let durationSeconds: Int
    let policy: String?
    let endpoint: STSEndpoint

    /// A source that exchanges the token in `tokenFile` for credentials of `roleArn`, for
    /// `durationSeconds` (at least 900), as `sessionName` (`salvo-<unix seconds>` when nil).
    public init(name: String, roleArn: String, providerArn: String, tokenFile: String,
                sessionName: String?, durationSeconds: Int = 3600, policy: String? = nil,
                endpoint: STSEndpoint) {
        self.name = name
        self.roleArn = roleArn
        self.providerArn = providerArn
        self.tokenFile = tokenFile
        self.sessionName = sessionName
        self.durationSeconds = durationSeconds
        self.policy = policy
        self.endpoint = endpoint
    }

    /// Reads the token file, then asks STS for the role's credentials.
    public func fetch() async throws(CredentialsError) -> Credentials {
        let token = try readToken()
        let call = try request(token: token, timestamp: Date())
        let response = try await RemoteHTTP.send(call)
        return try CredentialsAnswer.sts(response, action: "AssumeRoleWithOIDC", host: endpoint.host, redacting: [token])
    }

    /// The token file's content without surrounding whitespace; a file that is missing, unreadable
    /// or empty is an error that names the file (and never quotes it).
    func readToken() throws(CredentialsError) -> String {
        guard FileManager.default.fileExists(atPath: tokenFile) else {
            throw CredentialsError(.unreadableFile, "OIDC token file '\(tokenFile)' does not exist")
        }
        guard let data = FileManager.default.contents(atPath: tokenFile) else {
            throw CredentialsError(.unreadableFile, "cannot read OIDC token file '\(tokenFile)'")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CredentialsError(.unreadableFile, "OIDC token file '\(tokenFile)' is not UTF-8 text")
        }
        let token = text.strippingEdges(" \t\r\n")
        guard !token.isEmpty else {
            throw CredentialsError(.unreadableFile, "OIDC token file '\(tokenFile)' is empty")
        }
        return token
    }

    /// The unsigned POST: action, version and time in the query, the rest (the token among them)
    /// as a form body, as the Go SDK sends it (a token can be 20,000 characters).
    func request(token: String, timestamp: Date) throws(CredentialsError) -> RemoteHTTP.Call {
        guard !roleArn.isEmpty, !providerArn.isEmpty else {
            throw CredentialsError(.invalidProfile, "AssumeRoleWithOIDC needs a role ARN and an OIDC provider ARN")
        }
        let query = PercentEncoding.form([
            ("Action", "AssumeRoleWithOIDC"), ("Format", "JSON"), ("Version", "2015-04-01"),
            ("Timestamp", AliyunTime.timestamp(timestamp)),
        ])
        var form: [(String, String)] = [
            ("RoleArn", roleArn), ("OIDCProviderArn", providerArn), ("OIDCToken", token),
            ("RoleSessionName", try RoleSession.name(sessionName, now: timestamp)),
            ("DurationSeconds", String(try RoleSession.duration(durationSeconds))),
        ]
        if let policy, !policy.isEmpty { form.append(("Policy", policy)) }
        return RemoteHTTP.Call(
            purpose: "AssumeRoleWithOIDC", method: "POST", url: endpoint.url + "/?" + query,
            headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: Array(PercentEncoding.form(form).utf8), timeout: RemoteHTTP.stsTimeout)
    }
}
