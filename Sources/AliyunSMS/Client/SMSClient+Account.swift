/// Read-only questions about the account: is a sign approved and registered, is a template
/// approved and what does it say. Nothing is sent, so an unanswered call is a failure to ask
/// (`.backoff`), never an ambiguous send.
extension SMSClient {
    /// GetSmsSign: read-only; a transport error is a failure to ask (never an ambiguous send).
    public func signDetails(_ signName: String) async -> Result<SignDetails, SMSFailure> {
        let operation: SMSOperation
        do { operation = try SMSOperation.getSmsSign(signName: signName) } catch { return .failure(Self.invalid(error, parameter: "SignName")) }
        return await ask(operation) { SignDetails(answer: $0, asked: signName) }
    }

    /// GetSmsTemplate: read-only; a transport error is a failure to ask (never an ambiguous send).
    public func templateDetails(_ templateCode: String) async -> Result<TemplateDetails, SMSFailure> {
        let operation: SMSOperation
        do { operation = try SMSOperation.getSmsTemplate(templateCode: templateCode) } catch { return .failure(Self.invalid(error, parameter: "TemplateCode")) }
        return await ask(operation) { TemplateDetails(answer: $0, asked: templateCode) }
    }

    /// Calls a read-only `operation` and reads its answer with `read` when `Code` is `OK`; an
    /// error answer is a failure with the provider's code. A platform error that would be
    /// ambiguous for a send (`isp.SYSTEM_ERROR`) is only a reason to ask again here.
    private func ask<Details>(_ operation: SMSOperation, read: (AccountAnswer) -> Details) async -> Result<Details, SMSFailure> {
        let response: HTTPResponse
        do { response = try await call(operation) } catch { return .failure(error) }
        guard let answer = AccountAnswer(json: response.body) else { return .failure(Self.unreadable(response, isSend: false)) }
        let decoded = answer.response
        guard decoded.isOK else {
            var failure = Self.failure(decoded, response: response, isSend: false)
            if failure.errorClass == .ambiguous { failure.errorClass = .backoff }
            return .failure(failure)
        }
        return .success(read(answer))
    }

    /// The failure for a question that cannot be asked (an empty name): nothing sent.
    private static func invalid(_ error: SMSOperation.Invalid, parameter: String) -> SMSFailure {
        SMSFailure(errorClass: .fatal, code: "Missing\(parameter)", message: error.message, notSent: true)
    }
}
