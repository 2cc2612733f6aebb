/// The mainland policy: a campaign sends to mainland mobile numbers `1[3-9]XXXXXXXXX`, written in
/// any of the forms `PhoneNumber.parse` normalises (`+86 138-0013-8000`, `008613800138000`…);
/// other countries' numbers are refused. Changing a mainland phone rule means changing this file.
struct MainlandPhonePolicy: PhonePolicy {
    /// Creates the policy.
    init() {}

    /// The verdict on a row's phone field as the full check reads it.
    func judge(_ text: String) -> PhoneVerdict {
        switch PhoneNumber.parse(text) {
        case .failure(let problem): .rejected(.unreadable(problem, text: text))
        case .success(let number):
            if case .international = number { .rejected(.refused(number)) } else { .accepted(number) }
        }
    }

    /// The mainland number's value when `bytes` parse as one, else nil (the fast reader's test).
    @inline(__always)
    func acceptedKey(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        // The common form, eleven digits alone, without the general parse.
        if bytes.count == 11, Self.isMobile(count: bytes.count, first: bytes[0] &- UInt8(ascii: "0"), second: bytes[1] &- UInt8(ascii: "0")) {
            var value: UInt64 = 0
            for byte in bytes {
                let digit = byte &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value &* 10 &+ UInt64(digit)
            }
            return value
        }
        if case .success(.mainland(let value)) = PhoneNumber.parse(utf8: bytes) { return value }
        return nil
    }

    /// Whether digits (values 0-9, not ASCII) of this count starting with `first`, `second` have
    /// the form of a mainland mobile number; `PhoneNumber.parse` asks this too.
    @inline(__always)
    static func isMobile(count: Int, first: UInt8, second: UInt8) -> Bool {
        count == 11 && first == 1 && second >= 3 && second <= 9
    }

    /// The mainland number of a key that `acceptedKey` gave.
    @inline(__always)
    func number(key: UInt64) -> PhoneNumber {
        .mainland(key)
    }
}
