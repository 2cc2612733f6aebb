/// One place credentials come from: a name as the SDKs report it, and a fetch.
public protocol CredentialsSource: Sendable {
    /// "env", "oidc_role_arn", "cli_profile/ram_role_arn", "profile/access_key",
    /// "ecs_ram_role", "credentials_uri", "static_ak" ... (what `salvo credentials` prints)
    var name: String { get }
    /// Credentials now: static ones at once; STS, IMDS and URI sources over the network.
    /// Errors never hold a secret, a security token or an OIDC token.
    func fetch() async throws(CredentialsError) -> Credentials
}
