import Foundation
import Testing
@testable import AliyunSMS

/// HTTPS through a private certificate authority: a certificate the system does not trust is
/// refused, and accepted once its authority is named (SALVO_CA_FILE). The server is Python's
/// http.server behind its ssl module, with certificates made by the openssl command.
@Suite struct PrivateTrustTests {
    /// A scratch folder with a CA and a server certificate for 127.0.0.1 signed by it.
    static func certificates() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "subjectAltName=IP:127.0.0.1\n".write(toFile: folder + "/san.ext", atomically: true, encoding: .utf8)
        for arguments in [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Salvo Test CA"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"],
            ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "san.ext"],
        ] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["openssl"] + arguments
            process.currentDirectoryURL = URL(fileURLWithPath: folder)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            try #require(process.terminationStatus == 0, "openssl \(arguments.joined(separator: " "))")
        }
        return folder
    }

    static let server = """
        import http.server, ssl, sys
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def do_POST(self):
                self.rfile.read(int(self.headers.get("content-length") or 0))
                body = b'{"Code":"OK","Message":"OK","BizId":"900^0","RequestId":"TLS"}'
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[1], sys.argv[2])
        server.socket = context.wrap_socket(server.socket, server_side=True)
        with open(sys.argv[3] + ".partial", "w") as out:
            out.write(str(server.server_address[1]))
        import os
        os.rename(sys.argv[3] + ".partial", sys.argv[3])
        server.serve_forever()
        """

    @Test func aPrivateAuthorityIsTrustedOnlyWhenNamed() async throws {
        let folder = try Self.certificates()
        let process = Process()
        let portFile = folder + "/port"
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.server, folder + "/server.pem", folder + "/server.key", portFile]
        // Not the test's own output: a server still holding it would keep 'swift test' waiting.
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            // SIGKILL: a child can inherit a blocked SIGTERM from the test runner.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        var port: String?
        for _ in 0..<100 where port == nil {
            port = try? String(contentsOfFile: portFile, encoding: .utf8)
            if port == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let url = "https://127.0.0.1:\(try #require(port, "the TLS server did not start"))"
        let signer = RequestSigner(credentials: Credentials(accessKeyId: "id", accessKeySecret: "secret"), endpoint: try Endpoint(url: url), scheme: .v3)
        let operation = try SMSOperation.sendSms(phoneNumbers: ["13800138000"], signName: "云杉商城", templateCode: "SMS_1", templateParameters: nil)

        let systemOnly = HTTPClientTransport()
        do {
            _ = try await systemOnly.execute(signer.sign(operation), timeout: .seconds(10))
            Issue.record("a certificate from an unknown authority was accepted")
        } catch {
            #expect(error.stage == .notSent, "a refused certificate means nothing was sent: \(error)")
        }
        await systemOnly.shutdown()

        let trusting = HTTPClientTransport(configuration: TransportConfiguration(extraTrustRoots: folder + "/ca.pem"))
        var answer: HTTPResponse?
        do {
            answer = try await trusting.execute(signer.sign(operation), timeout: .seconds(10))
        } catch {
            Issue.record("the named authority was not trusted: \(error)")
        }
        await trusting.shutdown()
        #expect(answer?.status == 200)
        #expect(answer.flatMap { SMSResponse(json: $0.body) }?.bizId == "900^0")
    }
}
