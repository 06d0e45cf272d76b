"""The published site as readers and outside authorities see it: the W3C Nu HTML Checker,
axe-core in headless Chromium (light and dark, desktop and phone), the requests a page makes,
every internal link and anchor, and the Content-Security-Policy of src/book/site_static/_headers.
Every check walks every page a reader can open (conftest.reader_pages), 404 pages included.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import (
    ROOT,
    SiteHost,
    parse_html,
    policy,
    published_file,
    reader_pages,
    serve,
    site_url,
)

pytestmark = pytest.mark.slow  # vnu and axe on every page, in four modes

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
MODES = [
    (scheme, name, viewport)
    for scheme in ("light", "dark")
    for name, viewport in (("desktop", (1280, 900)), ("phone", (390, 844)))
]


def test_nu_html_checker_reports_no_errors(site: Path) -> None:
    if not VNU.exists():
        pytest.fail(f"{VNU} is missing: `make test` installs it (npm ci)")
    result = subprocess.run(
        [
            "java",
            "-jar",
            str(VNU),
            "--errors-only",
            "--format",
            "json",
            *(str(site / page) for page in reader_pages(site)),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    messages = json.loads(result.stderr)["messages"]
    assert [f"{m['url']}:{m.get('lastLine')}: {m['message']}" for m in messages] == []


@pytest.fixture(scope="module")
def hosted_site(site: Path) -> Iterator[str]:
    """The site as its host serves it: its address, without the final slash."""
    with serve(site, SiteHost) as origin:
        yield origin + site_url.base_path().rstrip("/")


@pytest.fixture(scope="module", params=MODES, ids=[f"{s}-{n}" for s, n, _ in MODES])
def visits(request: pytest.FixtureRequest, browser, hosted_site: str, site: Path) -> dict:
    """Every page opened in one mode: axe-core's violations, every request (and those that
    failed), CSP reports."""
    from axe_playwright_python.sync_playwright import Axe

    scheme, _name, (width, height) = request.param
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    page = context.new_page()
    requests: list[str] = []
    failed: list[str] = []
    refused: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("requestfailed", lambda r: failed.append(f"{r.url}: {r.failure}"))
    page.on(
        "response", lambda r: failed.append(f"{r.url}: {r.status}") if r.status >= 400 else None
    )
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    axe = Axe()
    violations = {}
    for path in reader_pages(site):
        url = f"{hosted_site}/{path}" + ("#choose" if path == "index.html" else "")
        page.goto(url)
        page.wait_for_load_state("networkidle")
        found = axe.run(page).response["violations"]
        violations[path] = [f"{v['id']} ({len(v['nodes'])}): {v['help']}" for v in found]
    context.close()
    return {
        "violations": violations,
        "requests": requests,
        "failed": failed,
        "refused": refused,
        "origin": hosted_site,
    }


def test_axe_reports_no_violations(visits: dict, site: Path) -> None:
    assert {path: v for path, v in visits["violations"].items() if v} == {}
    assert sorted(visits["violations"]) == reader_pages(site)


def test_every_page_loads_all_it_asks_for(visits: dict) -> None:
    """Each page's style sheets, scripts and images, as the host serves them."""
    assert visits["failed"] == []


def test_pages_request_nothing_from_other_hosts(visits: dict) -> None:
    origin = urlsplit(visits["origin"]).netloc
    elsewhere = sorted({u for u in visits["requests"] if urlsplit(u).netloc not in ("", origin)})
    assert elsewhere == []
    assert len(visits["requests"]) > 20


def test_content_security_policy_refuses_nothing(visits: dict) -> None:
    assert visits["refused"] == []


def test_project_templates_emit_no_inline_script_or_handler(site: Path) -> None:
    """Only the theme's one documented inline script; no on* attribute anywhere."""
    hashes = re.findall(r"'sha256-([^']+)'", policy()["Content-Security-Policy"])
    for path in reader_pages(site):
        page = parse_html(site / path)
        for script in page.xpath("//script[not(@src)]"):
            digest = base64.b64encode(hashlib.sha256((script.text or "").encode()).digest())
            assert digest.decode() in hashes, f"{path}: inline script not in the policy"
        handlers = [
            f"{el.tag}@{name}"
            for el in page.iter()
            if isinstance(el.tag, str)
            for name in el.attrib
            if name.lower().startswith("on")
        ]
        assert handlers == [], path


def test_theme_toggle_works_under_the_policy(browser, hosted_site: str) -> None:
    page = browser.new_page()
    page.goto(f"{hosted_site}/ja/index.html")
    before = page.evaluate("document.body.dataset.theme")  # set by the theme's inline script
    page.locator("button.theme-toggle:visible").first.click()
    after = page.evaluate("document.body.dataset.theme")
    page.close()
    assert before == "auto" and after != before


def test_every_internal_link_and_anchor_resolves(site: Path) -> None:
    broken = []
    ids: dict[Path, set[str]] = {}
    pages = [site / path for path in reader_pages(site)]
    for source in pages:
        page = parse_html(source)
        for attribute in ("href", "src"):
            for value in page.xpath(f"//*[@{attribute}]/@{attribute}"):
                parts = urlsplit(value)
                target_path, fragment = parts.path, parts.fragment
                if value.startswith(site_url.base_url()):  # the site's own absolute URLs
                    target = published_file(value)
                elif parts.scheme or value.startswith(("//", "mailto:", "data:")):
                    continue  # elsewhere
                elif target_path.startswith("/"):  # absolute paths (404 page) under the base
                    base_path = urlsplit(site_url.base_url()).path
                    assert target_path.startswith(base_path), f"{source}: {value}"
                    target = site / unquote(target_path[len(base_path) :])
                else:
                    target = (
                        (source.parent / unquote(target_path)).resolve() if target_path else source
                    )
                if target.is_dir():
                    target = target / "index.html"
                if not target.is_file():
                    broken.append(f"{source.relative_to(site)}: {value}")
                    continue
                if fragment and target.suffix == ".html":
                    if target not in ids:
                        ids[target] = set(parse_html(target).xpath("//@id"))
                    if unquote(fragment) not in ids[target]:
                        broken.append(f"{source.relative_to(site)}: {value} (no such anchor)")
    assert len(pages) > 10
    assert broken == []
