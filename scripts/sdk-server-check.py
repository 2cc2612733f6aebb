#!/usr/bin/env python3
"""`salvo run` against an independent server that checks every request with the official Python
SDK's own signing code, injects faults, and counts what it accepted, while the runner is killed
with SIGKILL at random moments and started again until it finishes.

    python3 scripts/sdk-server-check.py PATH_TO_SALVO [--python PYTHON_WITH_SDK] [--seed N]

The server shares no code with Salvo or its emulator: it is Python's ThreadingHTTPServer, and it
verifies v3 requests with `Utils.get_authorization` and v1 requests with `Utils.get_rpcsignature`
from alibabacloud_tea_openapi, the functions the SDK signs with. Each send is answered with 10%
throttling (HTTP 400 Throttling.User), 5% HTTP 503, and 2% ambiguous failures (the messages are
recorded, then the connection is closed without an answer); QuerySendDetails answers from the
record by OutId, with the number masked as the real API does, shows a send only 0.15 s after it
(the real records lag too), and fails 5% of the time with HTTP 503. GetSmsSign and GetSmsTemplate
(the preflight `run` makes before its first send) are verified like every request and answered as
the SDK's models have them: the sign approved (`SignStatus` 1) and registered with the three
operators, the template approved (`TemplateStatus` "1"), a notification (`TemplateType` "1"), with
the campaign's content and its `VariableAttribute` as a JSON string. v3 requests must sign `host`
and every `x-acs-*` header they send. For each signing scheme the check passes when the runner
was killed mid-campaign as often as asked, every recipient was recorded exactly once, no
request failed verification, and the account was asked (GetSmsTemplate) before the first send.
Prints one line per check and a closing `N passed, N failed`.
"""

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlsplit

from sdk_venv import python_with_sdk

KEY_ID, SECRET = "LTAI5tSdkServerKey", "sdk-server-secret-41d7"
SIGN_NAME, TEMPLATE_CODE = "云杉商城", "SMS_465012346"
TEMPLATE_CONTENT = "${name}您好，您的包裹已到驿站。"
CHINA = timezone(timedelta(hours=8))
# Records appear in QuerySendDetails this long after a send, as the real ones lag; under the
# runner's --grace-seconds of 0.3.
RECORD_LAG = 0.15


class Record:
    """What the server accepted, and what it refused on verification."""

    def __init__(self, seed, qps_limit=None):
        self.lock = threading.Lock()
        self.random = random.Random(seed)
        # The gateway's flow control: a bucket of `qps_limit` send requests a second, holding a
        # second's burst; empty, a send is refused with Throttling.User before any processing.
        self.qps_limit = qps_limit
        self.tokens = float(qps_limit or 0)
        self.refilled = time.monotonic()
        self.accepted_at = []       # monotonic times of accepted sends
        self.messages = []          # (phone, out_id)
        self.by_phone = {}          # phone -> [record]
        self.nonces = set()
        self.verification_failures = []
        self.faults = {"throttled": 0, "unavailable": 0, "ambiguous": 0, "flow control": 0}
        self.account_calls = {"GetSmsSign": 0, "GetSmsTemplate": 0}
        self.first_template_at = None   # monotonic time of the first GetSmsTemplate answered

    def take_token(self):
        if not self.qps_limit:
            return True
        with self.lock:
            now = time.monotonic()
            self.tokens = min(float(self.qps_limit), self.tokens + (now - self.refilled) * self.qps_limit)
            self.refilled = now
            if self.tokens < 1:
                self.faults["flow control"] += 1
                return False
            self.tokens -= 1
            return True

    def roll(self):
        with self.lock:
            return self.random.random()


def verify_v3(utils, method, path, query, body, headers):
    authorization = headers.get("authorization", "")
    prefix = "ACS3-HMAC-SHA256 "
    fields = dict(part.split("=", 1) for part in authorization[len(prefix):].split(",") if "=" in part)
    if fields.get("Credential") != KEY_ID:
        return "unknown access key"
    payload = headers.get("x-acs-content-sha256")
    if payload != hashlib.sha256(body).hexdigest():
        return "x-acs-content-sha256 is not the body's hash"
    signed = fields.get("SignedHeaders", "").split(";")
    unsigned = [name for name in headers if (name == "host" or name.startswith("x-acs-")) and name not in signed]
    if unsigned:
        return f"headers sent but not signed: {', '.join(sorted(unsigned))}"
    request = SimpleNamespace(pathname=path, query=query, method=method, headers={name: headers.get(name) for name in signed})
    expected = utils.get_authorization(request, "ACS3-HMAC-SHA256", payload, KEY_ID, SECRET)
    return None if expected == authorization else "the v3 signature does not match the SDK's"


