import Foundation

/// Alibaba Cloud's own per-number limits on mainland numbers (reference: aliyun-sms.md §4.1),
/// as built-in rules that are always on, so that a send the provider would refuse
/// (`isv.BUSINESS_LIMIT_CONTROL`) is never attempted. Minute and hour are clock windows in
/// UTC+8; a day is a rolling 24 hours from the send. Counted per recipient of a request.
public enum ProviderRules {
    /// China Standard Time, in which the provider's minutes and hours are read.
    static let china = TimeZone(secondsFromGMT: 8 * 3600) ?? .current

    /// The rules, in the order a capped recipient is reported by (the first broken).
    public static let all: [FrequencyRule] = [
        FrequencyRule(name: "provider-verification-minute", appliesTo: .init(types: [.verification]), max: 1,
                      window: .calendar(.minute, china), partition: .numberAndSign, mainlandOnly: true),
        FrequencyRule(name: "provider-verification-hour", appliesTo: .init(types: [.verification]), max: 5,
                      window: .calendar(.hour, china), partition: .numberAndSign, mainlandOnly: true),
        FrequencyRule(name: "provider-verification-day", appliesTo: .init(types: [.verification]), max: 10,
                      window: .rolling(seconds: 86_400), partition: .numberAndSign, mainlandOnly: true),
        FrequencyRule(name: "provider-verification-all-signs-day", appliesTo: .init(types: [.verification]), max: 40,
                      window: .rolling(seconds: 86_400), partition: .number, mainlandOnly: true),
        FrequencyRule(name: "provider-notification-day", appliesTo: .init(types: [.notification]), max: 50,
                      window: .rolling(seconds: 86_400), partition: .numberSignAndTemplate, mainlandOnly: true),
        FrequencyRule(name: "provider-promotional-day", appliesTo: .init(types: [.promotional]), max: 50,
                      window: .rolling(seconds: 86_400), partition: .numberSignAndTemplate, mainlandOnly: true),
    ]
}
