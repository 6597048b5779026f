import DNS01
import TestSupport
import Testing

@Suite(.lab) struct DiscoveryTests {
    func discovery(_ lab: LabDNS) -> ZoneDiscovery {
        ZoneDiscovery(resolver: DNSResolver(servers: [lab.resolver]))
    }

    @Test func findsZoneAndBothNameservers_AgainstBIND() async throws {
        let lab = try LabDNS()
        let target = try await discovery(lab).discover(domain: "*.www.\(lab.zone)")
        #expect(target.fqdn == "_acme-challenge.www.\(lab.zone).")
        #expect(target.zone == "\(lab.zone).")
        #expect(target.cnameChain.isEmpty)
        #expect(target.nameservers.map(\.name) == ["ns1.\(lab.zone).", "ns2.\(lab.zone)."])
        #expect(Set(target.nameservers.flatMap(\.addresses)) == [lab.primary, lab.secondary])
    }

    @Test func cnameDelegationPublishesInTheTargetZone_AgainstBIND() async throws {
        let lab = try LabDNS()
        let target = try await discovery(lab).discover(domain: "alias.\(lab.zone)")
        #expect(target.fqdn == "_acme-challenge.alias.\(lab.delegatedZone).")
        #expect(target.zone == "\(lab.delegatedZone).")
        #expect(target.nameservers.map(\.name) == ["ns1.\(lab.delegatedZone).", "ns2.\(lab.delegatedZone)."])
    }

    @Test func cnameChainIsFollowed_AgainstBIND() async throws {
        let lab = try LabDNS()
        let target = try await discovery(lab).discover(domain: "chain.\(lab.zone)")
        #expect(target.cnameChain == ["hop.\(lab.zone).", "_acme-challenge.chain.\(lab.delegatedZone)."])
        #expect(target.fqdn == "_acme-challenge.chain.\(lab.delegatedZone).")
        #expect(target.zone == "\(lab.delegatedZone).")
    }

    @Test func cnameLoopIsDetected_AgainstBIND() async throws {
        let lab = try LabDNS()
        let error = await #expect(throws: DNSError.self) { try await discovery(lab).discover(domain: "loop.\(lab.zone)") }
        #expect(error?.code == .cnameLoop)
        #expect(error?.message.contains("loops") == true)
        #expect(error?.message.contains("loop2.\(lab.zone).") == true)
    }

    @Test func knotPrimaryZoneIsFound_AgainstKnot() async throws {
        let lab = try LabDNS()
        let target = try await discovery(lab).discover(domain: "host.\(lab.knotZone)")
        #expect(target.zone == "\(lab.knotZone).")
        #expect(target.nameservers.count == 2)
    }
}
