import CertCore
import DNS01
import Foundation
@testable import Providers
import TestSupport
import Testing

/// The route53 adapter against the lab's moto (which checks no signature), against a moto of
/// the test's own that checks every signature and permission as AWS does, and through a
/// Route 53 stand-in in front of moto for throttling and paged zone lists.
@Suite(.lab) struct Route53Tests {
    struct LabMoto {
        var endpoint: String
        var zone: String
        var zoneID: String
        var accessKeyID: String
        var secretAccessKey: String

        init() throws {
            endpoint = try Lab.require("LAB_MOTO_ENDPOINT", component: "moto")
            zone = try Lab.require("LAB_ROUTE53_ZONE", component: "moto")
            zoneID = try Lab.require("LAB_ROUTE53_ZONE_ID", component: "moto")
            accessKeyID = try Lab.require("LAB_AWS_ACCESS_KEY_ID", component: "moto")
            secretAccessKey = try Lab.require("LAB_AWS_SECRET_ACCESS_KEY", component: "moto")
        }

        /// The adapter's variables for the lab's moto, nothing from this machine's AWS setup.
        var environment: [String: String] {
            ["AWS_ACCESS_KEY_ID": accessKeyID, "AWS_SECRET_ACCESS_KEY": secretAccessKey, "AWS_ENDPOINT_URL": endpoint, "AWS_REGION": "us-east-1", "HOME": "/nonexistent"]
        }

        var admin: Route53Admin { Route53Admin(endpoint: endpoint, accessKeyID: accessKeyID, secretAccessKey: secretAccessKey) }
    }

    /// Starts the authenticating moto and reads what it printed.
    static func signedMoto() async throws -> (server: ServerProcess, moto: SignedMoto, endpoint: String) {
        let server = try await Route53TestServers.python(Route53TestServers.authenticatingMoto, name: "signed_moto.py")
        guard let line = server.outputLines.first(where: { $0.hasPrefix("{") }) else { throw Lab.NotRunning(component: "signed moto", variable: "its JSON line") }
        return (server, try JSONDecoder().decode(SignedMoto.self, from: Data(line.utf8)), "http://127.0.0.1:\(server.port)")
    }

    static func record(_ zone: String, _ label: String = "\(uniqueLabel("t"))") -> ChallengeRecord {
        ChallengeRecord(fqdn: "_acme-challenge.\(label).\(zone)", zone: zone, value: "value-\(label)", ttl: 30)
    }

