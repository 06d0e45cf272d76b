"""Benchmark of the whole publishing pipeline on this machine (`make bench`).

Usage:
    python -m book.bench [--runs N] [--quick] [--json FILE] [--no-lighthouse]

Everything runs in a temporary copy of the working tree, so build/ is left alone. Times are
medians of --runs runs (3; --quick: 1). It prints a table and writes it as JSON
(default build/bench.json):

- full build: `python -m book.build` from clean, every language in HTML, EPUB and PDF;
- naive baseline, in the same run: the same outputs by plain `sphinx-build` calls (html,
  epub, latex, then latexmk) per language, one after another from clean; and the ratio;
- no-op rebuild: the build command again with nothing changed; its ratio to the full build;
- edit loop: one paragraph of a chapter changed, that language's HTML rebuilt the way the
  live preview does it (book.serve: in process); then the full build command after
  the edit, and which editions it rebuilt and which published files changed;
- sizes: per language PDF bytes and bytes per page, EPUB bytes; the first-load weight of the
  front page and a chapter in Chromium (every response, uncompressed and gzip);
- peak memory of the full build (all its processes together, sampled);
- Lighthouse 12.2.3 (performance, accessibility, best practices, SEO) for the front page and
  a chapter of every language, mobile and desktop presets, the site served with gzip.
Each target of the performance issue is a row with its limit and whether it is met.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from book import editions, languages, layout, strict_sphinx, worktree

LIGHTHOUSE = layout.NODE_MODULES / ".bin" / "lighthouse"
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking "
    "--disable-component-update --disable-sync"
)
EDITED_PAGE = "docs/chapters/china-position.md"
EDITED_PARAGRAPH = "中国は習近平訪ロについて検討しており、今後の動きが注目されます。"
TARGETS = {
    # 0.55 until the PDFs were tagged (issue 14): tagpdf's labels settle a LaTeX pass later
    # (3 passes from clean under LuaLaTeX, 4-5 under XeLaTeX, not 2), work that both builds
    # do but the full build cannot spread wider than 2 cores; measured 0.52-0.60 quiet.
    "full / naive": ("<=", 0.65),
    "no-op / full": ("<=", 0.10),
    "edit loop (s)": ("<=", 1.0),
    "PDF bytes": ("<=", 250_000),
    "EPUB bytes": ("<=", 100_000),
    "chapter first load (bytes)": ("<=", 100_000),
    "lighthouse performance": (">=", 95),
    "lighthouse accessibility": (">=", 100),
    "lighthouse best-practices": (">=", 100),
    "lighthouse seo": (">=", 100),
}


# -- Helpers ---------------------------------------------------------------------------------


def tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry.name))
            rss[int(entry.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += rss.get(current, 0)
        stack += children.get(current, [])
    return total


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int, str]:
    """Wall time, peak memory of the process tree, and output of one command."""
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    peak, output = 0, []
    reader = threading.Thread(target=lambda: output.append(process.stdout.read()), daemon=True)
    reader.start()
    while process.poll() is None:
        peak = max(peak, tree_rss(process.pid))
        time.sleep(0.1)
    reader.join()
    elapsed = time.monotonic() - started
    if process.returncode != 0:
        raise SystemExit(f"bench: {' '.join(command)} failed:\n{''.join(output)[-3000:]}")
    return elapsed, peak, "".join(output)


def checksums(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


# -- Measurements ------------------------------------------------------------------------------


def full_builds(project: Path, env: dict[str, str], runs: int) -> tuple[list[float], int]:
    times, peak = [], 0
    for _ in range(runs):
        shutil.rmtree(project / "build", ignore_errors=True)
        seconds, memory, _ = timed(worktree.command("build"), project, env)
        times.append(seconds)
        peak = max(peak, memory)
    return times, peak


def naive_builds(project: Path, env: dict[str, str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        out = project / "build-naive"
        shutil.rmtree(out, ignore_errors=True)
        started = time.monotonic()
        for language in languages.published_languages():
            tag = language.tag
            # The same outputs as the full build, vertical EPUB included.
            for edition in editions.editions_of(language):
                builder = "latex" if edition.fmt == "pdf" else edition.fmt
                name = edition.name.replace("/", "-")
                subprocess.run(
                    strict_sphinx.command(
                        builder,
                        out / tag / name,
                        language=tag,
                        settings=edition.sphinx_settings,
                        doctrees=out / tag / f"doctrees-{name}",
                        docs=project / "docs",
                    ),
                    cwd=project,
                    env=env,
                    check=True,
                    capture_output=True,
                )
            subprocess.run(
                [
                    "latexmk",
                    f"-{language.latex_engine}",
                    "-interaction=nonstopmode",
                    "-halt-on-error",
                    f"{editions.SLUG}-{tag}.tex",
                ],
                cwd=out / tag / f"{tag}-pdf",
                env=env,
                check=True,
                capture_output=True,
            )
        times.append(time.monotonic() - started)
    return times


def noop_builds(project: Path, env: dict[str, str], runs: int) -> list[float]:
    return [timed(worktree.command("build"), project, env)[0] for _ in range(runs)]


def edit_loop(project: Path, env: dict[str, str], runs: int) -> dict:
    """The live preview's rebuild after a one-paragraph edit, in a process that, like the
    preview, has Sphinx imported and has built once; then the full build after the edit."""
    code = f"""
