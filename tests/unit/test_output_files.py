"""Outputs and stamps, without a build: where a new file goes when an editor changed the old
one, how a brief's files replace the old set together, and the fingerprint that tells
briefkit's own files from edited ones (written, read back, broken by any edit)."""

from __future__ import annotations

import errno
import io
import os
import zipfile
from pathlib import Path

import pytest

from briefkit.builder import outputs
from briefkit.builder.outputs import (
    Claim,
    NamesRefused,
    OutputError,
    OutputLock,
    check_names,
    choose_target,
    commit,
    describe,
    stage,
)
from briefkit.core.write import PART_SUFFIX, TEMPORARY_MARK, write_atomic
from briefkit.render.stamp import (
    CUSTOM_XML,
    PLACEHOLDER,
    PREFIX,
    NotStampable,
    fingerprint_of,
    is_own,
    stamp,
)

HTML = b"<!doctype html><html><head><title>T</title></head><body><p>Text</p></body></html>"
CUSTOM = (
    b'<?xml version="1.0"?><Properties><property name="briefkit.fingerprint"><lpwstr>'
    + PLACEHOLDER.encode()
    + b"</lpwstr></property></Properties>"
)
MEMBERS = [("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w:document/>"),
           (CUSTOM_XML, CUSTOM)]


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(PART_SUFFIX))


# ---- stamps -------------------------------------------------------------------------------------


def test_a_stamped_html_page_carries_the_fingerprint_of_its_own_content():
    sealed = stamp("html", HTML)
    assert sealed.count(b'<meta name="briefkit-fingerprint"') == 1
    assert sealed.index(b"<meta") == sealed.index(b"<head>") + len(b"<head>")
    digest = fingerprint_of(sealed, "html")
    assert digest is not None and PREFIX.encode() + digest.encode() in sealed
    assert stamp("html", HTML) == sealed  # same input, same bytes


def test_any_edit_breaks_the_fingerprint_and_a_file_without_one_is_never_ours():
    sealed = stamp("html", HTML)
    assert fingerprint_of(sealed.replace(b"Text", b"Test"), "html") is None
    assert fingerprint_of(HTML, "html") is None
    forged = sealed.replace(fingerprint_of(sealed, "html").encode(), b"1" * 64)
    assert fingerprint_of(forged, "html") is None


def test_a_page_without_head_gets_its_fingerprint_after_the_doctype():
    sealed = stamp("html", b"<!DOCTYPE html><p>House template</p>")
    assert sealed.startswith(b"<!DOCTYPE html><meta name=")
    assert fingerprint_of(sealed, "html")


def test_a_pdf_is_stamped_in_the_placeholder_its_writer_reserved():
    pdf = b"%PDF-1.7\n1 0 obj <</BriefkitFingerprint (" + PLACEHOLDER.encode() + b")>>\n%%EOF"
    sealed = stamp("pdf", pdf)
    assert len(sealed) == len(pdf) and fingerprint_of(sealed, "pdf")
    with pytest.raises(NotStampable):
        stamp("pdf", b"%PDF-1.7\n%%EOF")


def test_a_docx_fingerprint_breaks_on_a_rezip_and_on_any_changed_part():
    sealed = stamp("docx", MEMBERS)
    digest = fingerprint_of(sealed, "docx")
    assert digest is not None
    with zipfile.ZipFile(io.BytesIO(sealed)) as archive:
        # custom.xml, which holds the fingerprint, last (the DOCX seal's order)
        assert [i.filename for i in archive.infolist()] == sorted(
            (name for name, _ in MEMBERS), key=lambda name: name == "docProps/custom.xml")
        members = [(info, archive.read(info)) for info in archive.infolist()]
    # Re-zipped as an editor's tool would (other dates, other compression), no part changed:
    # an edit all the same (issue 23: the zip details count), so the file is kept.
    rezipped = io.BytesIO()
    with zipfile.ZipFile(rezipped, "w", zipfile.ZIP_STORED) as archive:
        for info, data in members:
            archive.writestr(zipfile.ZipInfo(info.filename, (2024, 5, 6, 7, 8, 10)), data)
    assert fingerprint_of(rezipped.getvalue(), "docx") is None
    # A part changed: not ours.
    edited = io.BytesIO()
    with zipfile.ZipFile(edited, "w") as archive:
        for info, data in members:
            archive.writestr(info.filename, data.replace(b"<w:document/>", b"<w:document> </w:document>"))
    assert fingerprint_of(edited.getvalue(), "docx") is None
    assert fingerprint_of(b"not a zip", "docx") is None


def test_a_docx_without_the_fingerprint_property_cannot_be_stamped():
    with pytest.raises(NotStampable):
        stamp("docx", MEMBERS[:2])


def test_is_own_reads_the_file_by_its_extension(tmp_path):
    page = tmp_path / "brief.html"
    page.write_bytes(stamp("html", HTML))
    assert is_own(page)
    page.write_bytes(page.read_bytes() + b"\n")
    assert not is_own(page)
    assert not is_own(tmp_path / "missing.html")


# ---- where a new file goes ----------------------------------------------------------------------


def test_a_file_briefkit_wrote_is_replaced_and_an_edited_one_is_kept(tmp_path):
    target = tmp_path / "brief.html"
    assert choose_target(target, False) == (target, [])  # nothing there
    target.write_bytes(stamp("html", HTML))
    assert choose_target(target, False) == (target, [])  # ours
    target.write_bytes(b"<p>edited</p>")
    assert choose_target(target, False) == (tmp_path / "brief.new.html", [target])
    assert choose_target(target, True) == (target, [])  # --force


