import Foundation

/// The session name and duration STS is asked for, checked as STS checks them, so a bad value is
/// refused here in words rather than by STS.
enum RoleSession {
    /// The shortest session STS grants.
    static let minimumDuration = 900

    /// `given`, or `salvo-<unix seconds>` when none is given, checked against STS's rule: at least
    /// 2 characters of `a-z A-Z 0-9 . @ - _`.
    static func name(_ given: String?, now: Date) throws(CredentialsError) -> String {
        guard let given, !given.isEmpty else {
            return "salvo-\(Int(now.timeIntervalSince1970.rounded(.down)))"
        }
        let allowed = given.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".@-_".contains($0)) }
        guard allowed, given.count >= 2 else {
            throw CredentialsError(.invalidProfile, "role session name '\(given)' is not valid: it must be at least 2 characters of letters, digits and . @ - _")
        }
        return given
    }

    /// `seconds`, refused under 900 (STS's minimum; the role's maximum is STS's to check).
    static func duration(_ seconds: Int) throws(CredentialsError) -> Int {
        guard seconds >= minimumDuration else {
            throw CredentialsError(.invalidProfile, "role session duration \(seconds) s is too short: STS grants at least \(minimumDuration) s (and at most the role's maximum session duration, 3600 s unless raised)")
        }
        return seconds
    }
}
