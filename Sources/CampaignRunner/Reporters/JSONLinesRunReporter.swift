import CampaignCompiler
import Foundation

/// A run as one JSON object per line on standard output (`run --json`): every event with `t`, the
/// seconds since the reporter was made, and the status last. Keys are sorted; values are written
/// by `JSONSerialization`, as the status's are.
public final class JSONLinesRunReporter: RunReporter {
    private let outputs: RunReporterOutputs
    private let started = Date().timeIntervalSince1970

    /// A reporter writing to `outputs`.
    public init(_ outputs: RunReporterOutputs) {
        self.outputs = outputs
    }

    /// Writes the event's object (a dry run's request as text, a plan's problems on standard error).
    public func show(_ event: RunEvent) {
        switch event {
        case .dryRun(let signed):
            outputs.dryRun(signed)
        case .progress(let counts, let pace):
            log(["event": "progress", "sent": counts.sent, "failed": counts.failed, "deferred": counts.deferred, "pending": counts.pending, "uncertain": counts.uncertain,
                 "pace": pace.rate.rounded(), "rate": pace.ceiling.rounded(), "paceReason": pace.reason.rawValue])
        case .sendingTo(let endpoint):
            log(["event": "endpoint", "endpoint": endpoint])
        case .notice(let text):
            log(["event": "notice", "message": text])
        case .planned(let batches, let recipients, let planId, let resumed):
            log(["event": "planned", "planId": planId, "batches": batches, "recipients": recipients, "resumed": resumed])
        case .sent(let batch, _, let recipients):
            log(["event": "sent", "batch": batch, "recipients": recipients])
        case .refused(let batch, let code, let errorClass, _):
            log(["event": "refused", "batch": batch, "code": code, "class": errorClass.rawValue])
        case .reconciled(let batch, let found):
            log(["event": "reconciled", "batch": batch, "found": found])
        case .waiting(let until, let local, let reason):
            log(["event": "waiting", "until": until, "local": local, "reason": reason.description])
        case .problems(let report):
            outputs.errors.write(TextReporter(colored: false).render(report))
        case .preflighted(let summary, let findings):
            // The findings as text on standard error (as a plan's problems), the event here.
            if !findings.diagnostics.isEmpty { outputs.errors.write(TextReporter(colored: false).render(findings)) }
            log(["event": "preflight", "summary": summary, "errors": findings.errorCount, "warnings": findings.diagnostics.count - findings.errorCount])
        }
    }

    private func log(_ object: [String: Any]) {
        var object = object
        object["t"] = ((Date().timeIntervalSince1970 - started) * 1000).rounded() / 1000
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        outputs.output.write(String(decoding: data, as: UTF8.self) + "\n")
    }

    /// The status's JSON object (the message is in the events already).
    public func final(_ status: CampaignStatus?, message: String?) {
        if let status { outputs.output.write(status.json()) }
    }
}
