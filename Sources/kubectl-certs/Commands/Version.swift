import ArgumentParser
import CertCore
import DNS01
import Foundation
import Yams

extension KubectlCerts {
    struct Version: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the version of kubectl-certs and of the libraries it runs on.",
            discussion: """
            Examples:
              # The version, and libcurl's, OpenSSL's and ldns's
              kubectl certs version

              # The same for a script
              kubectl certs version -o json
            """
        )

        @OptionGroup var global: GlobalOptions

        @Option(name: .shortAndLong, help: "Output format: text, json or yaml.")
        var output: OutputFormat = .text

        enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
            case text, json, yaml
        }

        struct Report: Codable {
            var version: String
            var libcurl: String
            var openssl: String
            var ldns: String
        }

        func run() async throws {
            let report = Report(
                version: Release.version,
                libcurl: CurlLibrary.version,
                openssl: OpenSSLLibrary.version,
                ldns: LDNSLibrary.version
            )
            switch output {
            case .text:
                print("kubectl-certs \(report.version)")
                print("libcurl \(report.libcurl)")
                print(report.openssl)
                print("ldns \(report.ldns)")
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            case .yaml:
                print(try YAMLEncoder().encode(report), terminator: "")
            }
        }
    }
}
