public import AliyunSMS
import CampaignCompiler
import YAMLSyntax

/// Asks the account about campaigns' signs and templates (each distinct one once) and finds what
/// differs from the campaign files. Nothing is sent: GetSmsSign and GetSmsTemplate are read-only.
public struct Preflight: Sendable {
    /// Whom the questions go to.
    public var account: any AccountQueries

    /// A preflight asking `account`.
    public init(account: any AccountQueries) {
        self.account = account
    }

    /// Findings as diagnostics located in each campaign file, or `unreachable` when the provider
    /// could not be asked (throttled, down, the key refused). Asking stops at the first such
    /// failure: a throttling provider is not asked again at once.
    public func check(_ campaigns: [LoadedCampaign]) async -> PreflightResult {
        var signs: [String: Result<SignDetails, SMSFailure>] = [:]
        var templates: [String: Result<TemplateDetails, SMSFailure>] = [:]
        var result = PreflightResult(diagnostics: [])
        for loaded in campaigns {
            let campaign = loaded.campaign
            let name = campaign.signName.value, code = campaign.template.code.value
            if signs[name] == nil {
                let answer = await account.signDetails(name)
                signs[name] = answer
                result.signNames.append(name)
                if case .failure(let failure) = answer, Self.isFailureToAsk(failure) { return result.unreachable(failure) }
            }
            if templates[code] == nil {
                let answer = await account.templateDetails(code)
                templates[code] = answer
                result.templateCodes.append(code)
                if case .failure(let failure) = answer, Self.isFailureToAsk(failure) { return result.unreachable(failure) }
            }
            if let sign = signs[name] { result.diagnostics += Self.signFindings(sign, campaign: campaign) }
            if let template = templates[code] { result.diagnostics += Self.templateFindings(template, campaign: campaign) }
        }
        result.diagnostics.sort(by: Diagnostic.fileOrder)
        return result
    }

    /// Whether `failure` means the provider could not be asked, rather than an answer about the
    /// sign or template: no answer, throttling, a server error, an unreadable body, no
    /// credentials, or a refused key.
    public static func isFailureToAsk(_ failure: SMSFailure) -> Bool {
        if [SMSFailure.transportCode, SMSFailure.credentialsCode, SMSFailure.unreadableCode].contains(failure.code) { return true }
        if CredentialRefusal.codes.contains(failure.code) { return true }
        if failure.errorClass == .backoff || failure.errorClass == .ambiguous || failure.errorClass == .later { return true }
        return (failure.httpStatus ?? 0) >= 500
    }

    /// The location of `range` in `campaign`'s file.
    static func location(_ range: SourceRange, in campaign: Campaign) -> SourceLocation {
        SourceLocation(file: campaign.path, range: range)
    }
}

extension PreflightResult {
    /// The result so far, marked as not proving anything: asking failed with `failure`.
    func unreachable(_ failure: SMSFailure) -> PreflightResult {
        var copy = self
        copy.unreachable = failure
        copy.diagnostics.sort(by: Diagnostic.fileOrder)
        return copy
    }
}
