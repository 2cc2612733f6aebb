import CampaignCompiler
import SalvoIO

/// A campaign's status as a few lines for people, control characters escaped.
public struct TextStatusReporter: StatusReporter {
    private let output: any TextOutput

    /// A reporter writing to `output`.
    public init(output: any TextOutput) {
        self.output = output
    }

    /// Writes the status's lines.
    public func status(_ status: CampaignStatus) {
        output.write(PrintableText.escapeLines(status.text()))
    }

    /// Nothing more than the message on standard error.
    public func failure(campaign: String, message: String) {}
}
