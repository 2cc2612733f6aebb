import AsyncHTTPClient
import NIOCore

extension HTTPClient {
    /// `request` sent and its whole answer read (at most `limit` bytes of body), all within
    /// `timeout`: the one way Salvo's clients (Dysmsapi, STS and metadata, the receipt queue) turn
    /// AsyncHTTPClient's answer into an `HTTPResponse`. Errors are AsyncHTTPClient's and NIO's;
    /// each caller says them in its own words.
    func answer(_ request: HTTPClientRequest, timeout: Duration, limit: Int) async throws -> HTTPResponse {
        let response = try await execute(request, deadline: .now() + TimeAmount(timeout))
        let body = try await response.body.collect(upTo: limit)
        return HTTPResponse(status: Int(response.status.code), headers: response.headers.map { ($0.name.lowercased(), $0.value) }, body: Array(buffer: body))
    }
}
