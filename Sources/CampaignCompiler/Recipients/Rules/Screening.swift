/// The cross-row rules that come before duplicates: numbers on an exclusion list, and numbers
/// that unsubscribed. Both readers ask `RecipientChecker.admit`, which asks this.
struct Screening: Sendable {
    /// Numbers on the campaign's exclusion lists.
    let exclusions: PhoneSet
    /// Numbers that unsubscribed (promotional campaigns).
    let suppression: PhoneSet
    private let hasExclusions: Bool
    private let hasSuppression: Bool

    /// Screens out `exclusions`, then `suppression`.
    init(exclusions: PhoneSet, suppression: PhoneSet) {
        self.exclusions = exclusions
        self.suppression = suppression
        hasExclusions = !exclusions.isEmpty
        hasSuppression = !suppression.isEmpty
    }

    /// Why `phone` is screened out, or nil.
    @inline(__always)
    func reason(for phone: PhoneNumber) -> SetAsideRow.Reason? {
        if hasExclusions, exclusions.contains(phone) { return .excluded }
        if hasSuppression, suppression.contains(phone) { return .suppressed }
        return nil
    }
}
