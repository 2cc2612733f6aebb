import Testing

@Suite struct VersionTests {
    @Test func aBuildFromSourceSaysSo() throws {
        // A release build names its commit (scripts/check-release checks that one).
        let outcome = try SalvoProcess.run(["--version"])
        #expect(outcome.status == 0)
        #expect(outcome.stdout == "0.1.0 (built from source)\n", "\(outcome.stdout)")
    }
}
