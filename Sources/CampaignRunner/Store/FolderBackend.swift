#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// State in a folder on this machine: one subfolder per campaign, holding its SQLite store
/// (`SQLiteRunStore`) and its `flock` lock (`CampaignLock`).
public struct FolderBackend: StateBackend {
    /// The state folder (one subfolder per campaign).
    public let root: String

    /// State in `root`.
    public init(root: String) {
        self.root = root
    }

    public var folder: String? { root }
    public var localFolder: String { root }
    public var description: String { root }

    /// A campaign's folder.
    public func place(campaign: String) -> String { root + "/" + campaign }

    public func store(_ request: StoreRequest) -> any RunStore {
        SQLiteRunStore(folder: place(campaign: request.campaign), readOnly: request.readOnly)
    }

    public func existingStore(campaign: String) -> (any RunStore)? {
        let store = SQLiteRunStore(folder: place(campaign: campaign))
        // Anything at the state file, a link included, is the campaign's: its store then refuses a
        // link by name, rather than the campaign being taken as never run here.
        var entry = stat()
        return lstat(store.location, &entry) == 0 ? store : nil
    }

    /// The campaign's folder made owner-only with its parents (such as ~/.local/state) when
    /// `create` says so, and checked: a folder of another user, one others may write to, or a
    /// link in it is refused. Then its lock.
    public func lock(_ request: LockRequest) async throws(RunStoreError) -> LockOutcome {
        guard let folder = try StateFolder.root(root, create: request.create)?.folder(request.campaign, create: request.create) else {
            if request.create { throw RunStoreError(.io, "cannot create the state folder '\(place(campaign: request.campaign))'") }
            return .absent
        }
        switch try CampaignLock.acquire(in: folder) {
        case .success(let lock): return .taken(lock)
        case .failure(let holder): return .busy(pid: holder.pid)
        }
    }

    public func isLocked(campaign: String) async throws(RunStoreError) -> Bool {
        guard let folder = try StateFolder.child(place(campaign: campaign), create: false) else { return false }
        return try CampaignLock.isHeld(in: folder)
    }
}
