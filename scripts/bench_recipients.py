#!/usr/bin/env python3
"""The recipient checks of `salvo validate`, written plainly in Python with the csv module, as the
baseline for scripts/bench-recipients: phone normalisation, dedupe across formats, parameter
value rules (1-35 characters, no link, no 【】, type), rendered length and segments. The rows
come from a CSV file, a JSON Lines file (json module) or a SQLite database (sqlite3 module,
table `members`).

    python3 scripts/bench_recipients.py FILE.csv|FILE.jsonl|FILE.db
"""

import csv
import json
import re
import sqlite3
import sys

MAINLAND = re.compile(r"^1[3-9]\d{9}$")
STRIP = str.maketrans("", "", " -\t.()")
CODE = re.compile(r"^[A-Za-z0-9]{4,6}$")


def normalise(text):
    digits = text.translate(STRIP)
    if not digits:
        return None
    international = False
    if digits.startswith("+"):
        international, digits = True, digits[1:]
    elif digits.startswith("00"):
        international, digits = True, digits[2:]
    if not digits.isdigit():
        return None
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
        return digits if MAINLAND.match(digits) else None
    if international:
        return None
    return digits if MAINLAND.match(digits) else None


def value_ok(value, kind):
    if not 1 <= len(value) <= 35:
        return False
    lower = value.lower()
    if "://" in lower or "www." in lower or "【" in value or "】" in value:
        return False
    if kind == "code":
        return bool(CODE.match(value))
    return True


def rows(path):
    """Yields each row as [phone, name, code], or as what the file holds when it is malformed."""
    if path.endswith(".jsonl"):
        with open(path, encoding="utf-8") as stream:
            for line in stream:
                if line.strip():
                    record = json.loads(line)
                    yield [str(record.get("phone", "")), str(record.get("name", "")), str(record.get("code", ""))]
    elif path.endswith(".db"):
        connection = sqlite3.connect(path)
        for phone, name, code in connection.execute("SELECT phone, name, code FROM members"):
            yield [str(phone or ""), str(name or ""), str(code or "")]
        connection.close()
    else:
        with open(path, newline="", encoding="utf-8-sig") as stream:
            reader = csv.reader(stream)
            header = next(reader)
            columns = [header.index("phone"), header.index("name"), header.index("code")]
            for row in reader:
                yield [row[at] for at in columns] if len(row) == len(header) else row


def main():
    sign, content_fixed = "云杉商城", len("您好，您的验证码为，5分钟内有效。")
    seen, read, invalid, duplicates, to_send, segments = set(), 0, 0, 0, 0, {}
    for row in rows(sys.argv[1]):
        read += 1
        if len(row) != 3:
            invalid += 1
            continue
        phone = normalise(row[0])
        if phone is None:
            invalid += 1
            continue
        if phone in seen:
            duplicates += 1
            continue
        seen.add(phone)
        name, code = row[1], row[2]
        if not value_ok(name, "name") or not value_ok(code, "code"):
            invalid += 1
            continue
        length = len(sign) + 2 + content_fixed + len(name) + len(code)
        count = 1 if length <= 70 else (length + 66) // 67
        segments[count] = segments.get(count, 0) + 1
        to_send += 1
    print(f"read {read} invalid {invalid} duplicates {duplicates} toSend {to_send} segments {sorted(segments.items())}")


if __name__ == "__main__":
    main()
