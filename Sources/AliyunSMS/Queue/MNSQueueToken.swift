import Foundation

/// The temporary token QueryTokenForMnsQueue gives (`MessageTokenDTO`): the key pair and security
/// token that sign the queue's MNS calls. `ExpireTime` and `CreateTime` are `yyyy-MM-dd HH:mm:ss`
/// in Asia/Shanghai (UTC+8, no daylight saving).
public struct MNSQueueToken: Sendable {
    /// The temporary AccessKey id (`STS.…`).
    public var accessKeyId: String
    /// The temporary AccessKey secret.
    public var accessKeySecret: Secret
    /// The security token, sent in the `security-token` header.
    public var securityToken: Secret
    /// When it was issued, if the answer said.
    public var created: Date?
    /// When it stops being accepted.
    public var expires: Date

    /// Creates a token.
    public init(accessKeyId: String, accessKeySecret: Secret, securityToken: Secret, created: Date?, expires: Date) {
        self.accessKeyId = accessKeyId
        self.accessKeySecret = accessKeySecret
        self.securityToken = securityToken
        self.created = created
        self.expires = expires
    }

    /// The longest margin before `expires` at which the token is renewed.
    public static let renewalMargin: TimeInterval = 120

    /// Whether the token should be renewed at `now`: less than two minutes or half its lifetime
    /// remain, whichever is shorter (tokens can be short-lived). Without `CreateTime` the margin
    /// is two minutes.
    public func needsRenewal(at now: Date) -> Bool {
        var margin = Self.renewalMargin
        if let created, expires > created { margin = min(margin, expires.timeIntervalSince(created) / 2) }
        return expires.timeIntervalSince(now) < margin
    }
}
