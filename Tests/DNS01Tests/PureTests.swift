import DNS01
import Testing

@Suite struct DNSServerParsingTests {
    @Test(arguments: [
        ("127.0.0.2", "127.0.0.2", 53),
        ("127.0.0.4:5353", "127.0.0.4", 5353),
        ("::1", "::1", 53),
        ("[::1]", "::1", 53),
        ("[2001:db8::1]:5300", "2001:db8::1", 5300),
        ("ns1.example.test:54", "ns1.example.test", 54),
    ])
    func parses(text: String, host: String, port: Int) throws {
        let server = try DNSServer(parsing: text)
        #expect(server.host == host)
        #expect(server.port == port)
    }

    @Test(arguments: ["", ":53", "127.0.0.1:x", "127.0.0.1:70000", "[::1", "[::1]x"])
    func refuses(text: String) {
        #expect(throws: DNSError.self) { try DNSServer(parsing: text) }
    }

    @Test func readsNameserverLinesOfResolvConf() {
        let text = """
        # comment
        search example.test
        nameserver 127.0.0.53
        nameserver fe80::1%eth0
        options edns0
        """
        #expect(DNSServer.parseResolvConf(text) == [DNSServer(host: "127.0.0.53"), DNSServer(host: "fe80::1")])
    }
}

@Suite struct DNSNameTests {
    @Test func normalizes() {
        #expect(DNSName.normalized("Example.TEST") == "example.test.")
        #expect(DNSName.normalized("example.test.") == "example.test.")
        #expect(DNSName.normalized("") == ".")
    }

    @Test func challengeNameDropsTheWildcard() {
        #expect(DNSName.challengeName(for: "*.example.test") == "_acme-challenge.example.test.")
        #expect(DNSName.challengeName(for: "example.test") == "_acme-challenge.example.test.")
    }

    @Test func climbsToTheRoot() {
        #expect(DNSName.parent(of: "a.b.test") == "b.test.")
        #expect(DNSName.parent(of: "test.") == ".")
        #expect(DNSName.parent(of: ".") == nil)
        #expect(DNSName.parent(of: "a\\.b.test.") == "test.")
    }
}

@Suite struct BackoffTests {
    @Test func growsFromInitialToTheCeilingAndStays() {
        let backoff = Backoff(initial: .milliseconds(200), maximum: .seconds(2), multiplier: 2, steadyPolls: 0)
        let delays = (0..<8).map { backoff.delay(afterAttempt: $0) }
        #expect(delays == [.milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1600), .seconds(2), .seconds(2), .seconds(2), .seconds(2)])
    }

    @Test func staysAtTheStartForTheSteadyPollsThenGrows() {
        let backoff = Backoff(initial: .milliseconds(250), maximum: .seconds(2), multiplier: 2, steadyPolls: 3)
        let delays = (0..<7).map { backoff.delay(afterAttempt: $0) }
        #expect(delays == [.milliseconds(250), .milliseconds(250), .milliseconds(250), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2)])
        // By default ten seconds of polls four times a second.
        #expect((0..<40).allSatisfy { Backoff().delay(afterAttempt: $0) == .milliseconds(250) })
        #expect(Backoff().delay(afterAttempt: 41) > .milliseconds(250))
    }

    @Test func aCeilingBelowTheStartIsRaisedToIt() {
        let backoff = Backoff(initial: .seconds(1), maximum: .milliseconds(100))
        #expect(backoff.delay(afterAttempt: 5) == .seconds(1))
    }
}

@Suite struct TSIGKeyTests {
    @Test(arguments: [
        ("hmac-sha256", TSIGAlgorithm.hmacSHA256), ("HMAC-SHA512.", .hmacSHA512),
        ("hmac-md5.sig-alg.reg.int.", .hmacMD5), ("hmac-sha1", .hmacSHA1),
    ])
    func algorithmNames(name: String, algorithm: TSIGAlgorithm) {
        #expect(TSIGAlgorithm(name: name) == algorithm)
    }

    @Test func secretNeverPrinted() {
        let key = TSIGKey(name: "k", algorithm: .hmacSHA256, secret: "c2VjcmV0LXNlY3JldC1zZWNyZXQ=")
        #expect(!"\(key)".contains("c2VjcmV0"))
        #expect(!String(reflecting: key).contains("c2VjcmV0"))
        var dumped = ""
        dump(key, to: &dumped)
        #expect(!dumped.contains("c2VjcmV0"))
    }
}

@Suite struct PropagationReportTests {
    @Test func timeoutErrorListsEveryServerAndWhatItSaid() {
        let error = PropagationTimeoutError(timeout: .seconds(3), pending: [
            .init(fqdn: "_acme-challenge.example.test.", value: "v", nameserver: "ns2.example.test.", address: DNSServer(host: "127.0.0.3"), lastAnswer: .notYet(rcode: .nameError, values: [])),
            .init(fqdn: "_acme-challenge.example.test.", value: "v", nameserver: "ns3.example.test.", address: DNSServer(host: "127.0.0.9"), lastAnswer: .failed(rcode: .serverFailure)),
        ])
        #expect(error.description.contains("ns2.example.test. (127.0.0.3)"))
        #expect(error.description.contains("NXDOMAIN"))
        #expect(error.description.contains("SERVFAIL"))
    }
}
