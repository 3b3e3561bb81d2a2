"""Budgets for house templates: a Jinja sandbox in, one that stops any template within a few
seconds and a bounded amount of memory out, with `TemplateBudget` raised at the template's
line.

Jinja's sandbox keeps a template away from Python's internals, not from the machine's time and
memory: `{{ 9**9**9 }}`, `{{ 'x' * 10**9 }}`, `{{ '%.1000000000f'|format(1) }}`, nested
`range(100000)` loops or a string doubled in a loop would run for hours or take gigabytes.
Every way a template computes goes through one of the sandbox's hooks here:
- operators (`**`, `*`, `%`, `+`: `call_binop`), calls (`call`: functions, macros, methods),
  attribute and item lookups, every step of every `{% for %}` loop (its iterable is wrapped at
  compile time), and every `~` concatenation, `{% set %}…{% endset %}` and `{% filter %}`
  block (their result is checked at compile time too) count as operations, against an
  operation budget and a time budget;
- what they make is checked before it is made where it can be (a number's size, a repeated
  string's, a field width or precision in `%`/`format`, `center`/`ljust`/`indent` widths,
  `lipsum`) and its size after (no text longer than the output budget, no list longer than
  the item budget);
- the page itself may grow only to the output budget (the document's own data, images
  included, is added to it: a long report with pictures is not a bomb).
"""

from __future__ import annotations

import contextvars
import math
import re
import time
from dataclasses import dataclass, field
from functools import update_wrapper
from typing import Any, Callable

from jinja2 import nodes, pass_context, pass_environment
from jinja2.sandbox import (
    ImmutableSandboxedEnvironment,
    SandboxedEscapeFormatter,
    SandboxedFormatter,
)
from jinja2.utils import generate_lorem_ipsum
from jinja2.visitor import NodeTransformer
from markupsafe import Markup

MAX_OPERATIONS = 200_000  # the longest example's page takes about 700 (the ASPI report, 133 notes)
MAX_SECONDS = 5.0
MAX_TEXT = 8_000_000  # characters of one value, or of the page, beyond the document's data
MAX_ITEMS = 1_000_000  # items of one list
MAX_WIDTH = 10_000  # a field width, precision, padding or indent
MAX_NUMBER_BITS = 4096  # numbers up to ~1,200 digits
MAX_LIPSUM = 100  # paragraphs of placeholder text

_budget: contextvars.ContextVar["Budget | None"] = contextvars.ContextVar(
    "template_budget", default=None
)


class TemplateBudget(Exception):
    """A house template went past a budget; the message says which and what to do."""


@dataclass
class Budget:
    """What one render may still spend."""

    text: int  # characters a value or the page may hold
    operations: int = 0
    written: int = 0  # characters of the page so far
    deadline: float = field(default_factory=lambda: time.monotonic() + MAX_SECONDS)

    def tick(self, count: int = 1) -> None:
        self.operations += count
        if self.operations > MAX_OPERATIONS:
            raise TemplateBudget(
                f"the template ran more than {MAX_OPERATIONS:,} operations "
                "(loop steps, calls, operators), briefkit's budget for a page"
            )
        if self.operations & 0x3FF == 0 and time.monotonic() > self.deadline:
            raise TemplateBudget(
                f"the template ran longer than {MAX_SECONDS:.0f} s, briefkit's budget for a page"
            )

    def fits(self, *values: Any) -> None:
        """Refuse values whose text, written out, would pass the output budget (a list
        holding one long text a thousand times is small in memory, huge once printed)."""
        total = sum(data_size(v, self.text + 1) for v in values)
        if total > self.text:
            raise TemplateBudget(
                f"the template works on {total:,}+ characters of text at "
                f"once, past briefkit's budget of {self.text:,}"
            )

    def page(self, value: Any) -> Any:
        """`value` written into the page: counted against the output budget."""
        self.fits(value)
        self.written += len(value) if isinstance(value, str) else data_size(value)
        if self.written > self.text:
            raise TemplateBudget(
                f"the page grew past {self.text:,} characters, briefkit's output budget"
            )
        return value

    def sized(self, value: Any) -> Any:
        """`value`, refused when it is text past the output budget or a list past the item
        budget."""
        if isinstance(value, str) and len(value) > self.text:
            raise TemplateBudget(
                f"the template made a text of {len(value):,} characters, past "
                f"briefkit's budget of {self.text:,}"
            )
        if isinstance(value, (list, tuple, dict)) and len(value) > MAX_ITEMS:
            raise TemplateBudget(
                f"the template made a list of {len(value):,} items, past "
                f"briefkit's budget of {MAX_ITEMS:,}"
            )
        if (
            isinstance(value, int)
            and not isinstance(value, bool)
            and value.bit_length() > MAX_NUMBER_BITS
        ):
            raise _too_big_number()
        return value


