import AliyunSMS
import CampaignCompiler

extension Preflight {
    /// What the answer about the campaign's sign name says is wrong: not approved (or missing),
    /// not registered with every carrier.
    static func signFindings(_ answer: Result<SignDetails, SMSFailure>, campaign: Campaign) -> [Diagnostic] {
        let at = location(campaign.signName.range, in: campaign)
        let name = campaign.signName.value
        let details: SignDetails
        switch answer {
        case .failure(let failure):
            return [.signMissing(name, answer: "\(failure.code): \(failure.message)", at: at)]
        case .success(let answered):
            details = answered
        }
        var findings: [Diagnostic] = []
        if details.status != .approved {
            findings.append(.signNotApproved(name, status: details.status.description, reason: details.rejectInfo, at: at))
        }
        let unfinished = details.carriers.filter { $0.status != CarrierRegistration.registeredStatus }
        if !unfinished.isEmpty {
            let problems = unfinished.map { carrier in
                "\(carrier.operatorCode.isEmpty ? "an operator" : carrier.operatorCode): \(registrationWords(carrier.status))"
                    + (carrier.reasons.isEmpty ? "" : " (\(carrier.reasons.joined(separator: "; ")))")
            }
            let blocking = unfinished.contains { blockingRegistrations.contains($0.status ?? 3) }
            findings.append(.signCarrierRegistration(name, problems: problems, blocking: blocking, at: at))
        }
        return findings
    }

    /// `RegisterStatus` values under which carriers block bulk sends: failed, not registered, expired.
    static let blockingRegistrations: Set<Int> = [0, -2, 2]

    /// A `RegisterStatus` in words.
    static func registrationWords(_ status: Int?) -> String {
        switch status {
        case 3: "registered and verified"
        case 1: "registered, awaiting verification"
        case -1: "registering"
        case -2: "not registered"
        case 0: "registration failed"
        case 2: "registration expired (no sends for 6 months)"
        case nil: "no registration status"
        case let other?: "registration status \(other)"
        }
    }
}
