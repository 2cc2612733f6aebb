public import AliyunSMS

/// What a preflight asks the account: a sign's review and carrier registration, a template's
/// review, type, content and variables. `SMSClient` conforms; tests may use a fake.
public protocol AccountQueries: Sendable {
    /// GetSmsSign for `signName`: the details, or why asking failed or was refused.
    func signDetails(_ signName: String) async -> Result<SignDetails, SMSFailure>
    /// GetSmsTemplate for `templateCode`: the details, or why asking failed or was refused.
    func templateDetails(_ templateCode: String) async -> Result<TemplateDetails, SMSFailure>
}

extension SMSClient: AccountQueries {}
