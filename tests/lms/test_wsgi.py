"""The WSGI entry point a gunicorn worker loads."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_worker_loads_its_views_and_keeps_them_out_of_full_collections(tmp_path):
    # A full collection walks every object the collector tracks; what a worker loads at start
    # lives as long as it does, so lms.wsgi freezes it (the views included) once loaded.
    script = (
        "import gc, sys, lms.wsgi; "
        "print(gc.get_freeze_count(), 'provisioning.api.users' in sys.modules)"
    )
    env = {**os.environ, "LMS_VAR_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # as gunicorn starts it: lms.wsgi picks settings
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    frozen, views_loaded = result.stdout.split()
    assert views_loaded == "True"
    assert int(frozen) > 50_000
