import CampaignCompiler

/// A run written as plain log lines on standard error (not a terminal: cron, a CI job): one line
/// per plan, request, refusal, reconciliation and wait.
public final class LogRunReporter: RunReporter {
    private let outputs: RunReporterOutputs
    private let waits = RepeatedWaits()

    /// A reporter writing to `outputs`.
    public init(_ outputs: RunReporterOutputs) {
        self.outputs = outputs
    }

    /// Writes the event's line, if it has one.
    public func show(_ event: RunEvent) {
        let errors = outputs.errors
        switch event {
        case .dryRun(let signed):
            outputs.dryRun(signed)
        case .progress:
            break
        case .sendingTo(let endpoint):
            errors.line("sending to \(endpoint)")
        case .notice(let text):
            errors.line("note: \(text)")
        case .planned(let batches, let recipients, let planId, let resumed):
            errors.line("plan \(planId)\(resumed ? " (resumed)" : ""): \(recipients) recipient\(recipients == 1 ? "" : "s") in \(batches) request\(batches == 1 ? "" : "s"); sending when the schedule allows")
        case .sent(let batch, let action, let recipients):
            errors.line("batch \(batch) (\(action), \(recipients) recipients): accepted")
        case .refused(let batch, let code, let errorClass, let message):
            errors.line("batch \(batch): \(code) (\(errorClass.rawValue)): \(message)")
        case .reconciled(let batch, let found):
            errors.line("batch \(batch): \(found ? "found at the provider, counted as sent" : "not found at the provider, will be sent")")
        case .waiting(let until, let local, let reason):
            if !waits.repeats(until: until, reason: reason.description) { errors.line("waiting until \(local) (\(reason))") }
        case .problems(let report):
            errors.write(TextReporter(colored: false).render(report))
        case .preflighted(let summary, let findings):
            if !findings.diagnostics.isEmpty { errors.write(TextReporter(colored: false).render(findings)) }
            errors.line(summary)
        }
    }

    /// The message on standard error, the status as text.
    public func final(_ status: CampaignStatus?, message: String?) {
        outputs.finalText(status, message: message)
    }
}
