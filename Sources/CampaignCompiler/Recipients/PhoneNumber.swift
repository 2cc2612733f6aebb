/// A recipient's phone number, normalised so that every way of writing one number compares equal:
/// `13800138000`, `+86 138-0013-8000` and `008613800138000` are one person.
public enum PhoneNumber: Sendable, Hashable {
    /// A mainland mobile number `1[3-9]XXXXXXXXX`, as its 11-digit value.
    case mainland(UInt64)
    /// Another country's number: country code and number, digits only (E.164 without `+`).
    case international(UInt64, digits: Int)

    /// Why a text is not a phone number.
    public enum Problem: Error, Sendable, Hashable {
        case empty
        case characters
        case mainlandForm
        case internationalLength
    }

    /// The number as the provider takes it: 11 digits, or country code and number.
    public var digits: String {
        switch self {
        case .mainland(let value):
            return String(value)
        case .international(let value, let count):
            let text = String(value)
            return String(repeating: "0", count: max(count - text.count, 0)) + text
        }
    }

    /// The number with its middle hidden, for logs and messages: `138****8000`.
    public var masked: String {
        let text = digits
        guard text.count > 7 else { return String(repeating: "*", count: text.count) }
        return String(text.prefix(3)) + String(repeating: "*", count: text.count - 7) + String(text.suffix(4))
    }

    /// A 64-bit key unique per number (international numbers carry the top bit).
    public var key: UInt64 {
        switch self {
        case .mainland(let value): value
        case .international(let value, _): value | (1 << 63)
        }
    }

    /// Normalises `text`: spaces, tabs, dashes, dots and parentheses are dropped; `+86`, `0086`
    /// and `86` before an 11-digit mainland number are stripped; other numbers written with `+` or
    /// `00` become country code + number.
    public static func parse(_ text: some StringProtocol) -> Result<PhoneNumber, Problem> {
        var digits: [UInt8] = []
        digits.reserveCapacity(16)
        var plus = false
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                guard digits.count < 20 else { return .failure(.characters) }
                digits.append(byte &- UInt8(ascii: "0"))
            case UInt8(ascii: "+") where digits.isEmpty && !plus:
                plus = true
            case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "\t"), UInt8(ascii: "."), UInt8(ascii: "("), UInt8(ascii: ")"):
                continue
            default:
                return .failure(.characters)
            }
        }
        if digits.isEmpty { return plus ? .failure(.characters) : .failure(.empty) }
        var international = plus
        var body = digits[...]
        if !plus, body.count > 2, body[body.startIndex] == 0, body[body.startIndex + 1] == 0 {
            international = true
            body = body.dropFirst(2)
        }
        if body.count == 13, body[body.startIndex] == 8, body[body.startIndex + 1] == 6 {
            let rest = body.dropFirst(2)
            if let mainland = mainland(rest) { return .success(mainland) }
            return .failure(.mainlandForm)
        }
        if international {
            guard (7...15).contains(body.count), body.first != 0 else { return .failure(.internationalLength) }
            return .success(.international(value(body), digits: body.count))
        }
        if let mainland = mainland(body) { return .success(mainland) }
        return .failure(.mainlandForm)
    }

    private static func mainland(_ digits: ArraySlice<UInt8>) -> PhoneNumber? {
        guard digits.count == 11, digits[digits.startIndex] == 1, digits[digits.startIndex + 1] >= 3 else { return nil }
        return .mainland(value(digits))
    }

    private static func value(_ digits: ArraySlice<UInt8>) -> UInt64 {
        digits.reduce(0) { $0 * 10 + UInt64($1) }
    }
}
