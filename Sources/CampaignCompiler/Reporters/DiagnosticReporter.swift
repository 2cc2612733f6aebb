/// Renders a validation report in one output format. Rendering is a pure function of the report.
public protocol DiagnosticReporter: Sendable {
    /// The whole output for `report`.
    func render(_ report: ValidationReport) -> String
}

/// The output formats `salvo validate --format` offers.
public enum ReportFormat: String, Sendable, CaseIterable {
    case text, json, github, sarif

    /// The reporter for this format; `colored` applies to text only.
    public func reporter(colored: Bool = false) -> any DiagnosticReporter {
        switch self {
        case .text: TextReporter(colored: colored)
        case .json: JSONReporter()
        case .github: GitHubReporter()
        case .sarif: SARIFReporter()
        }
    }
}
