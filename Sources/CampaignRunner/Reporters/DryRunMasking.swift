import AliyunSMS
import CampaignCompiler
import Foundation

/// A dry run's request as it is shown: the phone numbers of `PhoneNumbers` (SendSms, in the query)
/// and `PhoneNumberJson` (SendBatchSms, in the body) masked as `138****0000`; the signature is
/// still that of the request with the full numbers. The body's SHA-256 (`x-acs-content-sha256`) is
/// left out: with the masked number beside it, trying the ten thousand hidden digits against it
/// would give the number back.
public enum DryRunMasking {
    /// What replaces the body's hash.
    public static let hiddenHash = "(hidden: the hash of the body with the full numbers; --show-numbers prints it)"

    /// The request as a dry run prints it: method and URL, headers, the body, and a blank line.
    /// An STS security token is never shown, numbers or not.
    public static func text(_ signed: SignedRequest, showNumbers: Bool) -> String {
        let request = (showNumbers ? signed : masked(signed)).withSecurityTokenHidden
        var text = "\(request.method) \(request.url)\n"
        for (name, value) in request.headers { text += "\(name): \(value)\n" }
        if !request.body.isEmpty { text += "\n" + String(decoding: request.body, as: UTF8.self) + "\n" }
        return text + "\n"
    }

    /// `request` with its phone numbers masked and its body hash hidden.
    public static func masked(_ request: SignedRequest) -> SignedRequest {
        var request = request
        request.headers = request.headers.map { $0.0 == "x-acs-content-sha256" ? ($0.0, hiddenHash) : $0 }
        if let question = request.url.firstIndex(of: "?"), let pairs = PercentEncoding.parseForm(request.url[request.url.index(after: question)...]) {
            request.url = String(request.url[...question]) + PercentEncoding.form(pairs.map(maskedPair))
        }
        if !request.body.isEmpty, let pairs = PercentEncoding.parseForm(Substring(String(decoding: request.body, as: UTF8.self))) {
            request.body = Array(PercentEncoding.form(pairs.map(maskedPair)).utf8)
        }
        return request
    }

    private static func maskedPair(_ pair: (String, String)) -> (String, String) {
        switch pair.0 {
        case "PhoneNumbers", "PhoneNumber":
            return (pair.0, pair.1.split(separator: ",", omittingEmptySubsequences: false).map { mask(String($0)) }.joined(separator: ","))
        case "PhoneNumberJson":
            guard let numbers = try? JSONSerialization.jsonObject(with: Data(pair.1.utf8)) as? [String],
                  let data = try? JSONSerialization.data(withJSONObject: numbers.map(mask)) else { return (pair.0, mask(pair.1)) }
            return (pair.0, String(decoding: data, as: UTF8.self))
        default:
            return pair
        }
    }

    private static func mask(_ text: String) -> String {
        if let phone = PhoneNumber.fromProvider(text) { return phone.masked }
        return PhoneNumber.maskedText(text)
    }
}
