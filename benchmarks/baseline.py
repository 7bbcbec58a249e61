"""An earlier commit to measure beside the current code in the same run ("today", issue 12).

The commit is checked out as a git worktree and gets a virtualenv of its own with the dependencies
*it* declares (installed editable, so it runs from its tree as it did then): the current venv may
lack what an older commit needed (e.g. flask-limiter, dropped since), and must not be changed by a
benchmark. Both venv and worktree live under the benchmark's temporary directory.
"""
from __future__ import annotations

import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def baseline_checkout(commit: str, workdir: Path):
    """Yields (tree, python) for ``commit``; removes the worktree afterwards."""
    tree = workdir / f"baseline-{commit}"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-f", str(tree), commit],
                   check=True, capture_output=True)
    try:
        venv = workdir / f"venv-{commit}"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        python = venv / "bin" / "python"
        print(f"installing {commit}'s own dependencies into {venv}", flush=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-e", str(tree)], check=True)
        yield tree, python
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], capture_output=True)
