/// Internationalized domain names to their ASCII form (IDNA A-labels, RFC 3492 Punycode),
/// label by label. Names already in ASCII are only lower-cased.
public enum Punycode {
    public static func asciiDomain(_ name: String) -> String {
        name.split(separator: ".", omittingEmptySubsequences: false).map { label in
            let lowered = label.lowercased()
            return lowered.unicodeScalars.allSatisfy(\.isASCII) ? lowered : "xn--" + encode(lowered)
        }.joined(separator: ".")
    }

    /// RFC 3492 §6.3 with its parameters for IDNA.
    static func encode(_ label: String) -> String {
        let base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700
        let scalars = label.unicodeScalars.map { Int($0.value) }
        var output = scalars.filter { $0 < 0x80 }.map { Character(Unicode.Scalar(UInt8($0))) }
        let basicCount = output.count
        var handled = basicCount
        if basicCount > 0 { output.append("-") }
        var n = 0x80, delta = 0, bias = 72

        func digit(_ value: Int) -> Character {
            Character(Unicode.Scalar(UInt8(value < 26 ? value + 97 : value - 26 + 48)))
        }
        func adapt(_ delta: Int, _ count: Int, _ first: Bool) -> Int {
            var delta = first ? delta / damp : delta / 2
            delta += delta / count
            var k = 0
            while delta > ((base - tMin) * tMax) / 2 {
                delta /= base - tMin
                k += base
            }
            return k + (base - tMin + 1) * delta / (delta + skew)
        }

        while handled < scalars.count {
            let next = scalars.filter { $0 >= n }.min()!
            delta += (next - n) * (handled + 1)
            n = next
            for scalar in scalars {
                if scalar < n { delta += 1 }
                if scalar == n {
                    var q = delta
                    var k = base
                    while true {
                        let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                        if q < t { break }
                        output.append(digit(t + (q - t) % (base - t)))
                        q = (q - t) / (base - t)
                        k += base
                    }
                    output.append(digit(q))
                    bias = adapt(delta, handled + 1, handled == basicCount)
                    delta = 0
                    handled += 1
                }
            }
            delta += 1
            n += 1
        }
        return String(output)
    }
}
