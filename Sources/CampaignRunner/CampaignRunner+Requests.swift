import AliyunSMS
import CampaignCompiler
import Foundation

/// The provider requests a plan stands for, and the dry run that signs them without sending.
extension CampaignRunner {
    /// The request a plan batch stands for.
    func operation(for batch: PlanBatch) throws -> SMSOperation {
        let names = campaign.parameters.map(\.name.value)
        func values(_ list: [String]) -> [String: String]? {
            names.isEmpty ? nil : Dictionary(zip(names, list), uniquingKeysWith: { first, _ in first })
        }
        if batch.action == PlanAction.sendSms.rawValue {
            return try SMSOperation.sendSms(phoneNumbers: batch.recipients.map { $0[0] }, signName: campaign.signName.value, templateCode: campaign.template.code.value,
                                            templateParameters: values(batch.values ?? []), outId: batch.outId)
        }
        return try SMSOperation.sendBatchSms(phoneNumbers: batch.recipients.map { $0[0] }, signName: campaign.signName.value, templateCode: campaign.template.code.value,
                                             parameterNames: names, values: batch.recipients.map { Array($0.dropFirst(2)) }, outId: batch.outId)
    }

    /// Signs every request of the plan and reports it, sending nothing and writing no state.
    func dryRun() async -> RunOutcome {
        guard let signer = client?.signer else { return .stopped(.failure("a dry run signs requests: it needs credentials")) }
        let temporary = NSTemporaryDirectory() + "salvo-dry-run-\(getpid()).jsonl"
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        do {
            let path: String
            if let given = options.planPath {
                path = given
            } else {
                let result = try await planCompiler().compile(output: temporary)
                guard result.isComplete else { return .stopped(.failure("the campaign has errors; 'salvo plan \(campaign.path)' shows them")) }
                path = temporary
            }
            _ = try PlanReader.batches(at: path) { (batch: PlanBatch) throws(PlanError) in
                guard let operation = try? operation(for: batch) else { throw PlanError("batch \(batch.batch) cannot be built") }
                events(.dryRun(signer.sign(operation)))
            }
            return .done
        } catch {
            return .stopped(.failure("\(error)"))
        }
    }
}
