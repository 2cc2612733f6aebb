import YAMLSyntax

extension CampaignDecoder {
    // MARK: - Default country

    /// `recipients.default-country`: an ISO 3166 alpha-2 code the calling-code table knows,
    /// upper-cased; whether it suits the campaign's destination is `checkDestination`'s.
    mutating func decodeDefaultCountry(_ node: YAMLNode) -> Located<String>? {
        guard let raw = text(node, "recipients.default-country") else { return nil }
        let code = raw.value.uppercased()
        guard code.count == 2, code != "001", CallingCodes.region(iso: code) != nil else {
            // The one common mistake: the United Kingdom's ISO code is GB.
            report(.defaultCountryUnknown(raw.value, suggestion: code == "UK" ? "GB" : nil, at: location(raw.range)))
            return nil
        }
        return Located(code, at: raw.range)
    }

    /// What the destination asks of the rest of the file: a default country only for an
    /// international campaign, and never the mainland's own.
    mutating func checkDestination(template: Template?, recipients: Recipients?) {
        guard let template, let country = recipients?.defaultCountry else { return }
        if template.destination.value == .mainland {
            report(.defaultCountryMainlandCampaign(at: location(country.range)))
        } else if CallingCodes.region(iso: country.value)?.callingCode == 86 {
            report(.defaultCountryMainland(country.value, at: location(country.range)))
        }
    }

    // MARK: - Prices

    /// `sending.price-per-segment`: one price, or a mapping from calling codes (`"852"`) to prices
    /// with a `default` for the codes not named.
    mutating func decodePrices(_ node: YAMLNode) -> SegmentPrices? {
        let path = "sending.price-per-segment"
        guard let pairs = node.mapping else {
            return number(node, path, atLeast: 0).map { SegmentPrices(defaultPrice: $0.value) }
        }
        var prices: [Int: Double] = [:]
        var defaultPrice: Double?
        var sound = true
        for pair in pairs {
            guard let key = pair.key.scalar?.value else {
                report(.wrongType(path, expected: "a mapping from calling codes to prices", found: pair.key.kindDescription, at: location(site(pair.key))))
                sound = false
                continue
            }
            guard let price = number(pair.value, "\(path).\(key)", atLeast: 0)?.value else {
                sound = false
                continue
            }
            if key == "default" {
                defaultPrice = price
            } else if let code = Self.callingCode(key) {
                if prices[code] != nil {
                    report(.priceCallingCodeTwice(code, at: location(site(pair.key))))
                    sound = false
                }
                prices[code] = price
            } else {
                report(.priceCallingCode(key, at: location(site(pair.key))))
                sound = false
            }
        }
        guard let defaultPrice else {
            report(.priceDefaultMissing(at: location(site(node))))
            return nil
        }
        return sound ? SegmentPrices(byCallingCode: prices, defaultPrice: defaultPrice) : nil
    }

    /// A calling code as a price map names it: `852` or `+852`, one the table knows.
    private static func callingCode(_ key: String) -> Int? {
        let digits = key.hasPrefix("+") ? key.dropFirst() : Substring(key)
        guard (1...3).contains(digits.count), digits.first != "0", digits.allSatisfy({ $0.isASCII && $0.isNumber }), let code = Int(digits),
              CallingCodes.mainRegion(callingCode: code) != nil else { return nil }
        return code
    }
}
