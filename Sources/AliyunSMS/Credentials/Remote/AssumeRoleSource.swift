/// Credentials for a RAM role, from STS AssumeRole signed with source credentials (role chaining
/// when those are themselves STS credentials).
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

    /// A source that assumes `roleArn` with the credentials `sourceCredentials` hands out.
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

    public func fetch() async throws(CredentialsError) -> Credentials {
        throw CredentialsError(.unavailable, "AssumeRole is not implemented yet")
    }
}
