/// Numbers of every country: their calling code, the digits the provider writes, and the E.164
/// reading an international campaign gives each row's phone field.
extension PhoneNumber {
    /// 86 for a mainland number, the table's code for another (0 where unknown).
    public var callingCode: Int {
        switch self {
        case .mainland: 86
        case .international(let value, let digits):
            digits == Self.decimalCount(value) ? CallingCodes.callingCode(ofValue: value) ?? 0 : 0
        }
    }

    /// A number as the provider, a receipt, a reply or a plan writes it: any form `parse` reads
    /// (`138…`, `86138…`, `+86…`, `+852…`), else digits-only country code and number
    /// (`85291234567`, which `parse` takes for a malformed mainland number); nil for anything else.
    /// The one reader of provider digits: receipts, replies, reports and masks all use it.
    public static func fromProvider(_ text: some StringProtocol) -> PhoneNumber? {
        if case .success(let number) = parse(text) { return number }
        return providerDigits(text)
    }

    /// Reads digits only: 11 digits `1[3-9]…` are mainland, other 7–18 digits not starting with 0
    /// are country code + number.
    static func providerDigits(_ text: some StringProtocol) -> PhoneNumber? {
        var value: UInt64 = 0
        var count = 0
        var first: UInt8 = 0
        var second: UInt8 = 0
        for byte in text.utf8 {
            let digit = byte &- UInt8(ascii: "0")
            // Up to 19 digits fit the value; the policy accepts national numbers of up to 17
            // digits after a code (libphonenumber's longest), so the plan may hold such a number.
            guard digit < 10, count < 19 else { return nil }
            if count == 0 { first = digit } else if count == 1 { second = digit }
            value = value * 10 + UInt64(digit)
            count += 1
        }
        if MainlandPhonePolicy.isMobile(count: count, first: first, second: second) { return .mainland(value) }
        guard count >= 7, first != 0 else { return nil }
        return .international(value, digits: count)
    }

    /// The decimal digits of `value` (1 for 0).
    static func decimalCount(_ value: UInt64) -> Int {
        var count = 1
        var rest = value
        while rest >= 10 {
            rest /= 10
            count += 1
        }
        return count
    }

    // MARK: - Reading E.164

    /// A phone field read as E.164: calling code and national number, possible or not.
    struct E164Reading: Sendable, Hashable {
        /// The calling code (852).
        var callingCode: Int
        /// Digits after the calling code (trunk prefix dropped).
        var nationalLength: Int
        /// Calling code and national number as one value (85291234567); 0 when too long to hold.
        var value: UInt64
        /// Whether the national length is possible for the calling code.
        var isPossible: Bool

        /// Decimal digits of `value`.
        var digitCount: Int { PhoneNumber.decimalCount(value) }

        /// The number: mainland for a +86 mobile, else country code + number.
        var number: PhoneNumber {
            if callingCode == 86, nationalLength == 11 {
                let national = value % 100_000_000_000
                let first = UInt8(national / 10_000_000_000), second = UInt8(national / 1_000_000_000 % 10)
                if MainlandPhonePolicy.isMobile(count: 11, first: first, second: second) { return .mainland(national) }
            }
            return .international(value, digits: digitCount)
        }
    }

    /// How bare digits are read with a default region: its calling code, trunk and international
    /// prefixes and lengths, as numbers the byte-level reading compares without allocating.
    struct NationalRules: Sendable, Hashable {
        /// The region's calling code.
        var callingCode: Int
        /// The calling code's digits.
        var codeDigits: CallingCodes.DigitString
        /// The trunk prefix (count 0: none).
        var trunk: CallingCodes.DigitString
        /// The international prefix besides `00` (count 0: none).
        var internationalPrefix: CallingCodes.DigitString
        /// Bit n: n digits are possible in the region.
        var lengths: UInt32
        /// Bit n: n digits are possible only locally.
        var localLengths: UInt32
        /// Bit n: the region's mobile or fixed-line numbers have n digits.
        var commonLengths: UInt32

        /// The rules of `region`.
        init(_ region: PhoneRegion) {
            callingCode = region.callingCode
            codeDigits = CallingCodes.DigitString(String(region.callingCode))
            trunk = CallingCodes.DigitString(region.nationalPrefix)
            internationalPrefix = CallingCodes.DigitString(region.internationalPrefix == "00" ? nil : region.internationalPrefix)
            lengths = region.lengths
            localLengths = region.localLengths
            commonLengths = region.commonLengths
        }
    }

