import CampaignCompiler
import SalvoIO

extension TextOutput {
    /// Writes a message as a line, with any control character in it escaped: messages may quote a
    /// provider's answer or a file's name, and neither may drive the terminal.
    public func line(_ text: String) {
        let escaped = PrintableText.escapeLines(text)
        write(escaped.hasSuffix("\n") ? escaped : escaped + "\n")
    }
}
