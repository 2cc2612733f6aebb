/// Credentials for a RAM role, from STS AssumeRoleWithOIDC (RRSA): unsigned, with the OIDC token
/// the token file holds at the time of each fetch.
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

    /// A source that exchanges the token in `tokenFile` for credentials of `roleArn`.
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

    public func fetch() async throws(CredentialsError) -> Credentials {
        throw CredentialsError(.unavailable, "AssumeRoleWithOIDC is not implemented yet")
    }
}
