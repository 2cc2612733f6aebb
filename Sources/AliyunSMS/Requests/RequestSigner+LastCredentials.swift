import Foundation
import Synchronization

extension RequestSigner {
    /// The credentials the signer signed with last: what a refusal of the key names. For a
    /// static provider, its key pair from the start; for one that refreshes, an empty key pair
    /// until the first request is signed.
    public var credentials: Credentials {
        lastSigned.value ?? Credentials(accessKeyId: "", accessKeySecret: "")
    }

    /// Signs `operation` with the credentials signed with last (see `credentials`), a new random
    /// nonce and the current time, without waiting: for a dry run's printout and for tests.
    /// Requests that are sent take `request(for:)`, which asks the provider.
    public func sign(_ operation: SMSOperation, now: Date = Date()) -> SignedRequest {
        sign(operation, with: credentials, nonce: UUID().uuidString.lowercased(), timestamp: AliyunTime.timestamp(now))
    }

    /// Signs `operation` with the credentials signed with last and the given nonce and timestamp.
    public func sign(_ operation: SMSOperation, nonce: String, timestamp: String, method: String = "POST") -> SignedRequest {
        sign(operation, with: credentials, nonce: nonce, timestamp: timestamp, method: method)
    }
}

/// The credentials a signer (and every copy of it) signed with last, shared across tasks.
final class LastCredentials: Sendable {
    private let state: Mutex<Credentials?>

    init(_ initial: Credentials?) {
        state = Mutex(initial)
    }

    var value: Credentials? { state.withLock { $0 } }

    func record(_ credentials: Credentials) {
        state.withLock { $0 = credentials }
    }
}
