"""The project's working tree as the build, the tests and the benchmark see it. Imported, not
run: `copy_working_tree` copies it (for a build that must not touch build/), `command` and
`environment` run one of the book's commands in such a copy, with the copy's own code, and
`source_date_epoch` gives the date every output carries.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from book import layout


def source_date_epoch() -> str:
    """SOURCE_DATE_EPOCH if set, else the last commit's date, else now: two builds of one
    commit carry the same date (https://reproducible-builds.org/specs/source-date-epoch/)."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    try:
        return subprocess.run(
            ["git", "log", "-1", "--format=%ct"],
            cwd=layout.ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return str(int(time.time()))


def copy_working_tree(target: Path) -> Path:
    """A copy of the files git tracks or would track (so no build/, .venv/, node_modules/)."""
    names = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=layout.ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (n.decode() for n in names)):
        if (layout.ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(layout.ROOT / name, target / name)
    return target


def command(name: str, *args: str) -> list[str]:
    """The command line of one of the book's commands (`python -m book.<name>`)."""
    return [sys.executable, "-m", f"book.{name}", *args]


def environment(project: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment in which a command runs a copy of the project: its own src/ comes
    before the editable install of this checkout (PYTHONPATH precedes site-packages)."""
    env = dict(os.environ if base is None else base)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(project / "src"), env.get("PYTHONPATH", "")])
    )
    return env
