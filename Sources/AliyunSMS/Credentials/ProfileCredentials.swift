import Foundation

/// What one profile of `~/.aliyun/config.json` or the INI credentials file describes, read and
/// checked but not fetched: the loader turns it into a provider.
indirect enum ProfileCredentials: Sendable, Equatable {
    /// A fixed AccessKey (with an STS token for config.json's `StsToken` mode or the INI's
    /// `security_token`).
    case accessKey(Credentials)
    /// AssumeRole, signed with what `source` gives (role chaining when that is a role too).
    case ramRole(source: ProfileCredentials, RoleRequest)
    /// AssumeRoleWithOIDC with a token file.
    case oidcRole(OIDCRequest)
    /// The ECS instance's RAM role from the metadata service; nil: the role it names.
    case ecsRamRole(roleName: String?)

    /// What an AssumeRole asks for.
    struct RoleRequest: Sendable, Equatable {
        var roleArn: String
        var sessionName: String?
        var durationSeconds: Int?
        var policy: String?
        var externalId: String?
        var stsRegion: String?
        var enableVPC: Bool?
    }

    /// What an AssumeRoleWithOIDC asks for.
    struct OIDCRequest: Sendable, Equatable {
        var roleArn: String
        var providerArn: String
        var tokenFile: String
        var sessionName: String?
        var durationSeconds: Int?
        var policy: String?
        var stsRegion: String?
        var enableVPC: Bool?
    }

    /// The shortest session the SDKs let AssumeRole ask for.
    static let minimumDuration = 900
}
