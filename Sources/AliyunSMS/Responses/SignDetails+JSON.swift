extension SignDetails {
    /// Decodes a GetSmsSign answer whose `Code` is `OK`; nil for anything else. `SignStatus` is a
    /// number in the SDK's model and read as a string too.
    public init?(json bytes: [UInt8]) {
        guard let answer = AccountAnswer(json: bytes), answer.response.isOK else { return nil }
        self.init(answer: answer, asked: nil)
    }

    /// The details in `answer`; `asked` stands in for a missing `SignName`.
    init(answer: AccountAnswer, asked: String?) {
        self.init(signName: ResponseFields.string(answer.fields["SignName"]) ?? asked ?? "", status: answer.status("SignStatus"),
                  rejectInfo: answer.rejectInfo, carriers: answer.carriers)
    }
}
