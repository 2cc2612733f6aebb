import Foundation

/// A state folder opened so that nobody else can redirect what Salvo writes in it: the folder is
/// held by its descriptor, every file in it is opened relative to that descriptor without
/// following links, and the folder must belong to the user running Salvo and must not be
/// writable by group or others (as ssh's StrictModes asks of `~/.ssh`). A link inside a state
/// folder, or a folder someone else could write to, is refused with its name and the fix.
///
/// The root folder the user names (`--state`, `SALVO_STATE`) may itself be reached through a
/// link; everything below it is opened with `O_NOFOLLOW`.
public final class StateFolder: Sendable {
    /// The folder as named (for messages).
    public let path: String
    /// The folder's path with every link resolved, taken from its descriptor: what a library that
    /// opens by path (SQLite) is given, together with its own refusal to follow links.
    public let resolvedPath: String
    private let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
        resolvedPath = Self.resolvedPath(of: descriptor) ?? path
    }

    deinit { close(descriptor) }

    // MARK: - Opening

    /// The state folder `path` (the root of every campaign's folder), created owner-only with its
    /// parents when missing and `create` says so; nil when it is missing and `create` is false.
    public static func root(_ path: String, create: Bool) throws(RunStoreError) -> StateFolder? {
        // The root may be a link of one's own (a state folder moved to another disk), never one
        // another user planted (in /tmp, say) to point salvo at a folder of their choosing.
        var link = stat()
        if lstat(path, &link) == 0, link.st_mode & S_IFMT == S_IFLNK, link.st_uid != geteuid() {
            throw RunStoreError(.denied, "the state folder '\(path)' is a symbolic link of \(userName(link.st_uid)) (uid \(link.st_uid)), not of the user running salvo; another user could point it anywhere. Remove it, or name the folder it points to")
        }
        var descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if descriptor < 0, errno == ENOENT {
            guard create else { return nil }
            // The folders it would be made in are judged before anything is made there.
            var existing = (path as NSString).deletingLastPathComponent
            while !existing.isEmpty, existing != "/", access(existing, F_OK) != 0 { existing = (existing as NSString).deletingLastPathComponent }
            if let resolved = realpath(existing.isEmpty ? "." : existing, nil) {
                defer { free(resolved) }
                try checkChain(from: String(cString: resolved), for: path)
            }
            try makeFolders(path)
            descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        }
        guard descriptor >= 0 else { throw failure(opening: path, errno) }
        let folder = StateFolder(path: path, descriptor: descriptor)
        try folder.checkOwnership()
        try folder.checkAncestors()
        return folder
    }

    /// The folder `path` inside a state folder (`ROOT/CAMPAIGN`, `ROOT/.receipts`): its root is
    /// opened as `root` opens it, the folder below it without following a link.
    public static func child(_ path: String, create: Bool) throws(RunStoreError) -> StateFolder? {
        let parent = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        guard let root = try root(parent.isEmpty ? "." : parent, create: create) else { return nil }
        return try root.folder(name, create: create)
    }

    /// The folder `name` inside this one, made owner-only when missing and `create` says so; nil
    /// when it is missing and `create` is false.
    public func folder(_ name: String, create: Bool) throws(RunStoreError) -> StateFolder? {
        let shown = self.shown(name)
        var child = openat(descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if child < 0, errno == ENOENT {
            guard create else { return nil }
            if mkdirat(descriptor, name, 0o700) != 0, errno != EEXIST {
                throw RunStoreError(Self.code(errno), "cannot create the state folder '\(shown)': \(Self.words(errno))")
            }
            child = openat(descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        }
        guard child >= 0 else {
            let error = errno
            if error == ELOOP || error == ENOTDIR, entry(name) == .link { throw Self.linkRefused(shown) }
            if error == ENOTDIR { throw RunStoreError(.denied, "'\(shown)' should be a state folder and is a file; move it away") }
            throw Self.failure(opening: shown, error)
        }
        let folder = StateFolder(path: shown, descriptor: child)
        try folder.checkOwnership()
        return folder
    }

    /// What stands at `name` in this folder, links not followed.
    public enum Entry: Equatable, Sendable {
        case missing
        case file(size: Int)
        case folder
        case link
        case other
    }

    /// What stands at `name`, without following a link.
    public func entry(_ name: String) -> Entry {
        var info = stat()
        guard fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file(size: Int(info.st_size))
        case S_IFDIR: return .folder
        case S_IFLNK: return .link
        default: return .other
        }
    }

    /// Whether a regular file `name` is here; a link (or a device, a pipe) there is refused.
    public func hasFile(_ name: String) throws(RunStoreError) -> Bool {
        switch entry(name) {
        case .missing: return false
        case .file: return true
        case .link: throw Self.linkRefused(shown(name))
        case .folder, .other: throw RunStoreError(.denied, "'\(shown(name))' should be a file and is not; move it away")
        }
    }

    /// The size of the regular file `name`, 0 when missing.
    public func size(_ name: String) throws(RunStoreError) -> Int {
        if case .file(let size) = entry(name) { return size }
        _ = try hasFile(name)  // a link or a folder there is refused; nothing there is 0
        return 0
    }

    /// Opens `name` in this folder with `flags` (`O_CREAT` makes it `mode`), never through a link;
    /// nil when it is missing and `flags` does not create it.
    public func openFile(_ name: String, _ flags: Int32, mode: mode_t = 0o600) throws(RunStoreError) -> Int32? {
        let opened = openat(descriptor, name, flags | O_NOFOLLOW | O_CLOEXEC, mode)
        guard opened >= 0 else {
            let error = errno
            if error == ENOENT, flags & O_CREAT == 0 { return nil }
            if error == ELOOP || entry(name) == .link { throw Self.linkRefused(shown(name)) }
            throw RunStoreError(Self.code(error), "cannot open '\(shown(name))': \(Self.words(error))")
        }
        return opened
    }

    /// Creates (or empties) the file `name`, readable and writable by its owner only.
    public func createFile(_ name: String) throws(RunStoreError) {
        guard let opened = try openFile(name, O_WRONLY | O_CREAT | O_TRUNC) else { return }
        fchmod(opened, 0o600)
        close(opened)
    }

    /// Moves `name` to `newName` in `target` (this folder or another one), replacing what is
    /// there; links are moved as links, never followed.
    public func move(_ name: String, to target: StateFolder, as newName: String) throws(RunStoreError) {
        guard renameat(descriptor, name, target.descriptor, newName) == 0 else {
            let error = errno
            throw RunStoreError(Self.code(error), "cannot move '\(shown(name))' to '\(target.shown(newName))': \(Self.words(error))")
        }
    }

    /// The resolved path of `name` in this folder, for a library that opens files by path and
    /// refuses links itself.
    public func resolved(_ name: String) -> String { resolvedPath + "/" + name }

    /// The path to give SQLite (with `SQLITE_OPEN_NOFOLLOW`) for the database `name`: first no
    /// link may stand at it or at its WAL and shared-memory files (refused by name), and this user
    /// must be able to open it (said as "Permission denied", where SQLite would only say it cannot
    /// open the file). With `create`, a missing database is made 0600 first, so that its WAL and
    /// shared-memory files are too.
    func databasePath(_ name: String, writing: Bool, create: Bool = false) throws(RunStoreError) -> String {
        for suffix in ["-wal", "-shm"] { _ = try hasFile(name + suffix) }
        if create, try !hasFile(name) {
            try createFile(name)
        } else if let probe = try openFile(name, writing ? O_RDWR : O_RDONLY) {
            close(probe)
        }
        return resolved(name)
    }

    /// Makes the files named owner-only when others may read them (copied with a lax umask, say);
    /// returns a notice for each one changed.
    func tighten(_ names: [String]) -> [String] {
        var notices: [String] = []
        var info = stat()
        if fstat(descriptor, &info) == 0, info.st_mode & 0o077 != 0, fchmod(descriptor, 0o700) == 0 {
            notices.append("'\(path)' could be read by others (mode \(String(info.st_mode & 0o777, radix: 8))); it is now 700")
        }
        for name in names where entry(name) != .missing {
            guard let opened = try? openFile(name, O_RDONLY) else { continue }
            defer { close(opened) }
            guard fstat(opened, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_mode & 0o077 != 0 else { continue }
            if fchmod(opened, 0o600) == 0 {
                notices.append("'\(shown(name))' could be read or written by others (mode \(String(info.st_mode & 0o777, radix: 8))); it is now 600")
            }
        }
        return notices
    }

    // MARK: - Checks

    /// Refuses a folder of another user, or one that group or others may write to.
    private func checkOwnership() throws(RunStoreError) {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw Self.failure(opening: path, errno) }
        let user = geteuid()
        if info.st_uid != user {
            let fix = user == 0 ? "chown root '\(path)'" : "'chown \(Self.userName(user)) \(path)' as its owner or root"
            throw RunStoreError(.denied, "the state folder '\(path)' belongs to \(Self.userName(info.st_uid)) (uid \(info.st_uid)), not to the user running salvo (\(Self.userName(user)), uid \(user)); another user could change what salvo reads and writes there. Use a folder of your own, or \(fix)")
        }
        if info.st_mode & 0o022 != 0 {
            throw RunStoreError(.denied, "the state folder '\(path)' can be written by \(info.st_mode & 0o002 != 0 ? "anyone" : "its group") (mode \(String(info.st_mode & 0o777, radix: 8))); another user could plant links in it. Run 'chmod 700 \(path)'")
        }
    }

    /// Refuses a state folder inside a folder that another user could rename it out of (and a
    /// link of theirs into): each folder above it must belong to root or to the user running
    /// salvo, and may be writable by others only with the sticky bit (as /tmp is), which keeps
    /// others from moving what is not theirs. This is ssh's StrictModes walk up the path.
    private func checkAncestors() throws(RunStoreError) {
        try Self.checkChain(from: (resolvedPath as NSString).deletingLastPathComponent, for: path)
    }

    /// Checks `first` (a resolved folder) and every folder above it as parents of the state
    /// folder `path`.
    private static func checkChain(from first: String, for path: String) throws(RunStoreError) {
        let user = geteuid()
        var next: String? = first
        while let current = next, !current.isEmpty {
            next = current == "/" ? nil : (current as NSString).deletingLastPathComponent
            var info = stat()
            guard lstat(current, &info) == 0 else { continue }
            if info.st_uid != 0 && info.st_uid != user {
                throw RunStoreError(.denied, "the state folder '\(path)' is inside '\(current)', which belongs to \(userName(info.st_uid)) (uid \(info.st_uid)); they could move the state folder away and put a link of theirs in its place. Keep state in a folder whose parents belong to you or to root")
            }
            if info.st_mode & 0o022 != 0 && info.st_mode & mode_t(S_ISVTX) == 0 {
                throw RunStoreError(.denied, "the state folder '\(path)' is inside '\(current)', which \(info.st_mode & 0o002 != 0 ? "anyone" : "its group") can write to (mode \(String(info.st_mode & 0o7777, radix: 8)), no sticky bit); another user could move the state folder away and put a link in its place. Run 'chmod go-w \(current)', or keep state elsewhere")
            }
        }
    }

    private func shown(_ name: String) -> String { path + "/" + name }

    static func linkRefused(_ shown: String) -> RunStoreError {
        RunStoreError(.denied, "'\(shown)' is a symbolic link: salvo follows no links inside a state folder, so that nobody can redirect what it writes there. Remove the link (nothing was written through it)")
    }

    private static func failure(opening path: String, _ error: Int32) -> RunStoreError {
        switch error {
        case EACCES, EPERM:
            RunStoreError(.denied, "cannot read the state folder '\(path)': \(words(error)) (it belongs to another user, or its mode shuts you out); run salvo as the folder's owner")
        case ENOTDIR:
            RunStoreError(.denied, "the state folder '\(path)' is not a folder")
        default:
            RunStoreError(code(error), "cannot open the state folder '\(path)': \(words(error))")
        }
    }

    private static func code(_ error: Int32) -> RunStoreError.Code {
        error == EACCES || error == EPERM || error == ELOOP ? .denied : .io
    }

    static func words(_ error: Int32) -> String { String(cString: strerror(error)) }

    /// Makes `path` and its missing parents, each owner-only.
    private static func makeFolders(_ path: String) throws(RunStoreError) {
        var built = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            built += "/" + part
            if mkdir(built, 0o700) != 0, errno != EEXIST {
                throw RunStoreError(code(errno), "cannot create the state folder '\(built)': \(words(errno))")
            }
        }
    }

    private static func userName(_ uid: uid_t) -> String {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "uid \(uid)" }
        return String(cString: name)
    }

    private static func resolvedPath(of descriptor: Int32) -> String? {
        #if os(Linux)
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/fd/\(descriptor)", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        #else
        var buffer = [CChar](repeating: 0, count: Int(MAXPATHLEN))
        guard fcntl(descriptor, F_GETPATH, &buffer) == 0 else { return nil }
        return String(cString: buffer)
        #endif
    }
}
