@testable import kubectl_certs
import Testing

/// `-l SELECTOR` as kubectl spells it (the design's command surface), on every command that
/// lists: not `-s`, which the flag's first letter would give.
@Suite struct SelectorFlagTests {
    @Test func statusAndRenewTakeDashL() throws {
        #expect(try KubectlCerts.Status.parse(["-A", "-l", "app=web,tier!=db"]).selector == "app=web,tier!=db")
        #expect(try KubectlCerts.Renew.parse(["-A", "-l", "app=web"]).selector == "app=web")
        #expect(try KubectlCerts.Renew.parse(["-A", "--selector", "app=web"]).selector == "app=web")
    }
}
