import Foundation
import TestSupport

/// What the tests' hook script and servers (lab/) need to publish in the lab's zones
/// with `nsupdate`: the primary, and a BIND key file with the lab's TSIG key or a wrong secret.
struct NSUpdateLab {
    var primary: String
    var zone: String
    var delegatedZone: String
    /// The lab's own key file for its TSIG key.
    var keyFile: String
    var keyName: String

    init() throws {
        primary = try Lab.require("LAB_DNS_PRIMARY", component: "dns")
        zone = try Lab.require("LAB_DNS_ZONE", component: "dns")
        delegatedZone = try Lab.require("LAB_DNS_DELEGATED_ZONE", component: "dns")
        keyName = try Lab.require("LAB_TSIG_KEY", component: "dns")
        keyFile = Lab.directory.appendingPathComponent("dns/keys/\(keyName).key").path
        guard FileManager.default.fileExists(atPath: keyFile) else {
            throw Lab.NotRunning(component: "dns", variable: "the key file \(keyFile)")
        }
    }

    /// A key file for the lab's key name with a secret the server does not know.
    func wrongKeyFile() throws -> String {
        let path = Self.temporaryDirectory().appendingPathComponent("wrong.key").path
        let secret = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        guard FileManager.default.createFile(atPath: path, contents: Data("key \"\(keyName)\" { algorithm hmac-sha256; secret \"\(secret)\"; };\n".utf8), attributes: [.posixPermissions: 0o600]) else {
            throw LabDNS.Failed(description: "cannot write \(path)")
        }
        return path
    }

    /// A fresh directory of the test's own.
    static func temporaryDirectory() -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("providers-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// A file under lab/.
    static func server(_ path: String) -> String {
        Lab.repositoryRoot.appendingPathComponent("lab/\(path)").path
    }

    /// Writes an executable shell script and returns its path.
    static func script(_ body: String, in directory: URL = temporaryDirectory(), named name: String = "hook") throws -> String {
        let path = directory.appendingPathComponent(name).path
        guard FileManager.default.createFile(atPath: path, contents: Data("#!/bin/sh\n\(body)\n".utf8), attributes: [.posixPermissions: 0o700]) else {
            throw LabDNS.Failed(description: "cannot write \(path)")
        }
        return path
    }
}