def verify_v1(utils, method, params):
    params = dict(params)
    signature = params.pop("Signature", None)
    if params.get("AccessKeyId") != KEY_ID:
        return "unknown access key"
    expected = utils.get_rpcsignature(params, method, SECRET)
    return None if expected == signature else "the v1 signature does not match the SDK's"


def make_handler(record, utils):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, status, body):
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json;charset=utf-8")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            self.call("GET")

        def do_POST(self):
            self.call("POST")

        def call(self, method):
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            if len(body) < length:
                # The runner was killed while writing: a cut request, which a server never acts on.
                self.close_connection = True
                return
            url = urlsplit(self.path)
            query = dict(parse_qsl(url.query, keep_blank_values=True))
            form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True)) if body else {}
            headers = {name.lower(): value for name, value in self.headers.items()}
            if headers.get("authorization", "").startswith("ACS3-HMAC-SHA256 "):
                problem = verify_v3(utils, method, url.path or "/", query, body, headers)
                action, nonce = headers.get("x-acs-action"), headers.get("x-acs-signature-nonce")
            else:
                problem = verify_v1(utils, method, {**query, **form})
                action, nonce = query.get("Action"), query.get("SignatureNonce")
            request_id = str(uuid.uuid4()).upper()
            if problem:
                with record.lock:
                    record.verification_failures.append(f"{action}: {problem}")
                return self.reply(400, {"Code": "SignatureDoesNotMatch", "Message": problem, "RequestId": request_id})
            with record.lock:
                if nonce in record.nonces:
                    return self.reply(400, {"Code": "SignatureNonceUsed", "Message": "nonce used", "RequestId": request_id})
                record.nonces.add(nonce)
            params = {**query, **form}
            if action in ("SendSms", "SendBatchSms"):
                self.send(action, params, request_id)
            elif action == "QuerySendDetails":
                if record.roll() < 0.05:
                    return self.reply(503, {"Code": "ServiceUnavailable", "Message": "try again", "RequestId": request_id})
                self.query(params, request_id)
            elif action in ("GetSmsSign", "GetSmsTemplate"):
                self.account(action, params, request_id)
            else:
                self.reply(400, {"Code": "InvalidAction.NotFound", "Message": str(action), "RequestId": request_id})

        def send(self, action, params, request_id):
            if not record.take_token():
                return self.reply(400, {"Code": "Throttling.User", "Message": "Request was denied due to user flow control.", "RequestId": request_id})
            roll = record.roll()
            if roll < 0.10:
                with record.lock:
                    record.faults["throttled"] += 1
                return self.reply(400, {"Code": "Throttling.User", "Message": "Request was denied due to user flow control.", "RequestId": request_id})
            if roll < 0.15:
                with record.lock:
                    record.faults["unavailable"] += 1
                return self.reply(503, {"Code": "ServiceUnavailable", "Message": "The request has failed due to a temporary failure of the server.", "RequestId": request_id})
            phones = json.loads(params["PhoneNumberJson"]) if action == "SendBatchSms" else params["PhoneNumbers"].split(",")
            out_id = params.get("OutId", "")
            biz_id = f"{random.randrange(10**14, 10**15)}^0"
            now = datetime.now(CHINA)
            with record.lock:
                for phone in phones:
                    record.messages.append((phone, out_id))
                    record.accepted_at.append(time.monotonic())
                    record.by_phone.setdefault(phone, []).append({
                        "PhoneNum": phone[:7] + "****", "SendStatus": 3, "ErrCode": "DELIVERED", "TemplateCode": params.get("TemplateCode"),
                        "Content": "", "SendDate": now.strftime("%Y-%m-%d %H:%M:%S"), "ReceiveDate": now.strftime("%Y-%m-%d %H:%M:%S"),
                        "OutId": out_id, "day": now.strftime("%Y%m%d"), "visible": time.monotonic() + RECORD_LAG,
                    })
                if roll < 0.17:
                    record.faults["ambiguous"] += 1
                    self.close_connection = True   # accepted, and no answer ever comes
                    return
            self.reply(200, {"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": request_id})

        def account(self, action, params, request_id):
            """GetSmsSign, GetSmsTemplate: the campaign's sign and template, approved, as the SDK's
            GetSmsSignResponseBody and GetSmsTemplateResponseBody have them."""
            date = datetime.now(CHINA).strftime("%Y-%m-%d %H:%M:%S")
            with record.lock:
                record.account_calls[action] += 1
                if action == "GetSmsTemplate" and record.first_template_at is None:
                    record.first_template_at = time.monotonic()
            if action == "GetSmsSign":
                if params.get("SignName") != SIGN_NAME:
                    return self.reply(200, {"Code": "isv.SMS_SIGNATURE_ILLEGAL", "Message": "unknown sign", "RequestId": request_id})
                carriers = [{"OperatorCode": code, "RegisterStatus": 3, "OperatorCompleteTime": date, "RegisterStatusReasons": []}
                            for code in ("mobile", "unicom", "telecom")]
                return self.reply(200, {"Code": "OK", "Message": "OK", "RequestId": request_id, "SignName": SIGN_NAME, "SignStatus": 1,
                                        "SignTag": "2", "SignUsage": "SELF_USE", "ThirdParty": False, "CreateDate": date,
                                        "AuditInfo": {"AuditDate": date}, "SignIspRegisterDetailList": carriers})
            if params.get("TemplateCode") != TEMPLATE_CODE:
                return self.reply(200, {"Code": "isv.SMS_TEMPLATE_ILLEGAL", "Message": "unknown template", "RequestId": request_id})
            self.reply(200, {"Code": "OK", "Message": "OK", "RequestId": request_id, "TemplateCode": TEMPLATE_CODE, "TemplateName": "shipped",
                             "TemplateContent": TEMPLATE_CONTENT, "TemplateStatus": "1", "TemplateType": "1", "TemplateTag": 2,
                             "CreateDate": date, "AuditInfo": {"AuditDate": date}, "VariableAttribute": json.dumps({"name": "name"})})

        def query(self, params, request_id):
            with record.lock:
                found = [dict(r) for r in record.by_phone.get(params.get("PhoneNumber"), [])
                         if r["day"] == params.get("SendDate") and r["visible"] <= time.monotonic()]
            for r in found:
                del r["day"], r["visible"]
            self.reply(200, {"Code": "OK", "Message": "OK", "RequestId": request_id, "TotalCount": str(len(found)),
                             "SmsSendDetailDTOs": {"SmsSendDetailDTO": found}})

    return Handler


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A runner killed in the middle of a request leaves its answer nowhere to go: expected.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


