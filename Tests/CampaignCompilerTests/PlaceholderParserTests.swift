import Testing
@testable import CampaignCompiler

@Suite struct PlaceholderParserTests {
    @Test(arguments: [
        ("${name}您好", [TemplateToken(kind: .placeholder(name: "name"), offset: 0, text: "${name}")]),
        ("您好${a_1}，${B}", [TemplateToken(kind: .placeholder(name: "a_1"), offset: 2, text: "${a_1}"), TemplateToken(kind: .placeholder(name: "B"), offset: 9, text: "${B}")]),
        ("价格$5，无占位符", []),
        ("未闭合${name，后文", [TemplateToken(kind: .unclosed, offset: 3, text: "${")]),
        ("空${}的", [TemplateToken(kind: .empty, offset: 1, text: "${}")]),
        ("${na me}", [TemplateToken(kind: .invalidName("na me"), offset: 0, text: "${na me}")]),
        ("{{name}}您好", [TemplateToken(kind: .mustache(name: "name"), offset: 0, text: "{{name}}")]),
        ("{{ code }}", [TemplateToken(kind: .mustache(name: "code"), offset: 0, text: "{{ code }}")]),
        ("${a${b}", [TemplateToken(kind: .unclosed, offset: 0, text: "${"), TemplateToken(kind: .placeholder(name: "b"), offset: 3, text: "${b}")]),
        ("${x}\n${", [TemplateToken(kind: .placeholder(name: "x"), offset: 0, text: "${x}"), TemplateToken(kind: .unclosed, offset: 5, text: "${")]),
        ("{{不是}}", []),
    ])
    func tokens(content: String, expected: [TemplateToken]) {
        #expect(PlaceholderParser.tokens(in: content) == expected)
    }

    @Test func offsetsCountScalars() {
        let tokens = PlaceholderParser.tokens(in: "😀${a}")
        #expect(tokens.first?.offset == 1)
    }

    @Test func namesKeepRepeats() {
        #expect(PlaceholderParser.placeholderNames(in: "${a}${b}${a}") == ["a", "b", "a"])
    }

    @Test func renderReplacesKnownPlaceholdersOnly() {
        let rendered = PlaceholderParser.render("${name}您好，${discount}折，${missing}", values: ["name": "张伟", "discount": "8"])
        #expect(rendered == "张伟您好，8折，${missing}")
    }
}

@Suite struct ValueRulesTests {
    @Test(arguments: [
        ("1234", ParameterType.code, true), ("a1B2c3", .code, true), ("123", .code, false), ("1234567", .code, false), ("12-4", .code, false),
        ("8", .number, true), ("8折", .number, false),
        ("128", .money, true), ("99.50", .money, true), ("99.505", .money, false), ("¥99", .money, false),
        ("3月31日", .date, true), ("2027-03-31", .date, true), ("2027年3月31日", .date, true), ("03/31", .date, true), ("2027-02-30x", .date, false), ("明天", .date, false),
        ("20:00", .time, true), ("8点30分", .time, true), ("2027-03-31 20:00", .time, true), ("25:00", .time, false),
        ("13800138000", .phone, true), ("0571-88888888", .phone, true), ("call me", .phone, false),
        ("张伟", .name, true), ("任何文字", .text, true),
    ])
    func typeRules(value: String, type: ParameterType, valid: Bool) {
        #expect(ValueRules.problems(of: value, as: type).isEmpty == valid)
    }

    @Test func lengthLinksAndBrackets() {
        #expect(ValueRules.problems(of: "", as: .text) == [.empty])
        #expect(ValueRules.problems(of: String(repeating: "字", count: 36), as: .text) == [.tooLong(count: 36)])
        #expect(ValueRules.problems(of: String(repeating: "字", count: 35), as: .text).isEmpty)
        #expect(ValueRules.problems(of: "见 https://x.cn/a", as: .text) == [.url])
        #expect(ValueRules.problems(of: "t.cn/abc", as: .text) == [.url])
        #expect(ValueRules.problems(of: "3.5折", as: .text).isEmpty)
        #expect(ValueRules.problems(of: "【活动】", as: .text) == [.brackets])
    }

    @Test(arguments: [(70, 1), (71, 2), (134, 2), (135, 3), (160, 3), (1, 1)])
    func segments(length: Int, expected: Int) {
        #expect(MessageLength.segments(forLength: length) == expected)
    }

    @Test func suggestionsFindTypos() {
        let keys = ["version", "campaign", "sign-name", "template"]
        #expect(Suggestion.closest(to: "sign_name", among: keys) == "sign-name")
        #expect(Suggestion.closest(to: "templat", among: keys) == "template")
        #expect(Suggestion.closest(to: "verison", among: keys) == "version")
        #expect(Suggestion.closest(to: "recipients", among: keys) == nil)
    }
}
