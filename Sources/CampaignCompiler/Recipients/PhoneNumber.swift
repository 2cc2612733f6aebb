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
        /// An international number whose first digits are no country's calling code.
        case unknownCallingCode
        /// A number with `length` national digits, which `callingCode`'s numbers never have.
        case impossibleLength(callingCode: Int, length: Int)
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
        if let result = text.utf8.withContiguousStorageIfAvailable({ parse(utf8: $0) }) { return result }
        return Array(text.utf8).withUnsafeBufferPointer { parse(utf8: $0) }
    }

    /// `parse` over UTF-8 bytes, without allocating.
    static func parse(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Result<PhoneNumber, Problem> {
        // At most 20 digits, in a fixed buffer: a phone number is checked for every row.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &digits) { raw in
            let buffer = raw.bindMemory(to: UInt8.self)
            var count = 0
            var plus = false
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"):
                    guard count < 20 else { return .failure(.characters) }
                    buffer[count] = byte &- UInt8(ascii: "0")
                    count += 1
                case UInt8(ascii: "+") where count == 0 && !plus:
                    plus = true
                case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "\t"), UInt8(ascii: "."), UInt8(ascii: "("), UInt8(ascii: ")"):
                    continue
                default:
                    return .failure(.characters)
                }
            }
            if count == 0 { return plus ? .failure(.characters) : .failure(.empty) }
            var international = plus
            var first = 0
            if !plus, count > 2, buffer[0] == 0, buffer[1] == 0 {
                international = true
                first = 2
            }
            let length = count - first
            if length == 13, buffer[first] == 8, buffer[first + 1] == 6 {
                if let mainland = mainland(buffer, from: first + 2, count: 11) { return .success(mainland) }
                return .failure(.mainlandForm)
            }
            if international {
                guard (7...15).contains(length), buffer[first] != 0 else { return .failure(.internationalLength) }
                return .success(.international(value(buffer, from: first, count: length), digits: length))
            }
            if let mainland = mainland(buffer, from: first, count: length) { return .success(mainland) }
            return .failure(.mainlandForm)
        }
    }

    /// Appends the decimal digits of `value` (a number's value) to `out`.
    static func appendDigits(_ value: UInt64, to out: inout some PlanByteSink) {
        withDecimalDigits(of: value) { out.appendBytes($0) }
    }

    /// Calls `body` with the decimal digits of `value` as ASCII, from a buffer on the stack.
    @inline(__always)
    static func withDecimalDigits<Result>(of value: UInt64, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &digits) { raw in
            var rest = value
            var index = 24
            repeat {
                index -= 1
                raw[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
            } while rest > 0
            return body(UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt8.self)[index..<24]))
        }
    }

    private static func mainland(_ digits: UnsafeMutableBufferPointer<UInt8>, from start: Int, count: Int) -> PhoneNumber? {
        guard count == 11, MainlandPhonePolicy.isMobile(count: count, first: digits[start], second: digits[start + 1]) else { return nil }
        return .mainland(value(digits, from: start, count: count))
    }

    private static func value(_ digits: UnsafeMutableBufferPointer<UInt8>, from start: Int, count: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in start..<(start + count) { value = value * 10 + UInt64(digits[index]) }
        return value
    }
}
