import ArgumentParser

/// Commands of the design whose capability has not landed yet. Each says so plainly and
/// exits 1, so `kubectl certs --help` already shows the whole command surface.
protocol NotBuiltYet: AsyncParsableCommand {
    static var tracking: String { get }
}

extension NotBuiltYet {
    func run() async throws {
        throw CommandFailure(message: "kubectl certs \(Self._commandName) is not built yet (\(Self.tracking))")
    }
}

extension KubectlCerts {
    struct Renew: NotBuiltYet {
        static let tracking = "the renew capability"
        static let configuration = CommandConfiguration(abstract: "Renew the certificates that are due. (not built yet)")
        @Argument var targets: [String] = []
    }


}
