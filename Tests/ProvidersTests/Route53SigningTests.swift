import CertCore
import Foundation
@testable import Providers
import Testing

/// Signature Version 4 against AWS's published test suite (aws-sig-v4-test-suite: example
/// credentials, 2015-08-30T12:36:00Z, us-east-1, service "service"), and two Route 53 requests
/// whose signatures botocore (the AWS SDK for Python) computed.
@Suite struct Route53SigningTests {
    static let suiteCredentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let suiteDate = Date(timeIntervalSince1970: 1_440_938_160)   // 2015-08-30T12:36:00Z
    static let suiteSigner = AWSSigner(service: "service", region: "us-east-1")

    struct Vector: Sendable, CustomTestStringConvertible {
        var name: String
        var method: String
        var url: String
        var headers: [(String, String)] = []
        var body: String?
        var sessionToken: String?
        var signedHeaders: String
        var signature: String
        /// SHA-256 of the canonical request, where the suite publishes the string to sign.
        var canonicalRequestHash: String?
        var testDescription: String { name }
    }

    static let vectors: [Vector] = [
        Vector(name: "get-vanilla", method: "GET", url: "https://example.amazonaws.com/",
               signedHeaders: "host;x-amz-date", signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
               canonicalRequestHash: "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"),
        Vector(name: "get-vanilla-query-order-key-case", method: "GET", url: "https://example.amazonaws.com/?Param2=value2&Param1=value1",
               signedHeaders: "host;x-amz-date", signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
               canonicalRequestHash: "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0"),
        Vector(name: "post-vanilla", method: "POST", url: "https://example.amazonaws.com/",
               signedHeaders: "host;x-amz-date", signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        Vector(name: "post-vanilla-query", method: "POST", url: "https://example.amazonaws.com/?Param1=value1",
               signedHeaders: "host;x-amz-date", signature: "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11",
               canonicalRequestHash: "9d659678c1756bb3113e2ce898845a0a79dbbc57b740555917687f1b3340fbbd"),
        Vector(name: "post-x-www-form-urlencoded", method: "POST", url: "https://example.amazonaws.com/",
               headers: [("Content-Type", "application/x-www-form-urlencoded")], body: "Param1=value1",
               signedHeaders: "content-type;host;x-amz-date", signature: "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
               canonicalRequestHash: "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281"),
        Vector(name: "get-vanilla-with-session-token", method: "GET", url: "https://example.amazonaws.com/",
               sessionToken: "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267",
               signedHeaders: "host;x-amz-date;x-amz-security-token", signature: "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"),
    ]

    @Test(arguments: vectors)
    func signsAsTheSigV4TestSuite(_ vector: Vector) throws {
        var request = HTTPRequest(method: vector.method, url: vector.url, body: vector.body.map { Data($0.utf8) })
        for (name, value) in vector.headers { request.headers.set(name, value) }
        var credentials = Self.suiteCredentials
        credentials.sessionToken = vector.sessionToken
        let signature = try Self.suiteSigner.signature(for: &request, with: credentials, at: Self.suiteDate)
        #expect(signature.signedHeaders == vector.signedHeaders)
        #expect(signature.signature == vector.signature, "canonical request:\n\(signature.canonicalRequest)")
        #expect(signature.authorization == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=\(vector.signedHeaders), Signature=\(vector.signature)")
        if let hash = vector.canonicalRequestHash {
            #expect(signature.stringToSign == "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n\(hash)")
        }
        #expect(request.headers["X-Amz-Date"] == "20150830T123600Z")
        #expect(request.headers["X-Amz-Security-Token"] == vector.sessionToken)
    }

    @Test func signsARoute53ListAsBotocoreDoes() throws {
        var request = HTTPRequest(method: "GET", url: "https://route53.amazonaws.com/2013-04-01/hostedzone/Z1D633PJN98FT9/rrset?name=_acme-challenge.example.com.&type=TXT&maxitems=10")
        // A header the transport may rewrite is not signed.
        request.headers.set("Accept", "application/xml")
        try AWSSigner(service: "route53", region: "us-east-1").sign(&request, with: Self.suiteCredentials, at: Date(timeIntervalSince1970: 1_768_472_430))   // 2026-01-15T10:20:30Z
        #expect(request.headers["Authorization"] == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260115/us-east-1/route53/aws4_request, SignedHeaders=host;x-amz-date, Signature=03ed2157a22de3125701610402b009cfed691ba37944435317eadc87b69e983a")
        #expect(request.headers["Host"] == "route53.amazonaws.com")
    }

    @Test func signsARoute53ChangeWithASessionTokenAsBotocoreDoes() throws {
        let body = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n" + #"<ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeBatch><Changes><Change><Action>UPSERT</Action><ResourceRecordSet><Name>_acme-challenge.example.com.</Name><Type>TXT</Type><TTL>10</TTL><ResourceRecords><ResourceRecord><Value>"abc"</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>"#
        var request = HTTPRequest(method: "POST", url: "https://route53.amazonaws.com/2013-04-01/hostedzone/Z1D633PJN98FT9/rrset/", headers: ["Content-Type": "application/xml"], body: Data(body.utf8))
        var credentials = Self.suiteCredentials
        credentials.sessionToken = "session-token-example"
        try AWSSigner(service: "route53", region: "us-east-1").sign(&request, with: credentials, at: Date(timeIntervalSince1970: 1_768_472_430))
        #expect(request.headers["Authorization"] == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260115/us-east-1/route53/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=90c2fc67028e52af04c52df7f4c6582f392a177317747ec565c5186300246ec9")
        #expect(request.headers["X-Amz-Security-Token"] == "session-token-example")
    }

    @Test func aPortIsPartOfTheSignedHost() throws {
        var request = HTTPRequest(method: "GET", url: "http://127.0.0.1:5555/2013-04-01/hostedzonesbyname?dnsname=route53.test.")
        let signature = try AWSSigner(service: "route53", region: "us-east-1").signature(for: &request, with: Self.suiteCredentials, at: Self.suiteDate)
        #expect(request.headers["Host"] == "127.0.0.1:5555")
        #expect(signature.canonicalRequest.contains("\nhost:127.0.0.1:5555\n"))
        #expect(signature.canonicalRequest.hasPrefix("GET\n/2013-04-01/hostedzonesbyname\ndnsname=route53.test.\n"))
    }

    @Test func printedCredentialsShowNoSecret() {
        let credentials = AWSCredentials(accessKeyID: "AKIDPRINTED", secretAccessKey: "secret-printed", sessionToken: "token-printed")
        let text = "\(credentials) \(String(reflecting: credentials))"
        #expect(!text.contains("secret-printed") && !text.contains("token-printed") && !text.contains("AKIDPRINTED"), "\(text)")
    }
}

/// The XML reader against the shapes Route 53 and STS answer with.
@Suite struct Route53XMLTests {
    @Test func readsAListOfRecordSets() throws {
        let xml = try AWSXML.parse(Data("""
            <?xml version="1.0"?>
            <ListResourceRecordSetsResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">
              <!-- a comment -->
              <ResourceRecordSets><ResourceRecordSet><Name>_acme-challenge.a.test.</Name><Type>TXT</Type><TTL>60</TTL>
                <ResourceRecords><ResourceRecord><Value>&quot;one&quot;</Value></ResourceRecord><ResourceRecord><Value><![CDATA["two & <three>"]]></Value></ResourceRecord></ResourceRecords>
              </ResourceRecordSet></ResourceRecordSets>
              <IsTruncated>false</IsTruncated><MaxItems a='x>y'>10</MaxItems><Empty/>
            </ListResourceRecordSetsResponse>
            """.utf8))
        #expect(xml.name == "ListResourceRecordSetsResponse")
        let set = try #require(xml.child("ResourceRecordSets")?.child("ResourceRecordSet"))
        #expect(set.text("TTL") == "60")
        #expect(set.child("ResourceRecords")?.children("ResourceRecord").compactMap { $0.text("Value") } == ["\"one\"", "\"two & <three>\""])
        #expect(xml.text("MaxItems") == "10")
        #expect(xml.child("Empty") != nil)
        #expect(xml.first("Value")?.text == "\"one\"")
    }