import os, sys, time, json
from book.serve import rebuild, sphinx_args
args = sphinx_args("ja")
assert rebuild(args) == 0
page = {EDITED_PAGE!r}
original = open(page, encoding="utf-8").read()
times = []
for run in range({runs}):
    edited = {EDITED_PARAGRAPH!r} + "（編集" + str(run) + "）"
    with open(page, "w", encoding="utf-8") as f:
        f.write(original.replace({EDITED_PARAGRAPH!r}, edited))
    started = time.monotonic()
    assert rebuild(args) == 0
    times.append(time.monotonic() - started)
print(json.dumps(times))
"""
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    times = json.loads(out.strip().splitlines()[-1])
    before = checksums(project / "build" / "site")
    _, _, log = timed(worktree.command("build"), project, env)
    after = checksums(project / "build" / "site")
    changed = sorted(p for p in after if before.get(p) != after[p])
    rebuilt = sorted({line.split()[1] for line in log.splitlines() if line.endswith(" built")})
    skipped = sorted(line.split()[1] for line in log.splitlines() if " up to date " in f" {line} ")
    # A translator's edit: one message of the English catalog. Only that language is touched.
    catalog = project / "locale" / "en" / "LC_MESSAGES" / "chapters" / "china-position.po"
    text = catalog.read_text(encoding="utf-8")
    catalog.write_text(text.replace("closely watched.", "watched closely.", 1), encoding="utf-8")
    _, _, log = timed(worktree.command("build"), project, env)
    translation_rebuilt = sorted(
        {line.split()[1] for line in log.splitlines() if line.endswith(" built")}
    )
    return {
        "times": times,
        "translation_edit_rebuilt": translation_rebuilt,
        "rebuilt_editions": rebuilt,
        "skipped_languages": skipped,
        "changed_files": len(changed),
        "total_files": len(after),
        "changed_examples": changed[:8],
    }


def sizes(site: Path) -> dict[str, dict[str, int]]:
    from pypdf import PdfReader

    result = {}
    for language in languages.published_languages():
        pdf = site / "downloads" / f"{editions.SLUG}-{language.tag}.pdf"
        epub = site / "downloads" / f"{editions.SLUG}-{language.tag}.epub"
        pages = len(PdfReader(pdf).pages)
        result[language.tag] = {
            "pdf_bytes": pdf.stat().st_size,
            "pdf_pages": pages,
            "pdf_bytes_per_page": pdf.stat().st_size // pages,
            "epub_bytes": epub.stat().st_size,
        }
    return result


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """A static host as readers meet it: gzip for text, long cache for versioned assets."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path.split("?")[0]))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            self.send_error(404)
            return
        body = path.read_bytes()
        kind = self.guess_type(str(path))
        compress = kind.startswith("text/") or kind in ("application/javascript", "image/svg+xml")
        if compress and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body, 6)
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header(
            "Cache-Control",
            "public, max-age=31536000"
            if "?v=" in self.path or "/_static/" in self.path
            else "public, max-age=3600",
        )
        if compress:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        self.wfile.write(body)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(site: Path, port: int) -> http.server.ThreadingHTTPServer:
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), functools.partial(GzipHandler, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def first_load(site: Path, origin: str) -> dict[str, dict[str, int]]:
    """What Chromium fetches to show a page, by file: uncompressed and gzip bytes."""
    from playwright.sync_api import sync_playwright

    result = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or "chromium", args=CHROME_FLAGS.split()
        )
        for language in languages.published_languages():
            for name, page_path in (
                ("index", "index.html"),
                ("chapter", "chapters/china-position.html"),
            ):
                page = browser.new_page()
                urls: list[str] = []
                page.on("response", lambda response, urls=urls: urls.append(response.url))
                page.goto(f"{origin}/{language.tag}/{page_path}")
                page.wait_for_load_state("networkidle")
                page.close()
                raw = zipped = 0
                for url in dict.fromkeys(urls):
                    local = site / url.removeprefix(origin + "/").split("?")[0]
                    if local.is_file():
                        data = local.read_bytes()
                        raw += len(data)
                        zipped += len(gzip.compress(data, 6))
                result[f"{language.tag}/{name}"] = {
                    "bytes": raw,
                    "gzip_bytes": zipped,
                    "requests": len(set(urls)),
                }
        browser.close()
    return result


