/// One call to Dysmsapi 2017-05-25, with its parameters placed as the official SDK places them:
/// SendSms and QuerySendDetails entirely in the query; SendBatchSms's TemplateCode and OutId in
/// the query and its JSON arrays in a form body.
public struct SMSOperation: Sendable {
    /// The API action, such as `SendBatchSms`.
    public var action: String
    /// Parameters sent in the query string.
    public var query: [(String, String)]
    /// Parameters sent in an `application/x-www-form-urlencoded` body.
    public var body: [(String, String)]

    /// The API version these operations belong to.
    public static let version = "2017-05-25"

    /// Why an operation cannot be built; a bug in the caller, not in the user's data.
    public struct Invalid: Error, Sendable, CustomStringConvertible {
        /// What is wrong.
        public var description: String
    }

    /// SendSms: one template with the same parameters to up to 1,000 numbers.
    public static func sendSms(phoneNumbers: [String], signName: String, templateCode: String,
                               templateParameters: [String: String]?, outId: String? = nil) throws(Invalid) -> SMSOperation {
        guard (1...1000).contains(phoneNumbers.count) else { throw Invalid(description: "SendSms takes 1 to 1000 numbers, not \(phoneNumbers.count)") }
        try checkOutId(outId)
        var query = [("PhoneNumbers", phoneNumbers.joined(separator: ",")), ("SignName", signName), ("TemplateCode", templateCode)]
        if let templateParameters { query.append(("TemplateParam", TemplateJSON.object(templateParameters))) }
        if let outId { query.append(("OutId", outId)) }
        return SMSOperation(action: "SendSms", query: query, body: [])
    }

    /// SendBatchSms: up to 100 numbers, each with its own sign name and parameters.
    public static func sendBatchSms(phoneNumbers: [String], signNames: [String], templateCode: String,
                                    templateParameters: [[String: String]]?, outId: String? = nil) throws(Invalid) -> SMSOperation {
        guard (1...100).contains(phoneNumbers.count) else { throw Invalid(description: "SendBatchSms takes 1 to 100 numbers, not \(phoneNumbers.count)") }
        guard signNames.count == phoneNumbers.count, templateParameters.map({ $0.count == phoneNumbers.count }) ?? true else {
            throw Invalid(description: "SendBatchSms arrays must have one entry per number")
        }
        try checkOutId(outId)
        var query = [("TemplateCode", templateCode)]
        if let outId { query.append(("OutId", outId)) }
        var body = [("PhoneNumberJson", TemplateJSON.array(phoneNumbers)), ("SignNameJson", TemplateJSON.array(signNames))]
        if let templateParameters { body.append(("TemplateParamJson", TemplateJSON.objects(templateParameters))) }
        return SMSOperation(action: "SendBatchSms", query: query, body: body)
    }

    /// QuerySendDetails: what the platform recorded for one number on one day (China time).
    public static func querySendDetails(phoneNumber: String, sendDate: String, bizId: String? = nil,
                                        pageSize: Int = 50, currentPage: Int = 1) throws(Invalid) -> SMSOperation {
        guard sendDate.count == 8, sendDate.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw Invalid(description: "SendDate is yyyyMMdd, not '\(sendDate)'") }
        guard (1...50).contains(pageSize), currentPage >= 1 else { throw Invalid(description: "PageSize is 1 to 50 and CurrentPage at least 1") }
        var query = [("PhoneNumber", phoneNumber), ("SendDate", sendDate), ("PageSize", String(pageSize)), ("CurrentPage", String(currentPage))]
        if let bizId { query.append(("BizId", bizId)) }
        return SMSOperation(action: "QuerySendDetails", query: query, body: [])
    }

    private static func checkOutId(_ outId: String?) throws(Invalid) {
        if let outId, outId.count >= 256 { throw Invalid(description: "OutId must be under 256 characters") }
    }
}

/// JSON as the template parameters need it: objects of strings with sorted keys, no escaped
/// slashes, non-ASCII as itself, so the same values always give the same bytes.
public enum TemplateJSON {
    /// A JSON string literal.
    public static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{8}": out += "\\b"
            case "\u{C}": out += "\\f"
            default:
                if scalar.value < 0x20 || scalar == "\u{2028}" || scalar == "\u{2029}" {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// `{"a":"1","b":"2"}` with keys in byte order.
    public static func object(_ values: [String: String]) -> String {
        let keys = values.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        return "{" + keys.map { string($0) + ":" + string(values[$0] ?? "") }.joined(separator: ",") + "}"
    }

    /// `["a","b"]`.
    public static func array(_ values: [String]) -> String {
        "[" + values.map(string).joined(separator: ",") + "]"
    }

    /// `[{…},{…}]`.
    public static func objects(_ values: [[String: String]]) -> String {
        "[" + values.map(object).joined(separator: ",") + "]"
    }
}
