public import DNS01
internal import Foundation
internal import Synchronization

/// The user creates each record by hand: it is printed on stderr, and the run waits for Enter
/// on the terminal (`/dev/tty`, so it works while stdin and stdout are redirected); then the
/// propagation check runs as for any provider. Cleanup prints what may be deleted.
///
/// Without a terminal there is nobody to ask, so the provider refuses to start.
public struct ManualProvider: DNSProviderAdapter {
    public static let code = "manual"
    static let terminalPath = "/dev/tty"

    public init(settings: inout ProviderSettings) throws(ProviderError) {
        try settings.validate()
        guard let terminal = FileHandle(forReadingAtPath: Self.terminalPath) else { throw Self.noTerminal() }
        try? terminal.close()
    }

    static func noTerminal() -> ProviderError {
        ProviderError(.configuration, provider: code, "this run has no terminal to wait on while you create each TXT record by hand (\(terminalPath) cannot be opened); run it from a terminal, or choose a provider that creates records itself (`kubectl certs providers list`; exec and httpreq call your own script or service)")
    }

    public func present(_ record: ChallengeRecord) async throws {
        // One prompt at a time: wildcard and apex present at the same moment.
        try await RecordSetLock.run("\(Self.code) terminal") {
            Self.say("""

            Create this TXT record in zone \(record.zone) (keep any other TXT values at that name):

                \(record.fqdn) \(record.ttl) IN TXT "\(record.value)"

            Press Enter when it is in place; every nameserver of the zone is then checked.
            """)
            try await Self.waitForEnter(record)
        }
    }

    /// The records whose deletion was already announced: a run may clean up a record twice.
    private static let announced = Mutex<Set<ChallengeRecord>>([])

    public func cleanUp(_ record: ChallengeRecord) async throws {
        guard Self.announced.withLock({ $0.insert(record).inserted }) else { return }
        Self.say("\nThe challenge is over: you may delete this TXT value from zone \(record.zone) (and only it):\n\n    \(record.fqdn) IN TXT \"\(record.value)\"\n")
    }

    private static func say(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Reads the terminal until a newline, on a thread of Dispatch's.
    private static func waitForEnter(_ record: ChallengeRecord) async throws(ProviderError) {
        let answered: Bool? = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                guard let terminal = FileHandle(forReadingAtPath: terminalPath) else {
                    continuation.resume(returning: nil)
                    return
                }
                defer { try? terminal.close() }
                while let byte = try? terminal.read(upToCount: 1), let first = byte.first {
                    if first == UInt8(ascii: "\n") || first == UInt8(ascii: "\r") {
                        continuation.resume(returning: true)
                        return
                    }
                }
                continuation.resume(returning: false)
            }
        }
        switch answered {
        case nil: throw noTerminal()
        case false?: throw ProviderError(.rejected, provider: code, "the terminal closed before Enter was pressed for TXT \"\(record.value)\" at \(record.fqdn) (zone \(record.zone))")
        case true?: return
        }
    }
}
