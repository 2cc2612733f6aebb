/// Credentials of an ECS instance's RAM role, from the instance metadata service: IMDSv2 (a token
/// first), falling back to v1 unless v1 is disabled.
public struct ECSMetadataSource: CredentialsSource {
    /// The metadata service's address; `SALVO_ECS_METADATA_URL` replaces it.
    public static let defaultURL = "http://100.100.100.200"

    /// The name `salvo credentials` prints.
    public let name: String
    let baseURL: String
    let roleName: String?
    let v1Disabled: Bool

    /// A source that asks the metadata service at `baseURL` for the credentials of `roleName` (or
    /// of the role it names when nil).
    public init(name: String = "ecs_ram_role", baseURL: String = defaultURL, roleName: String?,
                v1Disabled: Bool) {
        self.name = name
        self.baseURL = baseURL
        self.roleName = roleName
        self.v1Disabled = v1Disabled
    }

    public func fetch() async throws(CredentialsError) -> Credentials {
        throw CredentialsError(.unavailable, "instance metadata is not implemented yet")
    }
}
