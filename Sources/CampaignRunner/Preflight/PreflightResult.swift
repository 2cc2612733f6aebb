public import AliyunSMS
public import CampaignCompiler

/// What a preflight found: findings located in the campaign files, or that the provider could
/// not be asked.
public struct PreflightResult: Sendable {
    /// The findings, in file order.
    public var diagnostics: [Diagnostic]
    /// Why the provider could not be asked (transport, throttling, 5xx, a refused key); findings
    /// are then incomplete and the preflight proves nothing.
    public var unreachable: SMSFailure?
    /// The distinct sign names asked about, in the order first met.
    public var signNames: [String]
    /// The distinct template codes asked about, in the order first met.
    public var templateCodes: [String]

    /// Creates a result.
    public init(diagnostics: [Diagnostic], unreachable: SMSFailure? = nil, signNames: [String] = [], templateCodes: [String] = []) {
        self.diagnostics = diagnostics
        self.unreachable = unreachable
        self.signNames = signNames
        self.templateCodes = templateCodes
    }

    /// Whether any finding is an error (a run must not start).
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// One line for `run`'s log and the stored record: what was asked and what was found.
    public var summary: String {
        let asked = "\(Self.count(signNames.count, "sign name")), \(Self.count(templateCodes.count, "template"))"
        if let unreachable {
            // A refusal's words may name the whole key id: its code says enough here.
            let why = CredentialRefusal.codes.contains(unreachable.code) ? "the AccessKey refused: \(unreachable.code)" : "\(unreachable)"
            return "preflight could not ask the provider (\(why))"
        }
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.filter { $0.severity == .warning }.count
        if errors + warnings == 0 { return "preflight of \(asked): the account agrees" }
        let ids = Set(diagnostics.map(\.id.rawValue)).sorted().joined(separator: ", ")
        return "preflight of \(asked): \(Self.count(errors, "error")), \(Self.count(warnings, "warning")) (\(ids))"
    }

    private static func count(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }
}
