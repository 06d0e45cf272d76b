"""Write one archive of the published site, ready for any static host.

Usage:
    python -m book.dist [--site DIR] [--out DIR]

    --site   the published site (default: build/site, as `make book` leaves it)
    --out    where the archive goes (default: dist/)

The archive, dist/xi-russia-2023-<version>.tar.gz, holds the site as it is published: every
edition's HTML, the EPUB and PDF downloads with their SHA256SUMS, the root pages, the
sitemap and the 404 page, under one top folder xi-russia-2023-<version>/. Unpack it into the
host's web root (or point the host at that folder). Entries are sorted, dated
SOURCE_DATE_EPOCH (the last commit), owned by root, without gzip timestamp: two archives of
one build are byte-identical.

It refuses (exit 1, saying what is missing) a site that is not whole: an edition without its
HTML, EPUB or PDF, or downloads that do not match their SHA256SUMS.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tarfile
from pathlib import Path

from book import editions, files, languages, layout, project, worktree


def problems(site: Path) -> list[str]:
    """What a reader would miss: every edition's three formats, and true checksums."""
    found = []
    downloads = site / "downloads"
    for language in languages.published_languages():
        wanted = [site / language.tag / "index.html"]
        wanted += [
            site / edition.published.relative_to(layout.SITE)
            for edition in editions.downloads(language)
        ]
        found += [f"{path}: missing (run `make book`)" for path in wanted if not path.is_file()]
    sums = downloads / "SHA256SUMS"
    if not sums.is_file():
        return [*found, f"{sums}: missing (run `make book`)"]
    for number, line in enumerate(sums.read_text(encoding="utf-8").splitlines(), start=1):
        digest, _, name = line.partition("  ")
        path = downloads / name
        if not path.is_file() or files.file_digest(path) != digest:
            found.append(f"{sums}:{number}: {name} does not match its checksum")
    return found


def write_archive(site: Path, archive: Path, top: str, epoch: int) -> int:
    """The site under `top`/, reproducibly; returns the number of files."""
    paths = sorted(p for p in site.rglob("*") if not p.name.startswith("."))
    staging = files.staging(archive)
    archive.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with (
        staging.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for path in [site, *paths]:
            relative = path.relative_to(site).as_posix()
            info = tar.gettarinfo(path, arcname=top if relative == "." else f"{top}/{relative}")
            info.mtime, info.uid, info.gid, info.uname, info.gname = epoch, 0, 0, "root", "root"
            info.mode = 0o755 if path.is_dir() else 0o644
            if path.is_file():
                count += 1
                with path.open("rb") as stream:
                    tar.addfile(info, stream)
            else:
                tar.addfile(info)
    staging.replace(archive)
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=layout.SITE)
    parser.add_argument("--out", type=Path, default=layout.ROOT / "dist")
    args = parser.parse_args(argv)
    missing = problems(args.site)
    if missing:
        print("dist: FAILED, the site is not whole:\n  " + "\n  ".join(missing), file=sys.stderr)
        return 1
    top = f"{editions.SLUG}-{project.version()}"
    archive = args.out / f"{top}.tar.gz"
    files = write_archive(args.site, archive, top, int(worktree.source_date_epoch()))
    size = archive.stat().st_size
    print(f"dist: wrote {archive} ({files} files, {size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
