import Foundation

/// A token QueryTokenForMnsQueue issued: temporary credentials for one queue.
struct QueueToken: Sendable {
    /// `STS.MNS` and random letters and digits.
    var accessKeyId: String
    /// The secret MNS requests are signed with.
    var accessKeySecret: String
    /// The `security-token` header MNS requests carry.
    var securityToken: String
    /// The queue it reads.
    var queueName: String
    /// When it was issued.
    var created: Date
    /// Its `ExpireTime` (whole seconds, as written).
    var expires: Date

    /// A new token for `queueName`, issued at `now`, lasting `lifetime`.
    static func issue(queueName: String, now: Date, lifetime: TimeInterval) -> QueueToken {
        let created = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        var generator = SystemRandomNumberGenerator()
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        func random(_ count: Int) -> String { String((0..<count).map { _ in letters[Int.random(in: 0..<letters.count, using: &generator)] }) }
        // Base64 with '+', '/' and '=', as real tokens have, so that a client that mangles them is caught.
        let token = "CAIS" + Data((0..<96).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64EncodedString()
        return QueueToken(accessKeyId: "STS.MNS" + random(20), accessKeySecret: "EmulatorMnsSecret" + random(24), securityToken: token,
                          queueName: queueName, created: created, expires: created.addingTimeInterval(lifetime.rounded(.down)))
    }
}