    /// Reads `bytes` as E.164 the way libphonenumber parses: `+CC…` and `00CC…` (and the default
    /// region's own international prefix) are international; bare digits are CC + number, or with
    /// `national` rules national numbers of that region (or its code followed by one). A trunk
    /// prefix is dropped when what follows has a possible length. Without allocating.
    static func readE164(utf8 bytes: UnsafeBufferPointer<UInt8>, national: NationalRules?, lookup: CallingCodes.Lookup) -> Result<E164Reading, Problem> {
        var storage: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &storage) { raw in
            let buffer = raw.bindMemory(to: UInt8.self)
            var count = 0
            var plus = false
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"):
                    // Digits past 24 are only counted: the number is too long either way.
                    if count < 24 { buffer[count] = byte &- UInt8(ascii: "0") }
                    count += 1
                case UInt8(ascii: "+") where count == 0 && !plus:
                    plus = true
                case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "\t"), UInt8(ascii: "."), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "/"):
                    continue
                default:
                    return .failure(.characters)
                }
            }
            if count == 0 { return plus ? .failure(.characters) : .failure(.empty) }
            let stored = min(count, 24)
            if !plus, let national {
                if national.internationalPrefix.isStrictPrefix(of: buffer, from: 0, to: stored) {
                    return international(buffer, from: national.internationalPrefix.count, count: count, lookup: lookup)
                }
                if !(count > 2 && buffer[0] == 0 && buffer[1] == 0) {
                    return nationalReading(buffer, count: count, rules: national, lookup: lookup)
                }
            }
            let start = !plus && count > 2 && buffer[0] == 0 && buffer[1] == 0 ? 2 : 0
            return international(buffer, from: start, count: count, lookup: lookup)
        }
    }

    /// Country code + number from `start`.
    private static func international(_ buffer: UnsafeMutableBufferPointer<UInt8>, from start: Int, count: Int, lookup: CallingCodes.Lookup) -> Result<E164Reading, Problem> {
        guard count > start, buffer[start] != 0 else { return .failure(.unknownCallingCode) }
        var prefix = 0
        var slot = 0
        var index = start
        while index < min(start + 3, count, 24) {
            prefix = prefix * 10 + Int(buffer[index])
            index += 1
            slot = Int(lookup.prefixes[prefix])
            if slot != 0 { break }
        }
        guard slot != 0 else { return .failure(.unknownCallingCode) }
        let entry = lookup.entries[slot - 1]
        var nationalStart = index
        if strips(entry.trunk, buffer, from: nationalStart, count: count, lengths: entry.lengths, localLengths: entry.localLengths) {
            nationalStart += entry.trunk.count
        }
        return .success(reading(buffer, code: entry.code, from: nationalStart, count: count, entry: entry))
    }

    /// Bare digits with a default region: a national number, its trunk prefix dropped, or the
    /// region's own calling code followed by one (`852 9123 4567` in Hong Kong).
    private static func nationalReading(_ buffer: UnsafeMutableBufferPointer<UInt8>, count: Int, rules: NationalRules, lookup: CallingCodes.Lookup) -> Result<E164Reading, Problem> {
        guard let entry = lookup.entry(callingCode: rules.callingCode) else { return .failure(.unknownCallingCode) }
        // libphonenumber takes the code off when the whole is no national number (by its patterns;
        // here: not a mobile or fixed-line length) and the rest is one, or when the whole is too
        // long to be a national number at all.
        if rules.codeDigits.isStrictPrefix(of: buffer, from: 0, to: min(count, 24)) {
            var rest = rules.codeDigits.count
            if strips(rules.trunk, buffer, from: rest, count: count, lengths: rules.lengths, localLengths: rules.localLengths) { rest += rules.trunk.count }
            let wholeTooLong = count >= 32 || UInt32(1) << UInt32(count) > rules.lengths
            let wholeNational = count < 32 && rules.commonLengths & (1 << UInt32(count)) != 0
            let restNational = count - rest < 32 && rules.commonLengths & (1 << UInt32(count - rest)) != 0
            if wholeTooLong || (!wholeNational && restNational) {
                return .success(reading(buffer, code: rules.callingCode, from: rest, count: count, entry: entry))
            }
        }
        let start = strips(rules.trunk, buffer, from: 0, count: count, lengths: rules.lengths, localLengths: rules.localLengths) ? rules.trunk.count : 0
        return .success(reading(buffer, code: rules.callingCode, from: start, count: count, entry: entry))
    }

    /// Whether a trunk prefix at `start` is dropped: libphonenumber drops it when the digits after
    /// it have a possible length that is not local-only, or are too long for any length.
    @inline(__always)
    private static func strips(_ trunk: CallingCodes.DigitString, _ buffer: UnsafeMutableBufferPointer<UInt8>, from start: Int, count: Int, lengths: UInt32, localLengths: UInt32) -> Bool {
        guard trunk.isStrictPrefix(of: buffer, from: start, to: min(count, 24)) else { return false }
        let rest = count - start - trunk.count
        guard rest < 32 else { return true }
        let bit: UInt32 = 1 << UInt32(rest)
        if localLengths & bit != 0 { return false }
        return lengths & bit != 0 || bit > lengths
    }

    /// The reading of national digits `buffer[start..<count]` after calling code `code`.
    @inline(__always)
    private static func reading(_ buffer: UnsafeMutableBufferPointer<UInt8>, code: Int, from start: Int, count: Int, entry: CallingCodes.Lookup.Entry) -> E164Reading {
        let length = count - start
        let possible = entry.isPossible(length)
        // Calling code and a possible national number fit 19 digits (the generator checks it).
        guard length <= 17, count <= 24 else { return E164Reading(callingCode: code, nationalLength: length, value: 0, isPossible: false) }
        var value = UInt64(code)
        for index in start..<count { value = value &* 10 &+ UInt64(buffer[index]) }
        return E164Reading(callingCode: code, nationalLength: length, value: value, isPossible: possible)
    }
}
