import Crypto
import Foundation
import SalvoIO

/// Writes a plan file as a stream of JSON lines through an `OwnerOnlyFile`: owner-readable only,
/// renamed into place when complete, so a crash never leaves half a plan under the plan's name.
final class PlanWriter {
    private let file: OwnerOnlyFile?
    private var buffer: [UInt8] = []
    private var requestsHasher = SHA256()

    /// A writer to `path`, or one that only counts when `path` is nil.
    init(path: String?) throws(PlanError) {
        do {
            file = try path.map { path throws(FileWriteError) in try OwnerOnlyFile(path: path) }
        } catch {
            throw PlanError(error.description, code: .unwritable, cause: error)
        }
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
        defer { buffer.removeAll(keepingCapacity: true) }
        guard let file, !buffer.isEmpty else { return }
        file.write(bytes: buffer)
        if let failure = file.failure { throw PlanError("cannot write the plan: \(failure.reason)", code: .unwritable, cause: failure) }
    }

    /// Gives up the plan: the partial file is removed and the destination left as it was.
    func discard() {
        file?.discard()
    }

    /// Flushes, syncs and moves the plan into place.
    func finish() throws(PlanError) {
        try flush()
        guard let file else { return }
        do {
            try file.finish()
        } catch where error.code == .rename {
            throw PlanError("cannot move the plan into place at '\(file.path)': \(error.reason)", code: .unwritable, cause: error)
        } catch {
            throw PlanError("cannot write the plan: \(error.reason)", code: .unwritable, cause: error)
        }
    }
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
