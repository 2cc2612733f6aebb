import Foundation

/// The official SDKs' default chain: links in order, the first that yields credentials wins and
/// answers every ask from then on (the SDKs' `reuse_last_provider`, no second walk). When none
/// yields, the error names every link and why it had nothing, one per line, never a secret.
///
/// `CredentialsLoader.provider(environment:onRefresh:)` builds the one a run uses.
public actor CredentialsChain: CredentialsProvider, CustomStringConvertible {
    /// The links, in the order they are tried.
    public nonisolated let links: [Link]

    private var chosen: Int?
    private var walking: Task<Result<(Int, Credentials), CredentialsError>, Never>?

    /// A chain of `links`, tried in order.
    public init(links: [Link]) {
        self.links = links
    }

    /// The source that answered and its credentials: walks the chain the first time (one walk
    /// however many ask at once), then asks only the link that answered.
    public func resolve() async throws(CredentialsError) -> (source: String, credentials: Credentials) {
        if let chosen {
            let link = links[chosen]
            return (link.name, try await Self.ask(link))
        }
        let task: Task<Result<(Int, Credentials), CredentialsError>, Never>
        if let walking {
            task = walking
        } else {
            task = Task { await self.walk() }
            walking = task
        }
        let (index, credentials) = try await task.value.get()
        return (links[index].name, credentials)
    }

    public func credentials() async throws(CredentialsError) -> Credentials {
        try await resolve().credentials
    }

    public func refresh(replacing refused: Credentials) async throws(CredentialsError) -> Credentials {
        guard let chosen else { return try await credentials() }
        let link = links[chosen]
        do {
            return try await link.provider?.refresh(replacing: refused) ?? refused
        } catch {
            throw Self.named(error, link)
        }
    }

    public var sourceName: String? {
        get async { chosen.map { links[$0].name } }
    }

    /// The credentials, when the first link that has any holds them fixed (an AccessKey in the
    /// environment or a profile): known without asking, so they can be named before anything is
    /// signed. Nil when they must be fetched.
    public nonisolated var staticCredentials: Credentials? {
        (links.first { $0.provider != nil }?.provider as? StaticCredentialsProvider)?.fixed
    }

    public nonisolated var description: String {
        "CredentialsChain(\(links.map(\.name).joined(separator: ", ")))"
    }

    // MARK: - Walking

    private func walk() async -> Result<(Int, Credentials), CredentialsError> {
        defer { walking = nil }
        var reasons: [String] = []
        var failures: [CredentialsError] = []
        for (index, link) in links.enumerated() {
            guard let provider = link.provider else {
                reasons.append("\(link.name): \(link.reason ?? "nothing")")
                continue
            }
            do {
                let credentials = try await provider.credentials()
                chosen = index
                return .success((index, credentials))
            } catch {
                reasons.append("\(link.name): \(error.message)")
                if !link.implicit {
                    failures.append(error)
                    skipped.append("\(link.name): \(error.message)")
                }
            }
        }
        return .failure(Self.nothingFound(reasons, failures: failures))
    }

    /// Links that were set up (a role, a profile, a credentials URI) but failed to give
    /// credentials, so that a later link answered: each with why. The SDKs pass over them
    /// silently; the commands say so, since the identity used is then another.
    public private(set) var skipped: [String] = []

    /// The error when no link has credentials: every link and why, one per line. Its code: a link
    /// that was set up but could not be reached makes it `.unavailable` (try again later); one that
    /// was refused, `.refused`; otherwise nothing was set up anywhere, `.missing`.
    static func nothingFound(_ reasons: [String], failures: [CredentialsError] = []) -> CredentialsError {
        let code: CredentialsError.Code = failures.contains { $0.isTransient } ? .unavailable : (failures.isEmpty ? .missing : .refused)
        return CredentialsError(code, "no credentials found; the chain looked at:" + reasons.map { "\n  " + $0 }.joined())
    }

    private static func ask(_ link: Link) async throws(CredentialsError) -> Credentials {
        guard let provider = link.provider else { throw nothingFound(["\(link.name): \(link.reason ?? "nothing")"]) }
        do {
            return try await provider.credentials()
        } catch {
            throw named(error, link)
        }
    }

    /// A failure of the link that answered before, said with its name.
    private static func named(_ error: CredentialsError, _ link: Link) -> CredentialsError {
        CredentialsError(error.code, "\(link.name): \(error.message)", cause: error.cause ?? error)
    }
}
