internal import CSalvoSupport

/// A set of phone numbers in at most 8 bytes per number.
///
/// Mainland numbers (`1[3-9]` + 9 digits, seven billion values) are stored as 32-bit offsets in
/// two open-addressing tables (prefixes 13–16 and 17–19 each span fewer than 2³² values); a table
/// grows by 1.5× when three quarters full, so it is never less than half full: 4 bytes per slot,
/// at most 8 per number. The rare international numbers go in an ordinary set.
public struct PhoneSet: Sendable {
    private var low = UInt32Table()
    private var high = UInt32Table()
    private var international: Set<UInt64> = []

    /// Creates an empty set.
    public init() {}

    /// Whether the set holds no number.
    public var isEmpty: Bool { count == 0 }

    /// The number of numbers held.
    public var count: Int { low.count + high.count + international.count }

    /// Bytes of storage held, for the memory figures in benchmarks.
    public var storageBytes: Int { (low.capacity + high.capacity) * 4 + international.capacity * 9 }

    /// Inserts `number`; false when it was already there.
    @discardableResult
    public mutating func insert(_ number: PhoneNumber) -> Bool {
        switch number {
        case .mainland(let value):
            if value < 17_000_000_000 {
                return low.insert(UInt32(truncatingIfNeeded: value - 13_000_000_000))
            }
            return high.insert(UInt32(truncatingIfNeeded: value - 17_000_000_000))
        case .international:
            return international.insert(number.key).inserted
        }
    }

    /// Sizes the tables for about `low` numbers starting 13–16 and `high` starting 17–19, so that
    /// filling them does not rehash (a guess from the first rows read; a wrong one only costs
    /// the growth it would have cost anyway).
    public mutating func reserve(low lowCount: Int, high highCount: Int) {
        low.reserve(lowCount)
        high.reserve(highCount)
    }

    /// Starts loading the slot where the mainland number `value` would be, ahead of an insert.
    /// (Mutating only so that it works on the set in place: a copy would retain its storage.)
    @inline(__always)
    mutating func prefetch(mainland value: UInt64) {
        if value < 17_000_000_000 {
            low.prefetch(UInt32(truncatingIfNeeded: value &- 13_000_000_000))
        } else {
            high.prefetch(UInt32(truncatingIfNeeded: value &- 17_000_000_000))
        }
    }

    /// Whether `number` is in the set.
    public func contains(_ number: PhoneNumber) -> Bool {
        switch number {
        case .mainland(let value):
            if value < 17_000_000_000 {
                return low.contains(UInt32(truncatingIfNeeded: value - 13_000_000_000))
            }
            return high.contains(UInt32(truncatingIfNeeded: value - 17_000_000_000))
        case .international:
            return international.contains(number.key)
        }
    }
}

/// Open addressing with linear probing over 32-bit keys; `UInt32.max` marks an empty slot (no
/// mainland offset reaches it: both ranges end below 4·10⁹).
struct UInt32Table: Sendable {
    private static let empty = UInt32.max
    private var slots: [UInt32] = []
    private(set) var count = 0

    var capacity: Int { slots.count }

    private static func start(_ key: UInt32, _ capacity: Int) -> Int {
        // Fibonacci hashing scaled onto the table (capacity need not be a power of two).
        let mixed = UInt64(key) &* 0x9E37_79B9_7F4A_7C15
        return Int(((mixed >> 32) &* UInt64(capacity)) >> 32)
    }

    func contains(_ key: UInt32) -> Bool {
        guard !slots.isEmpty else { return false }
        var index = Self.start(key, slots.count)
        while true {
            let slot = slots[index]
            if slot == key { return true }
            if slot == Self.empty { return false }
            index += 1
            if index == slots.count { index = 0 }
        }
    }

    mutating func insert(_ key: UInt32) -> Bool {
        if (count + 1) * 4 > slots.count * 3 { grow() }
        var index = Self.start(key, slots.count)
        while true {
            let slot = slots[index]
            if slot == key { return false }
            if slot == Self.empty {
                slots[index] = key
                count += 1
                return true
            }
            index += 1
            if index == slots.count { index = 0 }
        }
    }

    @inline(__always)
    mutating func prefetch(_ key: UInt32) {
        guard !slots.isEmpty else { return }
        let index = Self.start(key, slots.count)
        slots.withUnsafeMutableBufferPointer { buffer in
            if let base = buffer.baseAddress { salvo_prefetch(base + index) }
        }
    }

    /// Makes room for `expected` keys in all, at most three quarters full.
    mutating func reserve(_ expected: Int) {
        let needed = expected * 4 / 3 + 64
        guard needed > slots.count else { return }
        rebuild(capacity: needed)
    }

    private mutating func grow() {
        rebuild(capacity: max(64, slots.count * 3 / 2))
    }

    private mutating func rebuild(capacity: Int) {
        let old = slots
        slots = [UInt32](repeating: Self.empty, count: capacity)
        count = 0
        for key in old where key != Self.empty {
            _ = insert(key)
        }
    }
}
