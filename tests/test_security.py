"""Untrusted briefs: nothing outside the project is read, nothing is fetched from the network,
no code runs and no markup is injected. Each test asserts the refusal and what was (not) made."""

from __future__ import annotations

import os
import re
import socket
import threading
import zipfile

import pytest
from readers import docx_text, html_tree, pdf_text

from briefkit.core.diagnostics import BriefInvalid
from briefkit.builder.batch import build_brief
from briefkit.builder.pipeline import prepare

PNG = bytes.fromhex(  # a 1x1 PNG (a whole one: images are decoded in full when read)
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f00050001ff89993d1d0000000049454e44ae426082")


def errors_of(path, **kwargs):
    with pytest.raises(BriefInvalid) as caught:
        build_brief(path, path.parent / "out", **kwargs)
    return [str(d) for d in caught.value.diagnostics.errors]


@pytest.fixture
def project(tmp_path):
    """A project folder (with .git, so the project root is known) and a secret beside it."""
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    (root / "briefs").mkdir()
    (tmp_path / "secret.txt").write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    (tmp_path / "secret.png").write_bytes(PNG)
    return root


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


BASE = "title: T\ndate: 2024-01-02\n"


def test_image_outside_the_project_is_refused_with_its_location(project):
    path = write(project / "briefs" / "b.yaml", BASE + "sections:\n  - title: S\n    body: |\n"
                 "      ![chart](../../secret.png)\n")
    errors = errors_of(path)
    assert len(errors) == 1
    assert "b.yaml:6:16: error: sections[0].body: the image cannot be used: '../../secret.png' resolves to" in errors[0]
    assert "outside the project" in errors[0]
    assert not (path.parent / "out").exists()


def test_file_url_and_absolute_path_are_refused(project):
    path = write(project / "briefs" / "b.yaml", BASE + "publisher:\n  logo: file:///etc/passwd\n"
                 "bibliography: /etc/passwd\n")
    errors = errors_of(path)
    assert any("b.yaml:4:9" in e and "the logo cannot be used: 'file:///etc/passwd' is a URL" in e for e in errors)
    assert any("b.yaml:5:15" in e and "'/etc/passwd' resolves to /etc/passwd, outside the project" in e
               for e in errors)


def test_symlink_pointing_out_of_the_project_is_refused(project, tmp_path):
    os.symlink(tmp_path / "secret.png", project / "briefs" / "logo.png")
    path = write(project / "briefs" / "b.yaml", BASE + "publisher:\n  logo: logo.png\n")
    errors = errors_of(path)
    assert "the logo cannot be used: 'logo.png' resolves to" in errors[0] and "outside the project" in errors[0]


HEAD = '{% extends "base/document.html" %}{% block head %}HEAD{% endblock %}\n'


def test_css_import_of_a_local_file_is_refused(project):
    write(project / "house" / "document.html",
          HEAD.replace("HEAD", "<style>@import url(file:///etc/passwd);</style>"))
    path = write(project / "briefs" / "b.yaml", BASE + "output:\n  html_template: ../house\n"
                 "  formats: [pdf]\n")
    errors = errors_of(path)
    assert any("file:///etc/passwd" in e and "refuses to read" in e for e in errors)
    assert not (path.parent / "out").exists()


def test_link_attachment_in_a_user_template_is_refused_and_not_embedded(project, tmp_path):
    write(project / "house" / "document.html", HEAD.replace(
        "HEAD", f'<link rel="attachment" href="file://{tmp_path}/secret.txt">'))
    path = write(project / "briefs" / "b.yaml", BASE + "output:\n  html_template: ../house\n"
                 "  formats: [pdf]\n")
    errors = errors_of(path)
    assert any("secret.txt" in e and "refuses to read" in e for e in errors)
    assert not (path.parent / "out").exists()


def test_jinja_sandbox_refuses_python_internals(project):
    write(project / "house" / "parts" / "colophon.html",
          "{{ doc.__class__.__init__.__globals__ }}\n")
    path = write(project / "briefs" / "b.yaml", BASE + "output:\n  html_template: ../house\n"
                 "  formats: [html]\n")
    errors = errors_of(path)
    assert any("colophon.html" in e for e in errors)


def test_yaml_tags_never_build_objects(project, tmp_path):
    marker = tmp_path / "ran"
    path = write(project / "briefs" / "b.yaml",
                 f"title: !!python/object/apply:os.system ['touch {marker}']\ndate: 2024-01-02\n")
    with pytest.raises(BriefInvalid) as caught:
        prepare(path)
    assert "the YAML tag '!!python/object/apply:os.system' is not allowed" in str(caught.value)
    assert not marker.exists()


def test_markup_in_brief_text_stays_text_in_every_format(project):
    """Plain-text fields print markup as text; raw HTML in Markdown is read as Pandoc reads it
    and left out of every format (as Pandoc's Word writer leaves it out), with a warning."""
    path = write(project / "briefs" / "b.yaml",
                 'title: "<script>alert(1)</script>"\ndate: 2024-01-02\nsections:\n'
                 '  - title: "<i>x</i>"\n    body: |\n      <b onclick=x()>raw</b> and '
                 '`<code>` ^[<img src=x onerror=y()> <script>alert(2)</script>]\n')
    result = build_brief(path, project / "out")
    by_suffix = {p.suffix: p for p in result.outputs}
    tree = html_tree(by_suffix[".html"])
    assert not tree.xpath("//script|//b|//i|//img[@onerror]|//*[@onclick]")
    assert tree.xpath("//h1")[0].text_content() == "<script>alert(1)</script>"
    assert "<script>alert(1)</script>" in pdf_text(by_suffix[".pdf"])
    text = docx_text(by_suffix[".docx"])  # the title stands on the cover, a shaded table
    assert "<script>alert(1)</script>" in text and "raw and <code>" in text
    assert "onclick" not in text and "<b" not in text
    with zipfile.ZipFile(by_suffix[".docx"]) as archive:
        assert "onerror" not in archive.read("word/endnotes.xml").decode()
    warned = [str(w) for w in result.warnings]
    assert any("b.yaml:6:7: warning: sections[0].body: the raw HTML '<b onclick=x()>' is left "
               "out of every format" in w for w in warned), warned


class Listener:
    """A local port that records every connection made to it."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.accept, daemon=True)
        self.thread.start()

    def accept(self):
        while not self.stop.is_set():
            try:
                connection, _ = self.socket.accept()
                self.connections += 1
                connection.close()
            except OSError:
                pass

    def close(self):
        self.stop.set()
        self.thread.join()
        self.socket.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def test_no_connection_is_attempted_for_remote_urls(project, listener):
    url = f"http://127.0.0.1:{listener.port}"
    write(project / "house" / "document.html", HEAD.replace(
        "HEAD", f'<link rel="stylesheet" href="{url}/remote.css"><style>@import url({url}/i.css);</style>'))
    path = write(project / "briefs" / "b.yaml", BASE + f"""
publisher:
  logo: {url}/logo.png
bibliography: {url}/refs.bib
citation_style: {url}/style.csl
links:
  full_report: {{label: Full report, url: "{url}/report.pdf"}}
sections:
  - title: S
    body: |
      A [link]({url}/page) and an image ![chart]({url}/chart.png).
""")
    errors = errors_of(path)
    assert any("logo" in e and "is a URL" in e for e in errors)
    assert any("bibliography" in e and "is a URL" in e for e in errors)
    assert any("chart.png' is a URL" in e for e in errors)
    # Text links alone are fine and are written out, never fetched; a remote @import is refused.
    text_only = write(project / "briefs" / "c.yaml", BASE + f"""
output: {{html_template: ../house}}
sections:
  - title: S
    body: A [link]({url}/page).
""")
    errors = errors_of(text_only)
    assert any("remote.css" in e and "refuses to read" in e for e in errors)
    assert listener.connections == 0


def test_allow_network_fetches_remote_images(project):
    import http.server

    folder = project / "served"
    folder.mkdir()
    (folder / "chart.png").write_bytes(PNG)
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(folder), **k)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/chart.png"
        path = write(project / "briefs" / "b.yaml", BASE + f"""
sections:
  - title: S
    body: |
      ![A chart]({url})
""")
        with pytest.raises(BriefInvalid):
            build_brief(path, project / "out")
        out = build_brief(path, project / "out", allow_network=True).outputs
        html = next(p for p in out if p.suffix == ".html")
        assert html_tree(html).xpath("//figure/img[@alt='A chart']/@src")[0].startswith("data:image/png")
    finally:
        server.shutdown()


@pytest.mark.parametrize("template,expected", [
    ("{% if doc.title %}unclosed\n", "template syntax error"),
    ("<p>{{ doc.no_such_field }}</p>\n", "template error"),
], ids=["syntax-error", "undefined-name"])
def test_house_template_mistakes_are_located_in_the_template(project, template, expected):
    write(project / "house" / "parts" / "colophon.html", "<p>ok</p>\n" + template)
    path = write(project / "briefs" / "b.yaml", BASE + "output:\n  html_template: ../house\n"
                 "  formats: [html]\n")
    errors = errors_of(path)
    assert len(errors) == 1
    assert "colophon.html:" in errors[0] and expected in errors[0]
    if "no_such_field" in template:
        assert "no_such_field" in errors[0]


# ---- house templates see plain data only ------------------------------------------------------

def _house_brief(project, template, *, formats="[html]", extra=""):
    write(project / "house" / "parts" / "colophon.html", template)
    (project / "briefs" / "logo.png").write_bytes(PNG)
    return write(project / "briefs" / "b.yaml", BASE + "publisher:\n  logo: logo.png\n"
                 f"output:\n  html_template: ../house\n  formats: {formats}\n" + extra)


@pytest.mark.parametrize("expression", [
    "doc.publisher.logo.parent.joinpath('../../secret.txt').read_text()",
    "doc.publisher.logo.parent.joinpath('../../written.txt').write_text('PWNED')",
    "doc.publisher.logo.parent.joinpath('../../secret.txt').unlink()",
    "doc.sections[0].body.path",
    "doc.publisher.update({'name': 'x'})",
    "doc.authors.append(1)",
], ids=["read", "write", "unlink", "figure-path", "dict-method", "list-method"])
def test_a_house_template_cannot_reach_the_file_system(project, tmp_path, expression):
    path = _house_brief(project, "<p>x</p>\n{{ " + expression + " }}\n",
                        extra="authors: [A]\nsections:\n  - title: S\n    body: B\n")
    errors = errors_of(path)
    assert len(errors) == 1 and "colophon.html:2:1: error: template error" in errors[0], errors
    assert (tmp_path / "secret.txt").read_text() == "TOP-SECRET-CONTENT"
    assert not (tmp_path / "written.txt").exists() and not (project / "written.txt").exists()


def test_the_template_context_holds_plain_data_only(project):
    from markupsafe import Markup

    from briefkit.render.html.page import environment
    from briefkit.render.html.template_data import plain_document

    (project / "briefs" / "chart.png").write_bytes(PNG)
    (project / "briefs" / "logo.png").write_bytes(PNG)
    path = write(project / "briefs" / "b.yaml", BASE + """publisher: {name: P, logo: logo.png}
authors: [{name: A, bio: "Bio ^[a note]"}]
findings: [{text: "F ![a chart](chart.png)"}]
related: [{title: R, url: "https://x.org", date: 2024-01-01}]
sections:
  - title: S
    body: "Text ^[note] and ![a chart](chart.png)"
    sections: [{title: T, body: U}]
""")
    prepared = prepare(path)
    data = plain_document(prepared.document, environment(prepared, "screen").writer, prepared.roots)
    seen = []

    def walk(value):
        seen.append(type(value))
        assert type(value) in (str, Markup, int, float, bool, type(None), list, dict), type(value)
        for child in (value.values() if isinstance(value, dict) else
                      value if isinstance(value, list) else ()):
            walk(child)

    walk(data)
    assert data["publisher"]["logo"].startswith("data:image/png;base64,")
    assert data["date"] == "2024-01-02" and data["related"][0]["date"] == "2024-01-01"
    assert "<img src=\"data:image/png" in data["sections"][0]["body"]
    assert data["notes"][0]["number"] == 1 and Markup in seen


def test_data_uri_filter_is_gone(project):
    path = _house_brief(project, '<p>x</p>\n{{ "/etc/passwd" | data_uri }}\n')
    errors = errors_of(path)
    assert len(errors) == 1 and "colophon.html:2:1: error: template syntax error" in errors[0]
    assert "data_uri" in errors[0]


@pytest.mark.parametrize("template,expected", [
    ("{{ 1/0 }}\n", "colophon.html:2:1: error: template error: ZeroDivisionError"),
    ("{{ doc.title.nope.deeper }}\n", "colophon.html:2:1: error: template error"),
    ("{{ doc.authors[5].name }}\n", "colophon.html:2:1: error: template error"),
    ("{{ 'x' * 'y' }}\n", "colophon.html:2:1: error: template error: TypeError"),
], ids=["division", "undefined-attribute", "index", "type"])
def test_runtime_errors_in_a_house_template_are_located(project, template, expected):
    errors = errors_of(_house_brief(project, "<p>ok</p>\n" + template))
    assert len(errors) == 1 and expected in errors[0], errors


# ---- one confinement gate ---------------------------------------------------------------------

@pytest.mark.parametrize("linked", ["parts/colophon.html", "style.css"])
def test_a_template_file_linked_out_of_the_project_is_refused(project, tmp_path, linked):
    write(project / "house" / "document.html", HEAD.replace("HEAD", ""))
    (project / "house" / linked).parent.mkdir(parents=True, exist_ok=True)
    os.symlink(tmp_path / "secret.txt", project / "house" / linked)
    path = write(project / "briefs" / "b.yaml", BASE + "output:\n  html_template: ../house\n")
    errors = errors_of(path)
    assert len(errors) == 1, errors
    assert linked.split("/")[-1] in errors[0] and "outside the project" in errors[0]
    assert not (path.parent / "out").exists()


def test_a_layout_folder_linked_out_of_the_project_is_refused(project, tmp_path):
    outside = tmp_path / "outside-layout"
    write(outside / "layout.yaml", "extends: report\n")
    (outside / "css").mkdir()
    os.symlink(tmp_path / "secret.txt", outside / "css" / "zz.css")
    (project / "templates").mkdir()
    (project / "templates" / "house").symlink_to(outside)
    path = write(project / "briefs" / "b.yaml", BASE + "layout: house\n")
    errors = errors_of(path)
    assert any("outside the project" in e for e in errors), errors
    assert not (path.parent / "out").exists()


SVG = """<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
 width="10" height="10"><image xlink:href="{href}" width="10" height="10"/></svg>"""


@pytest.mark.parametrize("href", ["file://{host}/{secret}", "http://{host}/x.png",
                                  "{secret}", "../../secret.png"])
def test_a_hostile_svg_figure_is_refused_where_the_brief_shows_it(project, tmp_path, listener,
                                                                  href):
    host = f"127.0.0.1:{listener.port}"
    href = href.format(host=host, secret=tmp_path / "secret.png")
    write(project / "briefs" / "chart.svg", SVG.format(href=href))
    path = write(project / "briefs" / "b.yaml", BASE + "sections:\n  - title: S\n    body: |\n"
                 "      See ![a chart](chart.svg).\n")
    errors = errors_of(path)
    assert len(errors) == 1 and "b.yaml:6:22: error: sections[0].body: image 'chart.svg'" in \
        errors[0] and "refers to" in errors[0], errors
    assert listener.connections == 0


@pytest.fixture
def lookups(monkeypatch):
    """Every host name anything in this process asks the resolver about."""
    asked = []
    real_gethostbyname, real_getaddrinfo = socket.gethostbyname, socket.getaddrinfo

    def gethostbyname(host):
        asked.append(host)
        return real_gethostbyname(host)

    def getaddrinfo(host, *args, **kwargs):
        asked.append(host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "gethostbyname", gethostbyname)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


@pytest.mark.parametrize("url", ["file://evil.invalid/{inside}", "file://localhost/{inside}",
                                 "file:///{secret}", "ftp://127.0.0.1:{port}/x",
                                 "http://127.0.0.1:{port}/x", "//127.0.0.1:{port}/x"])
def test_the_pdf_engine_fetches_nothing_outside_the_gate(project, tmp_path, listener, lookups,
                                                         url):
    inside = write(project / "briefs" / "inside.txt", "INSIDE")
    url = url.format(secret=(tmp_path / "secret.txt").as_posix().lstrip("/"), port=listener.port,
                     inside=inside.as_posix().lstrip("/"))
    write(project / "house" / "document.html", HEAD.replace(
        "HEAD", f'<link rel="attachment" href="{url}"><img src="{url}" alt="">'))
    path = write(project / "briefs" / "b.yaml", BASE + "output:\n  html_template: ../house\n"
                 "  formats: [pdf]\n")
    errors = errors_of(path)
    assert any("refuses to read" in e for e in errors), errors
    assert listener.connections == 0
    assert "evil.invalid" not in lookups and "localhost" not in lookups


def test_a_hostile_bib_is_read_as_text_and_fetches_nothing(project, listener):
    url = f"http://127.0.0.1:{listener.port}"
    write(project / "briefs" / "refs.bib", f"""@article{{a,
  author = {{Doe, Jane}}, title = {{A paper}}, journal = {{J}}, year = {{2020}},
  url = {{{url}/paper}}, file = {{/etc/passwd}}
}}
""")
    # (html and pdf: a link in a Word note is another developer's fix in progress)
    path = write(project / "briefs" / "b.yaml", BASE + "bibliography: refs.bib\n"
                 "output: {formats: [html, pdf]}\n"
                 "sections:\n  - title: S\n    body: A claim [@a].\n")
    out = {p.suffix: p for p in build_brief(path, project / "out").outputs}
    assert f"{url}/paper" in html_tree(out[".html"]).text_content()
    assert "root:" not in pdf_text(out[".pdf"])
    assert listener.connections == 0


# ---- links that survive -----------------------------------------------------------------------

def test_only_web_mail_and_in_page_links_survive_in_every_format(project):
    path = write(project / "briefs" / "b.yaml", BASE + """layout: commentary
links:
  full_report: {label: Full text, url: "//evil.example/full"}
related: [{title: Rel, url: "javascript:alert(1)"}]
sections:
  - title: S
    id: s
    body: |
      [web](https://ok.example/a) [mail](mailto:a@b.org) [here](#s) [proto](//evil.example/x)
      [js](javascript:alert(1)) [rel](other.html) [file](file:///etc/passwd) [data](data:text/html,x)
""")
    out = {p.suffix: p for p in build_brief(path, project / "out").outputs}
    tree = html_tree(out[".html"])
    hrefs = set(tree.xpath("//main//a/@href | //body//a[not(ancestor::nav)]/@href"))
    assert {"https://ok.example/a", "mailto:a@b.org", "#s"} <= hrefs
    assert not [h for h in hrefs if not h.startswith(("https://", "mailto:", "#"))], hrefs
    text = tree.text_content()
    for word in ("proto", "js", "rel", "file", "data", "Full text", "Rel"):
        assert word in text
    with zipfile.ZipFile(out[".docx"]) as archive:
        rels = archive.read("word/_rels/document.xml.rels").decode()
    assert "ok.example" in rels and "mailto:a@b.org" in rels
    for bad in ("evil.example", "javascript", "other.html", "file:", "data:"):
        assert bad not in rels, bad
    from pypdf import PdfReader

    uris = [a.get_object()["/A"].get("/URI") for page in PdfReader(out[".pdf"]).pages
            for a in page.get("/Annots") or [] if "/A" in a.get_object()]
    assert "https://ok.example/a" in uris
    assert not [u for u in uris if u and not str(u).startswith(("https://", "mailto:"))], uris


# ---- budgets: images --------------------------------------------------------------------------

def _png(size, mode="1"):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, "PNG")
    return buffer.getvalue()


FIGURE = BASE + "sections:\n  - title: S\n    body: |\n      Text.\n\n      ![A chart](chart.png)\n"


def test_a_decompression_bomb_is_refused_by_the_pixel_budget(project):
    from briefkit.core.images import MAX_PIXELS

    bomb = _png((12000, 12000))
    assert len(bomb) < 100_000  # a few KB that would decode to 144 megapixels
    (project / "briefs" / "chart.png").write_bytes(bomb)
    path = write(project / "briefs" / "b.yaml", FIGURE)
    errors = errors_of(path)
    assert len(errors) == 1 and "b.yaml:8:18: error: sections[0].body: image 'chart.png' is " \
        "12000 x 12000" in errors[0] and f"image budget is {MAX_PIXELS:,} pixels" in errors[0]
    assert not (project / "out").exists()


def test_a_truncated_png_is_a_located_error_in_every_format(project):
    whole = _png((300, 300), "RGB")
    (project / "briefs" / "chart.png").write_bytes(whole[: len(whole) // 2])
    path = write(project / "briefs" / "b.yaml", FIGURE)
    errors = errors_of(path)
    assert len(errors) == 1 and "b.yaml:8:18: error: sections[0].body: image 'chart.png' is " \
        "damaged or incomplete" in errors[0], errors


def test_an_image_the_pdf_engine_refuses_is_located_at_the_figure(project, monkeypatch):
    # The reader's check stands in front of this; the PDF side must still never leave a gap.
    monkeypatch.setattr("briefkit.prose.pandoc_ast.check_image", lambda path, data: None)
    (project / "briefs" / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    path = write(project / "briefs" / "b.yaml", FIGURE)
    for formats, expected in ((["pdf"], "the PDF engine cannot draw the image 'chart.png'"),
                              (["docx"], "not an image briefkit can place in Word")):
        errors = errors_of(path, formats=formats)
        assert any(f"b.yaml:8:18: error: {expected}" in e for e in errors), errors


# ---- a broken project layout ------------------------------------------------------------------

@pytest.mark.parametrize("spec,where,words", [
    ("extends: report\nparts: [title_page\n", "layout.yaml:2:", ["not valid YAML"]),
    ("- just a list\n", "layout.yaml", ["expected a mapping"]),
    ("extends: report\nparts: [title_page, no_such_part]\n", "layout.yaml", ["unknown parts",
                                                                            "no_such_part"]),
    ("extends: nowhere\n", "layout.yaml", ["'nowhere' not found"]),
    ("extends: report\nparts: !!python/name:os.system\n", "layout.yaml:2:", ["not valid YAML"]),
], ids=["syntax", "not-a-mapping", "unknown-part", "missing-base", "python-tag"])
def test_a_broken_project_layout_fails_only_the_briefs_that_use_it(project, spec, where, words):
    write(project / "templates" / "house" / "layout.yaml", spec)
    other = write(project / "briefs" / "other.yaml", BASE)
    out = build_brief(other, project / "out", formats=["html"]).outputs
    assert [p.name for p in out] == ["other.html"]
    user = write(project / "briefs" / "user.yaml", BASE + "layout: house\n")
    errors = errors_of(user, formats=["html"])
    assert len(errors) == 1, errors
    assert f"templates/house/{where}" in errors[0] and "layout 'house'" in errors[0], errors
    for word in words:
        assert word in errors[0], errors


def test_the_readme_lists_each_budget_with_its_value():
    """Every budget constant is a row of the README's table, named by its module
    (`core.images.MAX_PIXELS`) and showing the value the code holds."""
    import importlib
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Untrusted briefs") :]
    section = section[: section.index("\n## ", 5)]
    mib = lambda n: f"{n // 1048576} MiB"  # noqa: E731
    budgets = [
        ("load.source", "MAX_FILE_BYTES", mib),
        ("load.source", "MAX_VALUES", "{:,}".format),
        ("load.source", "MAX_DEPTH", "{} levels".format),
        ("load.source", "MAX_STRING", mib),
        ("core.images", "MAX_PIXELS", "{:,} pixels".format),
        ("core.images", "MAX_SVG_BYTES", mib),
        ("core.images", "MAX_SVG_ELEMENTS", "{:,}".format),
        ("core.images", "MAX_SVG_DRAWN", "{:,}".format),
        ("core.images", "MAX_SVG_DEPTH", "{} levels".format),
        ("core.paths", "MAX_DOWNLOAD", mib),
        ("render.html.budget", "MAX_OPERATIONS", "{:,}".format),
        ("render.html.budget", "MAX_SECONDS", lambda n: f"{n:.0f} s"),
        ("render.html.budget", "MAX_TEXT", "{:,}".format),
        ("render.html.budget", "MAX_ITEMS", "{:,}".format),
        ("render.html.budget", "MAX_WIDTH", "{:,}".format),
        ("render.html.budget", "MAX_NUMBER_BITS", "{} bits".format),
        ("ooxml.package", "MAX_TEMPLATE_BYTES", lambda n: f"{n // 1048576} MB"),
        ("word.draft", "MAX_UNCOMPRESSED", mib),
        ("word.draft", "MAX_XML_PART", mib),
        ("word.draft", "MAX_ELEMENTS", "{:,}".format),
        ("word.draft", "MAX_PARAGRAPHS", "{:,}".format),
        ("word.draft", "MAX_TEXT", "{:,}".format),
        ("word.draft", "MAX_NESTING", "{} levels".format),
        ("prose.csl_styles", "MAX_STYLE_BYTES", mib),
        ("core.run", "ENGINE_SECONDS", lambda n: f"{n:.0f} s"),
        ("render.html.budget", "MAX_LIPSUM", "{:,}".format),
        ("ooxml.package", "MAX_TEMPLATE_PARTS", "{:,}".format),
        ("prose.bibtex_scan", "MAX_VALUE_CHARS", "{:,} characters".format),
        ("prose.bibtex_scan", "MAX_TOTAL_CHARS", "{:,} characters".format),
        ("prose.library", "MAX_INHERITANCE", "{}".format),
        ("prose.read", "MAX_NESTING", "{} levels".format),
        ("builder.revisions", "GIT_TIMEOUT", lambda n: f"{n:.0f} s"),
    ]
    # Every MAX_ constant of the code is a budget in the table, or one of these (not a budget
    # on untrusted input): a budget added without its row fails here.
    not_budgets = {
        "prose.citations.MAX_UNCITED_LISTED": "how many uncited ids one warning names",
        "validate.check.MAX_SECTION_DEPTH": "a rule of the brief format, reported as such",
        "builder.outputs.MAX_NAME_BYTES": "an output name's length, reported as a name rule",
        "word.redline_diff.MAX_CHAIN": "a tuning of the word diff's anchors (time: the "
        "redline test in test_budgets.py)",
    }
    source = Path(__file__).resolve().parents[1] / "src" / "briefkit"
    found = {
        ".".join(path.relative_to(source).with_suffix("").parts) + "." + name
        for path in source.rglob("*.py")
        for name in re.findall(r"^(MAX_[A-Z_]+)\b[^=\n]*=", path.read_text(), re.M)
    }
    listed = {f"{module}.{name}" for module, name, _ in budgets}
    assert found - listed - set(not_budgets) == set(), "budgets without a README row"
    for module_name, name, shown in budgets:
        value = getattr(importlib.import_module(f"briefkit.{module_name}"), name)
        where = f"`{module_name}.{name}`"
        row = next((line for line in section.splitlines() if where in line), None)
        assert row is not None, f"no README row names {where}"
        assert f"| {shown(value)}" in row, (name, shown(value), row)


@pytest.mark.parametrize("linked", ["design.yaml", "word/styles.yaml"])
def test_a_layout_data_file_linked_out_of_the_project_is_refused(project, tmp_path, linked):
    write(tmp_path / "outside.yaml", "colors: {primary: '#000000'}\n")
    write(project / "templates" / "house" / "layout.yaml", "extends: report\n")
    (project / "templates" / "house" / linked).parent.mkdir(parents=True, exist_ok=True)
    os.symlink(tmp_path / "outside.yaml", project / "templates" / "house" / linked)
    path = write(project / "briefs" / "b.yaml", BASE + "layout: house\n")
    errors = errors_of(path)
    assert any(linked.split("/")[-1] in e and "outside the project" in e for e in errors), errors
    assert not (project / "out").exists()
