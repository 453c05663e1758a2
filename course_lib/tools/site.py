"""`course site` / `make site`: the executed lessons as a static site that works offline.

build/site/ gets index.html (the lesson map, in Japanese: each lesson's content, the slides it
follows, the papers and books it cites, its prerequisites and its last run, with a search box
over the lessons' prose), one page per executed lesson with previous / index / next links and
its self-check table, report.html (build/report.json as tables, failures first), search.js with
search-index.js (the search, plain JavaScript over the lessons' markdown) and mathjax/ (MathJax
2.7 from the jupyter-server-mathjax package, whose STIX web fonts the pages ask for), so that
formulas render with no network: no page loads anything from outside the folder.
"""

import html
import json
import re
import shutil
import unicodedata
from pathlib import Path

import nbformat

from course_lib.files import atomic_write_text
from course_lib.paths import build_dir, lesson_notebooks

# The lecture decks of ../shared/slides/ that [lesson].slides in course_lib/config/ names, as a
# reader knows them.
SLIDE_DECKS = {
    "okatani_ch5_autoencoders.md": "岡谷『深層学習』第5章 自己符号化器",
    "ch9_deep_learning.md": "『9. 深層学習』",
    "okatani_saito_dl_tutorial.md": "岡谷・齋藤『ディープラーニング チュートリアル』",
    "autoencoder_study_group.md": "勉強会スライド「AutoEncoder」",
    "wikipedia_autoencoder.md": "Wikipedia「オートエンコーダ」",
}

MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full"
CSS = """
body { font-family: "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", Meiryo,
       system-ui, sans-serif; max-width: 62rem; margin: 0 auto; padding: 1rem 1.5rem;
       line-height: 1.65; color: #1d1d1f; }
nav { display: flex; justify-content: space-between; gap: 1rem; padding: .6rem 0;
      border-bottom: 1px solid #ddd; margin-bottom: 1rem; font-size: .95rem; }
nav.bottom { border-top: 1px solid #ddd; border-bottom: none; margin-top: 2rem; }
table { border-collapse: collapse; margin: .8rem 0; font-size: .92rem; }
th, td { border: 1px solid #ccc; padding: .25rem .6rem; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.miss td { background: #fde8e8; }
.ok { color: #1a7f37; } .miss { color: #c62828; font-weight: bold; }
pre, code { font-family: "Noto Sans Mono CJK JP", Menlo, Consolas, monospace; font-size: .88rem; }
.jp-InputArea, .input_area { background: #f6f8fa; border-radius: 4px; padding: .2rem .6rem;
                             overflow-x: auto; margin: .6rem 0; }
.jp-OutputArea pre, .output_area pre { background: #fff; border-left: 3px solid #ddd;
                                       padding: .2rem .6rem; overflow-x: auto; }
.jp-InputPrompt, .jp-OutputPrompt { display: none; }
img { max-width: 100%; height: auto; }
.meta { color: #555; font-size: .9rem; }
.search { margin: 1rem 0; }
.search input { font-size: 1rem; padding: .3rem .5rem; width: min(28rem, 100%); }
#search-results ol { padding-left: 1.4rem; }
#search-results .snippet { display: block; color: #444; font-size: .9rem; }
"""
MATHJAX_SETUP = """<script type="text/x-mathjax-config">
MathJax.Hub.Config({tex2jax: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']],
  displayMath: [['$$', '$$'], ['\\\\[', '\\\\]']], processEscapes: true,
  processEnvironments: true}, messageStyle: "none",
  "HTML-CSS": {availableFonts: [], preferredFont: null, webFont: "STIX-Web", imageFont: null}});
</script>"""


def _mathjax_source() -> Path:
    import jupyter_server_mathjax

    return Path(jupyter_server_mathjax.__file__).parent / "static"


