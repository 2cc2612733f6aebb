import Foundation
import Synchronization

/// Every set of temporary credentials the emulator issued, in memory, by key id: so that the SMS
/// API and a chained AssumeRole accept them with their own secret and token, and refuse them
/// once expired.
final class IssuedCredentialsTable: Sendable {
    private let entries = Mutex<[String: IssuedCredentials]>([:])
    /// Entries kept before those expired long ago are dropped.
    private static let pruneAbove = 100_000

    /// Issues a new set at `now`, stating an `Expiration` `lifetime` later (in whole seconds).
    /// What every issued secret starts with, so a test can search everything Salvo wrote for any
    /// of them without knowing which were issued.
    static let secretMarker = "EmulatorStsSecret"
    /// What every issued security token holds after its `CAIS` prefix, for the same search.
    static let tokenMarker = "EmulatorStsToken"

    func issue(now: Date, lifetime: Duration) -> IssuedCredentials {
        let expiration = Date(timeIntervalSince1970: (now.timeIntervalSince1970 + EmulatorCore.seconds(lifetime)).rounded(.down))
        let credentials = IssuedCredentials(accessKeyId: "STS." + Self.random(24, from: Self.alphanumerics), accessKeySecret: Self.secretMarker + Self.random(24, from: Self.alphanumerics),
                                            securityToken: "CAIS" + Self.tokenMarker + Self.randomBase64(bytes: 121), issued: now, expiration: expiration)
        entries.withLock { entries in
            if entries.count > Self.pruneAbove {
                let horizon = now.addingTimeInterval(-86_400)
                entries = entries.filter { $0.value.expiration > horizon }
            }
            entries[credentials.accessKeyId] = credentials
        }
        return credentials
    }

    /// The credentials issued under `keyId`, if any.
    func credentials(keyId: String) -> IssuedCredentials? {
        entries.withLock { $0[keyId] }
    }

    /// How many sets are kept.
    var count: Int {
        entries.withLock { $0.count }
    }

    // MARK: - Random text

    /// A random opaque token (the metadata service's session tokens).
    static func randomToken() -> String {
        random(44, from: alphanumerics)
    }

    private static let alphanumerics = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

    private static func random(_ length: Int, from alphabet: [UInt8]) -> String {
        var generator = SystemRandomNumberGenerator()
        return String(decoding: (0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }, as: UTF8.self)
    }

    /// Base64 of random bytes: with `+`, `/` and `=`, as real tokens have, so that a client that
    /// does not encode them is caught.
    private static func randomBase64(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64EncodedString()
    }
}
