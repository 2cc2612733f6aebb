import Testing
@testable import CampaignRunner

@Suite struct PreflightDiffTests {
    @Test(arguments: [
        ("会员春季特惠8折，3月31日截止。拒收请回复R", "会员春季特惠9折，3月31日截止。拒收请回复R", "会员春季特惠[-8-]{+9+}折，3月31日截止…"),
        ("${name}您好，${discount}折", "${name}您好，${rate}折", "${name}您好，[-${discount}-]{+${rate}+}折"),
        ("Your code is ${code}, valid for 5 minutes", "Your code is ${code}, valid for 10 minutes", "Your code is ${code}, valid for [-5-]{+10+} minutes"),
        ("visit https://a.cn/x now", "visit https://a.cn/y now", "visit https://a.cn/[-x-]{+y+} now"),
        ("取件码${code}", "取件码${code}，请尽快取件", "取件码${code}{+，请尽快取件+}"),
        ("您好${name}，欢迎", "欢迎", "[-您好${name}，-]欢迎"),
    ])
    func theDiffShowsBothSides(file: String, account: String, expected: String) {
        #expect(ContentDiff(from: file, to: account).rendered == expected)
    }

    @Test func aChangeBrokenByOneWordReadsAsOnePhrase() {
        #expect(ContentDiff(from: "the big red dog", to: "the small red cat").rendered == "the [-big red dog-]{+small red cat+}")
    }

    @Test func whiteSpaceRunsAreCollapsed() {
        #expect(ContentDiff.collapsingWhiteSpace("  a\n\n b\t\u{3000}c ") == "a b c")
    }

    @Test func wordsKeepPlaceholdersWholeAndSplitChinese() {
        #expect(ContentDiff.words("尊敬的${name}，Hi Bob2!") == ["尊", "敬", "的", "${name}", "，", "Hi", " ", "Bob2", "!"])
    }

    @Test func longUnchangedStretchesAreShortened() {
        let file = "一二三四五六七八九十甲乙丙丁戊己庚辛壬癸A"
        let account = "一二三四五六七八九十甲乙丙丁戊己庚辛壬癸B"
        #expect(ContentDiff(from: file, to: account).rendered == "…丙丁戊己庚辛壬癸[-A-]{+B+}")
    }
}
