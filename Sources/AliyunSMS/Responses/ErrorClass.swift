/// What to do about a refused or failed request.
public enum ErrorClass: String, Sendable, Hashable, CaseIterable {
    /// Retry later: defer the recipients until a window passes (per-number frequency limits).
    case later
    /// Retry now with exponential backoff: the request was refused before it was processed.
    case backoff
    /// Permanent for the recipients of this request.
    case recipient
    /// Stop the campaign: configuration, account or a bug.
    case fatal
    /// May or may not have been sent: reconcile before any resend.
    case ambiguous

    /// Classifies an error code from a response body. `isSend` says whether the request was a send
    /// (SendSms, SendBatchSms), for which an unknown code may mean it was processed.
    public static func classify(code: String, isSend: Bool) -> ErrorClass {
        if let known = table[code] { return known }
        if code.hasPrefix("Throttling") { return .backoff }
        if code.hasPrefix("Missing") || code.hasPrefix("InvalidParameter") || code.hasPrefix("Forbidden") || code.hasPrefix("InvalidAccessKeyId")
            || code.hasPrefix("NoPermission") {
            return .fatal
        }
        return isSend ? .ambiguous : .fatal
    }

    /// Every code the reference lists, with its class.
    public static let table: [String: ErrorClass] = [
        "isv.BUSINESS_LIMIT_CONTROL": .later,
        "isv.DAY_LIMIT_CONTROL": .fatal,
        "isv.MONTH_LIMIT_CONTROL": .fatal,
        "isv.MOBILE_NUMBER_ILLEGAL": .recipient,
        "isv.MOBILE_COUNT_OVER_LIMIT": .fatal,
        "isv.TEMPLATE_MISSING_PARAMETERS": .recipient,
        "isv.TEMPLATE_PARAMS_ILLEGAL": .recipient,
        "isv.INVALID_JSON_PARAM": .fatal,
        "isv.INVALID_PARAMETERS": .recipient,
        "isv.PARAM_LENGTH_LIMIT": .recipient,
        "isv.PARAM_NOT_SUPPORT_URL": .recipient,
        "isv.BLACK_KEY_CONTROL_LIMIT": .recipient,
        "isv.SMS_SIGNATURE_ILLEGAL": .fatal,
        "isv.SMS_TEMPLATE_ILLEGAL": .fatal,
        "isv.SMS_SIGNATURE_SCENE_ILLEGAL": .fatal,
        "isv.SIGN_STATE_ILLEGAL": .fatal,
        "isv.SMS_SIGN_ILLEGAL": .fatal,
        "isv.SMS_CONTENT_ILLEGAL": .fatal,
        "isv.DOMESTIC_NUMBER_NOT_SUPPORTED": .recipient,
        "isv.EXTEND_CODE_ERROR": .fatal,
        "isv.DENY_IP_RANGE": .fatal,
        "isv.AMOUNT_NOT_ENOUGH": .fatal,
        "isv.OUT_OF_SERVICE": .fatal,
        "isv.PRODUCT_UN_SUBSCRIPT": .fatal,
        "isv.PRODUCT_UNSUBSCRIBE": .fatal,
        "isv.ACCOUNT_NOT_EXISTS": .fatal,
        "isv.ACCOUNT_ABNORMAL": .fatal,
        "isp.RAM_PERMISSION_DENY": .fatal,
        "isp.SYSTEM_ERROR": .ambiguous,
        "SignatureDoesNotMatch": .fatal,
        "IncompleteSignature": .fatal,
        "InvalidAccessKeyId.NotFound": .fatal,
        "InvalidAccessKeyId.Inactive": .fatal,
        // The client resends once with refreshed credentials; refused again, only a person can help.
        "InvalidSecurityToken.Expired": .fatal,
        "InvalidSecurityToken.Malformed": .fatal,
        "InvalidSecurityToken.MismatchWithAccessKey": .fatal,
        "InvalidTimeStamp.Expired": .backoff,
        "InvalidTimeStamp.Format": .fatal,
        "SignatureNonceUsed": .backoff,
        "Throttling": .backoff,
        "Throttling.User": .backoff,
        "Throttling.Api": .backoff,
        "InvalidParameter": .fatal,
        "InvalidApi.NotFound": .fatal,
        "UnsupportedHTTPMethod": .fatal,
        "Forbidden.RAM": .fatal,
        "Forbidden.RiskControl": .fatal,
        "NoPermission": .fatal,
        "ServiceUnavailable": .backoff,
        "InternalError": .ambiguous,
    ]
}
