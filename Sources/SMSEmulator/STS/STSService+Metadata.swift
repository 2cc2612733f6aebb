import AliyunSMS
import Foundation

/// The ECS instance metadata service's RAM role paths: a session token for IMDSv2 (`PUT
/// /latest/api/token`), the role's name, and its credentials, new ones at every GET (the
/// emulator rotates at every fetch, so that each one is counted as issued).
extension STSService {
    /// Where IMDSv2's session token is asked for.
    static let metadataTokenPath = "/latest/api/token"
    /// Where the role name is listed; the role's credentials are under it.
    static let metadataCredentialsPath = "/latest/meta-data/ram/security-credentials/"
    /// The header asking for a token's lifetime, in seconds (1 to 21600).
    static let metadataTTLHeader = "x-aliyun-ecs-metadata-token-ttl-seconds"
    /// The header carrying the token on GETs.
    static let metadataTokenHeader = "x-aliyun-ecs-metadata-token"

    /// Answers a request under `/latest/`.
    func metadata(_ request: EmulatorRequest, path: String) -> EmulatorReply {
        let now = configuration.now()
        if path == Self.metadataTokenPath {
            guard request.method == "PUT" else { return Self.text(405, "Method Not Allowed") }
            guard let ttl = request.header(Self.metadataTTLHeader).flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }), (1...21_600).contains(ttl) else {
                return Self.text(400, "Bad Request: \(Self.metadataTTLHeader) must be 1 to 21600")
            }
            let token = IssuedCredentialsTable.randomToken()
            keepMetadataToken(token, until: now.addingTimeInterval(Double(ttl)), now: now)
            return Self.text(200, token)
        }
        guard request.method == "GET" else { return Self.text(405, "Method Not Allowed") }
        if let token = request.header(Self.metadataTokenHeader) {
            guard metadataTokenValid(token, now: now) else { return Self.text(emulation.imdsV2Only ? 403 : 401, "Unauthorized: the metadata token is not valid") }
        } else if emulation.imdsV2Only {
            return Self.text(403, "Forbidden: a metadata token is required (PUT \(Self.metadataTokenPath))")
        }
        switch path {
        case Self.metadataCredentialsPath:
            return Self.text(200, emulation.roleName)
        case Self.metadataCredentialsPath + emulation.roleName, Self.metadataCredentialsPath + emulation.roleName + "/":
            let credentials = issue()
            var object = Self.credentialsObject(credentials)
            object["Code"] = "Success"
            object["LastUpdated"] = AliyunTime.timestamp(credentials.issued)
            return Self.json(200, object)
        default:
            return Self.text(404, "Not Found")
        }
    }
}
