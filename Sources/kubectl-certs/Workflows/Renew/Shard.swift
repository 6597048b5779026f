/// One of N shards of the certificates: `--shard I/N`, or an Indexed Job's pod with
/// `--shards N`. A certificate belongs to the shard its namespace/secret hashes to (FNV-1a,
/// the same on every machine and every run), so shards split the set without overlap.
struct Shard: Equatable {
    var index: Int
    var count: Int

    /// "I/N" with 0 ≤ I < N.
    init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else { return nil }
        self.init(index: index, count: count)
    }

    init?(index: Int, count: Int) {
        guard count >= 1, (0..<count).contains(index) else { return nil }
        self.index = index
        self.count = count
    }

    func owns(_ key: String) -> Bool {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int(hash % UInt64(count)) == index
    }
}
