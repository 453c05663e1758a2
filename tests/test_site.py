"""The offline course site: built from a small executed fixture, opened in headless Chromium
with every host unreachable, and checked from the rendered DOM."""

import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course_lib.tools import profiles
from course_lib.tools.runner import INLINE_FIGURES, execute_notebook
from course_lib.tools.site import (
    SLIDE_DECKS,
    build_site,
    lesson_summary,
    report_page,
    search_text,
    slide_text,
)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

LESSONS = {
    "01_first": [
        new_markdown_cell(
            "# 01 最初のレッスン\n\nシグモイド関数 (sigmoid) を描きます。"
            "式は岡谷『深層学習』p.10 のとおりです。"
        ),
        new_markdown_cell(
            r"$$\sigma(x) = \frac{1}{1 + e^{-x}}$$ と、その導関数 $\sigma'(x) = \sigma(1-\sigma)$。"
        ),
        new_code_cell(
            "import matplotlib.pyplot as plt\n"
            "import numpy as np\nx = np.linspace(-5, 5, 50)\nplt.plot(x, 1 / (1 + np.exp(-x)))\n"
            "plt.title('sigmoid')\nplt.show()"
        ),
        new_markdown_cell("## 2. 節\n\n[次の節へ](#3.-終わり) と内部リンク。"),
        new_markdown_cell("## 3. 終わり\n\n$\\frac{a}{b}$ を文中に書きます。"),
    ],
    "02_second": [
        new_markdown_cell("# 02 二つ目\n\n行列 $W$ の積を計算します。"),
        new_markdown_cell(r"$$\mathbf{y} = W \mathbf{x} + \mathbf{b}$$"),
        new_code_cell(
            "import matplotlib.pyplot as plt\n"
            "plt.imshow([[0, 1], [1, 0]])\nplt.show()\nprint('done')"
        ),
    ],
}
REPORT = {
    "01_first": {
        "profile": "smoke",
        "backend": "tensorflow",
        "seconds": 3.2,
        "metrics": {"a": 1.0},
        "checks": [{"name": "a", "value": 1.0, "target": ">= 0.5", "passed": True}],
        "passed": True,
    },
    "02_second": {
        "profile": "smoke",
        "backend": "tensorflow",
        "seconds": 2.0,
        "metrics": {"b": 0.1},
        "checks": [
            {"name": "b", "value": 0.1, "target": ">= 0.5", "passed": False},
            {"name": "c", "value": 2.0, "target": "<= 3", "passed": True},
        ],
        "passed": False,
    },
}


class _Dom(HTMLParser):
    """Visible text, ids, links, image and math-element counts of a rendered page."""

    def __init__(self):
        super().__init__()
        self.text, self.ids, self.links, self.sources = [], set(), [], []
        self.images = self.math = 0
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", "noscript", "title"):
            self._hidden += 1
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in ("script", "img", "link", "iframe") and (attrs.get("src") or attrs.get("href")):
            self.sources.append(attrs.get("src") or attrs.get("href"))
        if tag == "img":
            self.images += 1
        if tag == "span" and attrs.get("class") in ("MathJax", "MathJax_Display"):
            self.math += 1
        if tag == "div" and attrs.get("class") == "MathJax_Display":
            self.math += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "noscript", "title"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.text.append(data)


def _render(page: Path, profile: Path, query: str | None = None) -> _Dom:
    """The DOM of `page` after its scripts ran, in headless Chromium with no network; with
    `query`, the page is opened at #q=<query> (the search box reads it)."""
    url = page.as_uri() + (f"#q={quote(query)}" if query is not None else "")
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            # Every host name fails to resolve and any proxied request hits a closed port.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--proxy-server=socks5://127.0.0.1:9",
            "--virtual-time-budget=20000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    dom = _Dom()
    dom.feed(done.stdout)
    dom.html = done.stdout
    return dom


def _search_results(dom: _Dom) -> str:
    """The visible text of the search results of a rendered index page."""
    found = re.search(r'<div id="search-results"[^>]*>(.*?)</div>', dom.html, re.S)
    assert found, "index.html has no search results element"
    return re.sub(r"<[^>]+>", " ", found.group(1))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    build = tmp_path_factory.mktemp("build")
    (build / "executed").mkdir()
    for name, cells in LESSONS.items():
        nb = execute_notebook(
            new_notebook(cells=cells), cwd=build, env={"MPLBACKEND": INLINE_FIGURES}
        )
        nbformat.write(nb, build / "executed" / f"{name}.ipynb")
    (build / "report.json").write_text(json.dumps(REPORT), encoding="utf-8")
    index = build_site(build)
    return index.parent


def test_summary_reads_title_content_and_slides():
    summary = lesson_summary(new_notebook(cells=LESSONS["01_first"]))
    assert summary["title"] == "01 最初のレッスン"
    assert summary["content"] == "シグモイド関数 (sigmoid) を描きます。"
    assert summary["slides"] == ["『深層学習』"]
    assert summary["references"] == summary["prerequisites"] == []


