import Foundation

extension CLIConfigFile {
    /// One profile's fields, read with the file's messages.
    struct Fields {
        let file: CLIConfigFile
        let name: String
        let values: [String: String]

        /// A field that must be there and not empty.
        func required(_ field: String) throws(CredentialsError) -> String {
            guard let value = optional(field) else {
                throw file.failure("profile '\(name)' (mode \(values["mode"] ?? "")) has no \(field)")
            }
            return value
        }

        /// A field that may be absent; empty counts as absent (the CLI writes empty strings).
        func optional(_ field: String) -> String? {
            values[field].flatMap { $0.isEmpty ? nil : $0 }
        }

        /// `true` when the field says so; nil otherwise (the CLI writes `false` for "not set").
        func flag(_ field: String) -> Bool? {
            optional(field).map { $0.lowercased() == "true" } == true ? true : nil
        }

        /// `expired_seconds`: nil when absent or 0 (what the CLI writes for "not set").
        func duration() throws(CredentialsError) -> Int? {
            guard let text = optional("expired_seconds") else { return nil }
            guard let seconds = Int(text) else {
                throw file.failure("profile '\(name)' has expired_seconds '\(text)', which is not a whole number")
            }
            if seconds == 0 { return nil }
            guard seconds >= ProfileCredentials.minimumDuration else {
                throw file.failure("profile '\(name)' has expired_seconds \(seconds); STS gives at least \(ProfileCredentials.minimumDuration)")
            }
            return seconds
        }

        /// What the role modes ask AssumeRole for.
        func role() throws(CredentialsError) -> ProfileCredentials.RoleRequest {
            ProfileCredentials.RoleRequest(
                roleArn: try required("ram_role_arn"),
                sessionName: optional("ram_session_name") ?? optional("role_session_name"),
                durationSeconds: try duration(), policy: optional("policy"), externalId: optional("external_id"),
                stsRegion: optional("sts_region"), enableVPC: flag("enable_vpc"))
        }
    }

    /// The file's shape: only what Salvo reads.
    struct FileShape: Decodable {
        var current: String?
        var profiles: [ProfileShape]?
    }

    /// One profile: every field that is a string, a number or a boolean, as text.
    struct ProfileShape: Decodable {
        var fields: [String: String]

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AnyKey.self)
            var fields: [String: String] = [:]
            for key in container.allKeys {
                if let text = try? container.decode(String.self, forKey: key) {
                    fields[key.stringValue] = text
                } else if let flag = try? container.decode(Bool.self, forKey: key) {
                    fields[key.stringValue] = flag ? "true" : "false"
                } else if let number = try? container.decode(Int.self, forKey: key) {
                    fields[key.stringValue] = String(number)
                } else if let number = try? container.decode(Double.self, forKey: key) {
                    fields[key.stringValue] = String(number)
                }
            }
            self.fields = fields
        }
    }

    /// Any field name.
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
