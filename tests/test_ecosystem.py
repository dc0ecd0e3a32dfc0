import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_ecosystem_declares_web_worker_and_cron_per_instance(tmp_path):
    (tmp_path / "example.env").write_text("PORT=9999\n")
    (tmp_path / "acme.env").write_text(
        "# comment\nPORT=8001\nWEB_WORKERS=3\nREDIS_URL=redis://127.0.0.1:6379/0\nQUEUE_NAME=lms-acme\n")
    (tmp_path / "beta.env").write_text('PORT="8002"\nQUEUE_NAME=lms-beta\n')
    out = subprocess.run(
        ["node", "-e", 'console.log(JSON.stringify(require("./ecosystem.config.js")))'],
        cwd=ROOT, env={"PATH": "/usr/bin:/bin", "LMS_INSTANCES_DIR": str(tmp_path)},
        capture_output=True, text=True, timeout=30, check=True,
    ).stdout
    apps = {app["name"]: app for app in json.loads(out)["apps"]}
    assert set(apps) == {f"lms-{s}-{k}" for s in ("acme", "beta") for k in ("web", "worker", "cron")}

    web = apps["lms-acme-web"]
    assert web["script"].endswith("/gunicorn")
    assert "wsgi:app" in web["args"]
    assert web["args"][web["args"].index("--bind") + 1] == "127.0.0.1:8001"
    assert web["args"][web["args"].index("--workers") + 1] == "3"
    assert web["env"]["LMS_INSTANCE"] == "acme"
    assert apps["lms-beta-web"]["args"][apps["lms-beta-web"]["args"].index("--bind") + 1] == "127.0.0.1:8002"

    worker = apps["lms-acme-worker"]
    assert worker["args"][:2] == ["worker", "--with-scheduler"] and worker["args"][-1] == "lms-acme"
    assert worker["env"]["LMS_INSTANCE"] == "acme"
    cron = apps["lms-beta-cron"]
    assert cron["args"][0] == "cron" and cron["args"][-1] == "lms.cron_config"
