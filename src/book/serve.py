"""Live preview of one edition's HTML, rebuilt as you edit (`make serve`, `make serve TAG=en`).

Usage:
    python -m book.serve [--lang TAG] [--port PORT]

sphinx-autobuild watches docs/ and locale/, serves the HTML and reloads the browser; here it
rebuilds in its own process instead of starting a new Python for every change, so Sphinx,
MyST and the theme stay imported and a one-paragraph edit is rebuilt in well under a second
(book.bench measures it: "edit loop"). Every build is strict: -n -W --keep-going.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import sphinx_autobuild.__main__ as autobuild
from sphinx.cmd.build import build_main
from sphinx_autobuild.build import Builder
from sphinx_autobuild.utils import show_message

from book import layout, strict_sphinx


def sphinx_args(tag: str) -> list[str]:
    """The arguments of one language's strict HTML build into build/work/serve-<tag>/."""
    out = layout.WORK / f"serve-{tag}"
    return strict_sphinx.arguments("html", out / "html", language=tag, doctrees=out / ".doctrees")


def rebuild(args: Sequence[str]) -> int:
    """One incremental build in this process: what the preview does after every edit."""
    return build_main(list(args))


class InProcessBuilder(Builder):
    def __call__(self, *, changed_paths: Sequence[Path]) -> None:
        if changed_paths:
            show_message("Detected changes: " + ", ".join(p.name for p in changed_paths[:5]))
        code = rebuild(self.sphinx_args)
        if code:
            print(f"Sphinx exited with {code}; the preview shows the last good build.")
        show_message(f"Serving on {self.uri}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="ja")
    parser.add_argument("--port", default="8000")
    args = parser.parse_args(argv)
    autobuild.Builder = InProcessBuilder  # the server and watcher stay sphinx-autobuild's
    build_args = sphinx_args(args.lang)
    autobuild.main(
        [*build_args[:-2], "--watch", str(layout.LOCALE), "--port", args.port, *build_args[-2:]]
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
