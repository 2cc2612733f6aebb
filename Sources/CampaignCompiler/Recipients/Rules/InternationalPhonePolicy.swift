/// The international policy: every row's number read as E.164 (`+CC…`, `00CC…`; bare digits are
/// CC + number, or with a default region national numbers of it, its trunk prefix dropped),
/// checked against the calling-code table, normalised to digits-only CC + number. A mainland
/// number (+86, any form) is refused: it goes with a mainland campaign. Changing an international
/// phone rule means changing this file or `PhoneNumber.readE164`.
struct InternationalPhonePolicy: PhonePolicy {
    /// How bare digits are read as national numbers of the default region, or nil (bare digits
    /// are CC + number).
    private let national: PhoneNumber.NationalRules?
    private let lookup: CallingCodes.Lookup

    /// Creates the policy; bare digits are national numbers of `defaultRegion` when one is given.
    init(defaultRegion: PhoneRegion?) {
        national = defaultRegion.map(PhoneNumber.NationalRules.init)
        lookup = .shared
    }

    /// The verdict on a row's phone field as the full check reads it.
    func judge(_ text: String) -> PhoneVerdict {
        var copy = text
        let result = copy.withUTF8 { read($0) }
        switch result {
        case .failure(let problem):
            return .rejected(.unreadable(problem, text: text))
        case .success(let reading):
            // Any +86 number is the mainland's (unless too long to be anyone's).
            if reading.callingCode == 86, reading.nationalLength <= 17 { return .rejected(.mainlandInInternational(reading.number)) }
            guard reading.isPossible else {
                return .rejected(.unreadable(.impossibleLength(callingCode: reading.callingCode, length: reading.nationalLength), text: text))
            }
            return .accepted(.international(reading.value, digits: reading.digitCount))
        }
    }

    /// The E.164 value (country code and number as one integer) when `bytes` hold a number this
    /// policy accepts, else nil (the fast reader's test).
    @inline(__always)
    func acceptedKey(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard case .success(let reading) = read(bytes), reading.isPossible, reading.callingCode != 86 else { return nil }
        return reading.value
    }

    /// The number of a key that `acceptedKey` gave.
    @inline(__always)
    func number(key: UInt64) -> PhoneNumber {
        .international(key, digits: PhoneNumber.decimalCount(key))
    }

    /// The E.164 reading of a field.
    @inline(__always)
    func read(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<PhoneNumber.E164Reading, PhoneNumber.Problem> {
        PhoneNumber.readE164(utf8: bytes, national: national, lookup: lookup)
    }
}
