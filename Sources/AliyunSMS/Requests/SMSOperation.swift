import SalvoIO

/// One call to Dysmsapi 2017-05-25, with its parameters placed as the official SDK places them:
/// SendSms, QuerySendDetails, GetSmsSign and GetSmsTemplate entirely in the query; SendBatchSms's TemplateCode and OutId in
/// the query and its JSON arrays in a form body.
public struct SMSOperation: Sendable {
    /// The API action, such as `.sendBatchSms`.
    public var action: SMSAction
    /// Parameters sent in the query string.
    public var query: [(String, String)]
    /// Parameters sent in an `application/x-www-form-urlencoded` body.
    public var body: [(String, String)]

    /// The API version these operations belong to.
    public static let version = "2017-05-25"

    /// Creates an operation from parameters already placed; the static builders check them.
    public init(action: SMSAction, query: [(String, String)], body: [(String, String)]) {
        self.action = action
        self.query = query
        self.body = body
    }

    /// SendSms: one template with the same parameters to up to 1,000 numbers.
    public static func sendSms(phoneNumbers: [String], signName: String, templateCode: String,
                               templateParameters: [String: String]?, outId: String? = nil) throws(Invalid) -> SMSOperation {
        guard (1...1000).contains(phoneNumbers.count) else { throw Invalid(.operation, "SendSms takes 1 to 1000 numbers, not \(phoneNumbers.count)") }
        try checkOutId(outId)
        var query = [("PhoneNumbers", phoneNumbers.joined(separator: ",")), ("SignName", signName), ("TemplateCode", templateCode)]
        if let templateParameters { query.append(("TemplateParam", TemplateJSON.object(templateParameters))) }
        if let outId { query.append(("OutId", outId)) }
        return SMSOperation(action: .sendSms, query: query, body: [])
    }

    /// SendBatchSms: up to 100 numbers, each with its own sign name and parameters.
    public static func sendBatchSms(phoneNumbers: [String], signNames: [String], templateCode: String,
                                    templateParameters: [[String: String]]?, outId: String? = nil) throws(Invalid) -> SMSOperation {
        guard (1...100).contains(phoneNumbers.count) else { throw Invalid(.operation, "SendBatchSms takes 1 to 100 numbers, not \(phoneNumbers.count)") }
        guard signNames.count == phoneNumbers.count, templateParameters.map({ $0.count == phoneNumbers.count }) ?? true else {
            throw Invalid(.operation, "SendBatchSms arrays must have one entry per number")
        }
        try checkOutId(outId)
        var query = [("TemplateCode", templateCode)]
        if let outId { query.append(("OutId", outId)) }
        var body = [("PhoneNumberJson", TemplateJSON.array(phoneNumbers)), ("SignNameJson", TemplateJSON.array(signNames))]
        if let templateParameters { body.append(("TemplateParamJson", TemplateJSON.objects(templateParameters))) }
        return SMSOperation(action: .sendBatchSms, query: query, body: body)
    }

    /// SendBatchSms with every recipient's values given in the order of `parameterNames`: the
    /// same request as with dictionaries, built without one per recipient.
    public static func sendBatchSms(phoneNumbers: [String], signName: String, templateCode: String,
                                    parameterNames: [String], values: [[String]], outId: String? = nil) throws(Invalid) -> SMSOperation {
        guard (1...100).contains(phoneNumbers.count) else { throw Invalid(.operation, "SendBatchSms takes 1 to 100 numbers, not \(phoneNumbers.count)") }
        guard parameterNames.isEmpty || values.count == phoneNumbers.count, values.allSatisfy({ $0.count == parameterNames.count }) else {
            throw Invalid(.operation, "SendBatchSms arrays must have one entry per number")
        }
        try checkOutId(outId)
        var query = [("TemplateCode", templateCode)]
        if let outId { query.append(("OutId", outId)) }
        var body = [("PhoneNumberJson", TemplateJSON.array(phoneNumbers)), ("SignNameJson", TemplateJSON.array(Array(repeating: signName, count: phoneNumbers.count)))]
        if !parameterNames.isEmpty { body.append(("TemplateParamJson", TemplateJSON.objects(names: parameterNames, rows: values))) }
        return SMSOperation(action: .sendBatchSms, query: query, body: body)
    }

