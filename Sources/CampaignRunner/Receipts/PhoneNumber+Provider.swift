import CampaignCompiler

extension PhoneNumber {
    /// A number as the provider, a receipt or a plan writes it: any form `parse` reads (`138…`,
    /// `86138…`, `+86…`, `+852…`), else digits-only country code and number (`85291234567`,
    /// which `parse` takes for a malformed mainland number); nil for anything else.
    static func fromProvider(_ text: some StringProtocol) -> PhoneNumber? {
        if case .success(let number) = parse(text) { return number }
        return providerDigits(text)
    }
}
