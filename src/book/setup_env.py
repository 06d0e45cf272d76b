"""Install what building and testing the book needs; run by `make`, with the system Python.

Usage (from the project's folder; `make` does this: the package is not installed yet):
    PYTHONPATH=src python3 -m book.setup_env COMMAND

    venv                 .venv from requirements.lock, and the package book, editable
    system --for base    msgfmt, enough for HTML and EPUB
    system --for build   + TeX Live and fonts of every edition
    system --for test    + poppler, epubcheck/Java, Chromium, Foliate, calibre, Xvfb, xdotool
    check --for test     report only; exit 1 when anything is missing
    node                 node_modules/ from package-lock.json
    lock                 re-resolve requirements.lock (maintainers)

`venv` is skipped when .venv was made from the current lock (a hash of the lock is kept in
.venv/lock.sha256), `node` likewise for node_modules/ (the outside checkers the tests use:
the Nu HTML Checker, Ace by DAISY, textlint), installed with `npm ci --ignore-scripts` so
that no install script downloads a browser.
`system` installs missing Debian packages with apt-get when run as root,
or through `sudo -n`; otherwise it prints the exact packages and command, and exits 2.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

from book import files, languages, layout

VENV = layout.ROOT / ".venv"
LOCK = layout.ROOT / "requirements.lock"
STAMP = VENV / "lock.sha256"
NODE_LOCK = layout.ROOT / "package-lock.json"
NODE_MODULES = layout.NODE_MODULES
NODE_STAMP = NODE_MODULES / "lock.sha256"

# Distribution packages the tests use, beyond what the editions need to be built:
# What the tests read the book with: pdffonts/pdftotext/pdftoppm (poppler) and mutool (MuPDF),
# two of the PDF viewers; the W3C epubcheck (with its Java runtime); a real browser; calibre
# (ebook-convert: each EPUB as a Kindle's AZW3, tests/test_kindle.py; and its viewer); and the
# reading systems the EPUBs are opened in, headless (tests/test_foliate.py,
# tests/test_reading_systems.py, src/book/reading_systems.py): Foliate, and the gjs that runs its
# engine without its window; Xvfb, xdotool and ImageMagick's import.
TEST_PACKAGES = (
    "poppler-utils", "mupdf-tools", "epubcheck", "default-jre-headless", "chromium", "calibre",
    "foliate", "gjs", "xvfb", "xdotool", "imagemagick",
)  # fmt: skip
# Distribution packages every build needs: msgfmt checks the catalogs before anything is built.
# msgfmt for the catalogs; Noto CJK for the social card image of every edition (HTML too).
BUILD_PACKAGES = ("gettext", "fonts-noto-cjk")
# Groups of pyproject.toml that requirements.lock resolves.
LOCK_GROUPS = ("docs", "preview", "build", "test", "lint")


def ensure_node_modules() -> None:
    """Install node_modules/ from package-lock.json, unless it already matches it."""
    stamp, digest = files.Stamp(NODE_STAMP), files.file_digest(NODE_LOCK)
    if stamp.matches(digest):
        return
    npm = shutil.which("npm")
    if not npm:
        if install_packages(["npm"]) != 0:
            raise SystemExit(2)
        npm = shutil.which("npm") or "npm"
    print(f"setup: installing {NODE_MODULES.name}/ from {NODE_LOCK.name}", flush=True)
    subprocess.run(
        [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=layout.ROOT,
        check=True,
    )
    stamp.write(digest)


def ensure_venv() -> None:
    """Create .venv and install the locked packages, unless it already matches the lock;
    then the book's own package, editable, unless it is installed."""
    stamp, digest = files.Stamp(STAMP), files.file_digest(LOCK)
    if not stamp.matches(digest):
        create_venv()
        stamp.write(digest)
    install_book()


def install_book() -> None:
    """The package `book` (src/book/), editable: .venv's Python imports it from src/, so
    the commands, conf.py and the tests need no path of their own. Offline: the build
    backend (setuptools) is in the lock, so no build isolation is needed."""
    python = VENV / "bin" / "python"
    found = subprocess.run(
        [python, "-c", "import book, sys; print(book.__file__)"],
        capture_output=True,
        text=True,
        cwd="/",
    )
    if found.returncode == 0 and Path(found.stdout.strip()).parent == layout.PACKAGE:
        return
    print("setup: installing the package book (src/book/) into .venv, editable", flush=True)
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--editable", str(layout.ROOT)],
        check=True,
    )  # fmt: skip


