extension CredentialsINIFile {
    /// One section's keys, read with the file's messages.
    struct Fields {
        let file: CredentialsINIFile
        let section: Section

        /// A key that must be there and not empty.
        func required(_ key: String) throws(CredentialsError) -> String {
            guard let value = optional(key) else {
                let type = file.type(of: section.name) ?? ""
                throw CredentialsINIFile.failure(file.path, section.line, "[\(section.name)] (type \(type)) has no \(key)")
            }
            return value
        }

        /// A key that may be absent; empty counts as absent.
        func optional(_ key: String) -> String? {
            section.entries[key].flatMap { $0.value.isEmpty ? nil : $0.value }
        }

        /// The section's AccessKey: `access_key_id`, `access_key_secret`, optional `security_token`.
        func key() throws(CredentialsError) -> Credentials {
            Credentials(accessKeyId: try required("access_key_id"), accessKeySecret: try required("access_key_secret"),
                        securityToken: optional("security_token"))
        }
    }
}
