/// The GSM 03.38 alphabet: basic characters count 1, the extension table's (`| ^ € { } [ ] ~ \`
/// and form feed) 2; anything else is outside it.
public enum GSM7 {
    /// Septets of `text`, or nil when a character is outside GSM-7.
    public static func septets(_ text: some StringProtocol) -> Int? {
        var total = 0
        for scalar in text.unicodeScalars {
            guard let count = septets(scalar: scalar.value) else { return nil }
            total += count
        }
        return total
    }

    /// The same over UTF-8 bytes, without allocating (the fast reader).
    static func septets(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var total = 0
        var index = 0
        let end = bytes.count
        while index < end {
            let lead = bytes[index]
            if lead < 0x80 {
                guard let count = ascii(lead) else { return nil }
                total += count
                index += 1
                continue
            }
            // Every GSM-7 character outside ASCII is two bytes in UTF-8, except € (three).
            var scalar: UInt32
            if lead & 0xE0 == 0xC0, index + 1 < end, bytes[index + 1] & 0xC0 == 0x80 {
                scalar = UInt32(lead & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F)
                index += 2
            } else if lead & 0xF0 == 0xE0, index + 2 < end, bytes[index + 1] & 0xC0 == 0x80, bytes[index + 2] & 0xC0 == 0x80 {
                scalar = UInt32(lead & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6 | UInt32(bytes[index + 2] & 0x3F)
                index += 3
            } else {
                return nil
            }
            guard let count = septets(scalar: scalar) else { return nil }
            total += count
        }
        return total
    }

    /// Septets of one Unicode scalar, or nil outside GSM-7.
    @inline(__always)
    static func septets(scalar: UInt32) -> Int? {
        if scalar < 0x80 { return ascii(UInt8(scalar)) }
        switch scalar {
        // £ ¥ è é ù ì ò Ç Ø ø Å å Δ Φ Γ Λ Ω Π Ψ Σ Θ Ξ Æ æ ß É ¤ ¡ Ä Ö Ñ Ü § ¿ ä ö ñ ü à
        case 0xA3, 0xA5, 0xE8, 0xE9, 0xF9, 0xEC, 0xF2, 0xC7, 0xD8, 0xF8, 0xC5, 0xE5,
             0x394, 0x3A6, 0x393, 0x39B, 0x3A9, 0x3A0, 0x3A8, 0x3A3, 0x398, 0x39E,
             0xC6, 0xE6, 0xDF, 0xC9, 0xA4, 0xA1, 0xC4, 0xD6, 0xD1, 0xDC, 0xA7, 0xBF, 0xE4, 0xF6, 0xF1, 0xFC, 0xE0:
            return 1
        case 0x20AC: // €
            return 2
        default:
            return nil
        }
    }

    /// Septets of an ASCII byte: printable characters 1 (the extension table's 2, '`' none),
    /// LF and CR 1, form feed 2, other control characters none.
    @inline(__always)
    private static func ascii(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "`"): nil
        case UInt8(ascii: "^"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "\\"), UInt8(ascii: "["), UInt8(ascii: "~"), UInt8(ascii: "]"), UInt8(ascii: "|"), 0x0C: 2
        case 0x20...0x7E, 0x0A, 0x0D: 1
        default: nil
        }
    }
}