def create_venv() -> None:
    print(f"setup: creating {VENV.relative_to(layout.ROOT)} from {LOCK.name}", flush=True)
    try:
        import ensurepip  # noqa: F401  (Debian ships it separately, in python3-venv)
    except ImportError:
        package = f"python3.{sys.version_info.minor}-venv"
        if install_packages([package]) != 0:
            raise SystemExit(2) from None
    venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    python = VENV / "bin" / "python"
    subprocess.run(
        [
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--require-hashes",
            "--no-deps",
            "-r",
            str(LOCK),
        ],
        check=True,
    )


def required_packages(purpose: str) -> list[str]:
    packages: list[str] = list(BUILD_PACKAGES)
    if purpose == "base":
        return packages
    for language in languages.published_languages():
        packages += language.debian_packages
    if purpose == "test":
        packages += TEST_PACKAGES
    return sorted(set(packages))


def missing_packages(packages: list[str]) -> list[str]:
    if not shutil.which("dpkg-query"):
        print(
            "setup: not a Debian/Ubuntu system, cannot check packages; the book needs the "
            "equivalents of: " + " ".join(packages),
            file=sys.stderr,
        )
        return []
    missing = []
    for package in packages:
        result = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", package],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0 or "install ok installed" not in result.stdout:
            missing.append(package)
    return missing


def install_packages(packages: list[str]) -> int:
    command = ["apt-get", "install", "-y", "--no-install-recommends", *packages]
    if os.geteuid() == 0:
        prefix: list[str] = []
    elif shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"]).returncode == 0:
        prefix = ["sudo", "-n"]
    else:
        print(
            "setup: these Debian packages are missing and this user cannot install them:\n"
            f"    {' '.join(packages)}\n"
            "Install them, then run make again:\n"
            f"    sudo apt-get update && sudo {' '.join(command)}",
            file=sys.stderr,
        )
        return 2
    print(f"setup: installing {' '.join(packages)}", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*prefix, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run([*prefix, *command, "-qq"], check=True, env=env)
    return 0


def resolve_lock() -> None:
    """Re-resolve requirements.lock from pyproject.toml with uv (installed on demand)."""
    python = VENV / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "--quiet", "uv"], check=True)
    groups = [arg for group in LOCK_GROUPS for arg in ("--group", group)]
    subprocess.run(
        [
            VENV / "bin" / "uv",
            "pip",
            "compile",
            *groups,
            "--universal",
            "--python-version",
            "3.11",
            "--generate-hashes",
            "--no-header",
            "-o",
            str(LOCK),
        ],
        check=True,
        cwd=layout.ROOT,
    )
    header = (
        "# Locked Python packages of the book: generated from pyproject.toml by\n"
        "# `make lock` (uv pip compile, all groups). Do not edit by hand.\n"
        "# Installed with `pip install --require-hashes` into .venv by src/book/setup_env.py.\n"
    )
    LOCK.write_text(header + LOCK.read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("venv", help="create .venv from requirements.lock")
    sub.add_parser("node", help="install node_modules/ from package-lock.json")
    for name in ("system", "check"):
        p = sub.add_parser(name, help=f"{name} the distribution packages")
        p.add_argument("--for", dest="purpose", choices=("base", "build", "test"), default="build")
    sub.add_parser("lock", help="re-resolve requirements.lock")
    args = parser.parse_args(argv)

    try:
        if args.command == "venv":
            ensure_venv()
            return 0
        if args.command == "node":
            ensure_node_modules()
            return 0
        if args.command == "lock":
            ensure_venv()
            resolve_lock()
            return 0
        missing = missing_packages(required_packages(args.purpose))
    except languages.LanguageError as exc:
        print(f"setup: error: {exc}", file=sys.stderr)
        return 2
    if not missing:
        return 0
    if args.command == "check":
        print("setup: missing Debian packages: " + " ".join(missing), file=sys.stderr)
        return 1
    return install_packages(missing)


if __name__ == "__main__":
    sys.exit(main())
