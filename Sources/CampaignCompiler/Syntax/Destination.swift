/// Where a campaign's messages go: mainland numbers with a mainland template, or any other
/// country's numbers with an international template (the provider's TemplateType 3). The provider
/// refuses to mix them: a mainland number with an international template is
/// `isv.DOMESTIC_NUMBER_NOT_SUPPORTED`.
public enum Destination: String, Sendable, CaseIterable {
    case mainland, international
}