    /// QuerySendDetails: what the platform recorded for one number on one day (China time).
    public static func querySendDetails(phoneNumber: String, sendDate: String, bizId: String? = nil,
                                        pageSize: Int = 50, currentPage: Int = 1) throws(Invalid) -> SMSOperation {
        guard sendDate.count == 8, sendDate.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw Invalid(.operation, "SendDate is yyyyMMdd, not '\(sendDate)'") }
        guard (1...50).contains(pageSize), currentPage >= 1 else { throw Invalid(.operation, "PageSize is 1 to 50 and CurrentPage at least 1") }
        var query = [("PhoneNumber", phoneNumber), ("SendDate", sendDate), ("PageSize", String(pageSize)), ("CurrentPage", String(currentPage))]
        if let bizId { query.append(("BizId", bizId)) }
        return SMSOperation(action: .querySendDetails, query: query, body: [])
    }

    /// GetSmsSign: a sign's review status and carrier registration (read-only; RPC POST, `SignName`).
    public static func getSmsSign(signName: String) throws(Invalid) -> SMSOperation {
        guard !signName.isEmpty else { throw Invalid(.operation, "GetSmsSign needs a sign name") }
        return SMSOperation(action: .getSmsSign, query: [("SignName", signName)], body: [])
    }

    /// GetSmsTemplate: a template's review status, type, content and variables (read-only; RPC
    /// POST, `TemplateCode`).
    public static func getSmsTemplate(templateCode: String) throws(Invalid) -> SMSOperation {
        guard !templateCode.isEmpty else { throw Invalid(.operation, "GetSmsTemplate needs a template code") }
        return SMSOperation(action: .getSmsTemplate, query: [("TemplateCode", templateCode)], body: [])
    }

    private static func checkOutId(_ outId: String?) throws(Invalid) {
        if let outId, outId.count >= 256 { throw Invalid(.operation, "OutId must be under 256 characters") }
    }
}

/// JSON as the template parameters need it: objects of strings with sorted keys, no escaped
/// slashes, non-ASCII as itself, so the same values always give the same bytes. Built on bytes:
/// a 100-recipient batch is encoded for every request.
public enum TemplateJSON {
    /// Appends the JSON string of `text` (`JSONString`, the one escaper).
    static func append(_ text: String, to out: inout [UInt8]) {
        JSONString.append(text, to: &out)
    }

    private static func appendObject(_ values: [String: String], keys: [String], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (index, key) in keys.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            append(key, to: &out)
            out.append(UInt8(ascii: ":"))
            append(values[key] ?? "", to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    private static func sortedKeys(_ values: [String: String]) -> [String] {
        values.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// A JSON string literal (U+2028 and U+2029 are left as they are: valid JSON).
    public static func string(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 2)
        append(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `{"a":"1","b":"2"}` with keys in byte order.
    public static func object(_ values: [String: String]) -> String {
        var out: [UInt8] = []
        appendObject(values, keys: sortedKeys(values), to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `["a","b"]`.
    public static func array(_ values: [String]) -> String {
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(values.count * 14 + 2)
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            append(value, to: &out)
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }

    /// `[{…},{…}]` from rows of values in the order of `names` (sorted once for all rows).
    public static func objects(names: [String], rows: [[String]]) -> String {
        let order = names.indices.sorted { names[$0].utf8.lexicographicallyPrecedes(names[$1].utf8) }
        var keys: [[UInt8]] = []
        for index in order {
            var key: [UInt8] = []
            append(names[index], to: &key)
            key.append(UInt8(ascii: ":"))
            keys.append(key)
        }
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(rows.count * 80 + 2)
        for (rowIndex, row) in rows.enumerated() {
            if rowIndex > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "{"))
            for (position, index) in order.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: keys[position])
                append(index < row.count ? row[index] : "", to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }

    /// `[{…},{…}]`; objects with the same keys share one sort.
    public static func objects(_ values: [[String: String]]) -> String {
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(values.count * 64 + 2)
        var keys: [String] = []
        var keySet: Set<String> = []
        for (index, object) in values.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            if object.count != keySet.count || !object.keys.allSatisfy(keySet.contains) {
                keys = sortedKeys(object)
                keySet = Set(keys)
            }
            appendObject(object, keys: keys, to: &out)
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }
}
