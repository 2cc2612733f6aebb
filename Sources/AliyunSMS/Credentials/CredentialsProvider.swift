import Foundation

/// Supplies the credentials that sign requests. The signer asks for every request, so a provider
/// whose credentials expire (STS) hands out fresh ones before they do, and every request in
/// flight shares what it has cached.
///
/// To add a place credentials come from (an STS role, instance metadata, a profile file), write
/// one `CredentialsSource` and wrap it in a `RefreshingCredentialsProvider`; the chain
/// (`CredentialsLoader.provider`) decides which one a run uses. The signer and the client need no
/// change.
public protocol CredentialsProvider: Sendable {
    /// Credentials valid for the next request: cached ones while they are fresh, refreshed ones
    /// when they are about to expire.
    func credentials() async throws(CredentialsError) -> Credentials

    /// Credentials to replace `refused`, which the gateway refused as expired: fetched anew now,
    /// unless the provider has already replaced them (so many requests refused at once cause one
    /// fetch). Default: `credentials()`.
    func refresh(replacing refused: Credentials) async throws(CredentialsError) -> Credentials

    /// The name of the source that answered last ("env", "oidc_role_arn", ...); nil before any
    /// answered, and nil by default.
    var sourceName: String? { get async }
}

extension CredentialsProvider {
    /// Asks again: a provider that never refreshes has nothing newer to give.
    public func refresh(replacing refused: Credentials) async throws(CredentialsError) -> Credentials {
        try await credentials()
    }

    /// No name, for providers that do not say where their credentials come from.
    public var sourceName: String? {
        get async { nil }
    }
}
