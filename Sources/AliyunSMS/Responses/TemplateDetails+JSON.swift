extension TemplateDetails {
    /// Decodes a GetSmsTemplate answer whose `Code` is `OK`; nil for anything else.
    /// `TemplateStatus` and `TemplateType` are strings in the SDK's model and read as numbers
    /// too; `VariableAttribute` is a JSON string, read as an object too; `IntlType` a number or
    /// a string.
    public init?(json bytes: [UInt8]) {
        guard let answer = AccountAnswer(json: bytes), answer.response.isOK else { return nil }
        self.init(answer: answer, asked: nil)
    }

    /// The details in `answer`; `asked` stands in for a missing `TemplateCode`.
    init(answer: AccountAnswer, asked: String?) {
        let type = ResponseFields.string(answer.fields["TemplateType"]).flatMap { $0.isEmpty ? nil : $0 }
        self.init(templateCode: ResponseFields.string(answer.fields["TemplateCode"]) ?? asked ?? "", status: answer.status("TemplateStatus"),
                  rejectInfo: answer.rejectInfo, typeCode: type, content: ResponseFields.string(answer.fields["TemplateContent"]) ?? "",
                  variableAttributes: answer.variableAttributes)
        intlType = ResponseFields.string(answer.fields["IntlType"]).flatMap { Int($0) }
    }
}
