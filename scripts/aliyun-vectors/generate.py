#!/usr/bin/env python3
"""Generate Alibaba Cloud SMS (Dysmsapi 2017-05-25) signing test vectors.

The vectors come from the official Python SDK (alibabacloud-dysmsapi20170525 on
top of alibabacloud-tea-openapi / darabonba-core), pinned in requirements.txt.
Nothing here re-implements the SDK's canonicalisation or signing:

* every "sdk-client" vector calls the real SDK client method
  (send_sms_with_options, send_batch_sms_with_options,
  query_send_details_with_options).  The SDK builds, canonicalises and signs the
  request itself; we only
    - pin the SDK's nonce and timestamp functions (Utils.get_nonce,
      Utils.get_timestamp) and its platform-dependent default user agent,
    - capture the request the SDK hands to its transport (DaraCore.do_action)
      and the prepared HTTP request (requests.Session.send) instead of sending it,
    - record the SDK's own intermediate values by wrapping the helpers it calls
      (quote_plus + hmac.new inside Utils.get_rpcsignature for V1;
      Utils.hash + signature_method inside Utils.get_authorization for V3).
* GET vectors: the SDK always uses POST for these APIs.  For GET we wrap
  OpenApiClient.call_api and set params.method = 'GET' before the SDK builds the
  request, so the SDK itself signs with method GET.
* "sdk-utils-direct" vectors (the Appendix-A example and a GET SendBatchSms with
  every parameter in the query) call Utils.get_rpcsignature directly with a
  parameter dict, because the client cannot produce that parameter placement.

Afterwards every vector is re-verified with an independent, minimal
implementation (hmac/hashlib/base64 + an explicit RFC 3986 encoder), which is
what the Swift signer has to reproduce.

Usage:
    python generate.py            # write Tests/AliyunSMSTests/Fixtures/signing-vectors.json
    python generate.py --check    # regenerate in memory, fail if the file differs
    python generate.py --out FILE
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import hmac as _real_hmac
import json
import os
import sys
import urllib.parse
from importlib import metadata
from pathlib import Path

# Environment variables the SDK reads that would make output machine-dependent.
for _var in ("ALIBABA_CLOUD_USER_AGENT", "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "DEBUG"):
    os.environ.pop(_var, None)

import requests  # noqa: E402

import alibabacloud_tea_openapi.utils as oa_utils  # noqa: E402
from alibabacloud_tea_openapi.utils import Utils  # noqa: E402
from alibabacloud_tea_openapi.client import Client as OpenApiClient  # noqa: E402
from alibabacloud_tea_openapi.utils_models import Config  # noqa: E402
from alibabacloud_dysmsapi20170525.client import Client as SmsClient  # noqa: E402
from alibabacloud_dysmsapi20170525 import models as sms_models  # noqa: E402
from darabonba.core import DaraCore  # noqa: E402
from darabonba.request import DaraRequest  # noqa: E402
from darabonba.runtime import ExtendsParameters, RuntimeOptions  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO_ROOT / "Tests" / "AliyunSMSTests" / "Fixtures" / "signing-vectors.json"

HOST = "dysmsapi.aliyuncs.com"
AK_ID = "testId"
AK_SECRET = "testSecret"
# Shaped like a real STS token (base64 alphabet incl. '+', '/', '=').
STS_TOKEN = "CAIS8gF1q6Ft5B2yfSjIr5bXD+/n1pZTxZXZ+g==SalvoTestStsToken"

# The SDK's default user agent embeds platform.system(), platform.machine(),
# the Python version and Tea.__version__; it is a signed header in V3, so it is
# pinned here to keep the vectors machine-independent.  Same format as the SDK.
FIXED_USER_AGENT = "AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2"

SDK_PACKAGES = [
    "alibabacloud-dysmsapi20170525",
    "alibabacloud-tea-openapi",
    "alibabacloud-tea-util",
    "alibabacloud-tea",
    "darabonba-core",
    "alibabacloud-credentials",
    "alibabacloud-gateway-spi",
]


# ---------------------------------------------------------------------------
# Instrumentation of the SDK
# ---------------------------------------------------------------------------
class _State:
    nonce: str = ""
    timestamp: str = ""
    method_override: str | None = None
    dara_requests: list = []
    prepared: list = []
    # V1 intermediates
    quote_plus_calls: list = []
    hmac_calls: list = []
    # V3 intermediates
    in_authorization: bool = False
    auth_hash_inputs: list = []
    auth_sign_calls: list = []


S = _State()

Utils.get_nonce = staticmethod(lambda: S.nonce)
Utils.get_timestamp = staticmethod(lambda: S.timestamp)
Utils._Utils__get_default_agent = staticmethod(lambda: FIXED_USER_AGENT)

_orig_quote_plus = oa_utils.quote_plus


def _rec_quote_plus(string, *args, **kwargs):
    out = _orig_quote_plus(string, *args, **kwargs)
    S.quote_plus_calls.append((string, out))
    return out


oa_utils.quote_plus = _rec_quote_plus


class _RecordingHmac:
    """Stand-in for the `hmac` module inside alibabacloud_tea_openapi.utils."""

    @staticmethod
    def new(key, msg=None, digestmod=None):
        S.hmac_calls.append((bytes(key), bytes(msg) if msg is not None else None, digestmod))
        return _real_hmac.new(key, msg, digestmod)


oa_utils.hmac = _RecordingHmac

_orig_hash = Utils.hash


def _rec_hash(raw, sign_type):
    if S.in_authorization:
        S.auth_hash_inputs.append(bytes(raw))
    return _orig_hash(raw, sign_type)


Utils.hash = staticmethod(_rec_hash)

_orig_signature_method = oa_utils.signature_method


def _rec_signature_method(secret, source, sign_type):
    if S.in_authorization:
        S.auth_sign_calls.append((secret, source, sign_type))
    return _orig_signature_method(secret, source, sign_type)


oa_utils.signature_method = _rec_signature_method

_orig_get_authorization = Utils.get_authorization


def _rec_get_authorization(request, sign_type, payload, ak, secret):
    S.in_authorization = True
    try:
        return _orig_get_authorization(request, sign_type, payload, ak, secret)
    finally:
        S.in_authorization = False


Utils.get_authorization = staticmethod(_rec_get_authorization)

_orig_call_api = OpenApiClient.call_api


def _call_api_with_method(self, params, request, runtime):
    if S.method_override:
        params.method = S.method_override
    return _orig_call_api(self, params, request, runtime)


OpenApiClient.call_api = _call_api_with_method

_orig_do_action = DaraCore.do_action


def _capture_do_action(request, runtime_option=None):
    S.dara_requests.append({
        "protocol": request.protocol,
        "method": request.method,
        "pathname": request.pathname,
        "query": dict(request.query),
        "headers": dict(request.headers),
        "body": request.body,
    })
    return _orig_do_action(request, runtime_option)


DaraCore.do_action = staticmethod(_capture_do_action)


def _fake_send(self, prepared, **kwargs):
    S.prepared.append(prepared)
    resp = requests.Response()
    resp.status_code = 200
    resp.reason = "OK"
    resp.headers["content-type"] = "application/json;charset=utf-8"
    resp._content = json.dumps({"Code": "OK", "Message": "OK", "RequestId": "VECTOR",
                                "BizId": "900619746936498440^0"}).encode()
    resp.url = prepared.url
    return resp


requests.Session.send = _fake_send


def _reset(nonce: str, timestamp: str, method_override: str | None = None):
    S.nonce = nonce
    S.timestamp = timestamp
    S.method_override = method_override
    S.dara_requests = []
    S.prepared = []
    S.quote_plus_calls = []
    S.hmac_calls = []
    S.auth_hash_inputs = []
    S.auth_sign_calls = []


# ---------------------------------------------------------------------------
# Vector construction
# ---------------------------------------------------------------------------
def jdump(obj, ascii_=False, compact=True) -> str:
    """How *this script* (i.e. the caller, not the SDK) makes template JSON."""
    if compact:
        return json.dumps(obj, ensure_ascii=ascii_, separators=(",", ":"))
    return json.dumps(obj, ensure_ascii=ascii_)


def nonce_for(name: str) -> str:
    return hashlib.md5(("salvo-vector:" + name).encode()).hexdigest()


def make_client(scheme: str, sts: bool) -> SmsClient:
    cfg = Config(access_key_id=AK_ID, access_key_secret=AK_SECRET, endpoint=HOST)
    if sts:
        cfg.security_token = STS_TOKEN
    if scheme == "v1":
        cfg.signature_algorithm = "v2"  # tea-openapi's name for RPC HMAC-SHA1
    return SmsClient(cfg)


def _lower_headers(h: dict) -> dict:
    out = {}
    for k, v in h.items():
        if v is None:
            continue
        out[k.lower()] = v if isinstance(v, str) else str(v)
    return out


def _body_str(body) -> str:
    if body is None:
        return ""
    if isinstance(body, bytes):
        return body.decode("utf-8")
    return str(body)


def run_sdk(name, description, scheme, action, request, *, sts=False, method=None,
            timestamp, nonce=None, extends_queries=None, inputs_note=None):
    nonce = nonce or nonce_for(name)
    _reset(nonce, timestamp, method)
    client = make_client(scheme, sts)
    runtime = RuntimeOptions()
    if extends_queries:
        runtime.extends_parameters = ExtendsParameters(queries=dict(extends_queries))
    fn = {
        "SendSms": client.send_sms_with_options,
        "SendBatchSms": client.send_batch_sms_with_options,
        "QuerySendDetails": client.query_send_details_with_options,
    }[action]
    fn(request, runtime)
    assert len(S.dara_requests) == 1, f"{name}: expected exactly one request, got {len(S.dara_requests)}"
    assert len(S.prepared) == 1
    req = S.dara_requests[0]
    prep = S.prepared[0]

    headers = _lower_headers(req["headers"])
    body = _body_str(req["body"])
    vec = {
        "name": name,
        "description": description,
        "source": "sdk-client",
        "scheme": scheme,
        "method": req["method"],
        "host": headers["host"],
        "path": req["pathname"],
        "action": action,
        "query": {k: str(v) for k, v in req["query"].items() if v is not None},
        "headers": headers,
        "body": body,
        "accessKeyId": AK_ID,
        "accessKeySecret": AK_SECRET,
        "nonce": nonce,
        "timestamp": timestamp,
        "wire": {
            "url": prep.url,
            "transportAddedHeaders": {k.lower(): v for k, v in prep.headers.items()
                                      if k.lower() not in headers},
        },
    }
    if body:
        vec["bodyParams"] = dict(urllib.parse.parse_qsl(body, keep_blank_values=True, strict_parsing=True))
    if sts:
        vec["securityToken"] = STS_TOKEN
    if inputs_note:
        vec["inputsNote"] = inputs_note

    if scheme == "v1":
        _fill_v1_intermediates(vec)
    else:
        _fill_v3_intermediates(vec)
    return vec


def _fill_v1_intermediates(vec):
    name = vec["name"]
    assert len(S.quote_plus_calls) == 1, f"{name}: quote_plus calls {len(S.quote_plus_calls)}"
    assert len(S.hmac_calls) == 1, f"{name}: hmac calls {len(S.hmac_calls)}"
    canonical, _ = S.quote_plus_calls[0]
    key, msg, digestmod = S.hmac_calls[0]
    assert digestmod is hashlib.sha1
    assert key == (vec["accessKeySecret"] + "&").encode()
    vec["canonicalQuery"] = canonical
    vec["stringToSign"] = msg.decode("utf-8")
    vec["signature"] = vec["query"]["Signature"]


def _fill_v3_intermediates(vec):
    name = vec["name"]
    assert len(S.auth_hash_inputs) == 1, f"{name}: hash calls {len(S.auth_hash_inputs)}"
    assert len(S.auth_sign_calls) == 1
    canonical_request = S.auth_hash_inputs[0].decode("utf-8")
    secret, string_to_sign, sign_type = S.auth_sign_calls[0]
    assert sign_type == "ACS3-HMAC-SHA256" and secret == vec["accessKeySecret"]
    auth = vec["headers"]["authorization"]
    prefix = "ACS3-HMAC-SHA256 Credential="
    assert auth.startswith(prefix)
    parts = dict(p.split("=", 1) for p in auth[len("ACS3-HMAC-SHA256 "):].split(","))
    vec["canonicalRequest"] = canonical_request
    vec["hashedCanonicalRequest"] = string_to_sign.split("\n", 1)[1]
    vec["stringToSign"] = string_to_sign
    vec["signedHeaders"] = parts["SignedHeaders"]
    vec["signature"] = parts["Signature"]
    vec["authorization"] = auth
    vec["hashedPayload"] = vec["headers"]["x-acs-content-sha256"]
    # Cross-check against the SDK's own header canonicaliser on the pre-signing headers.
    pre = {k: v for k, v in vec["headers"].items() if k != "authorization"}
    _, signed = oa_utils.get_canonicalized_headers(pre)
    assert signed == vec["signedHeaders"], (signed, vec["signedHeaders"])


def run_direct_v1(name, description, action, params, *, method, timestamp, nonce,
                  sts=False, inputs_note=None):
    """Call Utils.get_rpcsignature directly on a parameter dict (all in the query)."""
    _reset(nonce, timestamp)
    signed = dict(params)
    signature = Utils.get_rpcsignature(signed, method, AK_SECRET)
    query = dict(signed)
    query["Signature"] = signature
    dreq = DaraRequest()
    dreq.protocol = "https"
    dreq.method = method
    dreq.pathname = "/"
    dreq.headers = {"host": HOST}
    dreq.query = query
    vec = {
        "name": name,
        "description": description,
        "source": "sdk-utils-direct",
        "scheme": "v1",
        "method": method,
        "host": HOST,
        "path": "/",
        "action": action,
        "query": query,
        "headers": {"host": HOST},
        "body": "",
        "accessKeyId": params["AccessKeyId"],
        "accessKeySecret": AK_SECRET,
        "nonce": nonce,
        "timestamp": timestamp,
        "wire": {"url": DaraCore.compose_url(dreq), "transportAddedHeaders": {}},
    }
    if sts:
        vec["securityToken"] = params["SecurityToken"]
    if inputs_note:
        vec["inputsNote"] = inputs_note
    _fill_v1_intermediates(vec)
    return vec


# ---------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------
SPECIAL = "~ * + / space % & ="  # the characters the brief asks about, literally
SPECIAL_SIGN = "Salvo~*+/ %&=签名"
SPECIAL_OUTID = "camp-1/row 7?a=b&c=d%20e+f*g~h"
SPECIAL_TPL = {"code": "12+34", "name": "张三 & 李四", "path": "a/b*c~d", "pct": "100%", "eq": "x=y"}

CHINESE_SIGN = "阿里云短信测试"
EMOJI_TPL = {"name": "小明🎉", "product": "Salvo🚀 v1", "code": "8421"}


def send_sms(phones, sign, tpl_code, tpl_param=None, out_id=None, ext=None):
    return sms_models.SendSmsRequest(phone_numbers=phones, sign_name=sign, template_code=tpl_code,
                                     template_param=tpl_param, out_id=out_id, sms_up_extend_code=ext)


def send_batch(phones, signs, tpl_code, params=None, out_id=None, ext=None, ascii_=False):
    return sms_models.SendBatchSmsRequest(
        phone_number_json=jdump(phones, ascii_),
        sign_name_json=jdump(signs, ascii_),
        template_code=tpl_code,
        template_param_json=jdump(params, ascii_) if params is not None else None,
        sms_up_extend_code_json=jdump(ext, ascii_) if ext is not None else None,
        out_id=out_id,
    )


def query_details(phone, send_date, page_size, page, biz_id=None):
    return sms_models.QuerySendDetailsRequest(phone_number=phone, send_date=send_date,
                                              page_size=page_size, current_page=page, biz_id=biz_id)


def hundred():
    phones = [f"138{i:08d}" for i in range(100)]
    signs = [CHINESE_SIGN if i % 2 == 0 else "Salvo" for i in range(100)]
    params = [{"name": f"用户{i}", "code": f"{(i * 7919) % 10000:04d}", "note": "a+b/c d" if i % 10 == 0 else "ok"}
              for i in range(100)]
    return phones, signs, params


APPENDIX_A_PARAMS = {
    "AccessKeyId": "testId",
    "Action": "SendSms",
    "Format": "XML",
    "OutId": "123",
    "PhoneNumbers": "15300000001",
    "RegionId": "cn-hangzhou",
    "SignName": "阿里云短信测试专用",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
    "SignatureVersion": "1.0",
    "TemplateCode": "SMS_71390007",
    "TemplateParam": "{\"customer\":\"test\"}",
    "Timestamp": "2017-07-12T02:42:19Z",
    "Version": "2017-05-25",
}
APPENDIX_A_SIGNATURE = "zJDF+Lrzhj/ThnlvIToysFRq6t4="
APPENDIX_A_CANONICAL = (
    "AccessKeyId=testId&Action=SendSms&Format=XML&OutId=123&PhoneNumbers=15300000001&RegionId=cn-hangzhou"
    "&SignName=%E9%98%BF%E9%87%8C%E4%BA%91%E7%9F%AD%E4%BF%A1%E6%B5%8B%E8%AF%95%E4%B8%93%E7%94%A8"
    "&SignatureMethod=HMAC-SHA1&SignatureNonce=45e25e9b-0a6f-4070-8c85-2956eda1b466&SignatureVersion=1.0"
    "&TemplateCode=SMS_71390007&TemplateParam=%7B%22customer%22%3A%22test%22%7D"
    "&Timestamp=2017-07-12T02%3A42%3A19Z&Version=2017-05-25"
)


def build_vectors():
    V = []
    ts = lambda m, s=0: f"2024-05-01T08:{m:02d}:{s:02d}Z"  # noqa: E731

    # ---- Appendix A: the published example -------------------------------
    a = APPENDIX_A_PARAMS
    V.append(run_direct_v1(
        "v1-appendix-a-published-get-sendsms-direct",
        "Alibaba's published SendSms example (reference Appendix A), signed by Utils.get_rpcsignature "
        "on exactly the published parameter dict. Must equal the published signature zJDF+Lrzhj/ThnlvIToysFRq6t4=.",
        "SendSms", a, method="GET", timestamp=a["Timestamp"], nonce=a["SignatureNonce"]))
    V.append(run_sdk(
        "v1-appendix-a-published-get-sendsms-client",
        "The same published example produced by the SDK client (signature_algorithm='v2', method forced to GET, "
        "Format=XML and RegionId=cn-hangzhou added through RuntimeOptions.extends_parameters.queries, nonce and "
        "timestamp pinned to the published values). Same signature as the published one.",
        "v1", "SendSms",
        send_sms(a["PhoneNumbers"], a["SignName"], a["TemplateCode"], a["TemplateParam"], a["OutId"]),
        method="GET", timestamp=a["Timestamp"], nonce=a["SignatureNonce"],
        extends_queries={"Format": "XML", "RegionId": "cn-hangzhou"}))

    # ---- V1 (HMAC-SHA1), POST as the SDK sends it ---------------------------
    V.append(run_sdk("v1-post-sendsms-ascii", "Plain ASCII SendSms, one number, compact JSON template param.",
                     "v1", "SendSms", send_sms("13800138000", "Salvo", "SMS_154950909", jdump({"code": "1234"})),
                     timestamp=ts(1)))
    V.append(run_sdk("v1-post-sendsms-chinese", "Chinese sign name and Chinese template values (UTF-8 percent-encoding).",
                     "v1", "SendSms",
                     send_sms("13800138000", CHINESE_SIGN, "SMS_154950909",
                              jdump({"name": "张三", "product": "萨尔沃群发"}), out_id="订单-42"),
                     timestamp=ts(2)))
    V.append(run_sdk("v1-post-sendsms-emoji", "Emoji (4-byte UTF-8) in template values and OutId.",
                     "v1", "SendSms",
                     send_sms("13800138000", CHINESE_SIGN, "SMS_154950909", jdump(EMOJI_TPL), out_id="row-🎉-1"),
                     timestamp=ts(3)))
    V.append(run_sdk("v1-post-sendsms-special-chars",
                     f"The characters {SPECIAL} in SignName, TemplateParam values and OutId.",
                     "v1", "SendSms",
                     send_sms("13800138000", SPECIAL_SIGN, "SMS_154950909", jdump(SPECIAL_TPL),
                              out_id=SPECIAL_OUTID, ext="90999"),
                     timestamp=ts(4)))
    V.append(run_sdk("v1-post-sendsms-multi-number-plus-prefix",
                     "Several comma-separated numbers with +86/0086 prefixes ('+' and ',' must be %2B / %2C).",
                     "v1", "SendSms",
                     send_sms("+8613800138000,008613800138001,13800138002", "Salvo", "SMS_154950909",
                              jdump({"code": "0001"})),
                     timestamp=ts(5)))
    V.append(run_sdk("v1-post-sendsms-sts", "SendSms with an STS SecurityToken (token contains + / =).",
                     "v1", "SendSms",
                     send_sms("13800138000", CHINESE_SIGN, "SMS_154950909", jdump({"code": "5678"}), out_id="sts-1"),
                     sts=True, timestamp=ts(6)))
    V.append(run_sdk("v1-post-sendsms-ascii-escaped-json",
                     "TemplateParam produced with Python's default json.dumps (ensure_ascii=True, ', ' and ': ' "
                     "separators) and a JSON-escaped line break: the backslashes, \\uXXXX escapes and spaces are just "
                     "bytes of the string and are signed as such.",
                     "v1", "SendSms",
                     send_sms("13800138000", "Salvo", "SMS_154950909",
                              jdump({"name": "张三", "msg": "line1\nline2", "url": "a/b"}, ascii_=True, compact=False)),
                     timestamp=ts(7)))
    V.append(run_sdk("v1-post-sendbatchsms-basic", "SendBatchSms with 2 recipients; JSON arrays go in the form body.",
                     "v1", "SendBatchSms",
                     send_batch(["13800138000", "13800138001"], ["Salvo", "Salvo"], "SMS_154950909",
                                [{"code": "1111"}, {"code": "2222"}]),
                     timestamp=ts(8)))
    V.append(run_sdk("v1-post-sendbatchsms-special-chars",
                     f"SendBatchSms with Chinese, emoji and {SPECIAL} in sign names, template params and OutId.",
                     "v1", "SendBatchSms",
                     send_batch(["+8613800138000", "13800138001", "13800138002"],
                                [CHINESE_SIGN, SPECIAL_SIGN, "Salvo"], "SMS_154950909",
                                [SPECIAL_TPL, EMOJI_TPL, {"code": "0 0"}],
                                out_id=SPECIAL_OUTID, ext=["1", "2", "3"]),
                     timestamp=ts(9)))
    p, s, t = hundred()
    V.append(run_sdk("v1-post-sendbatchsms-100", "SendBatchSms with 100 recipients (the per-call maximum).",
                     "v1", "SendBatchSms", send_batch(p, s, "SMS_154950909", t, out_id="campaign-100"),
                     timestamp=ts(10)))
    V.append(run_sdk("v1-post-sendbatchsms-sts", "SendBatchSms with an STS SecurityToken.",
                     "v1", "SendBatchSms",
                     send_batch(["13800138000"], [CHINESE_SIGN], "SMS_154950909", [{"name": "王五"}]),
                     sts=True, timestamp=ts(11)))
    V.append(run_sdk("v1-post-querysenddetails", "QuerySendDetails without BizId (all params in the query).",
                     "v1", "QuerySendDetails", query_details("13800138000", "20240501", 10, 1),
                     timestamp=ts(12)))
    V.append(run_sdk("v1-post-querysenddetails-bizid-sts",
                     "QuerySendDetails with a BizId containing '^' and an STS token.",
                     "v1", "QuerySendDetails",
                     query_details("13800138000", "20240501", 50, 2, biz_id="900619746936498440^0"),
                     sts=True, timestamp=ts(13)))

    # ---- V1, GET (SDK with params.method forced to GET) -----------------------
    V.append(run_sdk("v1-get-sendsms-chinese-emoji",
                     "GET SendSms (SDK signing with method GET): Chinese + emoji.",
                     "v1", "SendSms",
                     send_sms("13800138000", CHINESE_SIGN, "SMS_154950909", jdump(EMOJI_TPL), out_id="get-1"),
                     method="GET", timestamp=ts(14)))
    V.append(run_sdk("v1-get-sendsms-special-chars-sts",
                     f"GET SendSms with {SPECIAL} everywhere and an STS token.",
                     "v1", "SendSms",
                     send_sms("13800138000", SPECIAL_SIGN, "SMS_154950909", jdump(SPECIAL_TPL), out_id=SPECIAL_OUTID),
                     method="GET", sts=True, timestamp=ts(15)))
    V.append(run_sdk("v1-get-querysenddetails", "GET QuerySendDetails with BizId.",
                     "v1", "QuerySendDetails",
                     query_details("13800138000", "20240501", 10, 1, biz_id="900619746936498440^0"),
                     method="GET", timestamp=ts(16)))
    batch_params = {
        "Action": "SendBatchSms", "Format": "json", "Version": "2017-05-25",
        "Timestamp": ts(17), "SignatureNonce": nonce_for("v1-get-sendbatchsms-all-in-query-direct"),
        "TemplateCode": "SMS_154950909", "OutId": SPECIAL_OUTID,
        "PhoneNumberJson": jdump(["13800138000", "13800138001"]),
        "SignNameJson": jdump([CHINESE_SIGN, SPECIAL_SIGN]),
        "TemplateParamJson": jdump([EMOJI_TPL, SPECIAL_TPL]),
        "SecurityToken": STS_TOKEN,
        "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "AccessKeyId": AK_ID,
    }
    V.append(run_direct_v1(
        "v1-get-sendbatchsms-all-in-query-direct",
        "GET SendBatchSms with every parameter (incl. the JSON arrays) in the query, STS token; signed by "
        "Utils.get_rpcsignature directly with the same common parameters the SDK client adds. The client "
        "itself never produces this placement.",
        "SendBatchSms", batch_params, method="GET", timestamp=ts(17),
        nonce=batch_params["SignatureNonce"], sts=True))

    V.append(run_sdk("v1-post-sendsms-empty-outid",
                     "OutId set to the empty string: the SDK still sends and signs it as 'OutId=' (only None is "
                     "omitted).",
                     "v1", "SendSms", send_sms("13800138000", "Salvo", "SMS_154950909", jdump({"code": "1234"}),
                                               out_id=""),
                     timestamp=ts(18)))

    # ---- V3 (ACS3-HMAC-SHA256), the SDK default ---------------------------
    V.append(run_sdk("v3-post-sendsms-ascii", "Plain ASCII SendSms.",
                     "v3", "SendSms", send_sms("13800138000", "Salvo", "SMS_154950909", jdump({"code": "1234"})),
                     timestamp=ts(20)))
    V.append(run_sdk("v3-post-sendsms-chinese-emoji", "Chinese sign name, Chinese + emoji template values.",
                     "v3", "SendSms",
                     send_sms("13800138000", CHINESE_SIGN, "SMS_154950909", jdump(EMOJI_TPL), out_id="订单-🎉"),
                     timestamp=ts(21)))
    V.append(run_sdk("v3-post-sendsms-special-chars", f"{SPECIAL} in SignName, TemplateParam and OutId.",
                     "v3", "SendSms",
                     send_sms("+8613800138000,13800138001", SPECIAL_SIGN, "SMS_154950909", jdump(SPECIAL_TPL),
                              out_id=SPECIAL_OUTID, ext="90999"),
                     timestamp=ts(22)))
    V.append(run_sdk("v3-post-sendsms-sts", "SendSms with STS: adds x-acs-accesskey-id and x-acs-security-token.",
                     "v3", "SendSms",
                     send_sms("13800138000", CHINESE_SIGN, "SMS_154950909", jdump({"code": "5678"}), out_id="sts-1"),
                     sts=True, timestamp=ts(23)))
    V.append(run_sdk("v3-post-sendsms-appendix-a-inputs",
                     "The business parameters of the published V1 example, signed with V3.",
                     "v3", "SendSms",
                     send_sms(a["PhoneNumbers"], a["SignName"], a["TemplateCode"], a["TemplateParam"], a["OutId"]),
                     timestamp=ts(24)))
    V.append(run_sdk("v3-post-sendbatchsms-basic", "SendBatchSms, 2 recipients; form body hashed into the signature.",
                     "v3", "SendBatchSms",
                     send_batch(["13800138000", "13800138001"], ["Salvo", "Salvo"], "SMS_154950909",
                                [{"code": "1111"}, {"code": "2222"}]),
                     timestamp=ts(25)))
    V.append(run_sdk("v3-post-sendbatchsms-special-chars",
                     f"SendBatchSms with Chinese, emoji and {SPECIAL}; the body uses form encoding (space as '+').",
                     "v3", "SendBatchSms",
                     send_batch(["+8613800138000", "13800138001", "13800138002"],
                                [CHINESE_SIGN, SPECIAL_SIGN, "Salvo"], "SMS_154950909",
                                [SPECIAL_TPL, EMOJI_TPL, {"code": "0 0"}],
                                out_id=SPECIAL_OUTID, ext=["1", "2", "3"]),
                     timestamp=ts(26)))
    V.append(run_sdk("v3-post-sendbatchsms-100", "SendBatchSms with 100 recipients.",
                     "v3", "SendBatchSms", send_batch(p, s, "SMS_154950909", t, out_id="campaign-100"),
                     timestamp=ts(27)))
    V.append(run_sdk("v3-post-sendbatchsms-sts", "SendBatchSms with STS.",
                     "v3", "SendBatchSms",
                     send_batch(["13800138000"], [CHINESE_SIGN], "SMS_154950909", [{"name": "王五"}]),
                     sts=True, timestamp=ts(28)))
    V.append(run_sdk("v3-post-querysenddetails", "QuerySendDetails.",
                     "v3", "QuerySendDetails", query_details("13800138000", "20240501", 10, 1),
                     timestamp=ts(29)))
    V.append(run_sdk("v3-post-querysenddetails-bizid-sts", "QuerySendDetails with BizId and STS.",
                     "v3", "QuerySendDetails",
                     query_details("13800138000", "20240501", 50, 2, biz_id="900619746936498440^0"),
                     sts=True, timestamp=ts(30)))
    V.append(run_sdk("v3-get-sendsms-special-chars", "V3 with method GET (params.method forced to GET).",
                     "v3", "SendSms",
                     send_sms("13800138000", SPECIAL_SIGN, "SMS_154950909", jdump(SPECIAL_TPL), out_id=SPECIAL_OUTID),
                     method="GET", timestamp=ts(31)))
    V.append(run_sdk("v3-post-sendsms-empty-outid",
                     "OutId set to the empty string: canonical query contains 'OutId=' (only None is omitted).",
                     "v3", "SendSms", send_sms("13800138000", "Salvo", "SMS_154950909", jdump({"code": "1234"}),
                                               out_id=""),
                     timestamp=ts(32)))
    return V


# ---------------------------------------------------------------------------
# Independent verification (what the Swift signer must do)
# ---------------------------------------------------------------------------
UNRESERVED = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")


def pct(s: str) -> str:
    return "".join(chr(b) if b in UNRESERVED else "%%%02X" % b for b in s.encode("utf-8"))


def verify_v1(v):
    signed = {k: val for k, val in v["query"].items() if k != "Signature"}
    for k, val in v.get("bodyParams", {}).items():
        assert k not in signed
        signed[k] = val
    keys = sorted(signed, key=lambda k: k.encode("utf-8"))
    canonical = "&".join(f"{pct(k)}={pct(signed[k])}" for k in keys)
    assert canonical == v["canonicalQuery"], v["name"]
    sts = f"{v['method']}&{pct('/')}&{pct(canonical)}"
    assert sts == v["stringToSign"], v["name"]
    sig = base64.b64encode(_real_hmac.new((v["accessKeySecret"] + "&").encode(), sts.encode(),
                                          hashlib.sha1).digest()).decode()
    assert sig == v["signature"] == v["query"]["Signature"], v["name"]
    # Common parameters present as the SDK sends them.
    for k in ("AccessKeyId", "SignatureMethod", "SignatureVersion", "SignatureNonce", "Timestamp", "Action",
              "Version", "Format"):
        assert k in v["query"], (v["name"], k)
    assert v["query"]["SignatureNonce"] == v["nonce"] and v["query"]["Timestamp"] == v["timestamp"]
    if "securityToken" in v:
        assert v["query"]["SecurityToken"] == v["securityToken"]
    else:
        assert "SecurityToken" not in v["query"]


def verify_v3(v):
    name = v["name"]
    body = v["body"].encode("utf-8")
    payload_hash = hashlib.sha256(body).hexdigest()
    assert payload_hash == v["hashedPayload"] == v["headers"]["x-acs-content-sha256"], name
    q = v["query"]
    cq = "&".join(f"{pct(k)}={pct(q[k])}" for k in sorted(q, key=lambda k: k.encode("utf-8")))
    hdrs = {k: val for k, val in v["headers"].items() if k != "authorization"}
    names = sorted(hdrs)
    ch = "".join(f"{k}:{hdrs[k].strip()}\n" for k in names)
    signed_headers = ";".join(names)
    assert signed_headers == v["signedHeaders"], name
    cr = f"{v['method']}\n{v['path'] or '/'}\n{cq}\n{ch}\n{signed_headers}\n{payload_hash}"
    assert cr == v["canonicalRequest"], name
    hcr = hashlib.sha256(cr.encode("utf-8")).hexdigest()
    assert hcr == v["hashedCanonicalRequest"], name
    sts = f"ACS3-HMAC-SHA256\n{hcr}"
    assert sts == v["stringToSign"], name
    sig = _real_hmac.new(v["accessKeySecret"].encode(), sts.encode(), hashlib.sha256).hexdigest()
    assert sig == v["signature"], name
    auth = f"ACS3-HMAC-SHA256 Credential={v['accessKeyId']},SignedHeaders={signed_headers},Signature={sig}"
    assert auth == v["authorization"] == v["headers"]["authorization"], name
    assert v["headers"]["x-acs-signature-nonce"] == v["nonce"] and v["headers"]["x-acs-date"] == v["timestamp"]
    assert v["headers"]["x-acs-action"] == v["action"] and "Action" not in q
    if "securityToken" in v:
        assert v["headers"]["x-acs-security-token"] == v["securityToken"]
        assert v["headers"]["x-acs-accesskey-id"] == v["accessKeyId"]
    else:
        assert "x-acs-security-token" not in v["headers"]


def verify_common(v):
    # What goes on the wire decodes to exactly the query dict.
    parsed = urllib.parse.urlsplit(v["wire"]["url"])
    assert parsed.netloc == v["host"] and (parsed.path or "/") == v["path"], v["name"]
    wire_q = dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True, strict_parsing=bool(parsed.query)))
    assert wire_q == v["query"], v["name"]
    if v["body"]:
        assert v["headers"]["content-type"] == "application/x-www-form-urlencoded"
        assert set(v["bodyParams"]).isdisjoint(v["query"])


def verify_all(vectors):
    names = [v["name"] for v in vectors]
    assert len(names) == len(set(names)), "duplicate vector names"
    for v in vectors:
        verify_common(v)
        (verify_v1 if v["scheme"] == "v1" else verify_v3)(v)

    # Appendix A must reproduce the published values exactly, both ways.
    for n in ("v1-appendix-a-published-get-sendsms-direct", "v1-appendix-a-published-get-sendsms-client"):
        v = next(x for x in vectors if x["name"] == n)
        assert v["signature"] == APPENDIX_A_SIGNATURE, (n, v["signature"])
        assert v["canonicalQuery"] == APPENDIX_A_CANONICAL, n
        assert urllib.parse.quote(v["signature"], safe="") == "zJDF%2BLrzhj%2FThnlvIToysFRq6t4%3D"

    # Placement as observed: SendSms / QuerySendDetails never have a body;
    # SendBatchSms (client) has exactly the JSON arrays in the body.
    for v in vectors:
        if v["source"] != "sdk-client":
            continue
        if v["action"] in ("SendSms", "QuerySendDetails"):
            assert v["body"] == "", v["name"]
        else:
            assert set(v["bodyParams"]) <= {"PhoneNumberJson", "SignNameJson", "TemplateParamJson",
                                            "SmsUpExtendCodeJson"}, v["name"]
            assert "PhoneNumberJson" in v["bodyParams"] and "TemplateCode" in v["query"]

    big = [v for v in vectors if v["action"] == "SendBatchSms" and v.get("bodyParams")
           and len(json.loads(v["bodyParams"]["PhoneNumberJson"])) == 100]
    assert len(big) >= 2
    covered = {(v["scheme"], v["method"], v["action"], "securityToken" in v) for v in vectors}
    for scheme in ("v1", "v3"):
        for action in ("SendSms", "SendBatchSms", "QuerySendDetails"):
            assert (scheme, "POST", action, False) in covered and (scheme, "POST", action, True) in covered, \
                (scheme, action)
    assert len(vectors) >= 24


def sdk_versions():
    return {p: metadata.version(p) for p in SDK_PACKAGES}


def render(vectors) -> str:
    doc = {
        "description": "Alibaba Cloud SMS (Dysmsapi 2017-05-25) request-signing vectors generated from the official "
                       "Python SDK. See scripts/aliyun-vectors/README.md. Regenerate with "
                       "scripts/aliyun-vectors/regen.sh; do not edit by hand.",
        "generator": "scripts/aliyun-vectors/generate.py",
        "sdk": sdk_versions(),
        "fixedUserAgent": FIXED_USER_AGENT,
        "vectors": vectors,
    }
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--check", action="store_true", help="fail if the output file is not up to date")
    args = ap.parse_args(argv)

    vectors = build_vectors()
    # Generating twice must give identical bytes (no hidden clock/randomness).
    text = render(vectors)
    again = render(build_vectors())
    assert text == again, "generation is not deterministic"
    verify_all(json.loads(text)["vectors"])

    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is out of date; run scripts/aliyun-vectors/regen.sh", file=sys.stderr)
            return 1
        print(f"{args.out}: {len(vectors)} vectors up to date")
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    n1 = sum(v["scheme"] == "v1" for v in vectors)
    print(f"wrote {len(vectors)} vectors ({n1} v1, {len(vectors) - n1} v3) to {args.out}; all verified")
    return 0


if __name__ == "__main__":
    sys.exit(main())
