import Testing
@testable import CampaignRunner

/// The HTML report never lets a bidi control reach the page: not raw, not as a character
/// reference (which the browser decodes back into the control), but as its visible code point.
@Suite struct HTMLBidiTests {
    static let controls: [Unicode.Scalar] = [
        "\u{202A}", "\u{202B}", "\u{202C}", "\u{202D}", "\u{202E}", "\u{2066}", "\u{2067}", "\u{2068}", "\u{2069}", "\u{200E}", "\u{200F}", "\u{061C}",
    ]

    @Test(arguments: controls)
    func aBidiControlIsShownAsItsCodePoint(_ control: Unicode.Scalar) {
        let code = String(control.value, radix: 16, uppercase: true)
        let escaped = DeliveryReport.escape("DELIVRD\(control)exe.txt")
        #expect(!escaped.unicodeScalars.contains(control), "raw U+\(code) reached the page")
        #expect(!escaped.lowercased().contains("&#x\(code.lowercased());") && !escaped.contains("&#\(control.value);"), "a reference decodes back into the control")
        #expect(escaped == "DELIVRD&lt;U+\(code)&gt;exe.txt")
    }

    @Test func otherTextIsLeftAsItWas() {
        #expect(DeliveryReport.escape("云杉商城 <b>&\"'") == "云杉商城 &lt;b&gt;&amp;&quot;&#39;")
        #expect(DeliveryReport.escape("العربية עברית") == "العربية עברית", "right-to-left letters are no controls")
    }
}
