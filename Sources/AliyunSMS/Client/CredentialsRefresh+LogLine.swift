import Foundation

extension CredentialsRefresh {
    /// The refresh as one line of a run's log: where from, which key (masked) and until when; a
    /// failed refresh says that the current credentials are kept. Never a secret or a token.
    public var logLine: String {
        let until = expiration.map { " until \(AliyunTime.timestamp($0))" } ?? ""
        if let failure {
            return "credentials: refreshing from \(source) failed, keeping \(maskedKeyId)\(until): \(failure)"
        }
        return "credentials: \(maskedKeyId) from \(source)\(until)"
    }
}
