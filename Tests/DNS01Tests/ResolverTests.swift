import DNS01
import Foundation
import TestSupport
import Testing

@Suite(.lab) struct ResolverTests {
    @Test func queriesSOADirectly_AgainstBIND() async throws {
        let lab = try LabDNS()
        let response = try await DNSResolver.direct(lab.primary).query(lab.zone, .soa)
        #expect(response.rcode == .noError)
        #expect(response.authoritative)
        #expect(response.edns)
        #expect(response.answers.contains { $0.type == .soa && $0.name == DNSName.normalized(lab.zone) })
    }

    @Test func nxdomainIsAnAnswerNotAnError_AgainstBIND() async throws {
        let lab = try LabDNS()
        let response = try await DNSResolver.direct(lab.primary).query("no-such-name.\(lab.zone)", .txt)
        #expect(response.rcode == .nameError)
        #expect(response.answers.isEmpty)
        #expect(response.authority.contains { $0.type == .soa })
    }

    @Test func recursiveResolverAnswers_AgainstBINDResolver() async throws {
        let lab = try LabDNS()
        let response = try await DNSResolver(servers: [lab.resolver]).query("ns1.\(lab.zone)", .a)
        #expect(response.rcode == .noError)
        #expect(response.answers.compactMap { $0.type == .a ? $0.fields.first : nil } == [lab.primary.host])
    }

    @Test func truncatedUDPAnswerIsRetriedOverTCP_AgainstBIND() async throws {
        let lab = try LabDNS()
        let name = "\(uniqueLabel("big")).\(lab.zone)"
        let updater = lab.updater(for: lab.zone)
        let values = (0..<12).map { "value-\($0)-" + String(repeating: "x", count: 60) }
        for value in values { try await updater.addTXT(name: name, value: value, ttl: 60, zone: lab.zone) }
        defer { Task { for value in values { try? await updater.deleteTXT(name: name, value: value, zone: lab.zone) } } }
        // Without EDNS0 the answer (~1 KB) does not fit in 512 bytes: BIND sets TC; libldns retries over TCP.
        let response = try await DNSResolver(servers: [lab.primary], recursion: false, ednsUDPSize: 0).query(name, .txt)
        #expect(response.rcode == .noError)
        #expect(response.txtValues(at: name).sorted() == values.sorted())
        #expect(!response.truncated)
    }

    @Test func silentServerTimesOut() async throws {
        // 127.0.0.1:9 (discard) has no DNS server: refused or timeout, never a hang.
        let socket = try UDPBlackHole()
        let resolver = DNSResolver(servers: [DNSServer(host: "127.0.0.1", port: socket.port)], recursion: false, timeout: .milliseconds(200))
        let error = await #expect(throws: DNSError.self) { try await resolver.query("example.test", .soa) }
        #expect(error?.code == .timeout)
    }

    @Test func thousandsOfConcurrentQueriesAllAnswer_AgainstBIND() async throws {
        let lab = try LabDNS()
        let resolver = DNSResolver(servers: [lab.primary], recursion: false, timeout: .seconds(5))
        let count = 3000
        let answered = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<count {
                group.addTask {
                    let name = index.isMultiple(of: 2) ? lab.zone : "ns1.\(lab.zone)"
                    let response = try await resolver.query(name, index.isMultiple(of: 2) ? .soa : .a)
                    return response.rcode == .noError && !response.answers.isEmpty
                }
            }
            var total = 0
            for try await ok in group where ok { total += 1 }
            return total
        }
        #expect(answered == count)
    }
}

/// A UDP socket that reads nothing and answers nothing.
final class UDPBlackHole: @unchecked Sendable {
    let fd: Int32
    let port: Int
    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        port = Int(UInt16(bigEndian: address.sin_port))
    }
    deinit { close(fd) }
}
