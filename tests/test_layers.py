"""The layers contract (pyproject.toml, [tool.importlinter]) holds, counting imports inside functions too."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))


def run(src: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [LINT, "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_no_layer_imports_a_layer_above_it():
    result = run(ROOT / "src")
    assert result.returncode == 0, result.stdout[-3000:]


def test_an_import_inside_a_function_breaks_the_contract(tmp_path):
    """What `core knows no domain` guards against: an arrow back up hidden in a function body."""
    copy = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "accord", copy / "accord", ignore=shutil.ignore_patterns("__pycache__", "locale"))
    probe = copy / "accord" / "core" / "visibility.py"
    probe.write_text(probe.read_text() + "\n\ndef _probe():\n    from accord.programmes.models import Plan\n")
    result = run(copy)
    assert result.returncode != 0
    assert "accord.core.visibility -> accord.programmes.models" in result.stdout
