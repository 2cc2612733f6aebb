import CampaignCompiler
import YAMLSyntax

/// The preflight's message about a template's destination (beside the catalog's preflight
/// section, `Diagnostic+Messages.swift`, whose `template-type-mismatch` it shares).
extension Diagnostic {
    /// `template-type-mismatch`: an international campaign's template is a mainland one in the
    /// account (`accountType`: its kind in words); the provider would refuse every number.
    public static func templateNotInternational(_ code: String, accountType: String, at location: SourceLocation) -> Diagnostic {
        let shown = code.count > 40 ? String(code.prefix(37)) + "…" : code
        return Diagnostic(.error, "template-type-mismatch",
                          "template '\(shown)' is \(accountType) in the account, not an international template as 'template.destination: international' needs",
                          at: location,
                          fixIt: FixIt("use an international template (type 3) for numbers outside the mainland, or send mainland numbers with 'template.destination: mainland'"))
    }
}
