extension SignedRequest {
    /// What is shown instead of an STS security token.
    public static let hiddenToken = "(hidden: the STS security token)"

    /// The request with its STS security token replaced by `hiddenToken` (the
    /// `x-acs-security-token` header of v3, the `SecurityToken` parameter of v1), for showing it:
    /// a token is a credential, like the secret that never leaves the signer. The signature is
    /// still that of the request with the token.
    public var withSecurityTokenHidden: SignedRequest {
        var request = self
        request.headers = headers.map { $0.0 == "x-acs-security-token" ? ($0.0, Self.hiddenToken) : $0 }
        if let question = url.firstIndex(of: "?"), let pairs = PercentEncoding.parseForm(url[url.index(after: question)...]),
           pairs.contains(where: { $0.0 == "SecurityToken" }) {
            request.url = String(url[...question]) + PercentEncoding.form(pairs.map { $0.0 == "SecurityToken" ? ($0.0, Self.hiddenToken) : $0 })
        }
        return request
    }
}
