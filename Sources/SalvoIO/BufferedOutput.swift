#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Text written to a descriptor in pieces of 64 KiB, for outputs of many small lines (a report
/// of a million rows); the first failure is kept and thrown by `finish`.
public final class BufferedOutput: TextOutput {
    /// The descriptor written to.
    public let descriptor: Int32
    /// What is written, as messages name it.
    private let target: String
    private var buffer: [UInt8] = []
    /// The first write that failed: the output is then incomplete.
    public private(set) var failure: FileWriteError?

    /// Bytes kept before they are written.
    static let capacity = 1 << 16

    /// An output to `descriptor`, named `target` in errors (`the report`, `'out.csv'`).
    public init(descriptor: Int32, target: String) {
        self.descriptor = descriptor
        self.target = target
    }

    /// Appends `text`.
    public func write(_ text: String) {
        write(bytes: text.utf8)
    }

    /// Appends `bytes`; a large piece goes out at once.
    public func write(bytes: some Collection<UInt8>) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.capacity { flush() }
    }

    /// Writes what is buffered.
    public func flush() {
        if !buffer.isEmpty, !StandardStream.write(buffer[...], to: descriptor), failure == nil {
            failure = FileWriteError(.write, target: target, cause: errno)
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is buffered; throws the first failure.
    public func finish() throws(FileWriteError) {
        flush()
        if let failure { throw failure }
    }
}
