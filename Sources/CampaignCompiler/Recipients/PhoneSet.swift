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
