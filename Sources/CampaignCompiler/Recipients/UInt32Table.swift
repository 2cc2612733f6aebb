internal import CSalvoSupport

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
