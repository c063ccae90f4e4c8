"""The HTML report, opened in a real headless Chromium: it renders, shows the log's numbers,
and runs nothing a log line smuggled in.

Chromium comes from Debian's packages; `.ci/install-test-deps` installs it. Without it these
tests fail, never skip: set PHASEOUT_CHROMIUM to use another binary.
"""

from __future__ import annotations

import html.parser
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from phaseout.report import render, summarize

from .test_report import DAY, SITE, T0, sink_lines, write

PAYLOADS = (
    "<script>document.title='pwned'</script>",
    '<img src=x onerror="document.body.dataset.pwned=1">',
    "</td></tr></table><iframe src=\"javascript:document.title='pwned'\"></iframe>",
    '"><svg onload="document.body.dataset.pwned=1">',
)


def chromium() -> str:
    found = os.environ.get("PHASEOUT_CHROMIUM") or shutil.which("chromium")
    found = found or shutil.which("chromium-browser") or shutil.which("google-chrome")
    assert found, "Chromium is needed: run .ci/install-test-deps (apt-get install chromium)"
    return found


def browse(page: Path, *extra: str) -> str:
    done = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",  # CI runs as root
            "--disable-gpu",
            "--no-first-run",
            "--virtual-time-budget=2000",  # let any script that could run, run
            f"--user-data-dir={page.parent / 'profile'}",
            *extra,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


class Dom(html.parser.HTMLParser):
    """What the browser's final DOM holds: elements, attributes, text, the title."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += attrs
        # The document's title, not the <title> tooltips of chart bars.
        self._in_title = tag == "title" and "body" not in self.tags

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_title:
            self.title += data


def dom_of(page: Path) -> Dom:
    dom = Dom()
    dom.feed(browse(page, "--dump-dom"))
    return dom


def test_the_browser_runs_scripts_of_an_ordinary_page(tmp_path: Path) -> None:
    # The control: without this, "no script ran" below could mean "scripts never run here".
    page = tmp_path / "control.html"
    page.write_text("<html><body><script>document.title='ran'</script></body></html>")
    assert dom_of(page).title == "ran"


@pytest.fixture
def report_page(tmp_path: Path) -> Path:
    events = [
        ("deprecated_call", T0, 0, SITE),
        ("deprecated_usage", T0 + 60, 1500, SITE),
        ("deprecated_usage", T0 + 2 * DAY, 700, SITE),
        ("deprecated_usage", T0 + 5 * DAY, 42, SITE),
    ]
    for number, payload in enumerate(PAYLOADS):
        hostile = {**SITE, "symbol": f"evil{number}{payload}", "caller": payload}
        events.append(("deprecated_usage", T0 + DAY, 1 + number, hostile))
    log = write(tmp_path, sink_lines(events) + b"<script>alert(1)</script>\n")
    page = tmp_path / "report.html"
    page.write_text(render(summarize([log]), "html"))
    return page


def test_the_page_renders_the_numbers_in_the_log(report_page: Path) -> None:
    dom = dom_of(report_page)
    text = " ".join(dom.text)
    assert dom.title == "phaseout usage report"
    assert "2,252" in text  # 1500 + 700 + 42 + 1 + 2 + 3 + 4 uses
    assert "2,242" in text  # lib.old alone
    assert "Uses of lib.old per day" in text
    assert "2025-01-01: 1,500" in text  # a bar's tooltip
    assert "2025-01-04: 0" in text  # days without use are drawn as zero
    assert dom.tags.count("svg") == 1 + len(PAYLOADS)  # a chart per symbol
    screenshot = report_page.parent / "shot.png"
    browse(report_page, f"--screenshot={screenshot}", "--window-size=1200,1600")
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 10_000  # a page with content, not a blank one


def test_no_script_from_log_content_runs(report_page: Path) -> None:
    dom = dom_of(report_page)
    assert dom.title == "phaseout usage report"  # no payload rewrote it
    assert "script" not in dom.tags
    assert "iframe" not in dom.tags
    assert "img" not in dom.tags
    names = {name for name, _ in dom.attributes}
    assert not any(name.startswith("on") for name in names)
    assert "data-pwned" not in names
    text = "".join(dom.text)
    for payload in PAYLOADS:
        assert payload in text  # shown as text, exactly as logged
    source = report_page.read_text()
    assert "http://" not in source.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in source  # nothing to fetch: the page works offline
