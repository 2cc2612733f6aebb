import CampaignRunner

/// State in a PostgreSQL database: one schema for every campaign, shared by runners on any
/// machine. It needs no lock (each batch is claimed by one runner); what stays on this machine
/// (the replies ledger, the suppression list) is kept in `localFolder`.
public struct PostgresBackend: StateBackend {
    /// The database.
    public let database: PostgresLocation
    /// Where what stays on this machine is kept (the replies ledger, the suppression list).
    public let localFolder: String

    /// State in `database`; `localFolder` keeps what stays on this machine.
    public init(database: PostgresLocation, localFolder: String) {
        self.database = database
        self.localFolder = localFolder
    }

    public var folder: String? { nil }
    /// The URL with its password masked.
    public var description: String { database.description }

    public func store(_ request: StoreRequest) -> any RunStore {
        PostgresRunStore(database: database, campaign: request.campaign, leaseSeconds: request.leaseSeconds)
    }

    public func existingStore(campaign: String) -> (any RunStore)? {
        store(StoreRequest(campaign: campaign))
    }

    public func place(campaign: String) -> String { store(StoreRequest(campaign: campaign)).location }
    public func lock(_ request: LockRequest) async throws(RunStoreError) -> LockOutcome { .taken(nil) }
    public func isLocked(campaign: String) async throws(RunStoreError) -> Bool { false }
}