def current() -> Budget:
    """The budget of the render under way; outside one (Jinja folding constants while it
    compiles a template), a fresh one."""
    budget = _budget.get()
    return budget if budget is not None else Budget(MAX_TEXT)


def render_within(template, context: dict, data_characters: int) -> str:
    """Render `template` with `context` within the budgets; the page's size counts against
    the output budget as it is made (a `TemplateBudget` is thrown into the template at the
    line that went past it)."""
    budget = Budget(MAX_TEXT + 2 * data_characters)
    token = _budget.set(budget)
    try:
        chunks, size = [], 0
        generator = template.generate(**context)
        for chunk in generator:
            size += len(chunk)
            if size > budget.text:
                generator.throw(
                    TemplateBudget(
                        f"the page grew past {budget.text:,} characters, briefkit's output budget"
                    )
                )
            chunks.append(chunk)
        return "".join(chunks)
    finally:
        _budget.reset(token)


def data_size(value: Any, stop: int = -1) -> int:
    """Characters of text in plain data (keys and values); with `stop`, counting ends as soon
    as it is passed."""
    total = 0
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            total += len(item)
            pending.extend(item)
        elif item is not None:
            total += 8  # a number or a boolean printed
        if 0 <= stop < total:
            return total
    return total


def _too_big_number() -> TemplateBudget:
    return TemplateBudget(
        f"the template made a number of more than {MAX_NUMBER_BITS} bits "
        "(~1,200 digits), past briefkit's budget"
    )


def _width(value: Any, what: str) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_WIDTH:
        raise TemplateBudget(f"{what} {value:,} is past briefkit's budget of {MAX_WIDTH:,}")


_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?[a-zA-Z%]")
_NUMBERS = re.compile(r"\d+")


def _check_percent(template: str, arguments: Any) -> None:
    """`template % arguments`: no width or precision past the budget (`*` takes one from
    the arguments)."""
    values = list(arguments) if isinstance(arguments, tuple) else [arguments]
    for match in _PERCENT_SPEC.finditer(template):
        for part in match.groups():
            if part == "*":
                if values:
                    _width(values.pop(0), "a width or precision of")
            elif part:
                _width(int(part), "a width or precision of")


def _check_format_spec(spec: str) -> None:
    for number in _NUMBERS.findall(spec):
        _width(int(number), "a width or precision of")


def _repeat(sequence: Any, times: Any, budget: Budget) -> None:
    if isinstance(times, int) and isinstance(sequence, (str, list, tuple)):
        if len(sequence) * max(times, 0) > budget.text:
            raise TemplateBudget(
                f"the template repeats a value {times:,} times, past "
                f"briefkit's budget of {budget.text:,} characters or items"
            )


def _check_binop(operator: str, left: Any, right: Any, budget: Budget) -> None:
    if operator in ("%", "+"):
        budget.fits(left, right)
    numbers = (
        isinstance(left, int)
        and isinstance(right, int)
        and not isinstance(left, bool)
        and not isinstance(right, bool)
    )
    if operator == "**" and numbers and right > 0 and abs(left) > 1:
        if right * math.log2(abs(left)) > MAX_NUMBER_BITS:
            raise _too_big_number()
    elif operator == "*" and numbers:
        if left.bit_length() + right.bit_length() > MAX_NUMBER_BITS:
            raise _too_big_number()
    elif operator == "*":
        _repeat(left, right, budget)
        _repeat(right, left, budget)
    elif operator == "%" and isinstance(left, str):
        _check_percent(left, right)


