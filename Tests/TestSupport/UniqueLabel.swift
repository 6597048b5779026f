/// A label no other test (or earlier run) uses: `prefix`, a hyphen and a random number. It is a
/// valid DNS label and Kubernetes name when `prefix` is (lowercase letters, digits, hyphens), so
/// tests sharing the lab never see each other's records, namespaces or Secrets.
public func uniqueLabel(_ prefix: String) -> String {
    "\(prefix)-\(UInt32.random(in: .min ... .max))"
}
