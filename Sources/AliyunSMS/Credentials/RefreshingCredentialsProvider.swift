import Foundation

/// Caches the credentials of one source, shared by every request in flight, and fetches new ones
/// before they expire, as the official SDKs do (`RefreshCachedSupplier`):
///
/// - Credentials with an `expiration` go stale 15 minutes before it; the first ask after that
///   fetches anew. Credentials without one are never refreshed.
/// - Deviation from the SDKs: credentials that arrive already inside that window (a lifetime under
///   15 minutes) go stale after half their remaining lifetime, not at once, so a 10-second
///   credential is fetched every 5 seconds rather than for every request.
/// - One fetch at a time: whoever asks while a fetch is in flight waits for the same one.
/// - A failed refresh while the old credentials are still valid (not past `expiration`) keeps
///   them, reports it through `onRefresh` with a `failure`, and is tried again after a backoff
///   of 1 s doubling to at most 60 s. Once they are past `expiration`, a failed fetch throws.
public actor RefreshingCredentialsProvider: CredentialsProvider, CustomStringConvertible {
    /// How long before `expiration` credentials go stale: the SDKs' 15 minutes.
    static let staleMargin: TimeInterval = 15 * 60
    /// The longest wait between two failed refreshes.
    static let maxBackoff: TimeInterval = 60

    /// Where the credentials come from.
    public nonisolated let source: any CredentialsSource
    private let now: @Sendable () -> Date
    private let onRefresh: (@Sendable (CredentialsRefresh) -> Void)?

    private var cached: Credentials?
    private var staleAt: Date?
    private var failures = 0
    private var retryAt: Date?
    private var inFlight: Task<Result<Credentials, CredentialsError>, Never>?

    /// A provider of `source`'s credentials, with `now` as its clock (tests pass their own) and
    /// `onRefresh` told after every successful fetch and every failed refresh that kept the old
    /// credentials.
    public init(source: any CredentialsSource, now: @escaping @Sendable () -> Date = { Date() },
                onRefresh: (@Sendable (CredentialsRefresh) -> Void)? = nil) {
        self.source = source
        self.now = now
        self.onRefresh = onRefresh
    }

    public func credentials() async throws(CredentialsError) -> Credentials {
        if let cached, !needsFetch(cached, at: now()) { return cached }
        switch await sharedFetch() {
        case .success(let fresh):
            return fresh
        case .failure(let error):
            if let cached, !isExpired(cached, at: now()) { return cached }
            throw error
        }
    }

    public func refresh(replacing refused: Credentials) async throws(CredentialsError) -> Credentials {
        if let cached, cached != refused { return try await credentials() }
        let result = await sharedFetch()
        if case .failure = result, cached == refused {
            // The gateway refused them: they are no use however valid the clock says they are.
            cached = nil
            staleAt = nil
        }
        return try result.get()
    }

    public var sourceName: String? {
        get async { cached == nil ? nil : source.name }
    }

    public nonisolated var description: String { "RefreshingCredentialsProvider(\(source.name))" }

    // MARK: - Fetching

    /// The fetch in flight, or a new one; its result is recorded once, by the fetch itself.
    private func sharedFetch() async -> Result<Credentials, CredentialsError> {
        if let inFlight { return await inFlight.value }
        let task = Task { await self.fetchAndRecord() }
        inFlight = task
        return await task.value
    }

    private func fetchAndRecord() async -> Result<Credentials, CredentialsError> {
        let result: Result<Credentials, CredentialsError>
        do {
            result = .success(try await source.fetch())
        } catch {
            result = .failure(error)
        }
        inFlight = nil
        record(result)
        return result
    }

    private func record(_ result: Result<Credentials, CredentialsError>) {
        let time = now()
        switch result {
        case .success(let fresh):
            cached = fresh
            staleAt = Self.stalePoint(of: fresh, fetchedAt: time)
            failures = 0
            retryAt = nil
            onRefresh?(CredentialsRefresh(source: source.name, maskedKeyId: fresh.maskedKeyId, expiration: fresh.expiration))
        case .failure(let error):
            guard let old = cached, !isExpired(old, at: time) else { return }
            failures += 1
            retryAt = time.addingTimeInterval(Self.backoff(afterFailures: failures))
            onRefresh?(CredentialsRefresh(source: source.name, maskedKeyId: old.maskedKeyId, expiration: old.expiration, failure: error.message))
        }
    }

    // MARK: - Timing

    private func needsFetch(_ credentials: Credentials, at time: Date) -> Bool {
        guard credentials.expiration != nil else { return false }
        if isExpired(credentials, at: time) { return true }
        guard let staleAt, time >= staleAt else { return false }
        if let retryAt, time < retryAt { return false }
        return true
    }

    private func isExpired(_ credentials: Credentials, at time: Date) -> Bool {
        guard let expiration = credentials.expiration else { return false }
        return time >= expiration
    }

    /// When credentials fetched at `fetched` go stale: 15 minutes before they expire, or, when
    /// they arrive inside that window, after half the lifetime they have left.
    static func stalePoint(of credentials: Credentials, fetchedAt fetched: Date) -> Date? {
        guard let expiration = credentials.expiration else { return nil }
        let early = expiration.addingTimeInterval(-staleMargin)
        if early > fetched { return early }
        return fetched.addingTimeInterval(max(0, expiration.timeIntervalSince(fetched)) / 2)
    }

    /// The wait after the `failures`-th failed refresh in a row: 1 s, 2 s, 4 s ... at most 60 s.
    static func backoff(afterFailures failures: Int) -> TimeInterval {
        min(maxBackoff, pow(2, Double(min(max(failures, 1), 16) - 1)))
    }
}
