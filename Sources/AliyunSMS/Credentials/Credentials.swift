import Foundation

/// An Alibaba Cloud access key pair, and an STS token for temporary credentials.
public struct Credentials: Sendable, Hashable, CustomStringConvertible {
    /// The AccessKey id (not secret; shown masked in logs anyway).
    public var accessKeyId: String
    /// The AccessKey secret.
    public var accessKeySecret: Secret
    /// The STS security token, for temporary credentials: signed as `SecurityToken` (v1) or
    /// `x-acs-security-token` (v3).
    public var securityToken: Secret?
    /// When temporary credentials stop working; nil for a permanent AccessKey.
    public var expiration: Date?

    /// Creates credentials.
    public init(accessKeyId: String, accessKeySecret: String, securityToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyId = accessKeyId
        self.accessKeySecret = Secret(accessKeySecret)
        self.securityToken = securityToken.map(Secret.init)
        self.expiration = expiration
    }

    /// Whether they stop working within `margin` of `now` (never, for a permanent AccessKey). The
    /// official SDKs refresh STS credentials when less than 15 minutes remain.
    public func expires(within margin: Duration, of now: Date) -> Bool {
        guard let expiration else { return false }
        let seconds = Double(margin.components.seconds) + Double(margin.components.attoseconds) / 1e18
        return expiration.timeIntervalSince(now) < seconds
    }

    /// The key id with its middle hidden: `LTAI****wxyz`.
    public var maskedKeyId: String {
        guard accessKeyId.count > 8 else { return String(repeating: "*", count: accessKeyId.count) }
        return String(accessKeyId.prefix(4)) + "****" + String(accessKeyId.suffix(4))
    }

    public var description: String { "Credentials(\(maskedKeyId)\(securityToken == nil ? "" : ", STS"))" }
}
