"""Note calls that touch: a paragraph's inlines in, the calls that follow another call out.

Two notes at one place ("cooperation.^[a]^[b]", or a citation and a note) print as two numbers
side by side, which read as one ("67"). Every writer separates such a call from the one before
it (a superscript comma in print and on screen, a comma run in Word); this says which calls
those are, the same for all. Text with nothing in it between two calls (Pandoc leaves an empty
string where a citation was) does not part them.
"""

from __future__ import annotations

from briefkit import model as m


def calls_after_a_call(inlines) -> set[int]:
    """The `id()`s of the `NoteRef`s in `inlines` whose previous visible inline is a call."""
    after: set[int] = set()
    previous_is_call = False
    for inline in inlines:
        if isinstance(inline, m.NoteRef):
            if previous_is_call:
                after.add(id(inline))
            previous_is_call = True
        elif not (isinstance(inline, m.Text) and inline.text == ""):
            previous_is_call = False
    return after
