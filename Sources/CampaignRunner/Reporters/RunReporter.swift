/// Shows a run as it goes and how it ended: a terminal's progress bar (`TerminalRunReporter`),
/// log lines (`LogRunReporter`) or JSON lines (`JSONLinesRunReporter`). The command line chooses
/// one and gives it its outputs; the runner hands it events and never prints.
public protocol RunReporter: Sendable {
    /// Shows one event of the run.
    func show(_ event: RunEvent)
    /// The run has ended: completes what is still drawn (a progress line).
    func finish()
    /// The last word: how the run ended (`message`, nil for none) and where the campaign stands.
    func final(_ status: CampaignStatus?, message: String?)
}

extension RunReporter {
    /// Nothing is left drawn.
    public func finish() {}
}