# Methods of text that make it longer by an argument: checked before they run.
def _check_method(obj: Any, args: tuple, kwargs: dict, budget: Budget) -> None:
    name = getattr(obj, "__name__", "")
    owner = getattr(obj, "__self__", None)
    if not isinstance(owner, str):
        return
    if name in ("center", "ljust", "rjust", "zfill") and args:
        _width(args[0], f"a {name} width of")
    elif name == "expandtabs":
        size = args[0] if args else kwargs.get("tabsize", 8)
        if isinstance(size, int) and owner.count("\t") * size > budget.text:
            raise TemplateBudget(f"expandtabs({size:,}) would make a text past briefkit's budget")
    elif name == "replace" and len(args) >= 2 and isinstance(args[1], str):
        count = owner.count(args[0]) if args[0] else len(owner) + 1
        if count * len(args[1]) > budget.text:
            raise TemplateBudget(
                f"replace() would make a text past briefkit's budget of {budget.text:,} characters"
            )


def _check_filter(name: str, args: tuple, kwargs: dict, budget: Budget) -> None:
    """What a filter is asked to make, checked before it runs."""
    if name == "center":
        _width(args[1] if len(args) > 1 else kwargs.get("width"), "a center width of")
    elif name == "indent":
        width = args[1] if len(args) > 1 else kwargs.get("width")
        if isinstance(width, str) and len(width) > MAX_WIDTH:
            _width(len(width), "an indent of")
        _width(width, "an indent of")
    elif name == "format" and args and isinstance(args[0], str):
        _check_percent(args[0], tuple(args[1:]) or tuple(kwargs.values()))
    elif name == "tojson":
        _width(args[1] if len(args) > 1 else kwargs.get("indent"), "an indent of")
    elif name in ("batch", "slice"):
        count = args[1] if len(args) > 1 else kwargs.get("linecount", kwargs.get("slices"))
        if isinstance(count, int) and count > MAX_ITEMS:
            raise TemplateBudget(
                f"{name}({count:,}) is past briefkit's budget of {MAX_ITEMS:,} items"
            )
    elif (
        name == "replace"
        and len(args) >= 3
        and isinstance(args[0], str)
        and isinstance(args[2], str)
    ):
        _check_method(args[0].replace, args[1:], {}, budget)
    elif name == "wordwrap":
        _width(args[1] if len(args) > 1 else kwargs.get("width"), "a wrap width of")


def _budgeted_filter(name: str, function: Callable) -> Callable:
    """`function` (a filter) counting as an operation, its arguments and result checked.
    Jinja's `pass_*` markers are kept: the filter is called as before."""

    def wrapper(*args, **kwargs):
        budget = current()
        budget.tick()
        shown = args[1:] if getattr(function, "jinja_pass_arg", None) is not None else args
        budget.fits(*shown, *kwargs.values())
        _check_filter(name, shown, kwargs, budget)
        return budget.sized(function(*args, **kwargs))

    wrapper.__name__ = getattr(function, "__name__", name)
    if hasattr(function, "jinja_pass_arg"):
        wrapper.jinja_pass_arg = function.jinja_pass_arg  # type: ignore[attr-defined]
    return wrapper


@pass_environment
def _counted(environment, iterable):
    """A loop's iterable, one operation per step."""
    budget = current()
    for item in iterable:
        budget.tick()
        yield item


@pass_environment
def _checked(environment, value):
    """A concatenation's or a captured block's result, within the output budget."""
    budget = current()
    budget.tick()
    return budget.sized(value)


@pass_context
def _piece(context, value):
    """One operand of a `~`, before it is written out as text."""
    current().fits(value)
    return value


@pass_context
def _out(context, value):
    """One piece of the page, where the template writes it (so a page past the output budget
    is stopped at the line that writes it). `pass_context`: never folded at compile time."""
    return current().page(value)


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> Markup | str:
    if not isinstance(n, int) or not isinstance(max, int) or n > MAX_LIPSUM or max > MAX_WIDTH:
        raise TemplateBudget(
            f"lipsum({n}) is past briefkit's budget of {MAX_LIPSUM} "
            f"paragraphs of at most {MAX_WIDTH:,} words"
        )
    return generate_lorem_ipsum(n=n, html=html, min=min, max=max)


