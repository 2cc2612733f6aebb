import Foundation
import Testing
@testable import SMSEmulator

/// `--report-fail-rate` per template code: a bad variant's or a failing canary's receipts fail
/// while the others' are delivered, decided as repeatably as one rate for all.
@Suite struct ReportFailRateTests {
    static func messages(_ count: Int, template: String) -> [RecordedMessage] {
        (0..<count).map { index in
            RecordedMessage(bizId: "\(index / 100 + 1)^0", requestId: "r", action: "SendBatchSms", phone: String(13_900_000_000 + index), signName: "云杉商城",
                            templateCode: template, parameters: "{}", outId: nil, sentAt: "2027-03-01 10:00:00", sendDate: "20270301")
        }
    }

    static func failed(_ plan: ReportPlan, _ messages: [RecordedMessage]) -> Int {
        plan.reports(for: messages).decided.filter { !$0.success }.count
    }

    @Test func aTemplateCodesRateWinsOverTheRateForAll() {
        var plan = ReportPlan(url: "")
        plan.failRate = 0.02
        plan.failRates = ["SMS_2": 1, "SMS_3": 0]
        #expect(Self.failed(plan, Self.messages(500, template: "SMS_2")) == 500)
        #expect(Self.failed(plan, Self.messages(500, template: "SMS_3")) == 0)
        let others = Self.failed(plan, Self.messages(5000, template: "SMS_1"))
        #expect((50...150).contains(others), "about 2% of 5,000 for a code without its own rate: \(others)")
    }

    @Test func oneRateForAllDecidesAsBefore() {
        // The same roll per message: a per-code rate equal to the rate for all changes nothing.
        var single = ReportPlan(url: "")
        single.failRate = 0.3
        var coded = single
        coded.failRates = ["SMS_1": 0.3]
        let messages = Self.messages(2000, template: "SMS_1")
        #expect(single.reports(for: messages).decided.map(\.success) == coded.reports(for: messages).decided.map(\.success))
    }
}
