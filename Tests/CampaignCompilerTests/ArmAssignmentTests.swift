import Testing
@testable import CampaignCompiler

/// The experiment assignment (issue 28): frozen reference values, the fast hash equal to the
/// reference one, stability whatever the order, and proportions within sampling bounds.
@Suite struct ArmAssignmentTests {
    @Test func referenceValuesArePinned() {
        // Computed independently with the Python definition in ArmAssignment's documentation.
        let first = ArmAssignment.hash(campaignID: "spring-sale-2027", digits: "13800138000")
        #expect(first == 10_822_979_713_497_329_799)
        #expect(ArmAssignment.slot(hash: first) == 9799)
        #expect(ArmAssignment.rank(hash: first) == 13_293_453_682_779_561_942)
        #expect(ArmAssignment.slot(hash: ArmAssignment.hash(campaignID: "spring-sale-2027", digits: "13800138001")) == 4220)
        #expect(ArmAssignment.slot(hash: ArmAssignment.hash(campaignID: "order-shipped-intl", digits: "85251234567")) == 5134)
    }

    @Test func theKeyHashIsTheDigitsHash() {
        let assignment = ArmAssignment(campaignID: "spring-sale-2027", ends: [10_000])
        var random = SplitMix64(state: 28)
        for _ in 0..<2000 {
            let mainland = PhoneNumber.mainland(13_000_000_000 + random.next() % 7_000_000_000)
            let international = PhoneNumber.international(85_200_000_000 + random.next() % 100_000_000, digits: 11)
            for number in [mainland, international] {
                #expect(assignment.hash(key: number.key) == ArmAssignment.hash(campaignID: "spring-sale-2027", digits: number.digits))
            }
        }
    }

    @Test func slotsAreSlicedHoldoutFirstByLargestRemainders() {
        #expect(ArmAssignment.ends(holdoutSlots: 1000, weights: [1, 1]) == [1000, 5500, 10_000])
        #expect(ArmAssignment.ends(holdoutSlots: 0, weights: [1, 1, 1]) == [3334, 6667, 10_000], "the spare slot goes to the first")
        #expect(ArmAssignment.ends(holdoutSlots: 500, weights: [70, 30]) == [500, 7150, 10_000])
    }

    @Test func proportionsAreWithinSamplingBoundsOnAHundredThousandNumbers() {
        // A 10% holdout and variants weighted 50/30/20: each arm's count within 4.5 standard deviations.
        let ends = ArmAssignment.ends(holdoutSlots: 1000, weights: [50, 30, 20])
        let assignment = ArmAssignment(campaignID: "spring-sale-2027", ends: ends)
        var counts = [Int](repeating: 0, count: ends.count)
        let total = 100_000
        for index in 0..<total {
            counts[assignment.arm(hash: assignment.hash(key: PhoneNumber.mainland(13_800_000_000 + UInt64(index) * 7919).key))] += 1
        }
        var start = 0
        for (arm, end) in ends.enumerated() {
            let share = Double(end - start) / Double(ArmAssignment.slotCount)
            let expected = share * Double(total)
            let deviation = (Double(total) * share * (1 - share)).squareRoot()
            #expect(abs(Double(counts[arm]) - expected) <= 4.5 * deviation, "arm \(arm): \(counts[arm]) of \(total), expected \(expected)")
            start = end
        }
    }

    @Test func theSameNumberIsInTheSameArmWhateverTheOrder() {
        let assignment = ArmAssignment(campaignID: "c", ends: ArmAssignment.ends(holdoutSlots: 2000, weights: [1, 1]))
        let numbers = (0..<1000).map { PhoneNumber.mainland(13_900_000_000 + UInt64($0)) }
        let forward = Dictionary(uniqueKeysWithValues: numbers.map { ($0.key, assignment.arm(hash: assignment.hash(key: $0.key))) })
        let again = ArmAssignment(campaignID: "c", ends: assignment.ends)
        for number in numbers.reversed() { #expect(again.arm(hash: again.hash(key: number.key)) == forward[number.key]) }
        let other = ArmAssignment(campaignID: "d", ends: assignment.ends)
        #expect(numbers.contains { other.arm(hash: other.hash(key: $0.key)) != forward[$0.key] }, "another campaign splits its audience differently")
    }
}
