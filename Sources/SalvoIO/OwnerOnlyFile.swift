#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file written whole or not at all and readable by its owner only (0600), whatever the umask:
/// plans, reports and exports hold phone numbers. The bytes go to a new temporary file beside the
/// destination (`.NAME.PID.partial`, made with `O_EXCL | O_NOFOLLOW`, so a link planted in a
/// shared folder is never followed), which is synced and renamed over the destination by
/// `finish`; a crash or `discard` never leaves half a file under the name.
public final class OwnerOnlyFile: TextOutput {
    /// Where the complete file goes.
    public let path: String
    private let temporary: String
    private let output: BufferedOutput
    /// Whether the temporary file is still open (neither finished nor discarded).
    private var writing = true

    /// Starts writing `path` (nothing is at `path` until `finish`).
    public init(path: String) throws(FileWriteError) {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? "./"
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = folder + ".\(name).\(getpid()).partial"
        // A leftover of an earlier run under the same process id is removed, never written through.
        let flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC
        var descriptor = open(temporary, flags, 0o600)
        if descriptor < 0, errno == EEXIST, unlink(temporary) == 0 { descriptor = open(temporary, flags, 0o600) }
        guard descriptor >= 0 else { throw FileWriteError(.create, target: "'\(path)'", cause: errno) }
        fchmod(descriptor, 0o600)
        self.path = path
        self.temporary = temporary
        output = BufferedOutput(descriptor: descriptor, target: "'\(path)'")
    }

    deinit {
        discard()
    }

    /// Appends `text`.
    public func write(_ text: String) {
        output.write(text)
    }

    /// Appends `bytes`.
    public func write(bytes: some Collection<UInt8>) {
        output.write(bytes: bytes)
    }

    /// The first write that failed, if any (the file is then incomplete and `finish` throws it).
    public var failure: FileWriteError? { output.failure }

    /// Writes what is buffered, syncs the file and moves it to `path`; on any failure the
    /// temporary file is removed and `path` left as it was.
    public func finish() throws(FileWriteError) {
        guard writing else { return }
        output.flush()
        if let failure = output.failure {
            discard()
            throw failure
        }
        writing = false
        let synced = fsync(output.descriptor) == 0 ? 0 : errno
        let closed = close(output.descriptor) == 0 ? 0 : errno
        guard synced == 0, closed == 0 else {
            unlink(temporary)
            throw FileWriteError(.sync, target: "'\(path)'", cause: synced != 0 ? synced : closed)
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw FileWriteError(.rename, target: "'\(path)'", cause: code)
        }
    }

    /// Gives the file up: the temporary file is removed (once; nothing after `finish`).
    public func discard() {
        guard writing else { return }
        writing = false
        close(output.descriptor)
        unlink(temporary)
    }

    /// Writes `bytes` as the whole file at `path`.
    public static func write(_ bytes: some Collection<UInt8>, to path: String) throws(FileWriteError) {
        let file = try OwnerOnlyFile(path: path)
        file.write(bytes: bytes)
        try file.finish()
    }
}
