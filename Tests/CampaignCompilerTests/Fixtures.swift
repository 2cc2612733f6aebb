import Foundation

/// Fixture files beside the tests, found through `#filePath`.
enum Fixtures {
    static let folder: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    /// The package root, for the example campaigns.
    static let packageRoot: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The names of the `*.yaml` files in a fixture subfolder, sorted.
    static func yamlFiles(in subfolder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder + "/" + subfolder)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted()
    }

    /// Whether goldens are being re-recorded (`SALVO_RECORD_GOLDEN=1 swift test`).
    static var recording: Bool {
        ProcessInfo.processInfo.environment["SALVO_RECORD_GOLDEN"] == "1"
    }
}