def test_edited_new_files_are_kept_too_and_the_next_number_is_taken(tmp_path):
    for name in ("brief.docx", "brief.new.docx", "brief.new-2.docx"):
        (tmp_path / name).write_bytes(b"edited by hand")
    chosen, kept = choose_target(tmp_path / "brief.docx", False)
    assert chosen == tmp_path / "brief.new-3.docx"
    assert [p.name for p in kept] == ["brief.docx", "brief.new.docx", "brief.new-2.docx"]


def test_a_file_without_a_fingerprint_is_kept_whatever_a_cache_says(tmp_path):
    # A cache can be forged or another project's (issue 23): only the file's own fingerprint
    # says it is briefkit's.
    target = tmp_path / "brief.pdf"
    target.write_bytes(b"%PDF written by an older briefkit")
    assert choose_target(target, False) == (tmp_path / "brief.new.pdf", [target])


# ---- staging and committing ---------------------------------------------------------------------


def test_staged_files_are_hidden_beside_their_target_and_commit_renames_them(tmp_path):
    docx_target, html_target = tmp_path / "a.docx", tmp_path / "a.html"
    html_target.write_bytes(b"old page")
    staged = [(stage(docx_target, b"new docx"), docx_target),
              (stage(html_target, b"new page"), html_target)]
    assert all(part.name.startswith(".") and part.parent == tmp_path for part, _ in staged)
    assert html_target.read_bytes() == b"old page"  # nothing replaced before the commit
    commit(staged)
    assert (docx_target.read_bytes(), html_target.read_bytes()) == (b"new docx", b"new page")
    assert hidden(tmp_path) == []


def test_a_failed_rename_puts_back_every_file_already_replaced(tmp_path, monkeypatch):
    targets = [tmp_path / "a.docx", tmp_path / "a.html", tmp_path / "a.pdf"]
    for target in targets:
        target.write_bytes(b"old " + target.suffix.encode())
    staged = [(stage(t, b"new " + t.suffix.encode()), t) for t in targets]
    real_replace = os.replace

    def replace(source, target):
        if str(target).endswith("a.pdf"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(source, target)

    monkeypatch.setattr(outputs.os, "replace", replace)
    with pytest.raises(OutputError) as caught:
        commit(staged)
    assert str(caught.value) == describe(OSError(errno.ENOSPC, "full"), targets[2])
    assert "the disk is full" in str(caught.value)
    assert [t.read_bytes() for t in targets] == [b"old .docx", b"old .html", b"old .pdf"]
    assert hidden(tmp_path) == []  # no staged file or backup left behind


def test_a_file_that_cannot_be_staged_leaves_nothing_and_says_why(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where a folder is needed")
    with pytest.raises(OutputError) as caught:
        stage(blocker / "a.html", b"x")
    assert "a file stands where a folder is needed" in str(caught.value)


@pytest.mark.parametrize("number, words", [
    (errno.EROFS, "read-only"), (errno.EACCES, "permission denied"),
    (errno.ENAMETOOLONG, "the file name is too long"), (errno.EIO, "input/output error"),
])
def test_each_os_failure_is_one_line_naming_the_file(tmp_path, number, words):
    message = describe(OSError(number, os.strerror(number)), tmp_path / "out" / "a.pdf")
    assert words.lower() in message.lower() and "a.pdf" in message and "\n" not in message


def test_write_atomic_replaces_a_file_whole(tmp_path):
    target = tmp_path / "cache.json"
    target.write_text("old")
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new" and hidden(tmp_path) == []
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)  # an ordinary file, not mkstemp's


# ---- names and the lock -------------------------------------------------------------------------


def test_two_briefs_writing_one_name_are_refused_naming_both_whatever_the_case(tmp_path):
    claims = [Claim(tmp_path, "Brief", "a.yaml"), Claim(tmp_path, "brief", "b.yaml"),
              Claim(tmp_path / "other", "brief", "c.yaml")]
    with pytest.raises(NamesRefused) as caught:
        check_names(claims, {}, lambda key: f"{key}:3:7")
    assert len(caught.value.messages) == 2
    assert caught.value.messages[0].startswith("a.yaml:3:7: error: output.name: 'Brief' is "
                                               "also the name of b.yaml:3:7")


def test_a_brief_named_as_the_series_index_is_refused(tmp_path):
    with pytest.raises(NamesRefused) as caught:
        check_names([Claim(tmp_path, "index", "a.yaml")],
                    {tmp_path / "index.html": "the series index"}, lambda key: key)
    assert "would replace the series index" in caught.value.messages[0]
    check_names([Claim(tmp_path, "alpha", "a.yaml")],
                {tmp_path / "index.html": "the series index"}, lambda key: key)


def test_the_lock_removes_the_folders_it_made_when_nothing_was_written(tmp_path):
    out = tmp_path / "a" / "b"
    with OutputLock(out):
        assert (out / outputs.LOCK_NAME).exists()
    assert not (tmp_path / "a").exists()
    with OutputLock(out):
        (out / "brief.html").write_text("x")
    assert (out / "brief.html").exists()


def test_the_lock_clears_what_a_killed_build_staged(tmp_path):
    (tmp_path / f".brief.html{TEMPORARY_MARK}x1y2{PART_SUFFIX}").write_bytes(b"half a file")
    (tmp_path / "keep.part.txt").write_text("not staged by briefkit")
    (tmp_path / f".mine{PART_SUFFIX}").write_text("a user's own hidden .part file")
    with OutputLock(tmp_path):
        pass
    assert hidden(tmp_path) == [f".mine{PART_SUFFIX}"] and (tmp_path / "keep.part.txt").exists()


def test_an_output_folder_under_a_file_is_a_usage_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError) as caught:
        with OutputLock(tmp_path / "file" / "sub"):
            pass
    assert caught.value.usage
