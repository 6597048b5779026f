internal import Foundation

/// The shared credentials file (`~/.aws/credentials`, sections `[name]`) and config file
/// (`~/.aws/config`, sections `[profile name]` and `[default]`), read as the AWS SDKs read them:
/// a profile's settings are the config file's, overridden by the credentials file's.
struct AWSProfileFiles: Sendable {
    /// Settings per profile name, keys lowercased.
    var profiles: [String: [String: String]] = [:]
    /// The files that were read, for messages.
    var sources: [String] = []

    /// Reads the files that exist; a file named explicitly (`explicit…`) must exist.
    init(credentialsPath: String, configPath: String, explicitCredentials: Bool, explicitConfig: Bool) throws(ProviderError) {
        let config = try Self.read(configPath, explicit: explicitConfig, variable: "AWS_CONFIG_FILE")
        let credentials = try Self.read(credentialsPath, explicit: explicitCredentials, variable: "AWS_SHARED_CREDENTIALS_FILE")
        if let config {
            sources.append(configPath)
            for (section, values) in Self.sections(config) {
                // The config file names profiles `[profile name]`, except `[default]`.
                let name: String
                if section == "default" {
                    name = section
                } else if section.hasPrefix("profile ") {
                    name = section.dropFirst("profile ".count).trimmingCharacters(in: .whitespaces)
                } else {
                    continue
                }
                profiles[name, default: [:]].merge(values) { _, new in new }
            }
        }
        if let credentials {
            sources.append(credentialsPath)
            for (section, values) in Self.sections(credentials) {
                profiles[section, default: [:]].merge(values) { _, new in new }
            }
        }
    }

    private static func read(_ path: String, explicit: Bool, variable: String) throws(ProviderError) -> String? {
        guard FileManager.default.fileExists(atPath: path) else {
            if explicit { throw ProviderError(.configuration, provider: Route53Provider.code, "\(variable) names \(path), which does not exist") }
            return nil
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ProviderError(.configuration, provider: Route53Provider.code, "\(path) cannot be read")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// `[section]` headers and `key = value` lines; `#` and `;` start comments; an indented line
    /// continues a nested block (e.g. `s3 =`), which nothing here uses, so it is skipped.
    static func sections(_ text: String) -> [(String, [String: String])] {
        var result: [(String, [String: String])] = []
        var current: String?
        var values: [String: String] = [:]
        func finish() {
            if let current { result.append((current, values)) }
            values = [:]
        }
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            if rawLine.first == " " || rawLine.first == "\t" { continue }
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                finish()
                current = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                continue
            }
            guard current != nil, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            // An inline comment needs a space before it.
            if let comment = value.range(of: " #") ?? value.range(of: " ;") { value = value[..<comment.lowerBound].trimmingCharacters(in: .whitespaces) }
            values[key] = value
        }
        finish()
        return result
    }

    /// Where the credentials of `profile` come from: its keys, its web identity, or a role it
    /// assumes with another profile's credentials (`role_arn` + `source_profile`, followed to a
    /// bounded depth).
    func source(profile: String, sessionName: String) throws(ProviderError) -> AWSCredentialSource {
        try source(profile: profile, sessionName: sessionName, visited: [])
    }

    private func source(profile: String, sessionName: String, visited: [String]) throws(ProviderError) -> AWSCredentialSource {
        let read = sources.isEmpty ? "no AWS config or credentials file exists" : "read \(sources.joined(separator: " and "))"
        guard let values = profiles[profile] else {
            throw ProviderError(.configuration, provider: Route53Provider.code, "AWS profile \"\(profile)\" is not defined (\(read))")
        }
        guard !visited.contains(profile), visited.count < 5 else {
            throw ProviderError(.configuration, provider: Route53Provider.code, "AWS profile \"\(profile)\": source_profile goes round in a loop (\((visited + [profile]).joined(separator: " → ")))")
        }
        if let role = values["role_arn"], !role.isEmpty {
            let session = values["role_session_name"] ?? sessionName
            if let file = values["web_identity_token_file"], !file.isEmpty {
                return .webIdentity(roleARN: role, tokenFile: file, sessionName: session)
            }
            guard let base = values["source_profile"], !base.isEmpty else {
                throw ProviderError(.configuration, provider: Route53Provider.code, "AWS profile \"\(profile)\" has role_arn but neither source_profile nor web_identity_token_file (credential_source is not supported)")
            }
            // A profile naming itself as source uses its own keys for the AssumeRole call.
            let baseSource: AWSCredentialSource
            if base == profile {
                baseSource = try keys(profile: profile, values: values, read: read)
            } else {
                baseSource = try source(profile: base, sessionName: sessionName, visited: visited + [profile])
            }
            return .assumeRole(roleARN: role, externalID: values["external_id"], sessionName: session, base: baseSource)
        }
        return try keys(profile: profile, values: values, read: read)
    }

    private func keys(profile: String, values: [String: String], read: String) throws(ProviderError) -> AWSCredentialSource {
        guard let id = values["aws_access_key_id"], !id.isEmpty, let secret = values["aws_secret_access_key"], !secret.isEmpty else {
            throw ProviderError(.configuration, provider: Route53Provider.code, "AWS profile \"\(profile)\" has no aws_access_key_id and aws_secret_access_key (\(read))")
        }
        let token = values["aws_session_token"].flatMap { $0.isEmpty ? nil : $0 }
        return .keys(AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: token), from: "AWS profile \"\(profile)\"")
    }
}
