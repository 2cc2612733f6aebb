import Crypto
import Foundation

/// Writes a plan file as a stream of JSON lines: to a temporary file beside the destination,
/// owner-readable only, renamed into place when complete, so a crash never leaves half a plan
/// under the plan's name.
final class PlanWriter {
    private let destination: String?
    private let temporary: String?
    private var handle: FileHandle?
    private var buffer: [UInt8] = []
    private var requestsHasher = SHA256()

    /// A writer to `path`, or one that only counts when `path` is nil.
    init(path: String?) throws(PlanError) {
        destination = path
        guard let path else {
            temporary = nil
            return
        }
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temporary = (folder.isEmpty ? "." : folder) + "/.\(name).\(getpid()).partial"
        // A new file, never one that is there (a link planted in a shared folder such as /tmp would
        // otherwise be followed): a leftover of an earlier run is removed first.
        let flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC
        var descriptor = open(temporary, flags, 0o600)
        if descriptor < 0, errno == EEXIST, unlink(temporary) == 0 { descriptor = open(temporary, flags, 0o600) }
        guard descriptor >= 0 else { throw PlanError("cannot write '\(path)': \(String(cString: strerror(errno)))") }
        self.temporary = temporary
        handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    deinit {
        if let temporary, handle != nil { unlink(temporary) }
    }

    /// Appends one line.
    func line(_ text: String) throws(PlanError) {
        buffer.append(contentsOf: text.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Appends a request line, written by `write` straight into the buffer and counted in the
    /// digest the trailer carries.
    func requestLine(_ write: (inout [UInt8]) -> Void) throws(PlanError) {
        let start = buffer.count
        write(&buffer)
        buffer.append(0x0A)
        buffer.withUnsafeBytes { requestsHasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[start...])) }
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// The hex SHA-256 of the request lines written so far.
    var requestsDigest: String {
        PlanDigest.hex(requestsHasher.finalize())
    }

    private func flush() throws(PlanError) {
        guard let handle, !buffer.isEmpty else {
            buffer.removeAll(keepingCapacity: true)
            return
        }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw PlanError("cannot write the plan: \(error.localizedDescription)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Gives up the plan: the partial file is removed and the destination left as it was.
    func discard() {
        guard let handle, let temporary else { return }
        try? handle.close()
        self.handle = nil
        unlink(temporary)
    }

    /// Flushes, syncs and moves the plan into place.
    func finish() throws(PlanError) {
        try flush()
        guard let handle, let temporary, let destination else { return }
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            throw PlanError("cannot write the plan: \(error.localizedDescription)")
        }
        self.handle = nil
        guard rename(temporary, destination) == 0 else {
            unlink(temporary)
            throw PlanError("cannot move the plan into place at '\(destination)': \(String(cString: strerror(errno)))")
        }
    }
}

/// A failure of the environment while planning (a file that cannot be read or written).
public struct PlanError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What went wrong, in words.
    public var description: String
    /// An error described by `description`.
    public init(_ description: String) { self.description = description }

    /// The compile was stopped: its task was cancelled.
    public static let cancelled = PlanError("the plan was not finished: a stop was asked for")
}

/// The digest of a plan's request lines, as the writer makes it and the reader checks it.
struct PlanDigest {
    private var hasher = SHA256()

    /// Adds one request line (without its newline).
    mutating func add(_ line: UnsafeBufferPointer<UInt8>) {
        hasher.update(bufferPointer: UnsafeRawBufferPointer(line))
        hasher.update(data: [0x0A])
    }

    var hex: String { Self.hex(hasher.finalize()) }

    /// Lower-case hex of bytes (digests, in plan headers and trailers).
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] }, as: UTF8.self)
    }
}
