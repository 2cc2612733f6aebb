import AliyunSMS
import ArgumentParser
import Foundation
import SalvoIO

/// `salvo credentials`: which credentials every signing command would use, found as the official
/// SDKs find them, and until when; never a secret or a token.
struct CredentialsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credentials",
        abstract: "Show where the credentials come from (the chain of the official SDKs), the masked AccessKey id and the expiry.",
        discussion: """
            Looks in order at the environment (ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET, \
            ALIBABA_CLOUD_SECURITY_TOKEN), OIDC (ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN, \
            ALIBABA_CLOUD_OIDC_TOKEN_FILE), ~/.aliyun/config.json, ~/.alibabacloud/credentials(.ini), the ECS \
            instance metadata service and ALIBABA_CLOUD_CREDENTIALS_URI; the first that yields credentials is used. \
            Roles are assumed for real (one STS call), so this checks what a run would get. Exit 0 when found, \
            1 with each place's reason when not.
            """
    )

    @Flag(help: "Print one JSON object.") var json = false

    func run() async throws {
        let found: (source: String, credentials: Credentials)
        do {
            let chain = try CredentialsLoader.provider(environment: ProcessInfo.processInfo.environment)
            found = try await chain.resolve()
            await warnOfSkippedLinks(chain)
        } catch {
            if json { Terminal.standardOutput(Self.failureJSON(error.message) + "\n") }
            throw CommandFailure(.failed, error.message, cause: error)
        }
        Terminal.standardOutput((json ? Self.json(found.source, found.credentials) : Self.text(found.source, found.credentials, now: Date())) + "\n")
    }

    static func text(_ source: String, _ credentials: Credentials, now: Date) -> String {
        var lines = ["source: \(source)", "access key id: \(credentials.maskedKeyId)"]
        lines.append("security token: " + (credentials.securityToken == nil ? "none (a permanent AccessKey)" : "yes (temporary credentials)"))
        if let expiration = credentials.expiration {
            let minutes = Int(expiration.timeIntervalSince(now) / 60)
            lines.append("expires: \(AliyunTime.timestamp(expiration)) (in \(minutes) min; refreshed when less than 15 min remain)")
        } else {
            lines.append("expires: never")
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ source: String, _ credentials: Credentials) -> String {
        let expiration = credentials.expiration.map { JSONString.literal(AliyunTime.timestamp($0)) } ?? "null"
        return "{\"found\":true,\"source\":\(JSONString.literal(source)),\"accessKeyId\":\(JSONString.literal(credentials.maskedKeyId)),"
            + "\"temporary\":\(credentials.securityToken != nil),\"expiration\":\(expiration)}"
    }

    static func failureJSON(_ message: String) -> String {
        "{\"found\":false,\"error\":\(JSONString.literal(message))}"
    }
}
