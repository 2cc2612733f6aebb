import Foundation

/// Temporary credentials the emulator issued: an `STS.` key id, its own secret and security
/// token, when they were issued and the `Expiration` they state.
struct IssuedCredentials: Sendable, Hashable {
    /// `STS.` and random letters and digits.
    var accessKeyId: String
    /// The secret requests signed with the key id must be signed with.
    var accessKeySecret: String
    /// The token requests signed with the key id must carry.
    var securityToken: String
    /// When they were issued.
    var issued: Date
    /// The `Expiration` stated (whole seconds, as written).
    var expiration: Date

    /// Whether they are refused as expired at `now`: at their stated `Expiration`, or
    /// `revokeAfter` after they were issued.
    func isExpired(at now: Date, revokeAfter: Duration?) -> Bool {
        if now >= expiration { return true }
        guard let revokeAfter else { return false }
        return now.timeIntervalSince(issued) >= EmulatorCore.seconds(revokeAfter)
    }
}
