/// The phone policy of a campaign's destination, as one concrete type: the row rules call it for
/// every row, and a switch over two known policies is inlined where an existential call is not.
enum CampaignPhones: Sendable {
    case mainland(MainlandPhonePolicy)
    case international(InternationalPhonePolicy)

    /// The policy of `destination`; bare international digits are national numbers of
    /// `defaultRegion` when one is given.
    init(_ destination: Destination, defaultRegion: PhoneRegion?) {
        switch destination {
        case .mainland: self = .mainland(MainlandPhonePolicy())
        case .international: self = .international(InternationalPhonePolicy(defaultRegion: defaultRegion))
        }
    }

    /// The policy's verdict on a row's phone field, as the full check reads it.
    func judge(_ text: String) -> PhoneVerdict {
        switch self {
        case .mainland(let policy): policy.judge(text)
        case .international(let policy): policy.judge(text)
        }
    }

    /// The accepted number's key, or nil (the fast reader's test).
    @inline(__always)
    func acceptedKey(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        switch self {
        case .mainland(let policy): policy.acceptedKey(bytes)
        case .international(let policy): policy.acceptedKey(bytes)
        }
    }

    /// The number of a key that `acceptedKey` gave.
    @inline(__always)
    func number(key: UInt64) -> PhoneNumber {
        switch self {
        case .mainland(let policy): policy.number(key: key)
        case .international(let policy): policy.number(key: key)
        }
    }

    /// The number an exclusion or suppression list entry stands for, read as the campaign reads
    /// its rows (any country's number, so that a list shared by campaigns works for each), or the
    /// reason it is not one.
    func listed(_ text: String) -> Result<PhoneNumber, PhoneNumber.Problem> {
        switch judge(text) {
        case .accepted(let number): return .success(number)
        case .rejected(.refused(let number)), .rejected(.mainlandInInternational(let number)): return .success(number)
        case .rejected(.unreadable(let problem, _)): return .failure(problem)
        }
    }

    /// Whether a key is an international number's value (the mainland sets' prefetch and sizing
    /// apply to mainland keys only).
    var isMainland: Bool {
        if case .mainland = self { true } else { false }
    }
}
