import Testing
@testable import CampaignCompiler

/// Campaign files built to cost time or output: the check stays quick and its messages short.
@Suite struct HostileCampaignTests {
    @Test func aHugeValueIsShortenedInMessages() async {
        let huge = String(repeating: "x", count: 100_000)
        let text = "version: 1\ncampaign: dos\nsign-name: 云杉商城\ntemplate: {code: SMS_1, type: notification, content: 您好}\nrecipients: {from: [{csv: a.csv}]}\nschedule:\n  timezone: \(huge)\n"
        let check = await CampaignChecker.check(bytes: Array(text.utf8), path: "dos.yaml", options: CheckOptions(checksRecipientFiles: false))
        let diagnostic = check.diagnostics.first { $0.id == "schedule-timezone" }
        #expect(diagnostic != nil)
        #expect((diagnostic?.message.count ?? .max) < 200)
    }

    @Test func suggestionsSkipWordsNoTypoExplains() {
        #expect(Suggestion.closest(to: String(repeating: "a", count: 10_000), among: ["Asia/Shanghai"]) == nil)
        #expect(Suggestion.closest(to: "Asia/Shangai", among: ["Asia/Shanghai", "Europe/Berlin"]) == "Asia/Shanghai")
    }
}
