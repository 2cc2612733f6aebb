import CampaignCompiler
import Foundation
import Synchronization

/// A run on a terminal: a progress bar on standard error (sent, failed, deferred, rate, ETA) that
/// redraws itself, with waits and notes above it. Numbers are never shown, but in the requests of
/// a dry run with `showNumbers`.
public final class TerminalRunReporter: RunReporter {
    private let outputs: RunReporterOutputs

    private struct Bar {
        var counts = RunCounts()
        var lastDraw = 0.0
        var startedAt = Date().timeIntervalSince1970
        var sentAtStart: Int?
        var pace: Pace?
    }

    private let bar = Mutex(Bar())
    private let waits = RepeatedWaits()

    /// A reporter writing to `outputs`.
    public init(_ outputs: RunReporterOutputs) {
        self.outputs = outputs
    }

    /// Shows one event: the bar moves, waits and notes are written above it.
    public func show(_ event: RunEvent) {
        switch event {
        case .dryRun(let signed):
            outputs.dryRun(signed)
        case .progress(let counts, let pace):
            bar.withLock { state in
                state.counts = counts
                state.pace = pace
                if state.sentAtStart == nil { state.sentAtStart = counts.sent }
            }
            draw(force: false)
        case .sendingTo(let endpoint):
            outputs.errors.line("sending to \(endpoint)")
        case .notice(let text):
            outputs.errors.line("note: \(text)")
        case .sent(_, _, let recipients):
            bar.withLock { state in
                state.counts.sent += recipients
                state.counts.pending = max(0, state.counts.pending - recipients)
            }
            draw(force: false)
        case .waiting(let until, let local, let reason):
            guard !waits.repeats(until: until, reason: reason.description) else { return }
            // Above the progress bar: a wait of hours must not look like a hang.
            outputs.errors.write("\r\u{1B}[K")
            outputs.errors.line("waiting until \(local) (\(reason))")
            draw(force: true)
        case .problems(let report):
            outputs.errors.write(TextReporter(colored: true).render(report))
        case .preflighted(let summary, let findings):
            if !findings.diagnostics.isEmpty { outputs.errors.write(TextReporter(colored: true).render(findings)) }
            outputs.errors.line(summary)
        case .planned, .refused, .reconciled:
            break
        }
    }

    /// Redraws the progress line, at most five times a second unless forced.
    private func draw(force: Bool) {
        let now = Date().timeIntervalSince1970
        guard let text = bar.withLock({ state -> String? in
            guard force || now - state.lastDraw > 0.2, state.counts.total > 0 else { return nil }
            state.lastDraw = now
            let counts = state.counts
            let done = counts.sent + counts.failed + counts.expired
            let width = 30
            let filled = min(width, width * done / counts.total)
            let elapsed = max(now - state.startedAt, 0.001)
            let rate = Double(counts.sent - (state.sentAtStart ?? 0)) / elapsed
            let left = counts.pending + counts.deferred + counts.uncertain
            let eta = rate > 0 ? " ETA \(Int((Double(left) / rate).rounded(.up))) s" : ""
            let pace = state.pace.map { $0.reason == .configured ? "" : " (\($0.description))" } ?? ""
            return "\r" + String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
                + " \(counts.sent)/\(counts.total) sent, \(counts.failed) failed, \(counts.deferred) deferred, \(Int(rate))/s\(pace)\(eta)\u{1B}[K"
        }) else { return }
        outputs.errors.write(text)
    }

    /// Draws the bar a last time and ends its line.
    public func finish() {
        draw(force: true)
        outputs.errors.line("")
    }

    /// The message on standard error, the status as text.
    public func final(_ status: CampaignStatus?, message: String?) {
        outputs.finalText(status, message: message)
    }
}
