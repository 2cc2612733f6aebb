import Foundation
import Testing
@testable import CampaignCompiler

/// Frequency caps' pure core (issue 29, first step): windows on injected time, the provider's
/// built-in rules, and the evaluator's decision from a number's earlier sends.
@Suite struct FrequencyRuleTests {
    static let shanghai = TimeZone(identifier: "Asia/Shanghai") ?? .current
    static let verification = SendScope(campaign: "login", signName: "云杉商城", templateCode: "SMS_1", type: .verification)

    /// Seconds since 1970 of a wall-clock time in `zone`.
    static func time(_ text: String, _ zone: TimeZone = shanghai) -> Int64 {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return Int64(formatter.date(from: text)?.timeIntervalSince1970 ?? 0)
    }

    @Test func calendarDaysWeeksAndMonthsInAZone() {
        let day = RuleWindow.calendar(.day, Self.shanghai)
        #expect(day.windows(from: Self.time("2027-03-01 23:59:59"), to: Self.time("2027-03-01 23:59:59"))
                == [.init(start: Self.time("2027-03-01 00:00:00"), end: Self.time("2027-03-02 00:00:00"))])
        #expect(day.windows(from: Self.time("2027-03-01 23:59:59"), to: Self.time("2027-03-02 00:00:01")).count == 2, "a send that may leave after midnight counts in both days")
        let week = RuleWindow.calendar(.week, Self.shanghai)
        #expect(week.windows(from: Self.time("2027-03-07 12:00:00"), to: Self.time("2027-03-07 12:00:00")).first
                == .init(start: Self.time("2027-03-01 00:00:00"), end: Self.time("2027-03-08 00:00:00")), "weeks start on Monday (2027-03-07 is a Sunday)")
        let month = RuleWindow.calendar(.month, Self.shanghai)
        #expect(month.windows(from: Self.time("2027-02-14 08:00:00"), to: Self.time("2027-02-14 08:00:00")).first
                == .init(start: Self.time("2027-02-01 00:00:00"), end: Self.time("2027-03-01 00:00:00")))
        let newYork = TimeZone(identifier: "America/New_York") ?? .current
        let spring = RuleWindow.calendar(.day, newYork).windows(from: Self.time("2027-03-14 12:00:00", newYork), to: Self.time("2027-03-14 12:00:00", newYork))
        let springDay: Int64 = spring.first.map { $0.end - $0.start } ?? 0
        #expect(springDay == 82_800, "the day clocks go forward has 23 hours")
        #expect(RuleWindow.rolling(seconds: 86_400).windows(from: 1_000_000, to: 1_000_002) == [.init(start: 913_600, end: 1_000_003)])
    }

    @Test func theProviderAllowsOneVerificationCodeAMinuteAndFiveAnHour() {
        let at = Self.time("2027-03-01 10:00:30")
        func decide(_ history: [LedgerSend], at time: Int64, scope: SendScope = Self.verification, mainland: Bool = true) -> String? {
            CapEvaluator(rules: ProviderRules.all, scope: scope, from: time, to: time + 2).decide(history: history, mainland: mainland)?.name
        }
        let sent = LedgerSend(scope: Self.verification, at: at, until: at + 1)
        #expect(decide([], at: at) == nil)
        #expect(decide([sent], at: at + 20) == "provider-verification-minute")
        #expect(decide([sent], at: Self.time("2027-03-01 10:01:00")) == nil, "the next clock minute")
        let anotherSign = SendScope(campaign: "login", signName: "云杉特卖", templateCode: "SMS_1", type: .verification)
        #expect(decide([sent], at: at + 20, scope: anotherSign) == nil, "the minute counts per sign")
        let hour = (0..<5).map { LedgerSend(scope: Self.verification, at: Self.time("2027-03-01 10:0\($0):00"), until: Self.time("2027-03-01 10:0\($0):01")) }
        #expect(decide(hour, at: Self.time("2027-03-01 10:30:00")) == "provider-verification-hour")
        #expect(decide(hour, at: Self.time("2027-03-01 11:00:00")) == nil, "the next clock hour")
        #expect(decide([sent], at: at + 20, mainland: false) == nil, "the provider's limits are the mainland's only")
        let held = LedgerSend(scope: Self.verification, at: at - 3600, until: nil)
        #expect(decide([held], at: at) == "provider-verification-minute", "a send whose fate is unknown counts in every later window")
    }

    @Test func fortyVerificationCodesADayFromAllSignsAndFiftyNotificationsPerTemplate() {
        let start = Self.time("2027-03-01 00:00:00")
        let codes = (0..<40).map { index in
            LedgerSend(scope: SendScope(campaign: "c\(index)", signName: "签名\(index % 4)", templateCode: "SMS_\(index)", type: .verification),
                       at: start + Int64(index) * 1200, until: start + Int64(index) * 1200 + 1)
        }
        let next = start + 40 * 1200
        #expect(CapEvaluator(rules: ProviderRules.all, scope: SendScope(campaign: "z", signName: "新签名", templateCode: "SMS_9", type: .verification), from: next, to: next)
                    .decide(history: codes, mainland: true)?.name == "provider-verification-all-signs-day")
        #expect(CapEvaluator(rules: ProviderRules.all, scope: Self.verification, from: start + 86_400 + 1, to: start + 86_400 + 1)
                    .decide(history: codes.prefix(1), mainland: true) == nil, "a rolling day later the first no longer counts")
        let notice = SendScope(campaign: "ship", signName: "云杉商城", templateCode: "SMS_2", type: .notification)
        let fifty = (0..<50).map { LedgerSend(scope: notice, at: start + Int64($0) * 60, until: start + Int64($0) * 60 + 1) }
        #expect(CapEvaluator(rules: ProviderRules.all, scope: notice, from: start + 3600, to: start + 3600).decide(history: fifty, mainland: true)?.name == "provider-notification-day")
        let otherTemplate = SendScope(campaign: "ship", signName: "云杉商城", templateCode: "SMS_3", type: .notification)
        #expect(CapEvaluator(rules: ProviderRules.all, scope: otherTemplate, from: start + 3600, to: start + 3600).decide(history: fifty, mainland: true) == nil)
    }

    @Test func aPolicyRuleCountsEveryCampaignItAppliesTo() {
        // Three promotions a calendar day in Shanghai, whichever campaigns send them.
        let rule = FrequencyRule(name: "three-promotions-a-day", appliesTo: .init(types: [.promotional]), max: 3, window: .calendar(.day, Self.shanghai))
        let promotions = (0..<3).map { LedgerSend(scope: SendScope(campaign: "sale-\($0)", signName: "云杉商城", templateCode: "SMS_\($0)", type: .promotional),
                                                  at: Self.time("2027-03-01 1\($0):00:00"), until: Self.time("2027-03-01 1\($0):00:01")) }
        let fourth = SendScope(campaign: "sale-4", signName: "云杉特卖", templateCode: "SMS_4", type: .promotional)
        #expect(CapEvaluator(rules: [rule], scope: fourth, from: Self.time("2027-03-01 19:00:00"), to: Self.time("2027-03-01 19:00:02"))
                    .decide(history: promotions, mainland: false)?.name == "three-promotions-a-day", "policy rules hold for any country")
        #expect(CapEvaluator(rules: [rule], scope: fourth, from: Self.time("2027-03-02 09:00:00"), to: Self.time("2027-03-02 09:00:02"))
                    .decide(history: promotions, mainland: true) == nil, "a new calendar day")
        let notice = SendScope(campaign: "ship", signName: "云杉商城", templateCode: "SMS_9", type: .notification)
        #expect(CapEvaluator(rules: [rule], scope: notice, from: Self.time("2027-03-01 19:00:00"), to: Self.time("2027-03-01 19:00:02")).rules.isEmpty,
                "a notification is not checked by a rule about promotions")
    }
}
