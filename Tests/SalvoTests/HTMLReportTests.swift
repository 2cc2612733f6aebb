import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The HTML report, rendered by a real browser: headless Chromium (installed by
/// scripts/bootstrap) loads the page of a campaign sent to the emulator, whose receipts reached
/// `salvo receipts serve`; the text it renders and its screenshot are checked.
@Suite(.serialized) struct HTMLReportTests {
    static var chromium: String? {
        for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"] where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        return nil
    }

    static func browser(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(chromium, "headless Chromium is not installed; scripts/bootstrap installs it (apt-get install chromium)"))
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--disable-dev-shm-usage"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test func theReportRendersInABrowser() throws {
        let pushing = try ReceiptsCommandTests.Pushing(recipients: 400, rate: 4000, batchSize: 100, options: ["--report-delay-ms", "20", "--report-fail-rate", "0.25"])
        defer { pushing.stop() }
        let setup = pushing.setup, state = pushing.state, folder = pushing.folder
        _ = try pushing.run().finish()
        let deadline = Date().addingTimeInterval(20)
        while (try setup.statistics()["reportsAcknowledged"] as? Int ?? 0) < 400, Date() < deadline { usleep(100_000) }
        let statistics = try setup.statistics()
        let failed = try #require(statistics["reportsFailed"] as? Int)

        let page = folder + "/report.html"
        let made = try SalvoProcess.run(["report", setup.campaign, "--state", state, "--format", "html", "--out", page])
        #expect(made.status == 0, "\(made.stderr)")
        let html = try String(contentsOfFile: page, encoding: .utf8)
        // Self-contained: nothing fetched, nothing run.
        #expect(!html.contains("<script") && !html.contains("http://") && !html.contains("https://") && !html.contains("@import"))
        // Masked numbers only.
        #expect(html.range(of: "1390000\\d{4}", options: .regularExpression) == nil)

        let dom = try Self.browser(["--dump-dom", "file://" + page])
        #expect(dom.contains("Delivery report: crash-test"))
        #expect(dom.contains("From plan to handset") && dom.contains("Not delivered, by carrier code") && dom.contains("Billed segments"))
        #expect(dom.contains(">\(400 - failed)<") && dom.contains(">\(failed)<"), "the delivered and failed counts appear")
        #expect(dom.contains("<svg"))

        // Not blank: a page with content compresses far worse than an empty one of the same size.
        let blank = folder + "/blank.html"
        try "<!DOCTYPE html><html><body></body></html>".write(toFile: blank, atomically: true, encoding: .utf8)
        _ = try Self.browser(["--window-size=1100,1800", "--screenshot=" + folder + "/report.png", "file://" + page])
        _ = try Self.browser(["--window-size=1100,1800", "--screenshot=" + folder + "/blank.png", "file://" + blank])
        let shot = try #require(FileManager.default.attributesOfItem(atPath: folder + "/report.png")[.size] as? Int)
        let empty = try #require(FileManager.default.attributesOfItem(atPath: folder + "/blank.png")[.size] as? Int)
        #expect(shot > 20_000 && shot > empty * 3, "screenshot \(shot) bytes, blank page \(empty)")
    }
}
