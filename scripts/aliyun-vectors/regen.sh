#!/usr/bin/env bash
# Regenerate Tests/AliyunSMSTests/Fixtures/signing-vectors.json from the official
# Alibaba Cloud Python SDK.  Usage: scripts/aliyun-vectors/regen.sh [--check]
# The venv lives outside the repo (override with ALIYUN_VECTORS_VENV).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${ALIYUN_VECTORS_VENV:-/tmp/aliyun-venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
exec "$venv/bin/python" "$here/generate.py" "$@"
