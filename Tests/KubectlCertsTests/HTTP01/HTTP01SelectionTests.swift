@testable import kubectl_certs
import CertCore
import Testing

/// cert-manager's solver selection with dns01 and http01 solvers side by side.
@Suite struct HTTP01SelectionTests {
    static let dns01: JSONValue = ["dns01": ["rfc2136": ["nameserver": "127.0.0.2"]], "selector": ["dnsZones": ["example.test"]]]
    static let http01: JSONValue = ["http01": ["ingress": ["ingressClassName": "nginx"]], "selector": ["dnsZones": ["ingress.example.test"]]]

    @Test func aNameInTheLongerZoneGoesToTheHTTP01Solver() {
        #expect(SolverSelection.choose(for: "shop.ingress.example.test", among: [Self.dns01, Self.http01], labels: [:]) == 1)
        #expect(SolverSelection.choose(for: "mail.example.test", among: [Self.dns01, Self.http01], labels: [:]) == 0)
    }

    @Test func aWildcardSkipsHTTP01SolversEvenWhenTheirSelectorFitsBetter() {
        #expect(SolverSelection.choose(for: "*.shop.ingress.example.test", among: [Self.dns01, Self.http01], labels: [:]) == 0)
    }

    @Test func aWildcardWithOnlyHTTP01SolversHasNone() {
        let catchAll: JSONValue = ["http01": ["ingress": [:]]]
        #expect(SolverSelection.choose(for: "*.example.test", among: [catchAll], labels: [:]) == nil)
        #expect(SolverSelection.choose(for: "www.example.test", among: [catchAll], labels: [:]) == 0)
    }

    @Test func dnsNamesStillWinOverZonesAcrossKinds() {
        let named: JSONValue = ["dns01": ["rfc2136": [:]], "selector": ["dnsNames": ["shop.ingress.example.test"]]]
        #expect(SolverSelection.choose(for: "shop.ingress.example.test", among: [Self.http01, named], labels: [:]) == 1)
    }
}