class _CountSteps(NodeTransformer):
    """At compile time: every loop's iterable counted, every `~`, set block and filter block
    checked (they make text without an operator or a call the sandbox would see)."""

    def visit_For(self, node):
        node = self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, "_bk_counted", [], [], None, None, lineno=node.lineno)
        return node

    def visit_Concat(self, node):
        node = self.generic_visit(node)
        node.nodes = [
            nodes.Filter(n, "_bk_piece", [], [], None, None, lineno=node.lineno) for n in node.nodes
        ]
        return nodes.Filter(node, "_bk_checked", [], [], None, None, lineno=node.lineno)

    def visit_Output(self, node):
        node = self.generic_visit(node)
        pieces = []
        for piece in node.nodes:
            if isinstance(piece, nodes.TemplateData):  # literal markup: written as it is
                piece = nodes.MarkSafeIfAutoescape(piece, lineno=piece.lineno)
            pieces.append(nodes.Filter(piece, "_bk_out", [], [], None, None, lineno=piece.lineno))
        node.nodes = pieces
        return node

    def _wrap_block(self, node):
        node = self.generic_visit(node)
        node.filter = nodes.Filter(
            node.filter, "_bk_checked", [], [], None, None, lineno=node.lineno
        )
        return node

    visit_AssignBlock = _wrap_block

    def visit_FilterBlock(self, node):
        node = self.generic_visit(node)
        node.filter = nodes.Filter(
            node.filter, "_bk_checked", [], [], None, None, lineno=node.lineno
        )
        return node


class BudgetedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with the budgets of this module."""

    intercepted_binops = frozenset({"**", "*", "%", "+"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters = {
            name: _budgeted_filter(name, function) for name, function in self.filters.items()
        }
        self.filters.update(
            _bk_counted=_counted, _bk_checked=_checked, _bk_piece=_piece, _bk_out=_out
        )
        self.globals["lipsum"] = _lipsum

    def _parse(self, source, name, filename):
        tree = _CountSteps().visit(super()._parse(source, name, filename))
        tree.set_environment(self)
        return tree

    def call_binop(self, context, operator, left, right):
        budget = current()
        budget.tick()
        _check_binop(operator, left, right, budget)
        return budget.sized(super().call_binop(context, operator, left, right))

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's signature
        budget = current()
        budget.tick()
        budget.fits(*args, *kwargs.values())
        _check_method(__obj, args, kwargs, budget)
        result = super().call(__context, __obj, *args, **kwargs)
        if any(result is arg for arg in args):
            return result  # handed through (prose already written): not made here
        return budget.sized(result)

    def getattr(self, obj, attribute):
        current().tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj, argument):
        current().tick()
        return super().getitem(obj, argument)

    def wrap_str_format(self, value):
        """`str.format` and `str.format_map` as Jinja's sandbox runs them, each field's width
        and precision checked as they will be used: once its nested fields are filled in
        (`'{:{w}}'.format(1, w=10**9)`, `'{:{w[0]}}'`, or from `format_map`'s mapping)."""
        if super().wrap_str_format(value) is None:  # not a str's format or format_map
            return None
        text = value.__self__
        formatter: SandboxedFormatter = (
            _CheckedEscapeFormatter(self, escape=text.escape)
            if isinstance(text, Markup)
            else _CheckedFormatter(self)
        )

        def checked(*args, **kwargs):
            if value.__name__ == "format_map":
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one mapping")
                args, kwargs = (), args[0]
            return current().sized(type(text)(formatter.vformat(text, args, kwargs)))

        return update_wrapper(checked, value)


class _CheckedFormatter(SandboxedFormatter):
    def format_field(self, value: Any, format_spec: str) -> Any:
        _check_format_spec(format_spec)  # the spec as used, its nested fields filled in
        return super().format_field(value, format_spec)


class _CheckedEscapeFormatter(SandboxedEscapeFormatter):
    def format_field(self, value: Any, format_spec: str) -> Any:
        _check_format_spec(format_spec)
        return super().format_field(value, format_spec)
