import Foundation
import SMSEmulator
import Testing

/// What the emulator learns of the sign names and templates it knows, and the faults it refuses.
@Suite struct EmulatorConfigurationTests {
    static func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("emulator-config-\(UUID().uuidString).json").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func aConfigurationFileNamesSignsAndTemplatesWithTheirPlaceholders() throws {
        let path = try Self.file(#"{"signNames": ["云杉商城"], "templates": [{"code": "SMS_1", "content": "${name}您好，${code}"}, {"content": "no code"}]}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var configuration = EmulatorConfiguration(accessKeyId: "id", accessKeySecret: "secret")
        try configuration.learn(configuration: path)
        #expect(configuration.signNames == ["云杉商城"])
        #expect(configuration.templates == ["SMS_1": KnownTemplate(code: "SMS_1", placeholders: ["name", "code"], content: "${name}您好，${code}")])
    }

    @Test(arguments: ["[1, 2]", "not json"])
    func aConfigurationThatIsNotAJSONObjectIsRefused(_ text: String) throws {
        let path = try Self.file(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var configuration = EmulatorConfiguration(accessKeyId: "id", accessKeySecret: "secret")
        #expect {
            try configuration.learn(configuration: path)
        } throws: { error in
            (error as? EmulatorError)?.code == .configurationUnreadable && "\(error)" == "cannot read '\(path)' as a JSON object"
        }
    }

    @Test func aCampaignWithErrorsIsRefusedByName() async throws {
        let path = try Self.file("name: [")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var configuration = EmulatorConfiguration(accessKeyId: "id", accessKeySecret: "secret")
        do throws(EmulatorError) {
            try await configuration.learn(campaign: path)
            Issue.record("a broken campaign was learnt")
        } catch {
            #expect(error.code == .campaignHasErrors)
            #expect(error.path == path)
        }
    }

    @Test func faultRatesAreSharesThatAddUpToAtMostOne() {
        var faults = FaultPlan()
        #expect(faults.problem == nil)
        faults.throttleRate = 1.5
        #expect(faults.problem == "fault rates are between 0 and 1")
        faults.throttleRate = 0.6
        faults.ambiguousRate = 0.6
        #expect(faults.problem == "fault rates add up to more than 1")
    }
}
