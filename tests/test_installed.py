"""An installed (non-editable) copy never writes into its installation: the entailment and store
caches go to the user's cache directory (XDG), so a non-root user can run it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sparql_live import ROOT, free_port


def tree(*dirs: Path) -> dict[str, float]:
    return {str(p): p.stat().st_mtime for d in dirs for p in d.rglob("*")}


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A venv (seeing the global packages) with a wheel-style install of this checkout."""
    root = tmp_path_factory.mktemp("installed")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    python = venv / "bin" / "python"
    wheels = root / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--ignore-installed", "--no-warn-script-location",
                    *map(str, wheels.glob("admiukg-*.whl"))], check=True, capture_output=True, timeout=300)
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "XDG_CACHE_HOME", "ADMIUKG_CACHE_DIR")}
    probe = "import admiukg, admiukg.config as c; print(admiukg.__file__); print(c.ROOT)"
    code = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, check=True,
                          cwd=root, env=clean)
    package, data_root = (Path(x) for x in code.stdout.split())
    assert str(package).startswith(str(venv)), code.stdout  # the installed copy, not the checkout
    home = root / "home"
    home.mkdir()
    env = {**clean, "HOME": str(home), "PYTHONDONTWRITEBYTECODE": "1"}
    return {"python": python, "package": package.parent, "data": data_root, "home": home, "env": env,
            "cwd": root}


def test_validator_writes_only_to_the_user_cache(installed):
    before = tree(installed["package"], installed["data"])
    done = subprocess.run([str(installed["python"].parent / "admiukg-validate")], cwd=installed["cwd"],
                          env=installed["env"], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert tree(installed["package"], installed["data"]) == before
    assert list((installed["home"] / ".cache" / "admiukg").glob("entailments-*.nt"))


def test_server_writes_only_to_the_user_cache(installed):
    before = tree(installed["package"], installed["data"])
    port = free_port()
    proc = subprocess.Popen([str(installed["python"].parent / "admiukg-serve"), "--port", str(port),
                             "--workers", "1", "--query-workers", "1"], cwd=installed["cwd"],
                            env=installed["env"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 180
        while True:
            try:
                if requests.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert proc.poll() is None and time.time() < deadline, proc.stderr.read() if proc.poll() else "slow"
            time.sleep(0.5)
        r = requests.get(f"http://127.0.0.1:{port}/doc/admiu.ttl", timeout=10)
        assert r.status_code == 200 and b"org:memberOf" in r.content
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "Traceback" not in err, err
    assert tree(installed["package"], installed["data"]) == before
    assert list((installed["home"] / ".cache" / "admiukg" / "stores").glob("bundled-*"))
