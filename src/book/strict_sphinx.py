"""The one way the book runs Sphinx: strictly (`-n -W --keep-going`), quietly, in a given
language, from docs/. The build, the live preview, the catalog extraction, the benchmark's
baseline and the tests all take their command lines from here.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from book import layout

# -n: every reference must resolve; -W: a warning fails the build; --keep-going: but report
# all of them first; -q: only warnings and errors on stderr.
STRICT = ("-n", "-W", "--keep-going", "-q")


def arguments(
    builder: str,
    out: Path,
    *,
    language: str | None = None,
    doctrees: Path | None = None,
    settings: Iterable[str] = (),
    docs: Path = layout.DOCS,
) -> list[str]:
    """sphinx-build's arguments (without the program) for one strict build into `out`."""
    args = ["-b", builder, *STRICT]
    if language:
        args += ["-D", f"language={language}"]
    for setting in settings:
        args += ["-D", setting]
    if doctrees is not None:
        args += ["-d", str(doctrees)]
    return [*args, str(docs), str(out)]


def command(builder: str, out: Path, **options) -> list[str]:
    """The same as a command line of its own: `python -m sphinx …`."""
    return [sys.executable, "-m", "sphinx", *arguments(builder, out, **options)]
