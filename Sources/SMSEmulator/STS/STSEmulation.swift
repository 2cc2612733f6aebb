/// The emulator playing STS and the ECS instance metadata service (`salvo emulator --sts`): what
/// it issues, for how long, and how strictly it serves the metadata paths.
public struct STSEmulation: Sendable, Hashable {
    /// The role the metadata service names when none is given.
    public static let defaultRoleName = "SalvoEmulatorRole"

    /// Whether AssumeRole, AssumeRoleWithOIDC and the metadata paths are answered and the `STS.`
    /// keys issued are accepted by the SMS API. Off: the STS actions are unknown actions, the
    /// metadata paths 404, as before.
    public var enabled = false
    /// The lifetime the issued credentials state (their `Expiration`). A request's
    /// `DurationSeconds` must be valid (900 or more) but does not change it.
    public var duration: Duration = .seconds(3600)
    /// Issued credentials are refused as expired this long after they were issued, even before
    /// their stated `Expiration` (a provider that revokes early, a skewed clock); nil: only at it.
    public var revokeAfter: Duration?
    /// The file whose content, trimmed, is the one OIDC token AssumeRoleWithOIDC accepts; read at
    /// every call, so that a rewritten file takes effect at once. Nil: every OIDC token is refused.
    public var oidcTokenFile: String?
    /// The RAM role the metadata service names and issues credentials for.
    public var roleName = STSEmulation.defaultRoleName
    /// The metadata GETs refuse a request without a valid session token (403), like an instance
    /// with `HttpTokens=required`; otherwise both IMDSv1 and IMDSv2 are served.
    public var imdsV2Only = false

    /// Creates the emulation, off.
    public init() {}
}