    /// The server's `REQUEST` lines once there are `count` of them (waiting at most 10 s for its
    /// output to arrive).
    static func lines(of server: ServerProcess, atLeast count: Int) async -> [String] {
        let deadline = ContinuousClock.now + .seconds(10)
        var lines = server.outputLines.filter { $0.hasPrefix("REQUEST ") }
        while lines.count < count, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
            lines = server.outputLines.filter { $0.hasPrefix("REQUEST ") }
        }
        return lines
    }

    @Test func conformance_AgainstMoto() async throws {
        let lab = try LabMoto()
        let (server, moto, signedEndpoint) = try await Self.signedMoto()
        let admin = lab.admin
        let zoneID = lab.zoneID
        try await runProviderConformance(
            makeProvider: { try configuredProvider(lab.environment, code: "route53") },
            // The lab's moto checks no signature: the wrong secret goes to one that does.
            makeWrongProvider: {
                try configuredProvider(["AWS_ACCESS_KEY_ID": moto.accessKeyID, "AWS_SECRET_ACCESS_KEY": "wrong-\(UUID().uuidString)", "AWS_ENDPOINT_URL": signedEndpoint, "HOME": "/nonexistent"], code: "route53")
            },
            makeUnreachableProvider: { try configuredProvider(lab.environment.merging(["AWS_ENDPOINT_URL": "http://127.0.0.9:1"]) { $1 }, code: "route53") },
            zone: lab.zone,
            nameservers: [],
            isClearCredentialError: { $0.hasPrefix("route53: ") && $0.contains("403 SignatureDoesNotMatch") && $0.contains("(zone \(lab.zone).)") && $0.contains("check the AWS credentials") },
            readValues: { fqdn in try await admin.values(at: fqdn, zoneID: zoneID) })
        withExtendedLifetime(server) {}
    }

    @Test func everyRequestIsSignedAsAWSChecksIt_AgainstSignedMoto() async throws {
        let (server, moto, endpoint) = try await Self.signedMoto()
        let environment = ["AWS_ACCESS_KEY_ID": moto.accessKeyID, "AWS_SECRET_ACCESS_KEY": moto.secretAccessKey, "AWS_ENDPOINT_URL": endpoint, "HOME": "/nonexistent"]
        let admin = Route53Admin(endpoint: endpoint, accessKeyID: moto.accessKeyID, secretAccessKey: moto.secretAccessKey)
        let provider = try configuredProvider(environment, code: "route53")
        let first = Self.record(moto.zone), second = ChallengeRecord(fqdn: first.fqdn, zone: first.zone, value: "second-\(first.value)", ttl: 30)
        // ListHostedZonesByName, ListResourceRecordSets, ChangeResourceRecordSets (UPSERT, DELETE) and GetChange, each verified.
        try await provider.present(first)
        try await provider.present(second)
        #expect(try await admin.values(at: first.fqdn, zoneID: moto.zoneID) == [first.value, second.value])
        try await provider.cleanUp(first)
        #expect(try await admin.values(at: first.fqdn, zoneID: moto.zoneID) == [second.value])
        try await provider.cleanUp(second)
        #expect(try await admin.values(at: first.fqdn, zoneID: moto.zoneID) == [])

        let refusals: [(String, [String: String], String)] = [
            ("unknown key", ["AWS_ACCESS_KEY_ID": "AKIAUNKNOWN\(UInt32.random(in: 100_000_000...999_999_999))", "AWS_SECRET_ACCESS_KEY": "unknown-secret-\(UUID().uuidString)"], "InvalidClientTokenId"),
            ("wrong secret", ["AWS_ACCESS_KEY_ID": moto.accessKeyID, "AWS_SECRET_ACCESS_KEY": "wrong-secret-\(UUID().uuidString)"], "SignatureDoesNotMatch"),
            ("no Route 53 permission", ["AWS_ACCESS_KEY_ID": moto.assumerKeyID, "AWS_SECRET_ACCESS_KEY": moto.assumerSecret], "AccessDenied"),
        ]
        for (what, keys, code) in refusals {
            let wrong = try configuredProvider(environment.merging(keys) { $1 }, code: "route53")
            let error = await #expect(throws: ProviderError.self, "\(what)") { try await wrong.present(Self.record(moto.zone)) }
            let message = error?.message ?? ""
            #expect(error?.code == .credentialsRefused, "\(what): \(message)")
            #expect(message.hasPrefix("route53: finding the hosted zone of _acme-challenge.") && message.contains("403 \(code)"), "\(what): \(message)")
            #expect(!message.contains(keys["AWS_SECRET_ACCESS_KEY"] ?? "-") && !message.contains(moto.secretAccessKey), "\(what): a secret in \(message)")
        }
        withExtendedLifetime(server) {}
    }

    /// The role is assumed with a user that may only assume it: Route 53 accepting the calls
    /// proves they were signed with the role's temporary credentials and session token.
    @Test func assumeRoleARNAssumesTheRole_AgainstSignedMoto() async throws {
        let (server, moto, endpoint) = try await Self.signedMoto()
        let provider = try configuredProvider(["AWS_ACCESS_KEY_ID": moto.assumerKeyID, "AWS_SECRET_ACCESS_KEY": moto.assumerSecret, "AWS_ASSUME_ROLE_ARN": moto.roleARN, "AWS_ENDPOINT_URL": endpoint, "HOME": "/nonexistent"], code: "route53")
        let record = Self.record(moto.zone)
        try await provider.present(record)
        let admin = Route53Admin(endpoint: endpoint, accessKeyID: moto.accessKeyID, secretAccessKey: moto.secretAccessKey)
        #expect(try await admin.values(at: record.fqdn, zoneID: moto.zoneID) == [record.value])
        try await provider.cleanUp(record)
        #expect(try await admin.values(at: record.fqdn, zoneID: moto.zoneID) == [])

        // A user without sts:AssumeRole: STS refuses, and the error says which role and why.
        let refused = try configuredProvider(["AWS_ACCESS_KEY_ID": moto.accessKeyID, "AWS_SECRET_ACCESS_KEY": moto.secretAccessKey, "AWS_ASSUME_ROLE_ARN": moto.roleARN, "AWS_ENDPOINT_URL": endpoint, "HOME": "/nonexistent"], code: "route53")
        let error = await #expect(throws: ProviderError.self) { try await refused.present(Self.record(moto.zone)) }
        let message = error?.message ?? ""
        #expect(error?.code == .credentialsRefused, "\(message)")
        #expect(message.hasPrefix("route53: assuming role \(moto.roleARN) with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: STS answered 403 AccessDenied"), "\(message)")
        #expect(!message.contains(moto.secretAccessKey))
        withExtendedLifetime(server) {}
    }

    @Test func aProfileWithRoleARNAndSourceProfile_AgainstSignedMoto() async throws {
        let (server, moto, endpoint) = try await Self.signedMoto()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("route53-profile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "[assumer]\naws_access_key_id = \(moto.assumerKeyID)\naws_secret_access_key = \(moto.assumerSecret)\n".write(to: directory.appendingPathComponent("credentials"), atomically: true, encoding: .utf8)
        try "[profile dns]\nrole_arn = \(moto.roleARN)\nsource_profile = assumer\nregion = eu-west-1\n".write(to: directory.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        let provider = try configuredProvider([
            "AWS_PROFILE": "dns", "AWS_SHARED_CREDENTIALS_FILE": directory.appendingPathComponent("credentials").path,
            "AWS_CONFIG_FILE": directory.appendingPathComponent("config").path, "AWS_ENDPOINT_URL": endpoint, "HOME": "/nonexistent",
        ], code: "route53")
        let configuration = try #require(provider as? Route53Provider).api.credentials
        #expect(configuration?.region == "eu-west-1")
        let record = Self.record(moto.zone)
        try await provider.present(record)
        let admin = Route53Admin(endpoint: endpoint, accessKeyID: moto.accessKeyID, secretAccessKey: moto.secretAccessKey)
        #expect(try await admin.values(at: record.fqdn, zoneID: moto.zoneID) == [record.value])
        try await provider.cleanUp(record)
        #expect(try await admin.values(at: record.fqdn, zoneID: moto.zoneID) == [])
        withExtendedLifetime(server) {}
    }

    @Test func aWebIdentityTokenFile_AgainstSignedMoto() async throws {
        let (server, moto, endpoint) = try await Self.signedMoto()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("route53-web-identity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let token = "web-identity-token-\(UUID().uuidString)"
        let tokenFile = directory.appendingPathComponent("token")
        try token.write(to: tokenFile, atomically: true, encoding: .utf8)
        let environment = ["AWS_ROLE_ARN": moto.roleARN, "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile.path, "AWS_ENDPOINT_URL": endpoint, "HOME": "/nonexistent"]
        let provider = try configuredProvider(environment, code: "route53")
        let record = Self.record(moto.zone)
        try await provider.present(record)
        let admin = Route53Admin(endpoint: endpoint, accessKeyID: moto.accessKeyID, secretAccessKey: moto.secretAccessKey)
        #expect(try await admin.values(at: record.fqdn, zoneID: moto.zoneID) == [record.value])
        try await provider.cleanUp(record)

        // STS reached, Route 53 not: the error names what failed and holds no token.
        let halfway = try configuredProvider(environment.merging(["AWS_ENDPOINT_URL_ROUTE_53": "http://127.0.0.9:1"]) { $1 }, code: "route53")
        let error = await #expect(throws: ProviderError.self) { try await halfway.present(Self.record(moto.zone)) }
        #expect(error?.code == .unreachable)
        #expect(error?.message.contains(token) == false)
        // A token file that cannot be read is named, not shown.
        try FileManager.default.removeItem(at: tokenFile)
        let missing = try configuredProvider(environment, code: "route53")
        let unreadable = await #expect(throws: ProviderError.self) { try await missing.present(Self.record(moto.zone)) }
        #expect(unreadable?.message.contains("\(tokenFile.path) (AWS_WEB_IDENTITY_TOKEN_FILE) cannot be read") == true, "\(unreadable?.message ?? "")")
        withExtendedLifetime(server) {}
    }

    /// `kubectl certs dns check --dns route53 -vv` logs every API call, and neither a secret
    /// access key, a web identity token, STS's session token nor a signature. (moto serves no
    /// DNS: the probe is published, never seen, and removed.)
    @Test func noSecretReachesTheVerboseLog_AgainstSignedMoto() async throws {
        let (server, moto, endpoint) = try await Self.signedMoto()
        let resolver = try Lab.require("LAB_DNS_RESOLVER", component: "dns")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("route53-vv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let token = "web-identity-token-\(UUID().uuidString)"
        try token.write(to: directory.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        let binary = Subprocess.buildDirectory.appendingPathComponent("kubectl-certs").path
        let admin = Route53Admin(endpoint: endpoint, accessKeyID: moto.accessKeyID, secretAccessKey: moto.secretAccessKey)
        let ways = [
            ["AWS_ACCESS_KEY_ID": moto.accessKeyID, "AWS_SECRET_ACCESS_KEY": moto.secretAccessKey],
            ["AWS_ROLE_ARN": moto.roleARN, "AWS_WEB_IDENTITY_TOKEN_FILE": directory.appendingPathComponent("token").path],
        ]
        for credentials in ways {
            let name = "\(uniqueLabel("vv")).\(moto.zone.dropLast())"
            let environment = credentials.merging(["AWS_ENDPOINT_URL": endpoint, "HOME": "/nonexistent", "NO_COLOR": "1"]) { $1 }
            let result = try await Subprocess.run(binary, ["dns", "check", "-d", name, "--dns", "route53", "--dns-resolver", resolver, "--propagation-timeout", "1s", "-vv"], environment: environment)
            let output = result.stdout + result.stderr
            #expect(result.status == 6, "\(output)")
            #expect(output.contains("route53: POST \(endpoint)/2013-04-01/hostedzone/\(moto.zoneID)/rrset/ -> 200"), "\(output)")
            for secret in [moto.secretAccessKey, token, "Authorization", "Signature=", "X-Amz-Security-Token", "SessionToken", "FQoGZXIvYXdz"] {
                #expect(!output.contains(secret), "\(secret) in the output:\n\(output)")
            }
            #expect(try await admin.values(at: "_acme-challenge.\(name).", zoneID: moto.zoneID) == [], "the probe was not removed")
        }
        withExtendedLifetime(server) {}
    }

    @Test func privateZonesArePassedOverUnlessAsked_AgainstMoto() async throws {
        let lab = try LabMoto()
        let admin = lab.admin
        let name = "\(uniqueLabel("private")).test."
        let privateID = try await admin.createZone(name, isPrivate: true)
        let publicID = try await admin.createZone(name)
        let onlyPrivate = "only-\(uniqueLabel("private")).test."
        let onlyPrivateID = try await admin.createZone(onlyPrivate, isPrivate: true)
        defer { Task { for id in [privateID, publicID, onlyPrivateID] { await admin.deleteZone(id) } } }

        let record = Self.record(name, "www")
        let publicProvider = try configuredProvider(lab.environment, code: "route53")
        try await publicProvider.present(record)
        #expect(try await admin.values(at: record.fqdn, zoneID: publicID) == [record.value])
        #expect(try await admin.values(at: record.fqdn, zoneID: privateID) == [])
        try await publicProvider.cleanUp(record)

        let privateProvider = try configuredProvider(lab.environment.merging(["AWS_PRIVATE_ZONE": "true"]) { $1 }, code: "route53")
        try await privateProvider.present(record)
        #expect(try await admin.values(at: record.fqdn, zoneID: privateID) == [record.value])
        #expect(try await admin.values(at: record.fqdn, zoneID: publicID) == [])
        try await privateProvider.cleanUp(record)
        #expect(try await admin.values(at: record.fqdn, zoneID: privateID) == [])

        let error = await #expect(throws: ProviderError.self) { try await publicProvider.present(Self.record(onlyPrivate)) }
        #expect(error?.message.contains("no public hosted zone") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("passed over the private zone(s) \(onlyPrivate) (\(onlyPrivateID))") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("AWS_HOSTED_ZONE_ID") == true)
    }

    @Test func everyPageOfTheZoneListIsRead_AgainstMoto() async throws {
        let lab = try LabMoto()
        let admin = lab.admin
        let name = "\(uniqueLabel("paged")).test."
        let first = try await admin.createZone(name, isPrivate: true)
        let second = try await admin.createZone(name, isPrivate: true)
        let wanted = try await admin.createZone(name)
        let other = try await admin.createZone("other-\(name)")
        defer { Task { for id in [first, second, wanted, other] { await admin.deleteZone(id) } } }
        let zones: [[String: Any]] = [
            ["id": first, "name": name, "private": true], ["id": second, "name": name, "private": true],
            ["id": wanted, "name": name, "private": false], ["id": other, "name": "other-\(name)", "private": false],
        ]
        let config = String(decoding: try JSONSerialization.data(withJSONObject: ["target": lab.endpoint, "zones": zones]), as: UTF8.self)
        let stub = try await Route53TestServers.python(Route53TestServers.route53Stub, name: "route53_stub.py", arguments: [config])
        let provider = try configuredProvider(lab.environment.merging(["AWS_ENDPOINT_URL": "http://127.0.0.1:\(stub.port)"]) { $1 }, code: "route53")
        let record = Self.record(name, "www")
        try await provider.present(record)
        #expect(try await admin.values(at: record.fqdn, zoneID: wanted) == [record.value])
        try await provider.cleanUp(record)
        #expect(try await admin.values(at: record.fqdn, zoneID: wanted) == [])
        let listings = await Self.lines(of: stub, atLeast: 1).filter { $0.contains("/hostedzonesbyname?") }
        #expect(listings.contains { $0.contains("dnsname=\(name)") && $0.contains("hostedzoneid=\(second)") }, "\(listings)")
        #expect(listings.contains { $0.contains("dnsname=\(name)") && $0.contains("hostedzoneid=\(wanted)") }, "\(listings)")
    }

    @Test func throttlingIsRetriedABoundedNumberOfTimes_AgainstMoto() async throws {
        let lab = try LabMoto()
        let twice = try await Route53TestServers.python(Route53TestServers.route53Stub, name: "route53_stub.py", arguments: [#"{"target": "\#(lab.endpoint)", "throttle": 2}"#])
        let environment = lab.environment.merging(["AWS_ENDPOINT_URL": "http://127.0.0.1:\(twice.port)", "AWS_HOSTED_ZONE_ID": lab.zoneID]) { $1 }
        let provider = try configuredProvider(environment, code: "route53")
        let record = Self.record(lab.zone)
        try await provider.present(record)
        #expect(try await lab.admin.values(at: record.fqdn, zoneID: lab.zoneID) == [record.value])
        try await provider.cleanUp(record)
        let statuses = await Self.lines(of: twice, atLeast: 3).map { $0.split(separator: " ").last.map(String.init) ?? "" }
        #expect(Array(statuses.prefix(3)) == ["400", "400", "200"], "\(twice.outputLines)")

        let always = try await Route53TestServers.python(Route53TestServers.route53Stub, name: "route53_stub.py", arguments: [#"{"target": "\#(lab.endpoint)", "throttle": 1000}"#])
        let limited = try configuredProvider(environment.merging(["AWS_ENDPOINT_URL": "http://127.0.0.1:\(always.port)", "AWS_MAX_RETRIES": "2"]) { $1 }, code: "route53")
        let error = await #expect(throws: ProviderError.self) { try await limited.present(Self.record(lab.zone)) }
        #expect(error?.code == .rejected)
        #expect(error?.message.contains("400 Throttling: Rate exceeded") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("after 2 retries (AWS_MAX_RETRIES)") == true, "\(error?.message ?? "")")
        // The stub prints each request before answering it; its output reaches us a moment later.
        let requests = await Self.lines(of: always, atLeast: 3)
        #expect(requests.count == 3, "\(requests)")
    }

    @Test func aChangeIsWaitedForUntilInSyncWithinTheTimeout_AgainstMoto() async throws {
        let lab = try LabMoto()
        let stub = try await Route53TestServers.python(Route53TestServers.route53Stub, name: "route53_stub.py", arguments: [#"{"target": "\#(lab.endpoint)", "pending": 3}"#])
        let environment = lab.environment.merging(["AWS_ENDPOINT_URL": "http://127.0.0.1:\(stub.port)", "AWS_HOSTED_ZONE_ID": lab.zoneID, "AWS_POLLING_INTERVAL": "1s"]) { $1 }
        let record = Self.record(lab.zone)
        try await configuredProvider(environment, code: "route53").present(record)
        let asked = await Self.lines(of: stub, atLeast: 6).filter { $0.contains(" GET /2013-04-01/change/") }
        #expect(asked.count == 3, "GetChange until INSYNC: \(asked)")
        try await configuredProvider(lab.environment, code: "route53").cleanUp(record)

        let never = try await Route53TestServers.python(Route53TestServers.route53Stub, name: "route53_stub.py", arguments: [#"{"target": "\#(lab.endpoint)", "pending": 1000}"#])
        let impatient = try configuredProvider(environment.merging(["AWS_ENDPOINT_URL": "http://127.0.0.1:\(never.port)", "AWS_PROPAGATION_TIMEOUT": "2s"]) { $1 }, code: "route53")
        let stuck = Self.record(lab.zone)
        let error = await #expect(throws: ProviderError.self) { try await impatient.present(stuck) }
        #expect(error?.message.contains("was still PENDING after 2.0 seconds (AWS_PROPAGATION_TIMEOUT)") == true, "\(error?.message ?? "")")
        try await configuredProvider(lab.environment, code: "route53").cleanUp(stuck)
    }

    /// Route 53 refuses a DELETE that does not match the set as it is now (another writer
    /// changed it since it was read): the set is read again and the change made again.
    @Test func aDeleteThatNoLongerMatchesIsRetriedFromAFreshRead_AgainstMoto() async throws {
        let lab = try LabMoto()
        let stub = try await Route53TestServers.python(Route53TestServers.route53Stub, name: "route53_stub.py", arguments: [#"{"target": "\#(lab.endpoint)", "refuseDeletes": 1}"#])
        let provider = try configuredProvider(lab.environment.merging(["AWS_ENDPOINT_URL": "http://127.0.0.1:\(stub.port)", "AWS_HOSTED_ZONE_ID": lab.zoneID]) { $1 }, code: "route53")
        let record = Self.record(lab.zone)
        try await provider.present(record)
        try await provider.cleanUp(record)
        #expect(try await lab.admin.values(at: record.fqdn, zoneID: lab.zoneID) == [])
        let changes = await Self.lines(of: stub, atLeast: 8).filter { $0.contains("POST /2013-04-01/hostedzone/\(lab.zoneID)/rrset/") }
        #expect(changes.map { $0.split(separator: " ").last.map(String.init) ?? "" } == ["200", "400", "200"], "\(changes)")
    }

    @Test func settingsProblemsAreReportedTogetherWithoutSecrets() {
        let secret = "secret-\(UUID().uuidString)"
        let error = #expect(throws: ProviderError.self) {
            try configuredProvider(["AWS_SECRET_ACCESS_KEY": secret, "AWS_REGION": "Mars", "AWS_PRIVATE_ZONE": "maybe", "AWS_MAX_RETRIES": "x", "AWS_ENDPOINT_URL": "ftp://x", "HOME": "/nonexistent"], code: "route53")
        }
        let message = error?.message ?? ""
        #expect(error?.code == .configuration)
        #expect(message.contains("missing AWS_ACCESS_KEY_ID (AWS_SECRET_ACCESS_KEY is set)"), "\(message)")
        #expect(message.contains("AWS_REGION=Mars is not an AWS region"), "\(message)")
        #expect(message.contains("AWS_PRIVATE_ZONE=maybe is not true or false"), "\(message)")
        #expect(message.contains("AWS_MAX_RETRIES=x"), "\(message)")
        #expect(message.contains("AWS_ENDPOINT_URL=ftp://x is not an http(s) URL"), "\(message)")
        #expect(!message.contains(secret))

        let nothing = #expect(throws: ProviderError.self) { try configuredProvider(["HOME": "/nonexistent"], code: "route53") }
        #expect(nothing?.message.contains("no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE") == true, "\(nothing?.message ?? "")")
        let noProfile = #expect(throws: ProviderError.self) { try configuredProvider(["HOME": "/nonexistent", "AWS_PROFILE": "team"], code: "route53") }
        #expect(noProfile?.message.contains("AWS profile \"team\" is not defined (no AWS config or credentials file exists)") == true, "\(noProfile?.message ?? "")")
    }

    @Test func aSecretOrIssuerMayNotNameLocalFilesNorRedirectLocalCredentials() throws {
        let fromSecret = ProviderEnvironment(local: ["AWS_ACCESS_KEY_ID": "AKIDLOCAL", "AWS_SECRET_ACCESS_KEY": "local-secret", "HOME": "/nonexistent"], supplied: [
            "AWS_PROFILE": "other", "AWS_WEB_IDENTITY_TOKEN_FILE": "/var/run/token", "AWS_SHARED_CREDENTIALS_FILE": "/root/.aws/credentials", "AWS_ENDPOINT_URL_STS": "https://attacker.example",
        ], suppliedBy: "Secret team-a/dns")
        let error = #expect(throws: ProviderError.self) { try ConfiguredProvider(code: "route53", environment: fromSecret) }
        let message = error?.message ?? ""
        for name in ["AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_SHARED_CREDENTIALS_FILE"] {
            #expect(message.contains("\(name) in Secret team-a/dns is refused"), "\(name): \(message)")
        }
        #expect(message.contains("AWS_ENDPOINT_URL_STS in Secret team-a/dns is refused without AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the same place"), "\(message)")
        #expect(!message.contains("local-secret"))

        // With its own keys, a Secret may choose the endpoint.
        let own = ProviderEnvironment(local: ["HOME": "/nonexistent"], supplied: ["AWS_ACCESS_KEY_ID": "AKIDSECRET", "AWS_SECRET_ACCESS_KEY": "secret-secret", "AWS_ENDPOINT_URL": "http://127.0.0.1:5555"], suppliedBy: "Secret team-a/dns")
        #expect(throws: Never.self) { try ConfiguredProvider(code: "route53", environment: own) }
    }

    @Test func theCertManagerSolverMapsToTheVariables() async throws {
        let context = CertManagerSolverContext(issuer: "ClusterIssuer letsencrypt", secretNamespace: "cert-manager") { name, key in
            guard name == "aws", ["id", "secret"].contains(key) else { throw ProviderError(.configuration, provider: nil, "no \(name)/\(key)") }
            return key == "id" ? "AKIDFROMSECRET\n" : "secret-from-secret"
        }
        let solver: JSONValue = [
            "region": "eu-west-1", "hostedZoneID": "Z1D633PJN98FT9", "role": "arn:aws:iam::123456789012:role/dns",
            "accessKeyIDSecretRef": ["name": "aws", "key": "id"], "secretAccessKeySecretRef": ["name": "aws", "key": "secret"],
        ]
        let (code, variables) = try await ProviderRegistry.variables(forCertManagerSolver: "route53", solver: solver, context: context)
        #expect(code == "route53")
        #expect(variables == [
            "AWS_REGION": "eu-west-1", "AWS_HOSTED_ZONE_ID": "Z1D633PJN98FT9", "AWS_ASSUME_ROLE_ARN": "arn:aws:iam::123456789012:role/dns",
            "AWS_ACCESS_KEY_ID": "AKIDFROMSECRET", "AWS_SECRET_ACCESS_KEY": "secret-from-secret",
        ])
        let literal = try await Route53Provider.variables(fromCertManagerSolver: ["accessKeyID": "AKIDLITERAL", "secretAccessKeySecretRef": ["name": "aws", "key": "secret"]], context: context)
        #expect(literal["AWS_ACCESS_KEY_ID"] == "AKIDLITERAL")
        #expect(try await Route53Provider.variables(fromCertManagerSolver: ["region": "us-west-2"], context: context) == ["AWS_REGION": "us-west-2"])
        await #expect(throws: ProviderError.self) { try await Route53Provider.variables(fromCertManagerSolver: ["accessKeyID": "AKIDALONE"], context: context) }
        let serviceAccount = await #expect(throws: ProviderError.self) {
            try await Route53Provider.variables(fromCertManagerSolver: ["auth": ["kubernetes": ["serviceAccountRef": ["name": "dns"]]]], context: context)
        }
        #expect(serviceAccount?.message.contains("ServiceAccount") == true)
    }
}
