#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opens files that a campaign names, refusing anything that is not a plain file on disk: a FIFO
/// or socket (which would block), a device (`/dev/zero` never ends), a folder, or a file of the
/// kernel's virtual file systems (`/proc/self/environ` holds the process's secrets and claims a
/// size of zero). Nothing is read and nothing blocks before the checks pass.
public enum RegularFile {
    /// Why a path cannot be opened.
    public enum Refusal: Error, Sendable, Hashable {
        /// No such file.
        case missing
        /// Permission denied, or another failure of open(2) (its errno).
        case unreadable(errno: Int32)
        /// Not a regular file; what it is instead ("a FIFO", "a device", "a folder", "a socket").
        case notRegular(String)
        /// A file of a virtual file system such as /proc or /sys.
        case virtual
        /// Larger than allowed.
        case tooLarge(bytes: Int64)

        /// The refusal in words, after "the file ...".
        public var reason: String {
            switch self {
            case .missing: "does not exist"
            case .unreadable(let code): code == EACCES ? "cannot be opened: permission denied" : "cannot be opened (errno \(code))"
            case .notRegular(let kind): "is \(kind), not a regular file"
            case .virtual: "is a system file (/proc, /sys), not a data file"
            case .tooLarge(let bytes): "is \(bytes) bytes, over the limit"
            }
        }
    }

    /// An open regular file: the path it was opened by, its descriptor (owned by the caller) and size.
    public struct Opened: Sendable {
        /// The path as given to `open`.
        public var path: String
        /// The descriptor, opened read-only and blocking again; the caller closes it.
        public var descriptor: Int32
        /// The file's size in bytes when it was opened.
        public var size: Int64
    }

    /// Opens `path` read-only if it is a regular file of at most `maxBytes` on a real file system.
    public static func open(_ path: String, maxBytes: Int64) throws(Refusal) -> Opened {
        var info = stat()
        // stat(2) follows links but never blocks, even on a FIFO.
        guard stat(path, &info) == 0 else {
            throw errno == ENOENT || errno == ENOTDIR ? .missing : .unreadable(errno: errno)
        }
        if let kind = kind(of: info.st_mode) { throw .notRegular(kind) }
        // O_NONBLOCK: should the path have been swapped for a FIFO since stat, open returns at once.
        let descriptor = Glibc.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard descriptor >= 0 else {
            throw errno == ENOENT ? .missing : .unreadable(errno: errno)
        }
        var opened = stat()
        guard fstat(descriptor, &opened) == 0 else {
            let code = errno
            Glibc.close(descriptor)
            throw .unreadable(errno: code)
        }
        if let kind = kind(of: opened.st_mode) {
            Glibc.close(descriptor)
            throw .notRegular(kind)
        }
        if isVirtual(device: opened.st_dev, path: path) {
            Glibc.close(descriptor)
            throw .virtual
        }
        let size = Int64(opened.st_size)
        if size > maxBytes {
            Glibc.close(descriptor)
            throw .tooLarge(bytes: size)
        }
        let flags = fcntl(descriptor, F_GETFL)
        if flags >= 0 { _ = fcntl(descriptor, F_SETFL, flags & ~O_NONBLOCK) }
        return Opened(path: path, descriptor: descriptor, size: size)
    }

    /// Reads a whole regular file of at most `maxBytes`.
    public static func read(_ path: String, maxBytes: Int64) throws(Refusal) -> [UInt8] {
        let file = try open(path, maxBytes: maxBytes)
        defer { Glibc.close(file.descriptor) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(file.size))
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(file.descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw .unreadable(errno: errno) }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            // A file that grows while it is read is still held to the limit.
            if Int64(bytes.count) > maxBytes { throw .tooLarge(bytes: Int64(bytes.count)) }
        }
        return bytes
    }

    /// The path with every link and `..` resolved, or nil when it does not exist.
    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Whether `path` (resolved) is `folder` (resolved) or inside it.
    public static func isInside(_ path: String, folder: String) -> Bool {
        if folder == "/" { return path.hasPrefix("/") }
        return path == folder || path.hasPrefix(folder + "/")
    }

    private static func kind(of mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: nil
        case S_IFDIR: "a folder"
        case S_IFIFO: "a FIFO"
        case S_IFSOCK: "a socket"
        case S_IFCHR, S_IFBLK: "a device"
        default: "not a plain file"
        }
    }

    /// Files of procfs, sysfs and their kin present themselves as regular files of size 0: a file
    /// on the same device as /proc, /sys or one of their mounts, or whose real path lies under
    /// /proc or /sys, is refused.
    private static func isVirtual(device: dev_t, path: String) -> Bool {
        #if os(Linux)
        for mount in ["/proc", "/sys", "/dev", "/sys/kernel/debug", "/sys/kernel/security", "/sys/fs/cgroup", "/dev/pts"] {
            var other = stat()
            if stat(mount, &other) == 0, other.st_dev == device { return true }
        }
        #endif
        return realPath(path).map { $0.hasPrefix("/proc/") || $0.hasPrefix("/sys/") } ?? false
    }
}
