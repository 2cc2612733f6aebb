extension PhoneNumber {
    /// Text that should have been a phone number, as a message may show it: its digits' middle
    /// hidden (they may be personal data), other characters kept (they say why it is not one),
    /// shortened when long. The masking of the recipients' diagnostics.
    public static func maskedText(_ text: String) -> String {
        Diagnostic.masked(text)
    }
}
