import CampaignCompiler

/// Which numbers a template may send to, as Alibaba Cloud rules: a mainland template (types 0–2)
/// takes mainland numbers (11 digits `1[3-9]…`, with or without `+86`, `0086`, `86`); an
/// international template (type 3) takes another country's numbers written as country code and
/// number, digits only (no `+`). A mainland number with an international template is refused
/// `isv.DOMESTIC_NUMBER_NOT_SUPPORTED`; an international number with a mainland template, like
/// any number the provider cannot read, `isv.MOBILE_NUMBER_ILLEGAL`.
///
/// With an international template, digits are read as country code + number first: eleven
/// digits `1[3-9]…` are a North American number (+1), as the provider's format says, and only a
/// number written with the mainland's code (`86…`, `+86`, `0086`) is a mainland one.
///
/// With no templates configured (the emulator accepts any template) a template's destination is
/// not known: the request's first number readable as either kind decides it, and the others
/// must be of that kind.
extension EmulatorCore {
    /// A number of a send as the provider reads it.
    struct SentNumber: Equatable {
        /// The number recorded: 11 digits for a mainland number, country code and number for
        /// another.
        var digits: String
        /// Whether it is a mainland number (the per-number daily caps count only those).
        var isMainland: Bool
    }

    /// The code of a mainland number sent with an international template.
    static let domesticNotSupported = "isv.DOMESTIC_NUMBER_NOT_SUPPORTED"

    /// The numbers of a send, read for `templateCode`'s destination: the numbers to record, or
    /// the refusal.
    func sentNumbers(_ phones: [String], templateCode: String) -> Result<[SentNumber], Refusal> {
        var international = configuration.templates[templateCode]?.isInternational
        var numbers: [SentNumber] = []
        numbers.reserveCapacity(phones.count)
        for phone in phones {
            // An international template reads country code + number first (11 digits 1[3-9]…
            // are +1); there only a number written with the mainland's code is a mainland one.
            let asInternational = international == true && !Self.hasMainlandCode(phone) ? Self.international(phone) : nil
            let mainland = asInternational == nil ? Self.mainland(phone) : nil
            let other = asInternational ?? (mainland == nil ? Self.international(phone) : nil)
            if international == nil, mainland != nil || other != nil { international = other != nil }
            if let mainland {
                guard international != true else {
                    return .failure(Refusal(200, Self.domesticNotSupported, "国际/港澳台短信模板不支持发送国内号码"))
                }
                numbers.append(SentNumber(digits: mainland, isMainland: true))
            } else if let other, international == true {
                numbers.append(SentNumber(digits: other, isMainland: false))
            } else {
                return .failure(Refusal(200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号"))
            }
        }
        return .success(numbers)
    }

    /// Whether a number is written with the mainland's calling code (`86…`, `+86…`, `0086…`).
    static func hasMainlandCode(_ text: String) -> Bool {
        text.hasPrefix("86") || text.hasPrefix("+86") || text.hasPrefix("0086")
    }

    /// A number QuerySendDetails takes: a mainland number (as SendSms reads it) or an
    /// international one (country code and number).
    static func queriedNumber(_ text: String) -> String? {
        mainland(text) ?? international(text)
    }

    /// An international number as the provider takes it: 7 to 15 digits, country code and
    /// number, no `+`, a known calling code other than the mainland's 86.
    static func international(_ text: String) -> String? {
        let bytes = text.utf8
        guard (7...15).contains(bytes.count), bytes.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              bytes.first != UInt8(ascii: "0"), let code = CallingCodes.callingCode(ofDigits: text), code != 86 else { return nil }
        return text
    }
}
