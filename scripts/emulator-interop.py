#!/usr/bin/env python3
"""Interop of `salvo emulator` with Alibaba Cloud's official Python SDK.

    python3 scripts/emulator-interop.py PATH_TO_SALVO [--python PYTHON_WITH_SDK]

Without --python it makes a venv in .build/sdk-venv and installs the SDK pinned in
scripts/aliyun-vectors/requirements.txt. It starts the emulator on a free loopback port with the
bundled campaigns, then drives it with the SDK client: SendSms and SendBatchSms with both signing
schemes (the SDK's default v3, and signature_algorithm='v2', the v1 HMAC-SHA1 scheme), Chinese and
reserved characters, QuerySendDetails, GetSmsSign and GetSmsTemplate (read into the SDK's own
models); all must succeed, and a wrong secret must get SignatureDoesNotMatch. Prints one line per check and a closing `N passed, N failed`.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from sdk_venv import python_with_sdk

ROOT = Path(__file__).resolve().parent.parent
KEY_ID, SECRET = "LTAI5tInteropKey", "interop-secret-8c1f"

DRIVER = r'''
import json, sys, datetime
from alibabacloud_tea_openapi import models as om
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_dysmsapi20170525 import models as sm

endpoint, key_id, secret = sys.argv[1], sys.argv[2], sys.argv[3]
results = []

def client(algorithm, secret=secret):
    config = om.Config(access_key_id=key_id, access_key_secret=secret, endpoint=endpoint, protocol="http")
    if algorithm == "v1":
        config.signature_algorithm = "v2"   # the SDK's name for the HMAC-SHA1 scheme
    return Client(config)

def check(name, function):
    try:
        detail = function()
        results.append((name, True, detail))
    except Exception as error:  # report, do not stop
        results.append((name, False, f"{type(error).__name__}: {error}"))

def send_sms(algorithm, sign, template, params, phones, out_id):
    response = client(algorithm).send_sms(sm.SendSmsRequest(phone_numbers=",".join(phones), sign_name=sign, template_code=template,
                                                            template_param=json.dumps(params, ensure_ascii=False), out_id=out_id))
    assert response.body.code == "OK", (response.body.code, response.body.message)
    return response.body.biz_id

def send_batch(algorithm, signs, template, params, phones, out_id):
    response = client(algorithm).send_batch_sms(sm.SendBatchSmsRequest(phone_number_json=json.dumps(phones), sign_name_json=json.dumps(signs, ensure_ascii=False),
                                                                      template_code=template, template_param_json=json.dumps(params, ensure_ascii=False), out_id=out_id))
    assert response.body.code == "OK", (response.body.code, response.body.message)
    return response.body.biz_id

today = (datetime.datetime.utcnow() + datetime.timedelta(hours=8)).strftime("%Y%m%d")
tricky = "张伟~*+/ %&=😀"
for algorithm in ("v3", "v1"):
    check(f"{algorithm} SendSms, Chinese and reserved characters",
          lambda: send_sms(algorithm, "云杉商城", "SMS_465012346", {"name": tricky, "order_no": "YS-2027/0301", "ship_date": "3月4日", "carrier": "顺丰 & Co"},
                           ["13800138000", "+8613800138001"], f"interop:{algorithm}:sms"))
    check(f"{algorithm} SendBatchSms of 100",
          lambda: send_batch(algorithm, ["云杉商城"] * 100, "SMS_465012346",
                             [{"name": f"客户{i} {tricky}", "order_no": f"A{i}", "ship_date": "3月4日", "carrier": "中通=ZTO"} for i in range(100)],
                             [f"1390000{i:04d}" for i in range(100)], f"interop:{algorithm}:batch"))
    def query(algorithm=algorithm):
        response = client(algorithm).query_send_details(sm.QuerySendDetailsRequest(phone_number="13800138000", send_date=today, page_size=10, current_page=1))
        assert response.body.code == "OK", response.body.code
        records = response.body.sms_send_detail_dtos.sms_send_detail_dto
        assert int(response.body.total_count) >= 1 and any(r.out_id == "interop:v3:sms" for r in records), response.body.to_map()
        return f"{response.body.total_count} record(s)"
    check(f"{algorithm} QuerySendDetails finds the send", query)
    def wrong_secret(algorithm=algorithm):
        try:
            client(algorithm, secret="not-the-secret").send_sms(sm.SendSmsRequest(phone_numbers="13800138009", sign_name="云杉商城", template_code="SMS_465012346",
                                                                                    template_param='{"name":"x","order_no":"A1","ship_date":"3月4日","carrier":"c"}'))
        except Exception as error:
            assert "SignatureDoesNotMatch" in str(error), str(error)
            return "SignatureDoesNotMatch"
        raise AssertionError("a wrong secret was accepted")
    check(f"{algorithm} wrong secret gets SignatureDoesNotMatch", wrong_secret)
    def sign_details(algorithm=algorithm):
        body = client(algorithm).get_sms_sign(sm.GetSmsSignRequest(sign_name="云杉商城")).body
        assert body.code == "OK" and body.sign_status == 1, body.to_map()
        carriers = {r.operator_code: r.register_status for r in body.sign_isp_register_detail_list}
        assert carriers == {"mobile": 3, "unicom": 3, "telecom": 3}, body.to_map()
        return "approved, registered with 3 operators"
    check(f"{algorithm} GetSmsSign of the campaign's sign", sign_details)
    def template_details(algorithm=algorithm):
        body = client(algorithm).get_sms_template(sm.GetSmsTemplateRequest(template_code="SMS_465012346")).body
        assert body.code == "OK" and body.template_status == "1" and body.template_type == "1", body.to_map()
        assert "${order_no}" in body.template_content and set(json.loads(body.variable_attribute)) == {"name", "order_no", "ship_date", "carrier"}, body.to_map()
        unknown = client(algorithm).get_sms_template(sm.GetSmsTemplateRequest(template_code="SMS_0")).body
        assert unknown.code == "isv.SMS_TEMPLATE_ILLEGAL", unknown.to_map()
        return "approved notification with its content and variables; an unknown one isv.SMS_TEMPLATE_ILLEGAL"
    check(f"{algorithm} GetSmsTemplate of the campaign's template", template_details)
print(json.dumps(results, ensure_ascii=False))
'''


def main():
    salvo = sys.argv[1]
    python = python_with_sdk()
    record = Path(tempfile.mkdtemp()) / "record.db"
    env = dict(os.environ, ALIBABA_CLOUD_ACCESS_KEY_ID=KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET=SECRET)
    emulator = subprocess.Popen([salvo, "emulator", "--port", "0", "--record", str(record),
                                 "--campaign", str(ROOT / "campaigns" / "order-shipped.yaml")],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        first = emulator.stdout.readline().strip()
        if not first.startswith("listening on http://127.0.0.1:"):
            sys.exit(f"the emulator did not start: {first!r} {emulator.stderr.read()}")
        endpoint = first.removeprefix("listening on http://")
        import json
        out = subprocess.run([python, "-c", DRIVER, endpoint, KEY_ID, SECRET], capture_output=True, text=True, timeout=300)
        if out.returncode != 0:
            sys.exit(f"the SDK driver failed: {out.stderr}")
        results = json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)
    stats = json.loads(subprocess.run([salvo, "emulator", "stats", "--record", str(record)], capture_output=True, text=True, check=True).stdout)
    expected = 2 * (2 + 100)
    results.append(("the record holds every accepted recipient", stats["messages"] == expected, f"{stats['messages']} of {expected}"))
    passed = sum(1 for _, ok, _ in results if ok)
    for name, ok, detail in results:
        print(f"{'ok  ' if ok else 'FAIL'}  {name}: {detail}")
    print(f"interop: {passed} passed, {len(results) - passed} failed")
    sys.exit(0 if passed == len(results) else 1)


if __name__ == "__main__":
    main()
