import Foundation

/// A GetSmsSign or GetSmsTemplate answer's JSON object, read tolerantly: numbers and strings
/// either way, `VariableAttribute` as a JSON string or an object, missing lists as empty.
struct AccountAnswer {
    /// The answer's top-level fields.
    let fields: [String: Any]

    /// The object in `bytes`; nil when it is not a JSON object with a `Code`.
    init?(json bytes: [UInt8]) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
              ResponseFields.string(object["Code"]) != nil else { return nil }
        fields = object
    }

    /// `Code`, `Message` and `RequestId`, as every answer has them.
    var response: SMSResponse {
        SMSResponse(code: ResponseFields.string(fields["Code"]) ?? "", message: ResponseFields.string(fields["Message"]) ?? "",
                    requestId: ResponseFields.string(fields["RequestId"]))
    }

    /// `AuditInfo.RejectInfo`, nil when absent or empty.
    var rejectInfo: String? {
        let audit = fields["AuditInfo"] as? [String: Any]
        guard let text = ResponseFields.string(audit?["RejectInfo"]), !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
        return text
    }

    /// A status field (`SignStatus`, `TemplateStatus`) sent as a number or a string.
    func status(_ key: String) -> ReviewStatus {
        ReviewStatus(wireValue: ResponseFields.string(fields[key]) ?? "")
    }

    /// `SignIspRegisterDetailList`: each operator's registration, reasons flattened to
    /// "CODE: description; description".
    var carriers: [CarrierRegistration] {
        let list = fields["SignIspRegisterDetailList"] as? [[String: Any]] ?? []
        return list.map { item in
            let reasons = (item["RegisterStatusReasons"] as? [[String: Any]] ?? []).compactMap { reason -> String? in
                let code = ResponseFields.string(reason["ReasonCode"]) ?? ""
                let descriptions = (reason["ReasonDescList"] as? [Any] ?? []).compactMap(ResponseFields.string).filter { !$0.isEmpty }
                let words = descriptions.joined(separator: "; ")
                if code.isEmpty { return words.isEmpty ? nil : words }
                return words.isEmpty ? code : "\(code): \(words)"
            }
            return CarrierRegistration(operatorCode: ResponseFields.string(item["OperatorCode"]) ?? "", status: ResponseFields.int(item["RegisterStatus"]),
                                       reasons: reasons)
        }
    }

    /// `VariableAttribute`: a JSON string in the SDK's model (`{"code":"numberCaptcha"}`), read
    /// as an object too; values that are not strings are kept as their text.
    var variableAttributes: [String: String] {
        var object = fields["VariableAttribute"] as? [String: Any]
        if object == nil, let text = fields["VariableAttribute"] as? String, !text.isEmpty {
            object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
        }
        var attributes: [String: String] = [:]
        for (name, value) in object ?? [:] {
            if let text = ResponseFields.string(value) { attributes[name] = text }
        }
        return attributes
    }
}