def write_campaign(folder, name, signing, recipients, rate):
    phones = [f"1{3 + i % 7}{i:09d}" for i in range(recipients)]
    with open(folder / f"{name}.csv", "w", encoding="utf-8") as out:
        out.write("phone,name\n")
        out.writelines(f"{phone},客户{i}号\n" for i, phone in enumerate(phones))
    (folder / f"{name}.yaml").write_text(f"""version: 1
campaign: {name}
provider:
  signing: {signing}
sign-name: {SIGN_NAME}
template:
  code: {TEMPLATE_CODE}
  type: notification
  content: "{TEMPLATE_CONTENT}"
parameters:
  name: {{ type: name, from: name }}
recipients:
  from:
    - csv: {name}.csv
sending:
  rate: {rate}
  concurrency: 8
  batch-size: 10
""", encoding="utf-8")
    return phones


def run_until_done(salvo, campaign, state, url, kills, rng, env):
    """Starts `salvo run` again and again, killing it `kills` times at random moments."""
    killed = 0
    started = time.monotonic()
    log = state.parent / "run.log"
    while time.monotonic() - started < 600:
        with open(log, "w", encoding="utf-8") as stderr:   # a file, not a pipe: the log is long
            process = subprocess.Popen([salvo, "run", str(campaign), "--state", str(state), "--endpoint", url,
                                        "--grace-seconds", "0.3", "--retry-base", "0.02"],
                                       stdout=subprocess.DEVNULL, stderr=stderr, env=env)
        if killed < kills:
            try:
                process.wait(timeout=rng.uniform(0.1, 0.5))
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGKILL)
                process.wait()
                killed += 1
                continue
        else:
            try:
                process.wait(timeout=300)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                return killed, "salvo run did not finish in 5 minutes"
        stderr = log.read_text(encoding="utf-8", errors="replace")
        if process.returncode == 0:
            return killed, None
        if process.returncode != 75:
            return killed, f"salvo run exited {process.returncode}: {stderr.strip()[-500:]}"
    return killed, "did not finish in 10 minutes"


