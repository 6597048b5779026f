import CertCore
import Foundation

/// Names as the API server checks them and as kubectl prints them.
enum KubernetesNames {
    /// An RFC 1123 label, as namespace names are: lower-case letters, digits and '-', at most
    /// 63 characters, starting and ending with a letter or digit.
    static func isLabel(_ name: String) -> Bool {
        name.utf8.count <= 63 && isLabelText(Substring(name))
    }

    /// An RFC 1123 subdomain, as most object names are: labels joined by dots, at most 253.
    static func isSubdomain(_ name: String) -> Bool {
        name.utf8.count <= 253 && name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy(isLabelText)
    }

    private static func isLabelText(_ text: Substring) -> Bool {
        guard let first = text.first, let last = text.last else { return false }
        let allowed = { (c: Character) in c.isASCII && (c.isLowercase || c.isNumber || c == "-") }
        return text.allSatisfy(allowed) && first != "-" && last != "-"
    }

    /// The first `bytes` bytes of the SHA-256 of `text`, in lower-case hex: a part of a name
    /// that stands for a longer text (a name cut to fit, a token).
    static func digest(of text: String, bytes: Int) -> String {
        Digest.sha256(Data(text.utf8)).prefix(bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// kubectl's name for an object's kind in what it prints: `cronjob.batch`, `serviceaccount`.
    static func kind(of object: KubernetesObject) -> String {
        let kind = (object.kind ?? "object").lowercased()
        let apiVersion = object.apiVersion ?? ""
        guard let slash = apiVersion.firstIndex(of: "/") else { return kind }
        return "\(kind).\(apiVersion[..<slash])"
    }
}