def _page(title: str, body: str, math: bool = False) -> str:
    head = [
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title>",
        '<link rel="stylesheet" href="site.css">',
    ]
    if math:
        head += [
            MATHJAX_SETUP,
            f'<script src="mathjax/MathJax.js?config={MATHJAX_CONFIG}"></script>',
        ]
    return (
        '<!DOCTYPE html>\n<html lang="ja">\n<head>\n'
        + "\n".join(head)
        + f"\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def slide_text(entry: str) -> str:
    """'okatani_ch5_autoencoders.md: p.55-60' as a reader knows it: the deck's title, then the
    pages or sections; a deck not in SLIDE_DECKS keeps its file name."""
    deck, _, where = entry.partition(":")
    title = SLIDE_DECKS.get(deck.strip(), deck.strip())
    return f"{title} {where.strip()}".strip()


def lesson_summary(nb, name: str | None = None, config: Path | None = None) -> dict:
    """Title and one-line content of a lesson (read from its first markdown cell), with the
    slides, references and prerequisites of its [lesson] table (course_lib/config/<name>.toml,
    or the file `config`). Without a config file the slides are the 『...』 titles its markdown
    cites, and references and prerequisites are empty."""
    from course_lib.tools.profiles import lesson_config

    first = nb.cells[0].source.strip().split("\n")
    title = first[0].lstrip("# ").strip()
    paragraph = next((line for line in first[1:] if line.strip()), "")
    sentence = paragraph.split("。")[0].strip()
    content = re.sub(r"\*\*|`", "", sentence) + ("。" if sentence else "")
    try:
        info = lesson_config(name or "", config).get("lesson", {}) if name or config else None
    except KeyError:
        info = None
    if info is not None:
        return {
            "title": title,
            "content": content,
            "slides": [slide_text(entry) for entry in info.get("slides", [])],
            "references": list(info.get("references", [])),
            "prerequisites": list(info.get("prerequisites", [])),
        }
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    sources = []
    for book in re.findall(r"『[^』]+』", text):
        if book not in sources:
            sources.append(book)
    return {
        "title": title,
        "content": content,
        "slides": sources[:2],
        "references": [],
        "prerequisites": [],
    }


_MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+?\$|\\\[.+?\\\]|\\\(.+?\\\)", re.S)


def search_text(nb) -> str:
    """A lesson's markdown as the search reads it: formulas, HTML tags, link targets and
    Markdown marks removed, NFKC-normalized, whitespace collapsed."""
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    text = _MATH.sub(" ", text)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[*`#>|]+|^\s*[-=]{3,}\s*$", " ", text, flags=re.M)
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", " ", text).strip()


def search_index(notebooks: dict, summaries: dict[str, dict]) -> str:
    """search-index.js: `window.COURSE_SEARCH = [{name, title, content, text}, ...]`."""
    entries = [
        {
            "name": name,
            "title": summaries[name]["title"],
            "content": summaries[name]["content"],
            "text": search_text(nb),
        }
        for name, nb in notebooks.items()
    ]
    data = json.dumps(entries, ensure_ascii=False).replace("</", "<\\/")
    return f"window.COURSE_SEARCH = {data};\n"


SEARCH_JS = r"""// The search box of index.html: each word of the query (NFKC, any case) must be in
// a lesson's title, content or prose; the query may come in the address (#q=... or ?q=...).
(function () {
  "use strict";
  var lessons = window.COURSE_SEARCH || [];
  var box = document.getElementById("search");
  var out = document.getElementById("search-results");
  if (!box || !out) { return; }
  function norm(text) { return text.normalize("NFKC").toLowerCase(); }
  var docs = lessons.map(function (lesson) {
    return {lesson: lesson, text: norm(lesson.text),
            all: norm(lesson.title + " " + lesson.content + " " + lesson.text)};
  });
  function snippet(doc, term) {
    var at = doc.text.indexOf(term);
    if (at < 0) { return ""; }
    var start = Math.max(0, at - 40), end = Math.min(doc.text.length, at + term.length + 60);
    return (start > 0 ? "… " : "") + doc.lesson.text.slice(start, end) +
      (end < doc.text.length ? " …" : "");
  }
  function show(query) {
    out.textContent = "";
    var terms = norm(query).split(/\s+/).filter(function (t) { return t.length > 0; });
    if (terms.length === 0) { return; }
    var hits = docs.filter(function (doc) {
      return terms.every(function (t) { return doc.all.indexOf(t) >= 0; });
    });
    var count = document.createElement("p");
    count.className = "search-count";
    count.textContent = hits.length === 0 ?
      "「" + query.trim() + "」を含むレッスンは見つかりません。" :
      "「" + query.trim() + "」を含むレッスン: " + hits.length + " 件";
    out.appendChild(count);
    if (hits.length === 0) { return; }
    var list = document.createElement("ol");
    hits.forEach(function (doc) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = doc.lesson.name + ".html";
      link.textContent = doc.lesson.title;
      item.appendChild(link);
      var text = snippet(doc, terms[0]);
      if (text) {
        var span = document.createElement("span");
        span.className = "snippet";
        span.textContent = text;
        item.appendChild(span);
      }
      list.appendChild(item);
    });
    out.appendChild(list);
  }
  box.addEventListener("input", function () {
    show(box.value);
    if (window.history && history.replaceState) {
      history.replaceState(null, "", box.value ? "#q=" + encodeURIComponent(box.value) : "#");
    }
  });
  var match = /[#&?]q=([^&]*)/.exec(location.hash) || /[?&]q=([^&]*)/.exec(location.search);
  if (match) {
    box.value = decodeURIComponent(match[1].replace(/\+/g, " "));
    show(box.value);
  }
})();
"""


def _checks_table(entry: dict | None) -> str:
    if not entry or not entry.get("checks"):
        return "<p class='meta'>セルフチェックの記録はありません。</p>"
    rows = sorted(entry["checks"], key=lambda row: row["passed"])
    lines = ["<table><tr><th>metric</th><th>value</th><th>target</th><th>pass</th></tr>"]
    for row in rows:
        value = "missing" if row["value"] is None else f"{row['value']:.4g}"
        mark = "<span class='ok'>ok</span>" if row["passed"] else "<span class='miss'>MISS</span>"
        css = "" if row["passed"] else " class='miss'"
        lines.append(
            f"<tr{css}><td>{html.escape(row['name'])}</td><td class='num'>{value}</td>"
            f"<td>{html.escape(row['target'])}</td><td>{mark}</td></tr>"
        )
    lines.append("</table>")
    return "\n".join(lines)


def _run_line(entry: dict | None) -> str:
    if not entry:
        return "未実行"
    passed = sum(row["passed"] for row in entry.get("checks", []))
    return (
        f"profile {entry.get('profile')} · backend {entry.get('backend')} · "
        f"{entry.get('seconds', 0):.0f} s · self-check {passed}/{len(entry.get('checks', []))}"
    )


def _nav(names: list[str], i: int, where: str = "") -> str:
    prev = f'<a href="{names[i - 1]}.html">← {names[i - 1]}</a>' if i > 0 else "<span></span>"
    nxt = f'<a href="{names[i + 1]}.html">{names[i + 1]} →</a>' if i + 1 < len(names) else ""
    return f'<nav class="{where}">{prev}<a href="index.html">目次</a>{nxt or "<span></span>"}</nav>'


def lesson_page(nb, name: str, names: list[str], entry: dict | None) -> str:
    """One executed lesson as a page: navigation, the notebook, its self-check table."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="basic", exclude_input_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    i = names.index(name)
    content = "\n".join(
        [
            _nav(names, i),
            f"<p class='meta'>{html.escape(_run_line(entry))}</p>",
            body,
            "<h2>セルフチェックの結果</h2>",
            _checks_table(entry),
            _nav(names, i, "bottom"),
        ]
    )
    return _page(lesson_summary(nb)["title"], content, math=True)


def _joined(items: list[str]) -> str:
    return "<br>".join(html.escape(item) for item in items) or "-"


def index_page(summaries: dict[str, dict], report: dict) -> str:
    """The lesson map: number, title, content (formulas typeset), slides, references,
    prerequisites, seconds, self-check and run of each lesson, under a search box."""
    rows = [
        "<tr><th>#</th><th>レッスン</th><th>内容</th><th>スライド</th><th>文献</th><th>前提</th>"
        "<th>秒</th><th>セルフチェック</th><th>実行条件</th></tr>"
    ]
    for name, summary in summaries.items():
        entry = report.get(name)
        checks = entry.get("checks", []) if entry else []
        passed = sum(row["passed"] for row in checks)
        mark = "ok" if checks and passed == len(checks) else "miss"
        seconds = f"{entry['seconds']:.0f}" if entry else "-"
        run = f"{entry.get('profile')} / {entry.get('backend')}" if entry else "-"
        prerequisites = []
        for number in summary.get("prerequisites", []):
            page = next((n for n in summaries if n[:2] == number), None)
            text = html.escape(number)
            prerequisites.append(f"<a href='{page}.html'>{text}</a>" if page else text)
        rows.append(
            f"<tr><td>{name[:2]}</td><td><a href='{name}.html'>{html.escape(summary['title'])}"
            f"</a></td><td>{html.escape(summary['content'])}</td>"
            f"<td>{_joined(summary['slides'])}</td>"
            f"<td>{_joined(summary.get('references', []))}</td>"
            f"<td>{', '.join(prerequisites) or '-'}</td>"
            f"<td class='num'>{seconds}</td>"
            f"<td class='{mark}'>{passed}/{len(checks)}</td><td>{html.escape(run)}</td></tr>"
        )
    body = (
        "<h1>Keras 深層学習コース</h1>\n<p>ニューラルネットワークの基礎から自己符号化器、CNN、"
        "RNN、注意機構、Transformer まで。各レッスンは自分の主張を計算で確かめ、最後の"
        "セルフチェックで目標と照合します。</p>\n<p><a href='report.html'>セルフチェックの一覧"
        "</a></p>\n<form class='search' role='search' onsubmit='return false'>"
        "<label for='search'>レッスンを検索 (日本語・English): </label>"
        "<input id='search' type='search' placeholder='例: 白色化, dropout' autocomplete='off'>"
        "</form>\n<div id='search-results' aria-live='polite'></div>\n<table>"
        + "\n".join(rows)
        + "</table>\n<script src='search-index.js'></script>\n<script src='search.js'></script>"
    )
    return _page("Keras 深層学習コース", body, math=True)


def report_page(report: dict) -> str:
    """build/report.json as tables grouped by lesson, lessons with failures first."""
    order = sorted(report, key=lambda n: (all(r["passed"] for r in report[n]["checks"]), n))
    parts = ["<nav><a href='index.html'>目次</a></nav>", "<h1>セルフチェックの一覧</h1>"]
    for name in order:
        entry = report[name]
        parts.append(f"<h2 id='{name}'><a href='{name}.html'>{html.escape(name)}</a></h2>")
        parts.append(f"<p class='meta'>{html.escape(_run_line(entry))}</p>")
        if entry.get("error"):
            parts.append(f"<p class='miss'>{html.escape(entry['error'])}</p>")
        parts.append(_checks_table(entry))
    return _page("セルフチェックの一覧", "\n".join(parts))


def stale_lessons(build: Path | None = None) -> list[str]:
    """Lessons whose executed copy is missing or older than the lesson notebook."""
    executed = (build or build_dir()) / "executed"
    stale = []
    for path in lesson_notebooks():
        done = executed / path.name
        if not done.is_file() or done.stat().st_mtime < path.stat().st_mtime:
            stale.append(path.stem)
    return stale


def build_site(build: Path | None = None, out: Path | None = None) -> Path:
    """Write the site from `<build>/executed/*.ipynb` and `<build>/report.json` into
    `<build>/site/` (or `out`); returns the index page's path."""
    build = Path(build or build_dir())
    out = Path(out or build / "site")
    executed = lesson_notebooks(build / "executed")
    if not executed:
        raise FileNotFoundError(f"no executed lessons in {build / 'executed'}: run `make run`")
    report_path = build / "report.json"
    report = json.loads(report_path.read_text(encoding="utf-8")) if report_path.is_file() else {}
    out.mkdir(parents=True, exist_ok=True)
    mathjax = out / "mathjax"
    if not (mathjax / "MathJax.js").is_file():
        shutil.copytree(_mathjax_source(), mathjax, dirs_exist_ok=True)
    atomic_write_text(out / "site.css", CSS)
    notebooks = {p.stem: nbformat.read(p, as_version=4) for p in executed}
    names = list(notebooks)
    for name, nb in notebooks.items():
        atomic_write_text(out / f"{name}.html", lesson_page(nb, name, names, report.get(name)))
    summaries = {name: lesson_summary(nb, name) for name, nb in notebooks.items()}
    atomic_write_text(out / "search-index.js", search_index(notebooks, summaries))
    atomic_write_text(out / "search.js", SEARCH_JS)
    atomic_write_text(
        out / "report.html", report_page({k: report[k] for k in names if k in report})
    )
    atomic_write_text(out / "index.html", index_page(summaries, report))
    return out / "index.html"
