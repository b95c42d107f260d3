"""Template filters shared by every page and the PDF: Markdown and money. Templates only format."""

import functools
import re
import threading
from decimal import Decimal

import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import mark_safe

from finsam.money import NBSP, format_amount, format_kronor, format_tkr, to_decimal

register = template.Library()

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "a",
    "hr",
    "sup",
    "sub",
}


_parsers = threading.local()


def _parser() -> markdown_lib.Markdown:
    # Building a Markdown instance costs more than converting a paragraph: keep one per thread.
    parser = getattr(_parsers, "parser", None)
    if parser is None:
        parser = _parsers.parser = markdown_lib.Markdown(
            extensions=["tables", "sane_lists"], output_format="html"
        )
    return parser


# In running text a figure never breaks across lines: between its groups of thousands ("810 000") and
# before its unit ("810 000 kronor", "25 %") the space becomes a no-break space, on the page and in the PDF.
THOUSANDS_SPACE = re.compile(r"(?<=\d) (?=\d{3}(?!\d))")
UNIT_SPACE = re.compile(r"(?<=\d) (?=(?:kr|kronor|tkr|mkr|Mkr|SEK|%|procent)(?![\w]))")


def figures_kept_together(text: str) -> str:
    return UNIT_SPACE.sub(NBSP, THOUSANDS_SPACE.sub(NBSP, text))


@functools.lru_cache(maxsize=4096)
def markdown_to_safe_html(text: str) -> str:
    """User Markdown as sanitised HTML. A pure function of `text`, so memoising it cannot go stale.

    Raw HTML in the input is escaped by Markdown's own rules and then every tag and attribute outside a
    short allow-list is removed by nh3 (Ammonia): no script, style, event handler or javascript: URL
    can survive."""
    parser = _parser()
    try:
        html = parser.convert(figures_kept_together(text))
    finally:
        parser.reset()
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


@register.filter
def markdown(text: str) -> str:
    return mark_safe(markdown_to_safe_html(text or ""))  # noqa: S308 - sanitised by nh3 in markdown_to_safe_html


@register.filter
def kronor(value) -> str:
    """`1258500` → `1 258 500 kr`."""
    return "" if value is None else format_kronor(to_decimal(value))


@register.filter
def tkr(value) -> str:
    """`1258500` → `1 258,5 tkr`."""
    return "" if value is None else format_tkr(to_decimal(value))


@register.simple_tag
def amount(value, plan, negate=False) -> str:
    """A table figure in the plan's unit and decimals; `negate` for costs when the plan prints them negative."""
    if value is None:
        return ""
    return format_amount(
        Decimal(value),
        unit=plan.unit,
        decimals=plan.decimals,
        negate=bool(negate) and plan.costs_negative,
    )


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def multi_year_total(values, budget):
    """The multi-year total of a per-year mapping, over the budget's columns."""
    return budget.multi_year_total(values or {})


@register.filter
def kronor_figure(value) -> str:
    """A table figure in whole kronor without the unit: `1258500` → `1 258 500` (blank for None)."""
    return "" if value is None else format_amount(to_decimal(value), unit="kr")
