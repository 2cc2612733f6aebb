#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard output or standard error, written unbuffered: each `write` reaches the descriptor
/// whole before it returns, resumed after partial writes and interruptions.
public struct StandardStream: TextOutput, Sendable {
    /// The file descriptor written to.
    public let descriptor: Int32

    /// Standard output (descriptor 1).
    public static let output = StandardStream(descriptor: 1)
    /// Standard error (descriptor 2).
    public static let error = StandardStream(descriptor: 2)

    /// A stream on `descriptor`.
    public init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Writes `text`; a failure (a closed pipe) is dropped, as `print` would.
    public func write(_ text: String) {
        Self.write(Array(text.utf8)[...], to: descriptor)
    }

    /// Whether the stream is a terminal.
    public var isTerminal: Bool { isatty(descriptor) == 1 }

    /// Writes all of `bytes` to `descriptor`, resuming after partial writes and interruptions;
    /// false when a write fails (a full disk, a closed pipe), with `errno` set.
    @discardableResult
    public static func write(_ bytes: ArraySlice<UInt8>, to descriptor: Int32) -> Bool {
        var bytes = bytes
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { buffer in
                #if canImport(Glibc)
                Glibc.write(descriptor, buffer.baseAddress, buffer.count)
                #else
                Darwin.write(descriptor, buffer.baseAddress, buffer.count)
                #endif
            }
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            bytes = bytes.dropFirst(written)
        }
        return true
    }
}