    @Test func resolvesCharacterReferencesAndPrefixes() throws {
        let xml = try AWSXML.parse(Data("<a:Root xmlns:a='x'><a:Message>caf&#233; &#x2713; &lt;ok&gt; &apos;q&apos; &amp;</a:Message></a:Root>".utf8))
        #expect(xml.name == "Root")
        #expect(xml.text("Message") == "café ✓ <ok> 'q' &")
    }

    @Test(arguments: [
        "", "<a>", "<a></b>", "<a>&unknown;</a>", "<a>&amp</a>", "<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>", "<a></a>trailing", "<a><!-- never closed",
        String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100),
    ])
    func refusesMalformedDocuments(_ text: String) {
        #expect(throws: AWSXML.Malformed.self) { try AWSXML.parse(Data(text.utf8)) }
    }

    @Test func escapesText() {
        #expect(AWSXML.escaped(#"<a & "b" 'c'>"#) == "&lt;a &amp; &quot;b&quot; &apos;c&apos;&gt;")
    }

    @Test func readsAnErrorAnswer() {
        let body = Data("<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>".utf8)
        let error = AWSAPI.error(in: HTTPResponse(status: 400, headers: [:], body: body, httpVersion: "1.1", duration: .zero))
        #expect(error.code == "Throttling")
        #expect(error.message == "Rate exceeded")
        let plain = AWSAPI.error(in: HTTPResponse(status: 502, headers: [:], body: Data("Bad Gateway".utf8), httpVersion: "1.1", duration: .zero))
        #expect(plain.code == nil)
        #expect(plain.message == "Bad Gateway")
    }
}

