#!/usr/bin/env python3
"""The job of `salvo plan` done plainly in Python with the official SDK's request models, as the
baseline for scripts/bench-plan: read the CSV, check and dedupe every row (as
scripts/bench_recipients.py does), group recipients into SendBatchSms requests of 100 built with
alibabacloud_dysmsapi20170525.models.SendBatchSmsRequest, and write one JSON line per request.

    PYTHON_WITH_SDK scripts/bench_plan_sdk.py FILE.csv OUT.jsonl
"""

import csv
import json
import sys

from alibabacloud_dysmsapi20170525 import models

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from bench_recipients import normalise, value_ok  # noqa: E402


def main():
    source, target = sys.argv[1], sys.argv[2]
    seen, batch, requests, recipients = set(), [], 0, 0

    def flush(out):
        nonlocal batch, requests
        request = models.SendBatchSmsRequest(
            phone_number_json=json.dumps([p for p, _ in batch]),
            sign_name_json=json.dumps(["云杉商城"] * len(batch), ensure_ascii=False),
            template_code="SMS_465012345",
            template_param_json=json.dumps([v for _, v in batch], ensure_ascii=False, sort_keys=True),
            out_id=f"bench:{requests + 1}")
        out.write(json.dumps(request.to_map(), ensure_ascii=False, sort_keys=True) + "\n")
        requests += 1
        batch = []

    with open(source, newline="", encoding="utf-8-sig") as stream, open(target, "w", encoding="utf-8") as out:
        rows = csv.reader(stream)
        header = next(rows)
        phone_at, name_at, code_at = header.index("phone"), header.index("name"), header.index("code")
        for row in rows:
            if len(row) != len(header):
                continue
            phone = normalise(row[phone_at])
            if phone is None or phone in seen:
                continue
            seen.add(phone)
            name, code = row[name_at], row[code_at]
            if not value_ok(name, "name") or not value_ok(code, "code"):
                continue
            batch.append((phone, {"code": code, "name": name}))
            recipients += 1
            if len(batch) == 100:
                flush(out)
        if batch:
            flush(out)
    print(f"recipients {recipients} requests {requests}")


if __name__ == "__main__":
    main()
