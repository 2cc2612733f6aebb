import Foundation
import SalvoIO

/// A campaign's status as the contract's one JSON object: `{"campaign", "state", "recipients": …}`;
/// a state that cannot be read is `{"campaign", "state": "error", "error"}`.
public struct JSONStatusReporter: StatusReporter {
    private let output: any TextOutput

    /// A reporter writing to `output`.
    public init(output: any TextOutput) {
        self.output = output
    }

    /// Writes the status's object.
    public func status(_ status: CampaignStatus) {
        output.write(status.json())
    }

    /// Writes the error object (without a line break, as before).
    public func failure(campaign: String, message: String) {
        let object: [String: Any] = ["campaign": campaign, "state": "error", "error": message]
        if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
            output.write(String(decoding: data, as: UTF8.self))
        }
    }
}
