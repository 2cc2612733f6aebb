#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CampaignCompiler

/// Writing to the standard streams, unbuffered and without interleaving surprises.
enum Terminal {
    static func standardOutput(_ text: String) {
        write(text, to: 1)
    }

    /// Writes a message to standard error, with any control character in it escaped: messages
    /// may quote a provider's answer or a file's name, and neither may drive the terminal.
    static func standardError(_ line: String) {
        let escaped = PrintableText.escapeLines(line)
        write(escaped.hasSuffix("\n") ? escaped : escaped + "\n", to: 2)
    }

    /// Writes to standard error as is (a progress line that redraws itself with '\r', a report
    /// whose parts were escaped already and which may be coloured).
    static func standardErrorRaw(_ text: String) {
        write(text, to: 2)
    }

    static func isTerminal(fileDescriptor: Int32) -> Bool {
        isatty(fileDescriptor) == 1
    }

    private static func write(_ text: String, to descriptor: Int32) {
        write(Array(text.utf8)[...], to: descriptor)
    }

    /// Writes all of `bytes`, resuming after partial writes and interruptions; false when a write
    /// fails (a full disk, a closed pipe).
    @discardableResult
    static func write(_ bytes: ArraySlice<UInt8>, to descriptor: Int32) -> Bool {
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
