import YAMLSyntax

/// Compiler-style text: `path:line:col: error: message [id]`, the source line with the range
/// underlined, then notes and the fix-it; a summary line last.
public struct TextReporter: DiagnosticReporter {
    /// Whether to use ANSI colours (only on a terminal).
    public var colored: Bool

    /// Creates a text reporter.
    public init(colored: Bool = false) {
        self.colored = colored
    }

    public func render(_ report: ValidationReport) -> String {
        var out = ""
        for diagnostic in report.diagnostics {
            out += render(diagnostic, sources: report.sources)
        }
        for (file, ids) in report.omitted.sorted(by: { $0.key < $1.key }) {
            let total = ids.values.reduce(0) { $0 + $1.count }
            let parts = ids.sorted { $0.value.count != $1.value.count ? $0.value.count > $1.value.count : $0.key < $1.key }
                .map { "\($0.value.count) × \($0.key)" }.joined(separator: ", ")
            out += paint("note", "1;36") + ": \(total) more in \(PrintableText.escape(file)) not shown (\(parts)); --format json lists up to \(JSONReporter.perIDLimit) of each\n"
        }
        for (file, counts) in report.recipients {
            out += "\(PrintableText.escape(file)): " + Self.describe(counts) + "\n"
        }
        out += summary(report) + "\n"
        return out
    }

    /// One diagnostic with its excerpt and notes.
    public func render(_ diagnostic: Diagnostic, sources: [String: SourceText]) -> String {
        var out = header(diagnostic.location, severity: diagnostic.severity.rawValue, message: "\(diagnostic.message) [\(diagnostic.id)]", style: style(diagnostic.severity))
        if let location = diagnostic.location {
            out += excerpt(location, sources: sources, style: style(diagnostic.severity))
        }
        if let fixIt = diagnostic.fixIt {
            out += paint("help", "1;36") + ": \(PrintableText.escape(fixIt.message))\n"
        }
        for note in diagnostic.notes {
            if let location = note.location {
                out += header(location, severity: "note", message: note.message, style: "1;36")
                out += excerpt(location, sources: sources, style: "1;36")
            } else {
                out += paint("note", "1;36") + ": \(PrintableText.escape(note.message))\n"
            }
        }
        return out
    }

    /// One line of recipient counts: rows, what was set aside, and the segments to be billed.
    static func describe(_ counts: RecipientSummary) -> String {
        var aside: [String] = []
        if counts.invalid > 0 { aside.append("\(counts.invalid) invalid") }
        if counts.duplicates > 0 { aside.append("\(counts.duplicates) duplicate\(counts.duplicates == 1 ? "" : "s")") }
        if counts.excluded > 0 { aside.append("\(counts.excluded) excluded") }
        let histogram = counts.segmentHistogram.sorted { $0.key < $1.key }.map { "\($0.value) × \($0.key) segment\($0.key == 1 ? "" : "s")" }.joined(separator: ", ")
        var line = "\(counts.read) row\(counts.read == 1 ? "" : "s")"
        if !aside.isEmpty { line += " (" + aside.joined(separator: ", ") + ")" }
        line += ", \(counts.toSend) to send, \(counts.totalSegments) segment\(counts.totalSegments == 1 ? "" : "s")"
        if !histogram.isEmpty { line += " (\(histogram))" }
        return line
    }

    func summary(_ report: ValidationReport) -> String {
        let files = report.fileCount == 1 ? "1 file" : "\(report.fileCount) files"
        let errors = report.errorCount == 1 ? "1 error" : "\(report.errorCount) errors"
        let warnings = report.warningCount == 1 ? "1 warning" : "\(report.warningCount) warnings"
        return "checked \(files): \(errors), \(warnings)"
    }

    private func style(_ severity: Severity) -> String {
        switch severity {
        case .error: "1;31"
        case .warning: "1;33"
        case .note: "1;36"
        }
    }

    private func paint(_ text: String, _ code: String) -> String {
        colored ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    private func header(_ location: SourceLocation?, severity: String, message: String, style: String) -> String {
        var prefix = ""
        if let location {
            prefix = "\(PrintableText.escape(location.file)):\(location.range.start.line):\(location.range.start.column): "
        }
        return (colored ? "\u{1B}[1m\(prefix)\u{1B}[0m" : prefix) + paint(severity, style) + ": " + PrintableText.escape(message) + "\n"
    }

    /// The source line with a margin and the range underlined (`^~~~`), widths counted as a
    /// terminal shows them (CJK characters take two columns).
    private func excerpt(_ location: SourceLocation, sources: [String: SourceText], style: String) -> String {
        guard let text = sources[location.file] else { return "" }
        let range = location.range
        let lineNumber = range.start.line
        guard let line = text.line(lineNumber) else { return "" }
        // Tabs show as one space, other control characters as their visible symbols (␀, ␛, …),
        // so that an excerpt cannot move the cursor or ring the terminal.
        let scalars = Array(line.unicodeScalars).map { scalar -> Unicode.Scalar in
            if scalar == "\t" { return " " }
            if scalar.value < 0x20 { return Unicode.Scalar(0x2400 + scalar.value) ?? "?" }
            if scalar.value == 0x7F { return "\u{2421}" }
            if PrintableText.needsEscape(scalar) { return "\u{FFFD}" }
            return scalar
        }
        let number = String(lineNumber)
        let margin = String(repeating: " ", count: number.count)
        var startIndex = lineNumber == range.start.line ? max(range.start.column - 1, 0) : scalars.count
        var endIndex = range.end.line == lineNumber ? range.end.column - 1 : scalars.count
        endIndex = min(max(endIndex, startIndex + 1), max(scalars.count, startIndex + 1))
        // A long line is shown as a window of about 100 columns that starts a little before the range.
        var shown = scalars[...]
        var prefix = "", suffix = ""
        let widthLimit = 100
        if scalars.reduce(0, { $0 + DisplayWidth.of($1) }) > widthLimit {
            let from = max(0, min(startIndex, scalars.count) - 10)
            var to = from
            var width = 0
            while to < scalars.count, width + DisplayWidth.of(scalars[to]) <= widthLimit {
                width += DisplayWidth.of(scalars[to])
                to += 1
            }
            shown = scalars[from..<to]
            if from > 0 { prefix = "…" }
            if to < scalars.count { suffix = "…" }
            startIndex -= from
            endIndex = min(endIndex - from, to - from + 1)
        }
        let visible = Array(shown)
        let lead = visible.prefix(min(startIndex, visible.count)).reduce(prefix.count) { $0 + DisplayWidth.of($1) }
        let underlined = visible.count > startIndex ? visible[startIndex..<min(endIndex, visible.count)].reduce(0) { $0 + DisplayWidth.of($1) } : 0
        let width = max(underlined, 1)
        let marks = "^" + String(repeating: "~", count: width - 1)
        var out = " \(number) | \(prefix)\(String(String.UnicodeScalarView(visible)))\(suffix)\n"
        out += " \(margin) | " + String(repeating: " ", count: lead) + paint(marks, style) + "\n"
        return out
    }
}

/// How many terminal columns a scalar takes: two for East Asian wide and full-width characters.
enum DisplayWidth {
    static func of(_ scalar: Unicode.Scalar) -> Int {
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return 2
        case 0x0300...0x036F, 0x200B...0x200F, 0xFE00...0xFE0F:
            return 0
        default:
            return 1
        }
    }
}
