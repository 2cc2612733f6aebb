import ArgumentParser
import CampaignCompiler
import SMSEmulator

/// `salvo emulator --sts` and its options: the emulator plays STS and the ECS instance metadata
/// service, so that every credentials provider can be tested against it.
struct EmulatorSTSOptions: ParsableArguments {
    @Flag(help: "Also play STS (AssumeRole, signature checked; AssumeRoleWithOIDC) and the ECS instance metadata service (PUT /latest/api/token, GET /latest/meta-data/ram/security-credentials/...), issuing STS. keys that the SMS API accepts with their security token.")
    var sts = false
    @Option(help: ArgumentHelp("Seconds the issued credentials last: the Expiration they state (a request's DurationSeconds is checked but not used). (default: 3600)", valueName: "seconds"))
    var stsDuration: Int?
    @Option(help: ArgumentHelp("Refuse an issued security token as expired (InvalidSecurityToken.Expired) this many seconds after it was issued, even before its stated Expiration.", valueName: "seconds"))
    var stsRevokeAfter: Int?
    @Option(name: .customLong("sts-oidc-token-file"), help: ArgumentHelp("The file whose content, trimmed and read at every call, is the one OIDC token AssumeRoleWithOIDC accepts (without it, every OIDC token is refused).", valueName: "path"))
    var stsOIDCTokenFile: String?
    @Option(help: ArgumentHelp("The RAM role the metadata service names. (default: \(STSEmulation.defaultRoleName))", valueName: "name"))
    var stsRoleName: String?
    @Flag(name: .customLong("imds-v2-only"), help: "The metadata service refuses GETs without a session token (403), like an instance with HttpTokens=required.")
    var imdsV2Only = false

    func validate() throws {
        guard sts else {
            let given = [("--sts-duration", stsDuration != nil), ("--sts-revoke-after", stsRevokeAfter != nil), ("--sts-oidc-token-file", stsOIDCTokenFile != nil),
                         ("--sts-role-name", stsRoleName != nil), ("--imds-v2-only", imdsV2Only)].filter(\.1).map(\.0)
            if let first = given.first { throw ValidationError("\(first) needs --sts") }
            return
        }
        if let stsDuration, stsDuration < 1 { throw ValidationError("--sts-duration is at least 1 second") }
        if let stsRevokeAfter, stsRevokeAfter < 1 { throw ValidationError("--sts-revoke-after is at least 1 second") }
        if let stsRoleName, stsRoleName.isEmpty || stsRoleName.contains(where: { $0 == "/" || $0.isWhitespace }) {
            throw ValidationError("--sts-role-name is a role name: not empty, without '/' or spaces")
        }
        if let stsOIDCTokenFile {
            do {
                _ = try RegularFile.read(stsOIDCTokenFile, maxBytes: 64 << 10)
            } catch {
                throw ValidationError("--sts-oidc-token-file: the file '\(stsOIDCTokenFile)' \(error.reason)")
            }
        }
    }

    /// What the options ask for.
    var emulation: STSEmulation {
        var emulation = STSEmulation()
        emulation.enabled = sts
        if let stsDuration { emulation.duration = .seconds(stsDuration) }
        emulation.revokeAfter = stsRevokeAfter.map { .seconds($0) }
        emulation.oidcTokenFile = stsOIDCTokenFile
        if let stsRoleName { emulation.roleName = stsRoleName }
        emulation.imdsV2Only = imdsV2Only
        return emulation
    }
}
