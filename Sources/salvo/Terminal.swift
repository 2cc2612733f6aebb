import CampaignRunner
import SalvoIO

/// Writing to the standard streams, unbuffered and without interleaving surprises.
enum Terminal {
    static func standardOutput(_ text: String) {
        StandardStream.output.write(text)
    }

    /// Writes a message to standard error, with any control character in it escaped: messages
    /// may quote a provider's answer or a file's name, and neither may drive the terminal.
    static func standardError(_ line: String) {
        StandardStream.error.line(line)
    }

    /// Writes to standard error as is (a report whose parts were escaped already and which may be
    /// coloured).
    static func standardErrorRaw(_ text: String) {
        StandardStream.error.write(text)
    }

    static func isTerminal(fileDescriptor: Int32) -> Bool {
        StandardStream(descriptor: fileDescriptor).isTerminal
    }
}
