import Foundation

/// The rows of kubectl's table output, cells split at runs of two or more spaces.
func tableRows(_ output: String) -> [[String]] {
    output.split(separator: "\n").map { line in
        line.split(separator: /\s{2,}/).map { String($0).trimmingCharacters(in: .whitespaces) }
    }
}

func dig(_ object: Any?, _ path: String...) -> Any? {
    var current = object
    for key in path {
        current = (current as? [String: Any])?[key]
    }
    return current
}
