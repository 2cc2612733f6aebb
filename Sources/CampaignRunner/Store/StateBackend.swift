/// Where runs are kept, behind one protocol: the run store of each campaign, the lock that lets
/// one run at a time work on a campaign, and the folder on this machine where there is one.
///
/// `FolderBackend` keeps each campaign's run in SQLite in a folder; `PostgresBackend` (module
/// PostgresStore) in a database that runners on several machines share; `SingleStoreBackend`
/// hands out one given store (tests, in-memory runs). `StateResolver.resolve` (PostgresStore)
/// chooses one from `--state` or `SALVO_STATE`. No code outside a backend names a concrete store
/// or a state file.
public protocol StateBackend: Sendable, CustomStringConvertible {
    /// The folder that holds the state, when the state is in one (nil for a database).
    var folder: String? { get }

    /// The folder that keeps what stays on this machine (the replies ledger, the suppression
    /// list): `folder`, or for a database the default folder.
    var localFolder: String { get }

    /// A campaign's run store (opened lazily: making one never touches the state).
    func store(_ request: StoreRequest) -> any RunStore

    /// A campaign's store when the campaign may have a run here, else nil (receipts for it are
    /// then no campaign's). A store that exists but may not be used is still returned: it refuses
    /// by name when read.
    func existingStore(campaign: String) -> (any RunStore)?

    /// Where a campaign's state is, in words, before its store holds anything.
    func place(campaign: String) -> String

    /// Takes the campaign's lock for a run or a reset.
    func lock(_ request: LockRequest) async throws(RunStoreError) -> LockOutcome

    /// Whether a live run holds the campaign's lock now (never for a store that runners share:
    /// its runners say so themselves).
    func isLocked(campaign: String) async throws(RunStoreError) -> Bool
}