def inner(salvo, seed):
    from alibabacloud_tea_openapi.utils import Utils

    results = []
    for signing, recipients, rate, kills, qps_limit in (("v3", 2000, 1000, 20, None), ("v1", 600, 500, 5, None), ("v3", 3000, 5000, 5, 60)):
        record = Record(seed, qps_limit)
        server = Server(("127.0.0.1", 0), make_handler(record, Utils))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}"
        folder = Path(tempfile.mkdtemp(prefix="salvo-sdk-server-"))
        name = f"sdk-server-{signing}" + (f"-qps{qps_limit}" if qps_limit else "")
        phones = write_campaign(folder, name, signing, recipients, rate)
        env = dict(os.environ, ALIBABA_CLOUD_ACCESS_KEY_ID=KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET=SECRET)
        env.pop("http_proxy", None), env.pop("HTTP_PROXY", None)
        killed, problem = run_until_done(salvo, folder / f"{name}.yaml", folder / "state", url, kills, random.Random(seed), env)
        server.shutdown()
        server.server_close()
        counts = {}
        for phone, _ in record.messages:
            counts[phone] = counts.get(phone, 0) + 1
        twice = sum(1 for phone in phones if counts.get(phone, 0) > 1)
        missing = sum(1 for phone in phones if counts.get(phone, 0) == 0)
        known = set(phones)
        strangers = sum(1 for phone in counts if phone not in known)
        label = f"{signing}: {recipients} recipients, killed {killed} times" + (f", {qps_limit} requests/s allowed (campaign at {rate}/s)" if qps_limit else "")
        if qps_limit and len(record.accepted_at) > 20:
            # Information, not a check: a loaded machine may be slower than the provider.
            span = record.accepted_at[-1] - record.accepted_at[0]
            print(f"info  {label}: accepted {len(record.accepted_at) / 10 / span:.1f} requests/s over {span:.1f} s (kills and resumes included); "
                  f"{record.faults['flow control']} refused for flow control")
        results.append((f"{label}, run finished", problem is None, problem or "exit 0"))
        results.append((f"{label}, every request passed the SDK's signature check", not record.verification_failures,
                        f"{len(record.verification_failures)} failed" + (f": {record.verification_failures[0]}" if record.verification_failures else "")))
        results.append((f"{label}, killed at least {kills} times mid-campaign", killed >= kills, f"{killed} kills"))
        first_send = record.accepted_at[0] if record.accepted_at else None
        asked_first = record.first_template_at is not None and (first_send is None or record.first_template_at < first_send)
        results.append((f"{label}, the account was asked before the first send", asked_first,
                        f"GetSmsSign {record.account_calls['GetSmsSign']}, GetSmsTemplate {record.account_calls['GetSmsTemplate']}"))
        results.append((f"{label}, everyone exactly once", twice == 0 and missing == 0 and strangers == 0,
                        f"{len(record.messages)} messages; twice {twice}, missing {missing}, unknown {strangers}; faults {record.faults}"))
    passed = sum(1 for _, ok, _ in results if ok)
    for name, ok, detail in results:
        print(f"{'ok  ' if ok else 'FAIL'}  {name}: {detail}")
    print(f"sdk server: {passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


def main():
    salvo = str(Path(sys.argv[1]).resolve())
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else random.randrange(1 << 30)
    if "--inner" in sys.argv:
        sys.exit(inner(salvo, seed))
    print(f"seed {seed} (replay with --seed {seed})")
    python = python_with_sdk()
    sys.exit(subprocess.run([python, __file__, salvo, "--inner", "--seed", str(seed)]).returncode)


if __name__ == "__main__":
    main()
