#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing to the standard streams, unbuffered and without interleaving surprises.
enum Terminal {
    static func standardOutput(_ text: String) {
        write(text, to: 1)
    }

    static func standardError(_ line: String) {
        write(line.hasSuffix("\n") ? line : line + "\n", to: 2)
    }

    /// Writes to standard error as is (a progress line that redraws itself with '\r').
    static func standardErrorRaw(_ text: String) {
        write(text, to: 2)
    }

    static func isTerminal(fileDescriptor: Int32) -> Bool {
        isatty(fileDescriptor) == 1
    }

    private static func write(_ text: String, to descriptor: Int32) {
        var bytes = Array(text.utf8)[...]
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
                return
            }
            bytes = bytes.dropFirst(written)
        }
    }
}
