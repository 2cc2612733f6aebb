import CampaignRunner
import Testing

/// Report cells as spreadsheets will read them (OWASP's CSV injection advice).
@Suite struct ReportCSVTests {
    @Test(arguments: [
        ("=cmd|' /C calc'!A0", "\"'=cmd|' /C calc'!A0\""),
        ("+1+1", "\"'+1+1\""),
        ("-2", "\"'-2\""),
        ("@SUM(A1)", "\"'@SUM(A1)\""),
        ("\t=1+1", "\"'\\x09=1+1\""),
        ("\r=1", "\"'\\x0D=1\""),
        ("张伟", "张伟"),
        ("a,b", "\"a,b\""),
        ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("nul\u{0}here", "nul\\x00here"),
        ("13800138000", "13800138000"),
    ])
    func cellsAreNeutralised(value: String, expected: String) {
        #expect(ReportCSV.field(value) == expected)
    }

    @Test func rawKeepsCellsAsStored() {
        #expect(ReportCSV.field("=1+1", raw: true) == "=1+1")
        #expect(ReportCSV.line(["=1", "a,b"], raw: true) == "=1,\"a,b\"")
    }
}
