import Foundation
import Testing
@testable import AliyunSMS

/// The INI credentials file and the aliyun CLI's config.json, each read into profile values on
/// its own: every type and mode, and every malformed file said with its path (and line).
@Suite struct ProfileFileTests {
    static let secret = "MARKER-SECRET-5a4b3c2d"

    // MARK: - INI

    @Test func iniSectionsCommentsAndTruncatingHashes() throws {
        let text = """
        # a comment
        ; another
        [default]
        type = access_key
        access_key_id = LTAI5tIniKeyId   # the key id
        access_key_secret: \(Self.secret)
        security_token = tok

        [role]
        type = ram_role_arn
        access_key_id = LTAI5tIniKeyId
        access_key_secret = \(Self.secret)
        role_arn = acs:ram::123:role/sender
        role_session_name = nightly
        policy = {"Version":"1"}
        """
        let file = try CredentialsINIFile(path: "/x/credentials", text: text)
        #expect(file.sections["default"]?.entries["access_key_id"] == .init(value: "LTAI5tIniKeyId", line: 5))
        #expect(file.holdsSecret)
        #expect(try file.credentials(profile: "default") == .accessKey(Credentials(accessKeyId: "LTAI5tIniKeyId", accessKeySecret: Self.secret, securityToken: "tok")))
        let role = ProfileCredentials.RoleRequest(roleArn: "acs:ram::123:role/sender", sessionName: "nightly", policy: #"{"Version":"1"}"#)
        #expect(try file.credentials(profile: "role") == .ramRole(source: .accessKey(Credentials(accessKeyId: "LTAI5tIniKeyId", accessKeySecret: Self.secret)), role))
        #expect(file.type(of: "nothing") == nil)
    }

    @Test func iniOIDCAndECSTypes() throws {
        let text = """
        [oidc]
        type = oidc_role_arn
        role_arn = acs:ram::123:role/pod
        oidc_provider_arn = acs:ram::123:oidc-provider/ack
        oidc_token_file_path = /var/run/secrets/token
        [ecs]
        type = ecs_ram_role
        role_name = EcsSender
        [ecs-discover]
        type = ecs_ram_role
        """
        let file = try CredentialsINIFile(path: "/x/credentials", text: text)
        #expect(!file.holdsSecret)
        #expect(try file.credentials(profile: "oidc") == .oidcRole(.init(roleArn: "acs:ram::123:role/pod", providerArn: "acs:ram::123:oidc-provider/ack",
                                                                            tokenFile: "/var/run/secrets/token", sessionName: nil)))
        #expect(try file.credentials(profile: "ecs") == .ecsRamRole(roleName: "EcsSender"))
        #expect(try file.credentials(profile: "ecs-discover") == .ecsRamRole(roleName: nil))
    }

    @Test func headersAndKeysAreReadAsConfigparserReadsThem() throws {
        let file = try CredentialsINIFile(path: "/x/c", text: "  [default]   # the laptop\n  Type = ecs_ram_role\n\tROLE_NAME=Sender\n")
        #expect(try file.credentials(profile: "default") == .ecsRamRole(roleName: "Sender"))
    }

    @Test func aSectionWithOnlyAKeyPairIsAnAccessKey() throws {
        let file = try CredentialsINIFile(path: "/x/c", text: "[default]\naccess_key_id = LTAI5tOld\naccess_key_secret = s\n")
        #expect(file.type(of: "default") == "access_key")
    }

    @Test(arguments: [
        ("[default]\ntype = access_key\nthis line has no delimiter\n", "/x/c:3: expected '[section]' or 'key = value'"),
        ("access_key_id = a\n[default]\n", "/x/c:1: a key before any [section]"),
        ("[default\n", "/x/c:1: a section header must end with ']'"),
        ("[default]\n[other]\n[default]\n", "/x/c:3: section [default] appears twice (first on line 1)"),
        ("[default]\ntype = access_key\ntype = ram_role_arn\n", "/x/c:3: key 'type' appears twice in [default] (first on line 2)"),
    ])
    func malformedIniLinesAreNamed(_ text: String, _ message: String) {
        do {
            _ = try CredentialsINIFile(path: "/x/c", text: text)
            Issue.record("expected: \(message)")
        } catch {
            #expect(error.code == .invalidProfile)
            #expect(error.message == message)
        }
    }

    @Test(arguments: [
        ("[default]\n\ntype = rsa_key_pair\n", "/x/c:3: [default] has type 'rsa_key_pair', which Salvo does not support (it reads access_key, ram_role_arn, oidc_role_arn, ecs_ram_role)"),
        ("[default]\nregion_id = cn-hangzhou\n", "/x/c:1: [default] has no type (one of access_key, ram_role_arn, oidc_role_arn, ecs_ram_role)"),
        ("\n[default]\ntype = access_key\naccess_key_id = a\n", "/x/c:2: [default] (type access_key) has no access_key_secret"),
        ("[default]\ntype = ram_role_arn\naccess_key_id = a\naccess_key_secret = \(secret)\n", "/x/c:1: [default] (type ram_role_arn) has no role_arn"),
        ("[default]\ntype = oidc_role_arn\nrole_arn = r\noidc_provider_arn = p\n", "/x/c:1: [default] (type oidc_role_arn) has no oidc_token_file_path"),
    ])
    func unusableIniSectionsAreNamed(_ text: String, _ message: String) throws {
        let file = try CredentialsINIFile(path: "/x/c", text: text)
        do {
            _ = try file.credentials(profile: "default")
            Issue.record("expected: \(message)")
        } catch {
            #expect(error.code == .invalidProfile)
            #expect(error.message == message)
            #expect(!error.message.contains(Self.secret))
        }
    }

    // MARK: - config.json

    static let config = """
    {
      "current": "ak",
      "profiles": [
        {"name": "ak", "mode": "AK", "access_key_id": "LTAI5tCliKeyId", "access_key_secret": "\(secret)", "region_id": "cn-hangzhou",
         "expired_seconds": 0, "sts_region": "", "enable_vpc": false, "retry_count": 3},
        {"name": "sts", "mode": "StsToken", "access_key_id": "STS.CliKeyId", "access_key_secret": "\(secret)", "sts_token": "tok"},
        {"name": "role", "mode": "RamRoleArn", "access_key_id": "LTAI5tCliKeyId", "access_key_secret": "\(secret)",
         "ram_role_arn": "acs:ram::123:role/sender", "ram_session_name": "nightly", "expired_seconds": 1800, "policy": "{}",
         "external_id": "ext", "sts_region": "cn-shanghai", "enable_vpc": true},
        {"name": "chained", "mode": "ChainableRamRoleArn", "source_profile": "role", "ram_role_arn": "acs:ram::456:role/other"},
        {"name": "ecs", "mode": "EcsRamRole", "ram_role_name": "EcsSender"},
        {"name": "oidc-ram", "mode": "OIDC", "ram_role_arn": "acs:ram::123:role/pod", "oidc_provider_arn": "acs:ram::123:oidc-provider/ack",
         "oidc_token_file": "/var/run/token", "ram_session_name": "from-ram-session-name"},
        {"name": "oidc-role", "mode": "OIDC", "ram_role_arn": "acs:ram::123:role/pod", "oidc_provider_arn": "acs:ram::123:oidc-provider/ack",
         "oidc_token_file": "/var/run/token", "role_session_name": "from-role-session-name"},
        {"name": "loop-a", "mode": "ChainableRamRoleArn", "source_profile": "loop-b", "ram_role_arn": "r"},
        {"name": "loop-b", "mode": "ChainableRamRoleArn", "source_profile": "loop-a", "ram_role_arn": "r"},
        {"name": "dangling", "mode": "ChainableRamRoleArn", "source_profile": "gone", "ram_role_arn": "r"},
        {"name": "sso", "mode": "CloudSSO"},
        {"name": "short", "mode": "RamRoleArn", "access_key_id": "a", "access_key_secret": "\(secret)", "ram_role_arn": "r", "expired_seconds": 60},
        {"name": "wordy", "mode": "RamRoleArn", "access_key_id": "a", "access_key_secret": "\(secret)", "ram_role_arn": "r", "expired_seconds": "soon"},
        {"name": "half", "mode": "RamRoleArn", "access_key_id": "a", "access_key_secret": "\(secret)"},
        {"name": "modeless"}
      ]
    }
    """

    static func configFile() throws(CredentialsError) -> CLIConfigFile {
        try CLIConfigFile(path: "/h/.aliyun/config.json", data: Data(config.utf8))
    }

    @Test func everyModeReadsItsFields() throws {
        let file = try Self.configFile()
        #expect(file.current == "ak")
        let key = Credentials(accessKeyId: "LTAI5tCliKeyId", accessKeySecret: Self.secret)
        #expect(try file.credentials(profile: "ak") == .accessKey(key))
        #expect(try file.credentials(profile: "sts") == .accessKey(Credentials(accessKeyId: "STS.CliKeyId", accessKeySecret: Self.secret, securityToken: "tok")))
        let role = ProfileCredentials.RoleRequest(roleArn: "acs:ram::123:role/sender", sessionName: "nightly", durationSeconds: 1800, policy: "{}",
                                                  externalId: "ext", stsRegion: "cn-shanghai", enableVPC: true)
        #expect(try file.credentials(profile: "role") == .ramRole(source: .accessKey(key), role))
        #expect(try file.credentials(profile: "chained") == .ramRole(source: .ramRole(source: .accessKey(key), role),
                                                                     .init(roleArn: "acs:ram::456:role/other")))
        #expect(try file.credentials(profile: "ecs") == .ecsRamRole(roleName: "EcsSender"))
        #expect(file.profiles["ak"]?["retry_count"] == "3" && file.profiles["ak"]?["enable_vpc"] == "false")
    }

    @Test(arguments: [("oidc-ram", "from-ram-session-name"), ("oidc-role", "from-role-session-name")])
    func bothSessionNameSpellingsAreRead(_ profile: String, _ session: String) throws {
        guard case .oidcRole(let request) = try Self.configFile().credentials(profile: profile) else {
            Issue.record("expected an OIDC role")
            return
        }
        #expect(request == .init(roleArn: "acs:ram::123:role/pod", providerArn: "acs:ram::123:oidc-provider/ack", tokenFile: "/var/run/token", sessionName: session))
    }

    @Test(arguments: [
        ("loop-a", "'/h/.aliyun/config.json': the source_profile chain 'loop-a' -> 'loop-b' -> 'loop-a' is a cycle"),
        ("dangling", "'/h/.aliyun/config.json': profile 'dangling' names source_profile 'gone', which is not in the file"),
        ("sso", "'/h/.aliyun/config.json': profile 'sso' has mode 'CloudSSO', which Salvo does not support (it reads AK, StsToken, RamRoleArn, ChainableRamRoleArn, EcsRamRole, OIDC)"),
        ("short", "'/h/.aliyun/config.json': profile 'short' has expired_seconds 60; STS gives at least 900"),
        ("wordy", "'/h/.aliyun/config.json': profile 'wordy' has expired_seconds 'soon', which is not a whole number"),
        ("half", "'/h/.aliyun/config.json': profile 'half' (mode RamRoleArn) has no ram_role_arn"),
        ("modeless", "'/h/.aliyun/config.json': profile 'modeless' has no mode"),
        ("absent", "'/h/.aliyun/config.json': has no profile 'absent'"),
    ])
    func unusableProfilesAreNamed(_ profile: String, _ message: String) throws {
        do {
            _ = try Self.configFile().credentials(profile: profile)
            Issue.record("expected: \(message)")
        } catch {
            #expect(error.code == .invalidProfile)
            #expect(error.message == message)
            #expect(!error.message.contains(Self.secret))
        }
    }

    @Test(arguments: [
        ("{\"profiles\": [", "not JSON, or not an object"),
        ("[1, 2]", "unexpected value at 'top level'"),
        ("{\"current\": 3}", "unexpected value at '.current'"),
        ("{\"profiles\": {\"name\": \"x\"}}", "unexpected value at '.profiles'"),
    ])
    func malformedJSONIsNamedWithItsPath(_ text: String, _ why: String) {
        do {
            _ = try CLIConfigFile(path: "/h/.aliyun/config.json", data: Data(text.utf8))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidProfile)
            #expect(error.message == "'/h/.aliyun/config.json' is not a valid aliyun CLI configuration (\(why))")
        }
    }
}
