/// Which recipient files a campaign may read, and the bounds on reading them.
///
/// Campaign files come from pull requests, and `validate` runs where CI keeps its secrets, so a
/// campaign may only name files inside its own folder tree (links resolved) or inside folders the
/// user allows (`--data-dir`, `SALVO_DATA_DIRS`); only regular files are opened; a file over
/// `maxFileBytes` is refused before it is read; a SQLite query has a time and a heap limit.
public struct SourceAccess: Sendable, Hashable {
    /// Whether paths must stay inside the campaign's folder or `dataFolders`; off only for
    /// sources made directly in code (tests, tools), never for campaign files.
    public var confined: Bool
    /// Further folders whose files a campaign may name.
    public var dataFolders: [String]
    /// The largest recipient file read, in bytes.
    public var maxFileBytes: Int64
    /// The longest a SQLite query may run, in seconds.
    public var queryTimeout: Double
    /// The most memory SQLite may hold for a query, in bytes.
    public var queryHeapBytes: Int64

    /// The environment variable that lists further data folders, separated by ':'.
    public static let dataFoldersVariable = "SALVO_DATA_DIRS"
    /// The default size limit: 4 GiB.
    public static let defaultMaxFileBytes: Int64 = 4 << 30

    /// Creates a policy; by default confined to the campaign's folder, 4 GiB, 60 s, 256 MiB.
    public init(confined: Bool = true, dataFolders: [String] = [], maxFileBytes: Int64 = SourceAccess.defaultMaxFileBytes,
                queryTimeout: Double = 60, queryHeapBytes: Int64 = 256 << 20) {
        self.confined = confined
        self.dataFolders = dataFolders
        self.maxFileBytes = maxFileBytes
        self.queryTimeout = queryTimeout
        self.queryHeapBytes = queryHeapBytes
    }

    /// No folder restriction, default limits: for sources made in code.
    public static let unconfined = SourceAccess(confined: false)

    /// The folders named by `SALVO_DATA_DIRS` (empty entries ignored).
    public static func dataFolders(fromEnvironment value: String?) -> [String] {
        (value ?? "").split(separator: ":").map(String.init).filter { !$0.isEmpty }
    }

    /// Checks that a file named by the campaign at `campaignPath` may be read, and opens it by its
    /// real path (which `Opened.path` holds).
    func open(_ path: String, campaignPath: String?) throws(RecipientSourceError) -> RegularFile.Opened {
        let resolved = try permittedPath(path, campaignPath: campaignPath)
        do {
            return try RegularFile.open(resolved, maxBytes: maxFileBytes)
        } catch {
            throw Self.error(error, limit: maxFileBytes)
        }
    }

    /// The file's real path, after checking it lies inside the allowed folders; nothing is opened.
    private func permittedPath(_ path: String, campaignPath: String?) throws(RecipientSourceError) -> String {
        guard let resolved = RegularFile.realPath(path) else {
            throw RecipientSourceError(.missing, "does not exist")
        }
        if confined {
            let campaignFolder = campaignPath.map(Self.folder(of:)) ?? "."
            let allowed = ([campaignFolder] + dataFolders).compactMap(RegularFile.realPath)
            guard allowed.contains(where: { RegularFile.isInside(resolved, folder: $0) }) else {
                throw RecipientSourceError(.outside, "is outside the campaign's folder '\(campaignFolder)' (links followed) and outside every --data-dir; it was not read")
            }
        }
        return resolved
    }

    /// The folder of a file path, as written ("." for a bare name).
    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func error(_ refusal: RegularFile.Refusal, limit: Int64) -> RecipientSourceError {
        switch refusal {
        case .missing:
            RecipientSourceError(.missing, refusal.reason)
        case .unreadable:
            RecipientSourceError(.unreadable, refusal.reason)
        case .notRegular, .virtual:
            RecipientSourceError(.notRegularFile, refusal.reason + "; it was not read")
        case .tooLarge(let bytes):
            RecipientSourceError(.tooLarge, "is \(ByteCount.describe(bytes)), over the \(ByteCount.describe(limit)) limit; raise it with --max-source-size")
        }
    }
}
