import Foundation

/// What a `RefreshingCredentialsProvider` reports after each fetch: new credentials (the first
/// ones included), or a failed refresh that kept the old ones while they are still valid. Never
/// holds a secret.
public struct CredentialsRefresh: Sendable, Hashable {
    /// The source that was asked ("oidc_role_arn", "ecs_ram_role", ...).
    public var source: String
    /// The key id of the credentials in use after the fetch, masked.
    public var maskedKeyId: String
    /// When the credentials in use expire.
    public var expiration: Date?
    /// Why the refresh failed, when it did and the old credentials were kept; nil after a success.
    public var failure: String?

    /// Creates a report.
    public init(source: String, maskedKeyId: String, expiration: Date?, failure: String? = nil) {
        self.source = source
        self.maskedKeyId = maskedKeyId
        self.expiration = expiration
        self.failure = failure
    }
}
