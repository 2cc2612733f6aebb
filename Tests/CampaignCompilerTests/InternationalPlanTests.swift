import Foundation
import Testing
@testable import CampaignCompiler

/// International campaigns from file to plan: numbers in the form the provider takes, segments
/// counted per row in GSM-7 or UCS-2, tallies and costs per calling code in the batch lines, the
/// summary and the cost guard.
@Suite struct InternationalPlanTests {
    /// Compiles a campaign of `rows` (CSV under the header `phone,name`) whose template is
    /// `content`, with `extra` lines appended to the campaign file.
    static func compile(rows: [String], content: String = "Hi ${name}, your parcel is on its way.", sign: String = "Yunshan",
                        extra: String = "", batchSize: Int = 100) async throws -> (PlanResult, [PlanBatch], Campaign) {
        let folder = try scratchFolder()
        try (["phone,name"] + rows).joined(separator: "\n").appending("\n").write(toFile: folder + "/r.csv", atomically: true, encoding: .utf8)
        let yaml = """
            version: 1
            campaign: intl-plan
            sign-name: \(sign)
            template:
              code: SMS_465012390
              type: notification
              destination: international
              content: "\(content)"
            parameters:
              name: { type: name, from: name, default: "there" }
            recipients:
              from:
                - csv: r.csv
            sending:
              batch-size: \(batchSize)
            \(extra)
            """
        try yaml.write(toFile: folder + "/c.yaml", atomically: true, encoding: .utf8)
        let check = await CampaignChecker.check(path: folder + "/c.yaml", options: CheckOptions(checksRecipientFiles: false))
        let campaign = try #require(check.campaign, "\(check.diagnostics.map(\.message))")
        let output = folder + "/plan.jsonl"
        let result = try await PlanCompiler(campaign: campaign).compile(output: output)
        var batches: [PlanBatch] = []
        if result.isComplete { _ = try PlanReader.batches(at: output) { batches.append($0) } }
        return (result, batches, campaign)
    }

    @Test func numbersAreWrittenAsTheProviderTakesThemAndTalliedPerCountry() async throws {
        let (result, batches, _) = try await Self.compile(rows: ["+852 5123 4567,Chan", "0065 8123 4567,Tan", "447700900123,Olivia", "+852 6123 4568,Wong"],
                                                          extra: "  price-per-segment: { \"852\": 0.35, \"65\": 0.30, default: 0.5 }")
        let diagnostics = result.diagnostics.diagnostics.map(\.message)
        #expect(result.isComplete, "\(diagnostics)")
        #expect(batches.flatMap { $0.recipients.map { $0[0] } } == ["85251234567", "6581234567", "447700900123", "85261234568"])
        #expect(batches.first?.countries == ["852": [2, 2], "65": [1, 1], "44": [1, 1]])
        #expect(result.recipients.byCallingCode == [852: CountryCount(recipients: 2, segments: 2), 65: CountryCount(recipients: 1, segments: 1),
                                                    44: CountryCount(recipients: 1, segments: 1)])
        #expect(abs(result.estimatedCost - (2 * 0.35 + 0.30 + 0.5)) < 1e-9, "each country's segments at its price; GB at the default")
    }

    @Test func eachRowIsMeasuredWithItsOwnValuesInItsOwnEncoding() async throws {
        // [Yunshan] is 11 septets ([ and ] count two each); the text before the name 125.
        let fixed = String(repeating: "a", count: 125)
        let (result, batches, _) = try await Self.compile(rows: [
            "+852 5123 4567," + String(repeating: "b", count: 24),  // 11 + 125 + 24 = 160: one GSM-7 segment
            "+852 5123 4568," + String(repeating: "b", count: 25),  // 161: two segments of 153
            "+852 5123 4569,李",                                     // UCS-2: 7 + 2 + 125 + 1 = 135: three of 67
            "+852 5123 4570,{}",                                     // braces count two each: 11 + 125 + 4 = 140
        ], content: "\(fixed)${name}")
        #expect(result.isComplete, "\(result.diagnostics.diagnostics.map(\.message))")
        #expect(result.recipients.segmentHistogram == [1: 2, 2: 1, 3: 1])
        #expect(result.recipients.totalSegments == 1 + 2 + 3 + 1)
        #expect(batches.first?.segments == 7)
        #expect(result.samples.map(\.segments) == [1, 2, 3])
        #expect(result.samples.first?.text.hasPrefix("[Yunshan]") == true, "a GSM-7 message shows its sign as [Sign]")
        #expect(result.samples.last?.text.hasPrefix("【Yunshan】") == true, "a UCS-2 one as 【Sign】")
    }

    @Test func aChineseSignMakesEveryMessageUCS2() async throws {
        let (result, _, _) = try await Self.compile(rows: ["+852 5123 4567,Ann"], content: String(repeating: "a", count: 70) + " ${name}", sign: "云杉商城")
        #expect(result.recipients.totalSegments == 2, "4 + 2 + 70 + 4 = 80 UCS-2 characters: two segments of 67")
    }

    @Test func theCostGuardAppliesToTheSumOfTheCountries() async throws {
        let rows = (0..<10).map { "+852 5123 45\(10 + $0),Ann" } + (0..<10).map { "+44 7700 9001\(10 + $0),Ann" }
        let (result, _, _) = try await Self.compile(rows: rows, extra: "  price-per-segment: { \"852\": 1, default: 0.1 }\n  max-cost: 10.5")
        #expect(!result.isComplete)
        #expect(result.diagnostics.diagnostics.contains { $0.id == "limit-cost" && $0.message.contains("estimated cost 11 ") && $0.message.contains("each country's price") })
    }

    @Test func sendSmsGroupsAreTalliedToo() async throws {
        // Every value the same: the recipients go as SendSms groups, tallied per country.
        let rows = (0..<5).map { "+65 8123 456\($0)," } + (0..<3).map { "+852 5123 456\($0)," }
        let (result, batches, _) = try await Self.compile(rows: rows, batchSize: 2)
        #expect(result.isComplete)
        #expect(!batches.isEmpty && batches.allSatisfy { $0.action == PlanAction.sendSms.rawValue })
        var tally: [String: [Int]] = [:]
        for batch in batches {
            for (code, counts) in batch.countries ?? [:] { tally[code] = zip(tally[code] ?? [0, 0], counts).map { $0 + $1 } }
        }
        #expect(tally == ["65": [5, 5], "852": [3, 3]])
    }

    @Test func theSummaryListsEachCountry() async throws {
        let (result, _, campaign) = try await Self.compile(rows: ["+852 5123 4567,Chan", "+65 8123 4567,Tan"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(PlanSummary.json(result, campaign: campaign, written: nil).utf8)) as? [String: Any])
        let countries = try #require(json["countries"] as? [String: [String: Any]])
        #expect(Set(countries.keys) == ["852", "65"])
        #expect(countries["852"]?["recipients"] as? Int == 1)
        #expect(countries["65"]?["segments"] as? Int == 1)
        #expect(countries["65"]?["cost"] as? Double == 0.045)
        let text = PlanSummary.text(result, campaign: campaign, written: nil)
        #expect(text.contains("+852 HK") && text.contains("+65 SG"))
    }
}
