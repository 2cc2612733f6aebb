import Foundation

/// Why credentials could not be had. Its words never hold a secret.
public struct CredentialsError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure.
    public enum Code: Sendable, Hashable {
        /// Nothing names any credentials.
        case missing
        /// Half a key pair: an id without a secret, or a secret without an id.
        case incomplete
        /// The credentials file cannot be read.
        case unreadableFile
        /// The credentials file can be read by other users.
        case exposedFile
        /// The credentials file has no usable profile.
        case noProfile
        /// A provider that fetches credentials (STS, instance metadata) could not get them: it
        /// could not be reached, was throttled or failed (5xx). Trying again later may help.
        case unavailable
        /// The place that gives credentials answered and refused (STS: `NoPermission`,
        /// `EntityNotExist.Role`, an OIDC token it does not accept; a credentials URI's 4xx). Trying
        /// again will not help until the role or its trust is fixed.
        case refused
        /// A profile in `~/.aliyun/config.json` or the INI credentials file cannot be used as
        /// written: a file that does not parse, an unknown mode or type, a missing field, a
        /// profile named but absent, a `source_profile` cycle.
        case invalidProfile
    }

    /// What kind of failure.
    public var code: Code

    /// Whether trying again later may succeed (the place could not answer), rather than a
    /// refusal or a setup to fix.
    public var isTransient: Bool { code == .unavailable }
    /// What went wrong, in words; never holds a secret.
    public var message: String
    /// The error underneath, when there is one (a file or network error).
    public var cause: (any Error)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { message }
}

extension CredentialsError {
    /// Refuses a file holding a secret that other users can read (group or world bits in
    /// `mode`), as ssh refuses a private key.
    static func refuseExposed(path: String, mode: mode_t, holdingSecret: Bool) throws(CredentialsError) {
        let bits = mode & 0o777
        guard bits & 0o077 != 0, holdingSecret else { return }
        throw CredentialsError(.exposedFile, "credentials file '\(path)' can be read by other users (mode \(String(bits, radix: 8))); it holds a secret key. Run: chmod 600 '\(path)'")
    }
}
