import ArgumentParser

/// One `--report-fail-rate` value: a share for every template (`0.02`), or for one template code
/// (`SMS_465012399=0.9`, which wins over the share for all).
struct FailRateOption: ExpressibleByArgument, Sendable {
    /// The template code, or nil for every template.
    var templateCode: String?
    /// The share of receipts that report a failure, 0 to 1.
    var rate: Double

    init?(argument: String) {
        let parts = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let code = parts.count == 2 ? String(parts[0]) : nil
        guard let rate = Double(parts.count == 2 ? parts[1] : parts[0]), (0...1).contains(rate) else { return nil }
        if let code {
            guard code.hasPrefix("SMS_"), code.count > 4, code.dropFirst(4).allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        }
        templateCode = code
        self.rate = rate
    }

    static var defaultValueDescription: String { "RATE or CODE=RATE" }
}