def test_summary_reads_slides_references_and_prerequisites_from_the_config(write_config):
    config = write_config(
        '[lesson]\ntopic = "x"\nslides = ["okatani_ch5_autoencoders.md: p.55-60", '
        '"ch9_deep_learning.md"]\nreferences = ["Vaswani et al. 2017"]\n'
        'prerequisites = ["00"]\n',
        "01_first",
    )
    summary = lesson_summary(new_notebook(cells=LESSONS["01_first"]), config=config)
    assert summary["slides"] == ["岡谷『深層学習』第5章 自己符号化器 p.55-60", "『9. 深層学習』"]
    assert summary["references"] == ["Vaswani et al. 2017"]
    assert summary["prerequisites"] == ["00"]
    assert slide_text("unknown.md: p.1") == "unknown.md p.1"


def test_every_lesson_config_cites_known_slide_decks():
    slides_dir = Path(__file__).resolve().parents[2] / "shared" / "slides"
    for lesson in profiles.lesson_names():
        info = profiles.lesson_config(lesson)["lesson"]
        for entry in info.get("slides", []):
            deck = entry.split(":")[0].strip()
            assert deck in SLIDE_DECKS, (lesson, entry)
            if slides_dir.is_dir():
                assert (slides_dir / deck).is_file(), (lesson, deck)
        if lesson != "00_setup":  # every lesson after the set-up follows a deck
            assert info.get("slides"), lesson
        assert all(p < lesson[:2] for p in info.get("prerequisites", [])), lesson


def test_search_text_drops_formulas_and_markdown():
    text = search_text(new_notebook(cells=LESSONS["01_first"]))
    assert "シグモイド関数 (sigmoid) を描きます。" in text
    assert "$" not in text and "\\frac" not in text and "##" not in text
    assert "[次の節へ]" not in text and "次の節へ と内部リンク" in text


def test_report_lists_failures_first():
    page = report_page(REPORT)
    assert page.index("02_second") < page.index("01_first")
    assert page.index(">b<") < page.index(">c<")  # the missed check leads its table


def test_site_has_no_remote_reference(site):
    for page in site.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        dom = _Dom()
        dom.feed(text)
        remote = [
            s
            for s in dom.sources
            if urlparse(s).scheme in ("http", "https", "") and urlparse(s).netloc
        ]
        assert remote == [], (page.name, remote)


@pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),  # in CI a missing browser fails the test
    reason="needs Debian's chromium (apt-get install chromium; .ci/run installs it)",
)
def test_rendered_pages_offline(site, tmp_path):
    pages = {p.name: _render(p, tmp_path / "profile") for p in sorted(site.glob("*.html"))}
    assert set(pages) == {"index.html", "report.html", "01_first.html", "02_second.html"}
    assert "$" not in "".join(pages["index.html"].text)  # the 02 description's $W$ typeset
    for name, dom in pages.items():
        visible = "".join(dom.text)
        assert "$$" not in visible and "\\frac" not in visible and "\\mathbf" not in visible, name
        assert "Math Processing Error" not in visible, name
        for link in dom.links:
            target = urlparse(link)
            assert not target.scheme, (name, link)
            path = site / unquote(target.path) if target.path else site / name
            assert path.is_file(), (name, link)
            if target.fragment:
                ids = {unquote(i) for i in pages[path.name].ids}
                assert unquote(target.fragment) in ids, (name, link)
    for name in LESSONS:
        dom = pages[f"{name}.html"]
        assert dom.math >= 2, (name, dom.math)
        assert dom.images >= 1, name
        assert "index.html" in dom.links
    index_links = pages["index.html"].links
    assert all(f"{name}.html" in index_links for name in LESSONS)
    assert "02_second.html" in pages["01_first.html"].links  # next
    assert "01_first.html" in pages["02_second.html"].links  # previous


@pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="needs Debian's chromium (apt-get install chromium; .ci/run installs it)",
)
@pytest.mark.parametrize(
    "query, found, not_found",
    [
        ("シグモイド", ["01 最初のレッスン"], ["02 二つ目"]),  # a Japanese term
        ("SIGMOID", ["01 最初のレッスン"], ["02 二つ目"]),  # the English term, any case
        ("行列 積", ["02 二つ目"], ["01 最初のレッスン"]),  # every word must occur
        ("ｓｉｇｍｏｉｄ", ["01 最初のレッスン"], []),  # full-width letters (NFKC)
    ],
)
def test_search_finds_lessons_by_term(site, tmp_path, query, found, not_found):
    results = _search_results(_render(site / "index.html", tmp_path / "profile", query))
    assert "1 件" in results, results
    assert all(title in results for title in found), results
    assert not any(title in results for title in not_found), results


@pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="needs Debian's chromium (apt-get install chromium; .ci/run installs it)",
)
def test_search_says_when_nothing_matches(site, tmp_path):
    index = site / "index.html"
    results = _search_results(_render(index, tmp_path / "profile", "量子コンピュータ"))
    assert "見つかりません" in results and "最初のレッスン" not in results
    assert _search_results(_render(index, tmp_path / "profile")).strip() == ""
