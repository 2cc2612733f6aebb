/// A backend of one given store, whatever campaign is asked for: tests, in-memory runs, and a
/// store made by the caller. It has no folder and no lock.
public struct SingleStoreBackend: StateBackend {
    /// The store handed out.
    public let store: any RunStore
    /// The folder for what stays on this machine.
    public let localFolder: String

    /// A backend of `store`; `localFolder` keeps the replies ledger and the suppression list.
    public init(store: any RunStore, localFolder: String) {
        self.store = store
        self.localFolder = localFolder
    }

    public var folder: String? { nil }
    public var description: String { store.location }
    public func store(_ request: StoreRequest) -> any RunStore { store }
    public func existingStore(campaign: String) -> (any RunStore)? { store }
    public func place(campaign: String) -> String { store.location }
    public func lock(_ request: LockRequest) async throws(RunStoreError) -> LockOutcome { .taken(nil) }
    public func isLocked(campaign: String) async throws(RunStoreError) -> Bool { false }
}
