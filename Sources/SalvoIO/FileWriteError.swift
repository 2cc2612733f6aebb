#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file that could not be written: which step failed, where, and the system's reason.
public struct FileWriteError: Error, Sendable, CustomStringConvertible {
    /// The step that failed.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Step: String { case create, write, sync, rename }
        fileprivate let step: Step

        /// The temporary file could not be made.
        public static let create = Code(step: .create)
        /// Bytes could not be written (a full disk, a closed pipe).
        public static let write = Code(step: .write)
        /// The written file could not be synced to disk or closed.
        public static let sync = Code(step: .sync)
        /// The complete file could not be moved to its name.
        public static let rename = Code(step: .rename)

        /// The step's name.
        public var description: String { step.rawValue }
    }

    /// The step that failed.
    public var code: Code
    /// What was being written, as messages name it: `'path'`, or `the report` for a stream.
    public var target: String
    /// The system error number (`errno`).
    public var cause: Int32

    /// An error of `code` while writing `target`, for the system error `cause`.
    public init(_ code: Code, target: String, cause: Int32) {
        self.code = code
        self.target = target
        self.cause = cause
    }

    /// The system's words for `cause`, as `strerror` gives them.
    public var reason: String { String(cString: strerror(cause)) }

    /// `cannot write 'path': No space left on device`.
    public var description: String { "cannot write \(target): \(reason)" }
}
