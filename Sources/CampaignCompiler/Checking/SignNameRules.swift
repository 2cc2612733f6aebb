import YAMLSyntax

/// The rules `validate` applies to a campaign's `sign-name`, for a sign name that comes from
/// elsewhere (the command line, a CSV): the very check the campaign decoder makes.
public enum SignNameRules {
    /// What is wrong with `name`, as the diagnostics' messages; empty when it is a valid sign name.
    public static func problems(_ name: String) -> [String] {
        var decoder = CampaignDecoder(path: "", text: SourceText(name))
        let start = SourcePosition(line: 1, column: 1)
        decoder.checkSignName(Located(name, at: SourceRange(start: start, end: start)))
        return decoder.diagnostics.filter { $0.severity == .error }.map(\.message)
    }
}
