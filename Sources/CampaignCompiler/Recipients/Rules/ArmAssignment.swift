/// Which arm of an experiment (issue 28: variants and a holdout) a number falls in: a stable hash
/// of the campaign id and the number as the plan writes it, modulo 10,000 slots, sliced by the
/// arms' slot ranges (the holdout's first). The same number is in the same arm on every plan and
/// resume, whatever the order of the rows.
///
/// The hash is FNV-1a (64 bits) over the campaign id's UTF-8 bytes, a 0x1F separator and the
/// number's digits, then MurmurHash3's 64-bit finaliser. It is frozen like the plan format: a
/// team can recompute any number's arm from it, and the tests pin reference values.
public struct ArmAssignment: Sendable, Hashable {
    /// The slots the hash is sliced into.
    public static let slotCount = 10_000
    /// The FNV-1a state after the campaign id and the separator.
    let prefix: UInt64
    /// Per arm, the end of its slot range (ascending; the last is `slotCount`).
    public let ends: [Int]

    /// The assignment of `campaignID`'s numbers to arms whose slot ranges end at `ends`.
    public init(campaignID: String, ends: [Int]) {
        var state = Self.offset
        for byte in campaignID.utf8 { state = (state ^ UInt64(byte)) &* Self.prime }
        prefix = (state ^ 0x1F) &* Self.prime
        self.ends = ends
    }

    /// The hash of a number given as its key (`PhoneNumber.key`): its decimal digits as the plan
    /// writes them (an international key without its top bit). Without allocating.
    @inline(__always)
    public func hash(key: UInt64) -> UInt64 {
        PhoneNumber.withDecimalDigits(of: key & ~(1 << 63)) { digits in
            var state = prefix
            for byte in digits { state = (state ^ UInt64(byte)) &* Self.prime }
            return Self.finalise(state)
        }
    }

    /// The slot of a hash, 0..<10,000.
    @inline(__always)
    public static func slot(hash: UInt64) -> Int {
        Int(hash % UInt64(slotCount))
    }

    /// The arm (an index into `ends`) of a hash.
    @inline(__always)
    public func arm(hash: UInt64) -> Int {
        let slot = Self.slot(hash: hash)
        return ends.firstIndex { slot < $0 } ?? ends.count - 1
    }

    /// A second, independent order of numbers (which canary recipients come first).
    @inline(__always)
    public static func rank(hash: UInt64) -> UInt64 {
        finalise(hash ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// The reference definition, over the digits as text (tests, and what the README shows).
    public static func hash(campaignID: String, digits: String) -> UInt64 {
        var state = offset
        for byte in campaignID.utf8 { state = (state ^ UInt64(byte)) &* prime }
        state = (state ^ 0x1F) &* prime
        for byte in digits.utf8 { state = (state ^ UInt64(byte)) &* prime }
        return finalise(state)
    }

    /// Slot ranges for arms of `weights` after a holdout of `holdoutSlots`: the holdout's first
    /// (when it has any), then the rest split by weight with the largest remainders, ties to the
    /// earlier arm. The ends, ascending.
    public static func ends(holdoutSlots: Int, weights: [Int]) -> [Int] {
        let rest = slotCount - holdoutSlots
        let total = weights.reduce(0, +)
        guard total > 0 else { return holdoutSlots > 0 ? [holdoutSlots, slotCount] : [slotCount] }
        var shares = weights.map { rest * $0 / total }
        let remainders = weights.enumerated().map { (index: $0.offset, remainder: rest * $0.element % total) }
        let left = rest - shares.reduce(0, +)
        for entry in remainders.sorted(by: { $0.remainder != $1.remainder ? $0.remainder > $1.remainder : $0.index < $1.index }).prefix(left) {
            shares[entry.index] += 1
        }
        var ends: [Int] = holdoutSlots > 0 ? [holdoutSlots] : []
        var end = holdoutSlots
        for share in shares {
            end += share
            ends.append(end)
        }
        return ends
    }

    private static let offset: UInt64 = 0xCBF2_9CE4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01B3

    /// MurmurHash3's 64-bit finaliser.
    @inline(__always)
    private static func finalise(_ value: UInt64) -> UInt64 {
        var k = value
        k ^= k >> 33
        k &*= 0xFF51_AFD7_ED55_8CCD
        k ^= k >> 33
        k &*= 0xC4CE_B9FE_1A85_EC53
        return k ^ (k >> 33)
    }
}