/// The shared credentials and config files, read as the AWS SDKs read them.
@Suite struct Route53ProfileFileTests {
    func files(credentials: String, config: String) throws -> AWSProfileFiles {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("aws-profiles-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try credentials.write(to: directory.appendingPathComponent("credentials"), atomically: true, encoding: .utf8)
        try config.write(to: directory.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        return try AWSProfileFiles(credentialsPath: directory.appendingPathComponent("credentials").path, configPath: directory.appendingPathComponent("config").path, explicitCredentials: true, explicitConfig: true)
    }

    @Test func aProfileOfKeysAndTheConfigFilesRegion() throws {
        let files = try files(credentials: """
            # a comment
            [default]
            aws_access_key_id = AKIDDEFAULT
            aws_secret_access_key = secret-default

            [team]
            aws_access_key_id=AKIDTEAM ; trailing comment
            aws_secret_access_key=secret-team
            aws_session_token = token-team
            """, config: """
            [default]
            region = eu-west-1
            [profile team]
            region = eu-central-1
            s3 =
              max_concurrent_requests = 4
            """)
        #expect(try files.source(profile: "team", sessionName: "s") == .keys(AWSCredentials(accessKeyID: "AKIDTEAM", secretAccessKey: "secret-team", sessionToken: "token-team"), from: "AWS profile \"team\""))
        #expect(files.profiles["team"]?["region"] == "eu-central-1")
        #expect(files.profiles["default"]?["region"] == "eu-west-1")
    }

    @Test func aRoleWithASourceProfileAndAWebIdentityProfile() throws {
        let files = try files(credentials: """
            [base]
            aws_access_key_id = AKIDBASE
            aws_secret_access_key = secret-base
            """, config: """
            [profile dns]
            role_arn = arn:aws:iam::123456789012:role/dns
            source_profile = base
            external_id = ext-1
            [profile pod]
            role_arn = arn:aws:iam::123456789012:role/pod
            web_identity_token_file = /var/run/secrets/token
            role_session_name = pod-session
            [profile loop-a]
            role_arn = arn:aws:iam::123456789012:role/a
            source_profile = loop-b
            [profile loop-b]
            role_arn = arn:aws:iam::123456789012:role/b
            source_profile = loop-a
            """)
        let base = AWSCredentialSource.keys(AWSCredentials(accessKeyID: "AKIDBASE", secretAccessKey: "secret-base"), from: "AWS profile \"base\"")
        #expect(try files.source(profile: "dns", sessionName: "s") == .assumeRole(roleARN: "arn:aws:iam::123456789012:role/dns", externalID: "ext-1", sessionName: "s", base: base))
        #expect(try files.source(profile: "pod", sessionName: "s") == .webIdentity(roleARN: "arn:aws:iam::123456789012:role/pod", tokenFile: "/var/run/secrets/token", sessionName: "pod-session"))
        let loop = #expect(throws: ProviderError.self) { try files.source(profile: "loop-a", sessionName: "s") }
        #expect(loop?.message.contains("loop") == true, "\(loop?.message ?? "")")
        let missing = #expect(throws: ProviderError.self) { try files.source(profile: "nope", sessionName: "s") }
        #expect(missing?.message.contains("AWS profile \"nope\" is not defined") == true)
        #expect(missing?.code == .configuration)
    }
}