def lighthouse(origin: str, workdir: Path) -> dict[str, dict[str, int]]:
    result = {}
    for language in languages.published_languages():
        for name, page_path in (
            ("index", "index.html"),
            ("chapter", "chapters/china-position.html"),
        ):
            for preset in ("mobile", "desktop"):
                report = workdir / f"lighthouse-{language.tag}-{name}-{preset}.json"
                command = [
                    str(LIGHTHOUSE),
                    f"{origin}/{language.tag}/{page_path}",
                    "--quiet",
                    f"--chrome-flags={CHROME_FLAGS}",
                    "--output=json",
                    f"--output-path={report}",
                    "--only-categories=performance,accessibility,best-practices,seo",
                ]
                if preset == "desktop":
                    command.append("--preset=desktop")
                subprocess.run(
                    command,
                    check=True,
                    capture_output=True,
                    timeout=300,
                    env={**os.environ, "CHROME_PATH": shutil.which("chromium") or "chromium"},
                )
                categories = json.loads(report.read_text(encoding="utf-8"))["categories"]
                result[f"{language.tag}/{name}/{preset}"] = {
                    key: round(100 * value["score"]) for key, value in categories.items()
                }
    return result


# -- Report ----------------------------------------------------------------------------------


def verdict(name: str, value: float) -> str:
    if name not in TARGETS:
        return ""
    op, limit = TARGETS[name]
    ok = value <= limit if op == "<=" else value >= limit
    return f"{'ok' if ok else 'MISSED'} ({op} {limit})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one run of each measurement")
    parser.add_argument("--json", type=Path, default=layout.BUILD / "bench.json")
    parser.add_argument("--no-lighthouse", action="store_true")
    args = parser.parse_args(argv)
    runs = 1 if args.quick else args.runs

    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        project = worktree.copy_working_tree(Path(tmp) / "project")
        # The site is built for the address it is served at, as for a real host: canonical
        # URLs and hreflang alternates are absolute (BOOK_BASE_URL, book.site_url).
        port = free_port()
        origin = f"http://127.0.0.1:{port}"
        env = worktree.environment(
            project,
            {
                **os.environ,
                "SOURCE_DATE_EPOCH": worktree.source_date_epoch(),
                "BOOK_BASE_URL": origin + "/",
            },
        )
        naive = naive_builds(project, env, runs)
        full, peak = full_builds(project, env, runs)
        noop = noop_builds(project, env, runs)
        site = project / "build" / "site"
        measured_sizes = sizes(site)
        server = serve(site, port)
        loads = first_load(site, origin)
        scores = {} if args.no_lighthouse else lighthouse(origin, Path(tmp))
        server.shutdown()
        edit = edit_loop(project, env, max(runs, 3))

    full_s, naive_s, noop_s = (statistics.median(t) for t in (full, naive, noop))
    edit_s = statistics.median(edit["times"])
    rows = [
        ("full build (s)", round(full_s, 2)),
        ("naive baseline (s)", round(naive_s, 2)),
        ("full / naive", round(full_s / naive_s, 3)),
        ("no-op rebuild (s)", round(noop_s, 3)),
        ("no-op / full", round(noop_s / full_s, 3)),
        ("edit loop (s)", round(edit_s, 3)),
        ("peak memory of the full build (MiB)", round(peak / 2**20)),
        ("PDF bytes", max(s["pdf_bytes"] for s in measured_sizes.values())),
        ("EPUB bytes", max(s["epub_bytes"] for s in measured_sizes.values())),
        (
            "chapter first load (bytes)",
            max(v["bytes"] for k, v in loads.items() if k.endswith("/chapter")),
        ),
    ]
    for category in ("performance", "accessibility", "best-practices", "seo"):
        if scores:
            rows.append((f"lighthouse {category}", min(s[category] for s in scores.values())))
    print(f"{'measurement':<40} {'value':>12}  target")
    for name, value in rows:
        print(f"{name:<40} {value:>12}  {verdict(name, value)}")
    print(
        f"\nafter the edit, the build command rebuilt: {', '.join(edit['rebuilt_editions'])}; "
        f"{edit['changed_files']} of {edit['total_files']} published files changed"
    )
    print(
        "after a translation edit (one English message) it rebuilt: "
        + ", ".join(edit["translation_edit_rebuilt"])
    )
    for tag, values in measured_sizes.items():
        print(
            f"{tag:<6} PDF {values['pdf_bytes']:>7} B, {values['pdf_pages']} pages, "
            f"{values['pdf_bytes_per_page']} B/page; EPUB {values['epub_bytes']} B"
        )
    for page, values in loads.items():
        print(
            f"first load {page:<16} {values['bytes']:>7} B, gzip {values['gzip_bytes']:>6} B, "
            f"{values['requests']} requests"
        )
    report = {
        "machine": {"cpus": os.cpu_count()},
        "runs": runs,
        "rows": [{"name": n, "value": v, "target": verdict(n, v)} for n, v in rows],
        "samples": {"full": full, "naive": naive, "noop": noop, "edit": edit["times"]},
        "edit": edit,
        "sizes": measured_sizes,
        "first_load": loads,
        "lighthouse": scores,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print(f"\nbench: written {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
