"""Untrusted briefs: nothing outside the project is read, nothing is fetched from the network,
no code runs and no markup is injected. Each test asserts the refusal and what was (not) made."""

from __future__ import annotations

import os
import socket
import threading
import zipfile

import pytest
from readers import docx_text, html_tree, pdf_text

from briefkit.diagnostics import BriefInvalid
from briefkit.pipeline import build_brief, prepare

PNG = bytes.fromhex(  # a 1x1 PNG
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5f5a1d60000000049454e44ae426082")


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
    path = write(project / "briefs" / "b.yaml",
                 'title: "<script>alert(1)</script>"\ndate: 2024-01-02\nsections:\n'
                 '  - title: "<i>x</i>"\n    body: |\n      <b onclick=x()>raw</b> and '
                 '`<code>` ^[<img src=x onerror=y()>]\n')
    out = build_brief(path, project / "out").outputs
    by_suffix = {p.suffix: p for p in out}
    tree = html_tree(by_suffix[".html"])
    assert not tree.xpath("//script|//b|//i|//img[@onerror]|//*[@onclick]")
    assert tree.xpath("//h1")[0].text_content() == "<script>alert(1)</script>"
    assert "<script>alert(1)</script>" in pdf_text(by_suffix[".pdf"])
    text = docx_text(by_suffix[".docx"])  # the title stands on the cover, a shaded table
    assert "<script>alert(1)</script>" in text and "<b onclick=x()>raw</b>" in text
    with zipfile.ZipFile(by_suffix[".docx"]) as archive:
        assert "&lt;img src=x onerror=y()&gt;" in archive.read("word/endnotes.xml").decode()


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
