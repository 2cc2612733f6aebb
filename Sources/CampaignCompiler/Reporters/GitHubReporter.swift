/// GitHub Actions workflow commands: one `::error file=…,line=…,col=…::message` line per
/// diagnostic, which GitHub shows as an annotation on the pull request's diff.
public struct GitHubReporter: DiagnosticReporter {
    /// Creates a GitHub reporter.
    public init() {}

    public func render(_ report: ValidationReport) -> String {
        var out = report.diagnostics.map(annotation).joined()
        for (file, ids) in report.omitted.sorted(by: { $0.key < $1.key }) {
            let total = ids.values.reduce(0) { $0 + $1.count }
            let parts = ids.sorted { $0.key < $1.key }.map { "\($0.value.count) × \($0.key)" }.joined(separator: ", ")
            out += "::notice file=\(Self.escapeProperty(PrintableText.escape(file))),title=\(Self.escapeProperty("salvo"))::\(Self.escapeData("\(total) more problems not annotated (\(parts)); run salvo validate --format json for more"))\n"
        }
        return out
    }

    /// The workflow command for one diagnostic, notes and fix-it folded into its message.
    public func annotation(_ diagnostic: Diagnostic) -> String {
        // User text is escaped (`printable`); only the line breaks added here separate its pieces.
        let diagnostic = diagnostic.printable
        let command: String
        switch diagnostic.severity {
        case .error: command = "error"
        case .warning: command = "warning"
        case .note: command = "notice"
        }
        var properties: [String] = []
        if let location = diagnostic.location {
            let range = location.range
            properties.append("file=\(Self.escapeProperty(location.file))")
            properties.append("line=\(range.start.line)")
            properties.append("col=\(range.start.column)")
            properties.append("endLine=\(range.end.line)")
            if range.end.line == range.start.line {
                properties.append("endColumn=\(range.end.column)")
            }
        }
        properties.append("title=\(Self.escapeProperty("salvo [\(diagnostic.id)]"))")
        var message = diagnostic.message
        if let fixIt = diagnostic.fixIt { message += "\nhelp: \(fixIt.message)" }
        for note in diagnostic.notes {
            let place = note.location.map { "\($0.file):\($0.range.start.line):\($0.range.start.column): " } ?? ""
            message += "\n\(place)note: \(note.message)"
        }
        return "::\(command) \(properties.joined(separator: ","))::\(Self.escapeData(message))\n"
    }

    static func escapeData(_ text: String) -> String {
        text.replacingAll("%", with: "%25").replacingAll("\r", with: "%0D").replacingAll("\n", with: "%0A")
    }

    static func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingAll(":", with: "%3A").replacingAll(",", with: "%2C")
    }
}

extension String {
    /// The text with every occurrence of `target` replaced.
    func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
