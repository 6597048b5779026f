internal import CertCore
internal import Foundation

/// The route53 adapter's settings, read as lego and the AWS SDKs read them.
///
/// Credentials, first found wins: `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+
/// `AWS_SESSION_TOKEN`); `AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE` (EKS); the profile
/// `AWS_PROFILE` (or `default`) of `~/.aws/credentials` and `~/.aws/config`, with `role_arn` +
/// `source_profile` or `web_identity_token_file`. Then `AWS_ASSUME_ROLE_ARN` (lego's name)
/// assumes that role with them. Region: `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's,
/// else us-east-1. Endpoints: `AWS_ENDPOINT_URL_ROUTE_53` / `AWS_ENDPOINT_URL_STS`, then
/// `AWS_ENDPOINT_URL`.
struct Route53Configuration: Sendable {
    var source: AWSCredentialSource
    var region: String
    var route53Endpoint: String
    /// The region Route 53 requests are signed for: its partition's global region.
    var route53SigningRegion: String
    var stsEndpoint: String
    var hostedZoneID: String?
    var privateZone: Bool
    var maxRetries: Int
    var tuning: ProviderTuning

    static let endpointVariables = ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_ROUTE_53", "AWS_ENDPOINT_URL_STS"]

    init(settings: inout ProviderSettings) throws(ProviderError) {
        let code = Route53Provider.code
        let accessKey = settings.optional("AWS_ACCESS_KEY_ID")
        let secretKey = settings.optional("AWS_SECRET_ACCESS_KEY")
        let sessionToken = settings.optional("AWS_SESSION_TOKEN")
        if accessKey != nil, secretKey == nil { settings.missing("AWS_SECRET_ACCESS_KEY (AWS_ACCESS_KEY_ID is set)") }
        if secretKey != nil, accessKey == nil { settings.missing("AWS_ACCESS_KEY_ID (AWS_SECRET_ACCESS_KEY is set)") }
        let profile = settings.optional("AWS_PROFILE")
        let credentialsFile = settings.optional("AWS_SHARED_CREDENTIALS_FILE")
        let configFile = settings.optional("AWS_CONFIG_FILE")
        let roleARN = settings.optional("AWS_ROLE_ARN")
        let tokenFile = settings.optional("AWS_WEB_IDENTITY_TOKEN_FILE")
        if roleARN != nil, tokenFile == nil, accessKey == nil { settings.missing("AWS_WEB_IDENTITY_TOKEN_FILE (AWS_ROLE_ARN is set)") }
        let sessionName = settings.optional("AWS_ROLE_SESSION_NAME") ?? "kubectl-certs-\(Int(Date().timeIntervalSince1970))"
        let assumeRole = settings.optional("AWS_ASSUME_ROLE_ARN")
        let externalID = settings.optional("AWS_EXTERNAL_ID")
        let regionFromVariables = settings.parsed("AWS_REGION", expected: "an AWS region such as us-east-1", Self.region)
            ?? settings.parsed("AWS_DEFAULT_REGION", expected: "an AWS region such as us-east-1", Self.region)
        hostedZoneID = settings.parsed("AWS_HOSTED_ZONE_ID", expected: "a hosted zone ID such as Z1D633PJN98FT9") { text in
            let id = text.hasPrefix("/hostedzone/") ? String(text.dropFirst("/hostedzone/".count)) : text
            return id.range(of: "^[A-Za-z0-9]{1,32}$", options: .regularExpression) != nil ? id : nil
        }
        privateZone = settings.parsed("AWS_PRIVATE_ZONE", expected: "true or false") { Bool($0.lowercased()) } ?? false
        maxRetries = settings.integer("AWS_MAX_RETRIES", in: 0...20) ?? 5
        var endpoints: [String: String] = [:]
        for name in Self.endpointVariables {
            endpoints[name] = settings.parsed(name, expected: "an http(s) URL such as https://route53.amazonaws.com") { text in
                URLComponents(string: text).flatMap { ["http", "https"].contains($0.scheme ?? "") && $0.host?.isEmpty == false ? text : nil }
            }
        }
        // A Secret or an issuer that chooses where requests go must bring its own keys: otherwise
        // it could have this machine's credentials (or its web identity token) sent to it.
        let suppliedEndpoints = Self.endpointVariables.filter { settings.environment.supplied[$0] != nil }
        if !suppliedEndpoints.isEmpty, settings.environment.supplied["AWS_ACCESS_KEY_ID"] == nil || settings.environment.supplied["AWS_SECRET_ACCESS_KEY"] == nil {
            settings.problem("\(suppliedEndpoints.joined(separator: ", ")) in \(settings.environment.suppliedBy ?? "the supplied credentials") is refused without AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the same place: the credentials of whoever runs kubectl-certs are only sent to endpoints they chose")
        }
        // The registry reads the tuning itself; a copy keeps its problems from being reported twice.
        var copy = settings
        tuning = copy.tuning()
        try settings.validate()

        // Profile files: for the credentials when no variable gives them, and for the region.
        let home = settings.environment.local["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let files = { () throws(ProviderError) -> AWSProfileFiles in
            try AWSProfileFiles(
                credentialsPath: credentialsFile ?? home + "/.aws/credentials", configPath: configFile ?? home + "/.aws/config",
                explicitCredentials: credentialsFile != nil, explicitConfig: configFile != nil)
        }
        var base: AWSCredentialSource
        var profileRegion: String?
        if let accessKey, let secretKey {
            base = .keys(AWSCredentials(accessKeyID: accessKey, secretAccessKey: secretKey, sessionToken: sessionToken), from: "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
            if regionFromVariables == nil, profile != nil { profileRegion = try files().profiles[profile ?? "default"]?["region"] }
        } else if let roleARN, let tokenFile {
            base = .webIdentity(roleARN: roleARN, tokenFile: tokenFile, sessionName: sessionName)
            if regionFromVariables == nil, profile != nil { profileRegion = try files().profiles[profile ?? "default"]?["region"] }
        } else {
            let loaded = try files()
            let name = profile ?? "default"
            if profile == nil, loaded.profiles[name] == nil {
                throw ProviderError(.configuration, provider: code, "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (a profile of ~/.aws/credentials or ~/.aws/config), or AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE")
            }
            base = try loaded.source(profile: name, sessionName: sessionName)
            profileRegion = loaded.profiles[name]?["region"]
        }
        if let assumeRole {
            base = .assumeRole(roleARN: assumeRole, externalID: externalID, sessionName: sessionName, base: base)
        }
        source = base
        guard let region = regionFromVariables ?? profileRegion.flatMap(Self.region) ?? (profileRegion == nil ? "us-east-1" : nil) else {
            throw ProviderError(.configuration, provider: code, "the AWS profile's region \"\(profileRegion ?? "")\" is not an AWS region such as us-east-1")
        }
        self.region = region

        let partition = Self.partition(of: region)
        route53Endpoint = endpoints["AWS_ENDPOINT_URL_ROUTE_53"] ?? endpoints["AWS_ENDPOINT_URL"] ?? partition.route53
        route53SigningRegion = partition.route53Region
        stsEndpoint = endpoints["AWS_ENDPOINT_URL_STS"] ?? endpoints["AWS_ENDPOINT_URL"] ?? "https://sts.\(region).\(partition.domain)"
    }

    static func region(_ text: String) -> String? {
        text.range(of: "^[a-z]{2}(-[a-z]+)+-[0-9]+$", options: .regularExpression) != nil ? text : nil
    }

    /// Route 53 is global within each partition: one endpoint, signed for one region.
    static func partition(of region: String) -> (domain: String, route53: String, route53Region: String) {
        if region.hasPrefix("cn-") { return ("amazonaws.com.cn", "https://route53.amazonaws.com.cn", "cn-northwest-1") }
        if region.hasPrefix("us-gov-") { return ("amazonaws.com", "https://route53.us-gov.amazonaws.com", "us-gov-west-1") }
        return ("amazonaws.com", "https://route53.amazonaws.com", "us-east-1")
    }
}
