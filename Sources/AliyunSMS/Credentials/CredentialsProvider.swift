import Foundation

/// Supplies the credentials that sign requests. The signer asks for every request, so a provider
/// whose credentials expire (STS) hands out fresh ones before they do, and every request in
/// flight shares what it has cached.
///
/// To add a source of credentials (an STS role, instance metadata, a profile file), write one
/// type conforming to this protocol; the signer and the client need no change.
public protocol CredentialsProvider: Sendable {
    /// Credentials valid for the next request: cached ones while they are fresh, refreshed ones
    /// when they are about to expire.
    func credentials() async throws(CredentialsError) -> Credentials
}
