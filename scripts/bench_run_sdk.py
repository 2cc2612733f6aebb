#!/usr/bin/env python3
"""The official Python SDK sending the batches of a salvo plan with 32 threads, as the baseline for
scripts/bench-run: one SendBatchSms per plan batch, against the emulator.

    PYTHON_WITH_SDK scripts/bench_run_sdk.py PLAN.jsonl HOST:PORT KEY_ID SECRET
Prints messages/s and CPU seconds per 100,000 messages.
"""

import json
import resource
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from alibabacloud_dysmsapi20170525 import models
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_tea_openapi import models as om


def main():
    plan, endpoint, key_id, secret = sys.argv[1:5]
    with open(plan, encoding="utf-8") as stream:
        lines = stream.read().splitlines()
    header = json.loads(lines[0])
    batches = [json.loads(line) for line in lines[1:] if line.startswith('{"action"')]
    names = header["parameters"]
    client = Client(om.Config(access_key_id=key_id, access_key_secret=secret, endpoint=endpoint, protocol="http"))

    def send(batch):
        phones = [r[0] for r in batch["recipients"]]
        params = [dict(zip(names, r[2:])) for r in batch["recipients"]]
        request = models.SendBatchSmsRequest(phone_number_json=json.dumps(phones), sign_name_json=json.dumps([header["signName"]] * len(phones), ensure_ascii=False),
                                             template_code=header["template"], template_param_json=json.dumps(params, ensure_ascii=False), out_id=batch["outId"] + ":sdk")
        response = client.send_batch_sms(request)
        assert response.body.code == "OK", response.body.code
        return len(phones)

    start_cpu = resource.getrusage(resource.RUSAGE_SELF)
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=32) as pool:
        messages = sum(pool.map(send, batches))
    wall = time.monotonic() - start
    end_cpu = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (end_cpu.ru_utime - start_cpu.ru_utime) + (end_cpu.ru_stime - start_cpu.ru_stime)
    print(json.dumps({"messages": messages, "seconds": round(wall, 3), "messagesPerSecond": round(messages / wall),
                      "cpuSeconds": round(cpu, 3), "cpuSecondsPer100k": round(cpu * 100000 / messages, 3)}))


if __name__ == "__main__":
    main()
