import AliyunSMS
import CampaignCompiler
import SalvoIO

/// The outputs of a run reporter and what it may show.
public struct RunReporterOutputs: Sendable {
    /// Where requests of a dry run, JSON lines and the final status go (standard output).
    public var output: any TextOutput & Sendable
    /// Where messages and progress go (standard error).
    public var errors: any TextOutput & Sendable
    /// Whether a dry run's requests show phone numbers in full.
    public var showNumbers: Bool

    /// Outputs for a run reporter.
    public init(output: any TextOutput & Sendable, errors: any TextOutput & Sendable, showNumbers: Bool = false) {
        self.output = output
        self.errors = errors
        self.showNumbers = showNumbers
    }

    /// A dry run's request, written to `output`.
    func dryRun(_ request: SignedRequest) {
        output.write(DryRunMasking.text(request, showNumbers: showNumbers))
    }

    /// The final message and status as text: the message on `errors`, the status on `output`.
    func finalText(_ status: CampaignStatus?, message: String?) {
        if let message { errors.line(message) }
        if let status { output.write(PrintableText.escapeLines(status.text())) }
    }
}
