import Foundation

/// Runs the built `salvo` binary as a real process and captures what it prints.
struct SalvoProcess {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
        var timedOut = false
        var all: String { stdout + stderr }
    }

    /// The `salvo` binary beside the test bundle (`SALVO_BIN` overrides).
    static var binary: String {
        if let explicit = ProcessInfo.processInfo.environment["SALVO_BIN"] { return explicit }
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("salvo").path,
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("salvo").path,
            Bundle.main.bundleURL.appendingPathComponent("salvo").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    /// A loopback port nothing listens on (bound, read and closed): a connection to it fails at once.
    static func closedLoopbackPort() -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) } }
        close(socket)
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static let packageRoot: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Runs `salvo` with `arguments` in `directory`, with `environment` added to a clean one. A
    /// process still running after `seconds` is killed and reported as `timedOut` (a hang
    /// detector, not a timing).
    static func run(_ arguments: [String], in directory: String = packageRoot, environment: [String: String] = [:], seconds: Double = 600) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        env.merge(environment) { _, new in new }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Both pipes are drained at once, so a large output on one cannot block the child.
        let collected = Collected()
        Thread { collected.stdout = out.fileHandleForReading.readDataToEndOfFile(); collected.done.signal() }.start()
        Thread { collected.stderr = err.fileHandleForReading.readDataToEndOfFile(); collected.done.signal() }.start()
        let deadline = Date().addingTimeInterval(seconds)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                kill(process.processIdentifier, SIGKILL)
                break
            }
            usleep(10_000)
        }
        process.waitUntilExit()
        collected.done.wait()
        collected.done.wait()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: collected.stdout, as: UTF8.self),
                       stderr: String(decoding: collected.stderr, as: UTF8.self), timedOut: timedOut)
    }

    private final class Collected: @unchecked Sendable {
        var stdout = Data()
        var stderr = Data()
        let done = DispatchSemaphore(value: 0)
    }
}

/// A `salvo` process left running (the emulator), whose output is collected as it comes.
final class RunningSalvo {
    let process = Process()
    private let out = Pipe()
    private let err = Pipe()
    private var buffered = Data()

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: SalvoProcess.binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: SalvoProcess.packageRoot)
        var env = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        env.merge(environment) { _, new in new }
        process.environment = env
        process.standardOutput = out
        process.standardError = err
        try process.run()
    }

    /// The first line of standard output (waits for it, at most `seconds`).
    func firstLine(seconds: Double = 20) -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let newline = buffered.firstIndex(of: 0x0A) {
                return String(decoding: buffered[..<newline], as: UTF8.self)
            }
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { return nil }
            buffered.append(chunk)
        }
        return nil
    }

    /// Stops the process (SIGTERM) and returns everything it wrote.
    func stop() -> (stdout: String, stderr: String) {
        if process.isRunning { process.terminate() }
        return finish()
    }

    /// Waits for the process to end by itself and returns everything it wrote; both pipes are
    /// drained at once, so a chatty process cannot block on a full pipe.
    func finish() -> (stdout: String, stderr: String) {
        let errorData = ErrorBuffer()
        let handle = err.fileHandleForReading
        let reader = Thread { errorData.data = handle.readDataToEndOfFile(); errorData.done.signal() }
        reader.start()
        buffered.append(out.fileHandleForReading.readDataToEndOfFile())
        errorData.done.wait()
        process.waitUntilExit()
        return (String(decoding: buffered, as: UTF8.self), String(decoding: errorData.data, as: UTF8.self))
    }
}

/// What a reading thread hands back.
private final class ErrorBuffer: @unchecked Sendable {
    // Written by the reading thread before `done` is signalled, read after waiting on it.
    var data = Data()
    let done = DispatchSemaphore(value: 0)
}
