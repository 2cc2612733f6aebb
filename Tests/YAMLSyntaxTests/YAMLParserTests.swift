import Testing
@testable import YAMLSyntax

private func parse(_ text: String, limits: YAMLLimits = YAMLLimits()) -> YAMLDocument {
    YAMLParser.parse(Array(text.utf8), limits: limits)
}

private func value(_ document: YAMLDocument, _ key: String) -> YAMLNode? {
    document.root?.mapping?.first { $0.key.scalar?.value == key }?.value
}

@Suite struct YAMLParserTests {
    @Test func columnsCountUnicodeScalars() throws {
        let document = parse("café: x\n名字: 张伟\n")
        let cafe = try #require(value(document, "café"))
        #expect(cafe.range.start == SourcePosition(line: 1, column: 7))
        #expect(cafe.range.end == SourcePosition(line: 1, column: 8))
        let name = try #require(value(document, "名字"))
        #expect(name.range.start == SourcePosition(line: 2, column: 5))
        #expect(name.range.end == SourcePosition(line: 2, column: 7))
    }

    @Test func scalarsKeepTheirTextAndStyle() throws {
        let document = parse("phone: 013800138000\nflag: on\nquoted: 'on'\nblock: |\n  line\n")
        #expect(value(document, "phone")?.scalar?.value == "013800138000")
        #expect(value(document, "phone")?.intValue == 13800138000)
        let flag = try #require(value(document, "flag"))
        #expect(flag.scalar?.value == "on")
        #expect(flag.boolValue == nil, "YAML 1.2: 'on' is text, not a boolean")
        #expect(value(document, "quoted")?.scalar?.style == .singleQuoted)
        #expect(value(document, "block")?.scalar?.style == .literal)
        #expect(value(document, "block")?.scalar?.value == "line\n")
    }

    @Test(arguments: [
        ("true", true as Bool?), ("False", false), ("TRUE", true), ("yes", nil), ("no", nil), ("off", nil), ("'true'", nil),
    ])
    func booleansFollowTheCoreSchema(text: String, expected: Bool?) {
        #expect(value(parse("v: \(text)"), "v")?.boolValue == expected)
    }

    @Test(arguments: [
        ("12", 12.0 as Double?), ("-3", -3.0), ("0.045", 0.045), ("1e3", 1000.0), ("0x1F", 31.0), ("09:00", nil), ("2027-03-01", nil), (".5", 0.5), ("1_000", nil),
    ])
    func numbersFollowTheCoreSchema(text: String, expected: Double?) {
        #expect(value(parse("v: \(text)"), "v")?.numberValue == expected)
    }

    @Test func nullsFollowTheCoreSchema() {
        let document = parse("a:\nb: ~\nc: null\nd: 'null'\n")
        #expect(value(document, "a")?.isNull == true)
        #expect(value(document, "b")?.isNull == true)
        #expect(value(document, "c")?.isNull == true)
        #expect(value(document, "d")?.isNull == false)
    }

    @Test func duplicateKeysAreReportedWithTheFirstPlace() throws {
        let document = parse("a: 1\nb: 2\na: 3\n")
        let problem = try #require(document.problems.first)
        #expect(problem.kind == .duplicateKey(key: "a", first: SourceRange(start: SourcePosition(line: 1, column: 1), end: SourcePosition(line: 1, column: 2))))
        #expect(problem.range.start == SourcePosition(line: 3, column: 1))
        #expect(!problem.isFatal)
        #expect(value(document, "a")?.scalar?.value == "1", "the first definition wins")
    }

    @Test func aliasesResolveToTheAnchoredNode() {
        let document = parse("base: &b {type: text}\ncopy: *b\n")
        #expect(document.problems.isEmpty)
        #expect(value(document, "copy")?.mapping?.first?.value.scalar?.value == "text")
        #expect(value(document, "copy")?.aliasRange?.start == SourcePosition(line: 2, column: 7))
    }

