/// The calling-code table (generated data, `CallingCodeTable.swift`, from scripts/gen-calling-codes):
/// which digits start a country's number, which lengths its numbers have, and its regions.
public enum CallingCodes {
    /// The calling code a digits-only E.164 number starts with (1–3 digits), or nil.
    public static func callingCode(ofDigits digits: some StringProtocol) -> Int? {
        var top = 0
        for byte in digits.utf8.prefix(3) {
            let digit = Int(byte) - Int(UInt8(ascii: "0"))
            guard (0...9).contains(digit) else { break }
            top = top * 10 + digit
        }
        // E.164 numbers do not start with 0 (a code read after one would be another number's).
        guard digits.utf8.first != UInt8(ascii: "0") else { return nil }
        return callingCode(ofTop: top)
    }

    /// The same over the number's value (no leading zero in E.164), fast: the hot loop asks it.
    public static func callingCode(ofValue value: UInt64) -> Int? {
        var top = value
        while top >= 1000 { top /= 10 }
        return callingCode(ofTop: Int(top))
    }

    /// The calling code among the first one, two and three digits `top` holds (its first digit
    /// not 0), or nil. Calling codes are prefix-free: at most one of them is one.
    private static func callingCode(ofTop top: Int) -> Int? {
        let prefixes = Lookup.shared.prefixes
        var prefix = top
        while prefix > 0 {
            if prefixes[prefix] != 0 { return prefix }
            prefix /= 10
        }
        return nil
    }

    /// The region an ISO code names (case-insensitive), or nil.
    public static func region(iso: String) -> PhoneRegion? {
        let upper = iso.uppercased()
        return CallingCodeTable.regions.first { $0.iso == upper }.map(PhoneRegion.init)
    }

    /// The main region's ISO code of a calling code ("HK" for 852, "US" for 1, "001" for a
    /// non-geographic code such as 800), for messages.
    public static func mainRegion(callingCode: Int) -> String? {
        Lookup.shared.entry(callingCode: callingCode).map { CallingCodeTable.codes[$0.table].region }
    }

    /// Whether a national significant number of `length` digits is possible for `callingCode`
    /// (libphonenumber's `is_possible_number`: its main region's lengths, local ones included).
    public static func isPossible(nationalLength: Int, callingCode: Int) -> Bool {
        guard let entry = Lookup.shared.entry(callingCode: callingCode) else { return false }
        return entry.isPossible(nationalLength)
    }

    /// The table arranged for the hot loop: a calling code found by its digits in one array.
    struct Lookup: Sendable {
        /// One calling code's facts, as plain numbers.
        struct Entry: Sendable {
            /// The calling code.
            var code: Int
            /// Its index in `CallingCodeTable.codes`.
            var table: Int
            /// Bit n: n national digits are possible.
            var lengths: UInt32
            /// Bit n: n digits are possible only locally.
            var localLengths: UInt32
            /// The main region's trunk prefix as digits (value and count; count 0: none).
            var trunk: DigitString

            /// Whether `length` national digits are possible (local-only lengths included).
            @inline(__always)
            func isPossible(_ length: Int) -> Bool {
                length >= 0 && length < 32 && (lengths | localLengths) & (1 << UInt32(length)) != 0
            }
        }

        /// Per prefix value 1-999, 1 + the index of its calling code in `entries`, or 0.
        let prefixes: [UInt16]
        /// Every calling code.
        let entries: [Entry]

        /// The one lookup, built from the generated table on first use.
        static let shared = Lookup()

        private init() {
            var prefixes = [UInt16](repeating: 0, count: 1000)
            var entries: [Entry] = []
            for (index, row) in CallingCodeTable.codes.enumerated() {
                entries.append(Entry(code: row.code, table: index, lengths: row.lengths, localLengths: row.localLengths,
                                     trunk: DigitString(row.nationalPrefix)))
                prefixes[row.code] = UInt16(entries.count)
            }
            self.prefixes = prefixes
            self.entries = entries
        }

        /// The entry of a calling code, or nil.
        func entry(callingCode: Int) -> Entry? {
            guard (1...999).contains(callingCode) else { return nil }
            let slot = Int(prefixes[callingCode])
            return slot == 0 ? nil : entries[slot - 1]
        }
    }

    /// A short string of digits (a trunk or international prefix, a calling code) as a number
    /// and a count, which a buffer of digit values compares with without allocating.
    struct DigitString: Sendable, Hashable {
        /// The digits as one number ("0011" is 11 with count 4).
        var value: UInt64
        /// How many digits; 0 for none.
        var count: Int

        /// The digits of `text` (digits only, at most 18), or none.
        init(_ text: String?) {
            value = 0
            count = 0
            guard let text, text.utf8.count <= 18, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return }
            for byte in text.utf8 {
                value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
                count += 1
            }
        }

        /// Whether `buffer[start..<end]` (digit values) starts with these digits and has more after them.
        @inline(__always)
        func isStrictPrefix(of buffer: UnsafeMutableBufferPointer<UInt8>, from start: Int, to end: Int) -> Bool {
            guard count > 0, end - start > count else { return false }
            var prefix: UInt64 = 0
            for index in start..<(start + count) { prefix = prefix &* 10 &+ UInt64(buffer[index]) }
            return prefix == value
        }
    }
}
