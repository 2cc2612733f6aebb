import AliyunSMS
import Foundation

/// GetSmsSign and GetSmsTemplate, answered from the configuration in the shape of the official
/// SDK's models (`GetSmsSignResponseBody`, `GetSmsTemplateResponseBody` of
/// alibabacloud-dysmsapi20170525 4.6.0): `SignStatus` a number, `TemplateStatus` and
/// `TemplateType` strings, `VariableAttribute` a JSON string.
///
/// With no sign names configured (the emulator accepts any sign), every sign is approved and
/// registered with all three operators. With no templates configured (it accepts any template)
/// every template code is approved, but the emulator cannot know its content, type or variables:
/// the answer leaves out `TemplateContent`, `TemplateType` and `VariableAttribute`, and a
/// preflight warns `template-content-unknown` instead of comparing the wording (so that runs
/// against an emulator started without `--campaign`/`--config` preflight and send).
///
/// An unknown sign or template: the reference documents no code for GetSmsSign/GetSmsTemplate
/// on a missing one, so the emulator answers with the closest documented codes, the ones a send
/// gets for a sign or template the account does not know: `isv.SMS_SIGNATURE_ILLEGAL` and
/// `isv.SMS_TEMPLATE_ILLEGAL` (HTTP 200, as for sends).
extension EmulatorCore {
    /// GetSmsSign: the sign's review, reject info and carrier registrations.
    func getSmsSign(_ parameters: [String: String], now: Date, replying: Replying) -> EmulatorReply {
        guard let name = parameters["SignName"], !name.isEmpty else { return replying.reply(400, "MissingSignName", "SignName is mandatory for this action.") }
        let known = configuration.signNames
        guard known.isEmpty || known.contains(name) else { return replying.reply(200, "isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名") }
        let sign = configuration.signs[name] ?? KnownSign(name: name)
        let date = Self.chinaTime(now)
        let carriers: [[String: Any]] = sign.carriers.map { carrier in
            var entry: [String: Any] = ["OperatorCode": carrier.operatorCode, "OperatorCompleteTime": date,
                                        "RegisterStatusReasons": carrier.reasons.map { ["ReasonCode": $0, "ReasonDescList": [String]()] }]
            if let status = carrier.status { entry["RegisterStatus"] = status }
            return entry
        }
        let status: Any = Int(sign.status.wireValue) ?? sign.status.wireValue
        return replying.reply(200, "OK", "OK", extra: [
            "SignName": name, "SignStatus": status, "SignTag": "2", "SignUsage": "SELF_USE",
            "ThirdParty": false, "CreateDate": date, "AuditInfo": Self.auditInfo(sign.rejectInfo, date: date), "SignIspRegisterDetailList": carriers,
        ])
    }

    /// GetSmsTemplate: the template's review, type (and an international one's `IntlType`, a
    /// number as in the SDK's model), content and variable attributes.
    func getSmsTemplate(_ parameters: [String: String], now: Date, replying: Replying) -> EmulatorReply {
        guard let code = parameters["TemplateCode"], !code.isEmpty else { return replying.reply(400, "MissingTemplateCode", "TemplateCode is mandatory for this action.") }
        let date = Self.chinaTime(now)
        guard let template = configuration.templates[code] else {
            guard configuration.templates.isEmpty else { return replying.reply(200, "isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板") }
            // Accepting any template: approved, its content unknown (left out, not invented).
            return replying.reply(200, "OK", "OK", extra: [
                "TemplateCode": code, "TemplateName": code, "TemplateStatus": ReviewStatus.approved.wireValue, "TemplateTag": 2, "CreateDate": date,
                "AuditInfo": Self.auditInfo(nil, date: date),
            ])
        }
        var extra: [String: Any] = [
            "TemplateCode": code, "TemplateName": code, "TemplateContent": template.content, "TemplateStatus": template.status.wireValue,
            "TemplateTag": 2, "CreateDate": date, "AuditInfo": Self.auditInfo(template.rejectInfo, date: date),
            "VariableAttribute": TemplateJSON.object(template.variableAttributes),
        ]
        if let type = template.typeCode { extra["TemplateType"] = type }
        if template.isInternational, let intlType = template.intlType { extra["IntlType"] = intlType }
        return replying.reply(200, "OK", "OK", extra: extra)
    }

    /// `AuditInfo`: when it was reviewed and, for a rejection, why.
    private static func auditInfo(_ rejectInfo: String?, date: String) -> [String: Any] {
        var info: [String: Any] = ["AuditDate": date]
        if let rejectInfo { info["RejectInfo"] = rejectInfo }
        return info
    }
}
