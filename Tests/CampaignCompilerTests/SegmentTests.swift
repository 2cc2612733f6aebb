import Testing
@testable import CampaignCompiler

/// International segments: GSM-7 (160, then 153; the extension table counts two) and UCS-2 (70,
/// then 67), the sign in its brackets, and the fast reader's byte count against the String one.
@Suite struct SegmentTests {
    /// The length and segments of a message with sign `sign` and text `text`.
    static func measure(_ sign: String, _ text: String) -> (length: Int, encoding: MessageEncoding, segments: Int) {
        let (length, encoding) = MessageLength.international(signName: sign, rendered: text)
        return (length, encoding, MessageLength.segments(forLength: length, encoding: encoding))
    }

    // "[Shop]" is 4 + 4 = 8 septets: text of n characters makes 8 + n.
    @Test(arguments: [(151, 159, 1), (152, 160, 1), (153, 161, 2), (298, 306, 2), (299, 307, 3)])
    func gsm7Boundaries(textLength: Int, length: Int, segments: Int) {
        let measured = Self.measure("Shop", String(repeating: "a", count: textLength))
        #expect(measured.encoding == .gsm7)
        #expect(measured.length == length)
        #expect(measured.segments == segments)
    }

    @Test func anExtensionCharacterStraddlingTheBoundaryCountsTwo() {
        // 159 septets, then '€' (2): 161, two segments; with 'e' instead, 160 and one.
        let base = String(repeating: "a", count: 151)
        #expect(Self.measure("Shop", base + "e") == (160, .gsm7, 1))
        #expect(Self.measure("Shop", base + "€") == (161, .gsm7, 2))
        #expect(Self.measure("Shop", String(repeating: "a", count: 150) + "{") == (160, .gsm7, 1))
        #expect(GSM7.septets("^{}\\[~]|€\u{0C}") == 20)
    }

    @Test func oneChineseCharacterSwitchesTheWholeMessageToUCS2() {
        let english = String(repeating: "Sale now on. ", count: 10) // 130 characters
        #expect(Self.measure("Shop", english) == (138, .gsm7, 1))
        let mixed = english + "店"
        #expect(Self.measure("Shop", mixed) == (4 + 2 + 131, .ucs2, 3))
        #expect(MessageLength.segments(forLength: 70, encoding: .ucs2) == 1)
        #expect(MessageLength.segments(forLength: 71, encoding: .ucs2) == 2)
        #expect(MessageLength.segments(forLength: 134, encoding: .ucs2) == 2)
        #expect(MessageLength.segments(forLength: 135, encoding: .ucs2) == 3)
    }

    @Test func theSignCountsWithItsBrackets() {
        // A GSM sign: "[Sign]" is 4 + 2 + 2 septets.
        #expect(Self.measure("Sign", "") == (8, .gsm7, 1))
        // A Chinese sign: 【签名】 makes the message UCS-2, brackets one unit each.
        #expect(Self.measure("签名", "Hello") == (2 + 2 + 5, .ucs2, 1))
        // A GSM sign with a non-GSM text: [Sign] in UCS-2.
        #expect(Self.measure("Sign", "café ✓") == (4 + 2 + 6, .ucs2, 1))
    }

    @Test func gsm7Alphabet() {
        #expect(GSM7.septets("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCXYZÄÖÑÜ§¿abcxyzäöñüà") == 87)
        #expect(GSM7.septets("`") == nil)
        #expect(GSM7.septets("ç") == nil)  // only the capital Ç is in the basic set
        #expect(GSM7.septets("e\u{301}") == nil)  // a combining accent is outside
        #expect(GSM7.septets("\t") == nil)
        #expect(GSM7.septets("😀") == nil)
    }

    @Test func overFiveHundredCharactersIsTooLong() {
        let (length, _) = MessageLength.international(signName: "Shop", rendered: String(repeating: "a", count: 493))
        #expect(length == 501 && length > MessageLength.maxLength)
        #expect(MessageLength.international(signName: "店", rendered: String(repeating: "店", count: 497)).length == 500)
    }

    @Test func theBytesCountEqualsTheStringCount() {
        let pools: [[Character]] = [
            Array("abcXYZ019 @$_!?\n\r£¥èéÅΔΦΩÆßÉ¤¡§¿äöñüà"),   // basic
            Array("^{}\\[~]|€\u{0C}"),                             // extension
            Array("çáâêíóúýÿ«»©®°±µ¶·"),                           // Latin-1, outside GSM-7
            Array("短信签名中文測試"),                              // CJK
            Array("😀🎉👍🏽"),                                      // emoji
        ]
        var generator = SystemRandomNumberGenerator()
        for round in 0..<2_000 {
            var text = ""
            let usable = round % 3 == 0 ? pools : Array(pools.prefix(2))
            for _ in 0..<Int.random(in: 0...40, using: &generator) {
                text.append(usable.randomElement(using: &generator)!.randomElement(using: &generator)!)
            }
            let expected = GSM7.septets(text)
            var copy = text
            let fast = copy.withUTF8 { GSM7.septets(utf8: $0) }
            #expect(fast == expected, "\(text.debugDescription)")
        }
    }
}
