/// Recipients and segments per calling code of one plan request, as its batch line's
/// `countries` holds them (`{"852": [recipients, segments]}`).
struct CountryTally {
    private var counts: [Int: CountryCount] = [:]

    /// Counts a recipient of `callingCode` whose message has `segments`.
    @inline(__always)
    mutating func add(_ callingCode: Int, segments: Int) {
        counts[callingCode, default: CountryCount()].add(segments: segments)
    }

    /// The tally as a batch line writes it; nil when nothing was counted (mainland plans).
    var json: [String: [Int]]? {
        counts.isEmpty ? nil : Dictionary(uniqueKeysWithValues: counts.map { (String($0.key), [$0.value.recipients, $0.value.segments]) })
    }
}
