import CampaignCompiler
import Foundation

/// One country's figures in a campaign's status, by calling code: recipients planned, sent (in
/// requests the provider accepted), delivered (by their receipts), failed (refused by the
/// provider, or not delivered by their receipts), and the segments and cost of those sent.
public struct CountryFigures: Sendable, Hashable {
    /// Recipients in the plan.
    public var recipients = 0
    /// Recipients in requests the provider accepted.
    public var sent = 0
    /// Recipients whose receipt says delivered.
    public var delivered = 0
    /// Recipients the provider refused, and those whose receipt says not delivered.
    public var failed = 0
    /// Segments of the recipients sent.
    public var segments = 0
    /// The cost of those segments, at the campaign's price for the calling code.
    public var cost = 0.0
    /// Segments billed, as the receipts say (the HTML report's billed cost; not in `status`).
    public var billedSegments = 0
    /// Their cost at the calling code's price.
    public var billedCost = 0.0

    /// No recipient yet.
    public init() {}

    /// The object `status --json` writes under the calling code.
    var jsonObject: [String: Any] {
        ["recipients": recipients, "sent": sent, "delivered": delivered, "failed": failed, "segments": segments,
         "cost": Money.rounded(cost)]
    }

    /// A line of `status` text: `+852 (HK): 3 of 3 sent, 2 delivered, 1 failed, 6 segments, cost 0.36`.
    func line(callingCode: Int, region: String?) -> String {
        "+\(callingCode)\(region.map { " (\($0))" } ?? ""): \(sent) of \(recipients) sent, \(delivered) delivered, \(failed) failed, "
            + "\(segments) segment\(segments == 1 ? "" : "s"), cost \(Money.format(cost))"
    }
}