    @Test func billionLaughsIsRejectedWithinTheBound() throws {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            let items = Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ")
            text += "a\(level): &a\(level) [\(items)]\n"
        }
        let document = parse(text)
        let problem = try #require(document.problems.last)
        guard case .aliasExpansionLimit = problem.kind else {
            Issue.record("expected the alias bound, got \(problem.kind)")
            return
        }
        #expect(problem.isFatal)
        #expect(document.root == nil)
        #expect(problem.relatedRange != nil, "points back at the anchor")
    }

    @Test func mergeKeysMergeWithExplicitKeysWinning() {
        let document = parse("defaults: &d {rate: 10, batch-size: 100}\nsending:\n  <<: *d\n  rate: 50\n")
        #expect(document.problems.isEmpty)
        let pairs = value(document, "sending")?.mapping ?? []
        #expect(pairs.map { $0.key.scalar?.value } == ["rate", "batch-size"])
        #expect(pairs.first?.value.scalar?.value == "50")
        #expect(pairs.last?.isMerged == true)
    }

    @Test func mergeOfAScalarIsAnError() throws {
        let document = parse("a: &a 1\nb:\n  <<: *a\n")
        let problem = try #require(document.problems.first)
        #expect(problem.kind == .invalidMerge)
        #expect(problem.range.start.line == 3)
    }

    @Test func undefinedAliasIsAnError() throws {
        let document = parse("a: *nowhere\n")
        let problem = try #require(document.problems.first)
        #expect(problem.kind == .undefinedAlias(name: "nowhere"))
        #expect(problem.range.start == SourcePosition(line: 1, column: 4))
    }

    @Test func tabIndentationIsNamed() throws {
        let document = parse("template:\n\tcode: SMS_1\n")
        let problem = try #require(document.problems.first)
        #expect(problem.kind == .tabIndentation)
        #expect(problem.range.start == SourcePosition(line: 2, column: 1))
    }

    @Test func syntaxErrorsCarryProblemAndContext() throws {
        let document = parse("a: [1, 2\nb: 3\n")
        let problem = try #require(document.problems.first)
        guard case .syntax(let text, let context) = problem.kind else {
            Issue.record("expected a syntax error, got \(problem.kind)")
            return
        }
        #expect(text.contains("did not find expected"))
        #expect(context == "while parsing a flow sequence")
        #expect(problem.relatedRange?.start == SourcePosition(line: 1, column: 4))
        #expect(document.root == nil)
    }

    @Test func invalidUTF8IsReportedWhereItStands() throws {
        var bytes = Array("version: 1\nsign-name: ".utf8)
        bytes += [0xD4, 0xC6, 0xC9, 0xBC]  // 云杉 in GB18030
        let document = YAMLParser.parse(bytes)
        let problem = try #require(document.problems.first)
        #expect(problem.kind == .invalidUTF8(byte: 0xD4))
        #expect(problem.range.start == SourcePosition(line: 2, column: 12))
    }

    @Test func nulBytesAndUTF16AreRejected() throws {
        let nul = YAMLParser.parse(Array("a: 1\nb: x".utf8) + [0] + Array("y\n".utf8))
        #expect(nul.problems.first?.kind == .nulByte)
        #expect(nul.problems.first?.range.start == SourcePosition(line: 2, column: 5))
        let utf16 = YAMLParser.parse([0xFF, 0xFE, 0x61, 0x00])
        #expect(utf16.problems.first?.kind == .unsupportedEncoding(name: "UTF-16"))
    }

    @Test func aSecondDocumentIsAnError() throws {
        let document = parse("a: 1\n---\nb: 2\n")
        let problem = try #require(document.problems.first)
        #expect(problem.kind == .multipleDocuments)
        #expect(problem.range.start.line == 2)
    }

    @Test func nestingIsBounded() throws {
        let text = "a: " + String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        let document = parse(text, limits: YAMLLimits(maxDepth: 64))
        #expect(document.problems.first?.kind == .nestingTooDeep(limit: 64))
    }

    @Test func aByteOrderMarkIsSkipped() {
        let document = YAMLParser.parse([0xEF, 0xBB, 0xBF] + Array("a: 1\n".utf8))
        #expect(document.problems.isEmpty)
        #expect(value(document, "a")?.range.start == SourcePosition(line: 1, column: 4))
        #expect(document.text.line(1) == "a: 1")
    }

    @Test func emptyInputHasNoRoot() {
        let document = parse("# only a comment\n")
        #expect(document.root == nil)
        #expect(document.problems.isEmpty)
    }
}

@Suite struct SourceTextTests {
    @Test func linesBreakLikeLibyaml() {
        let text = SourceText("a\r\nb\rc\nd")
        #expect(text.lines == ["a", "b", "c", "d"])
    }

    @Test func slicesByScalarColumns() {
        let text = SourceText("名字: 张伟\n")
        #expect(text.text(in: SourceRange(start: SourcePosition(line: 1, column: 5), end: SourcePosition(line: 1, column: 7))) == "张伟")
        #expect(text.position(from: SourcePosition(line: 1, column: 1), advancingBy: 4) == SourcePosition(line: 1, column: 5))
    }
}

@Suite struct HostileInputTests {
    @Test func aLargeScalarAliasedManyTimesMeetsTheBound() throws {
        let big = String(repeating: "y", count: 200_000)
        let aliases = Array(repeating: "*d", count: 2000).joined(separator: ", ")
        let document = YAMLParser.parse(Array("a: &d \(big)\nb: [\(aliases)]\n".utf8))
        let problem = try #require(document.problems.last)
        #expect(problem.kind == .aliasExpansionLimit(alias: "d", limit: YAMLLimits().maxExpandedNodes))
    }

    @Test func aFewAliasesOfAModestScalarAreFine() {
        let text = String(repeating: "z", count: 1000)
        let document = YAMLParser.parse(Array("a: &d \(text)\nb: [*d, *d, *d]\n".utf8))
        #expect(document.problems.isEmpty)
    }
}
