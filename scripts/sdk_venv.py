"""The Python with Alibaba Cloud's official SDK that the interop checks use: --python PATH, or a venv
made in .build/sdk-venv from the versions pinned in scripts/aliyun-vectors/requirements.txt."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".build" / "sdk-venv"


def python_with_sdk():
    if "--python" in sys.argv:
        return sys.argv[sys.argv.index("--python") + 1]
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "-r", str(ROOT / "scripts" / "aliyun-vectors" / "requirements.txt")], check=True)
    return str(python)
