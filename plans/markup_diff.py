"""What changed in a formatted text, shown formatted: the diff of the *rendered* Markdown.

`markup_diff(old, new)` renders both texts as the document does (`markdown_to_safe_html`: Markdown, then
sanitised by nh3) and compares the results word by word. The answer has exactly the tags of the new
rendering, in order, so it is as well-formed as that rendering; inserted words are wrapped in <ins>,
deleted words in <del> where they stood (a deleted list item as a list item of its own, a deleted
paragraph as a paragraph), each with a hidden "[tillagt: …]" / "[borttaget: …]" for screen readers.
Only our own <ins>, <del>, <span>, <li>, <p>, <tr> and <td> are added to sanitised markup, and deleted
words come from sanitised markup too, so nothing the user typed becomes markup that Markdown and nh3 did
not allow. Long unchanged stretches are shortened to the blocks (paragraphs, lists…) around each change.
"""

from __future__ import annotations

import difflib
import re

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from finsam.templatetags.finsam import markdown_to_safe_html

# A tag, an entity, a word (up to the next space, tag or punctuation), a punctuation mark, or whitespace.
TOKENS = re.compile(r"<[^>]*>|&[#a-zA-Z0-9]+;|[^\s<&.,;:!?()]+|[.,;:!?()&]|\s+")
TAG_NAME = re.compile(r"</?([a-zA-Z0-9]+)")
VOID = {"br", "hr", "img"}
# Unchanged top-level blocks kept on each side of a change; the rest is shortened to "…".
CONTEXT_BLOCKS = 1


def _is_tag(token: str) -> bool:
    return token.startswith("<")


class _Writer:
    """Emits the new rendering's tokens, keeping the stack of open elements (to know where a deletion
    may stand) and the output split into top-level blocks (to shorten unchanged stretches)."""

    def __init__(self) -> None:
        self.stack: list[str] = []
        self.blocks: list[list] = []  # [markup pieces, changed]
        self.inserting = False
        self.pending = ""  # whitespace inside an insertion, kept out of <ins> if no word follows

    def _piece(self, markup: str, *, changed: bool = False) -> None:
        if not self.stack and (not self.blocks or self.blocks[-1][2]):
            self.blocks.append([[], False, False])  # pieces, changed, closed
        block = self.blocks[-1]
        block[0].append(markup)
        block[1] = block[1] or changed

    def tag(self, token: str) -> None:
        self.end_insert()
        name = (TAG_NAME.match(token) or [None, ""])[1].lower()
        self._piece(token)
        if token.startswith("</"):
            if name in self.stack:
                while self.stack and self.stack.pop() != name:
                    pass
        elif name and name not in VOID and not token.endswith("/>"):
            self.stack.append(name)
        if not self.stack:
            self.blocks[-1][2] = True  # a top-level block ends here

    def text(self, token: str) -> None:
        self.end_insert()
        self._piece(token)

    def insert(self, token: str) -> None:
        if token.isspace():
            if self.inserting:
                self.pending += token
            else:
                self._piece(token)
            return
        if not self.inserting:
            self._piece(f'<ins><span class="visually-hidden">{_("[tillagt:")} </span>', changed=True)
            self.inserting = True
        self._piece(self.pending + token, changed=True)
        self.pending = ""

    def end_insert(self) -> None:
        if self.inserting:
            self.inserting = False
            self._piece('<span class="visually-hidden">]</span></ins>' + self.pending)
            self.pending = ""

    def delete(self, words: str) -> None:
        """Deleted words where they stood, wrapped so that the element they land in may hold them."""
        self.end_insert()
        if not words.strip():
            return
        deleted = f'<del><span class="visually-hidden">{_("[borttaget:")} </span>{words.strip()}<span class="visually-hidden">]</span></del>'
        top = self.stack[-1] if self.stack else None
        if top is None:
            deleted = f'<p class="diff-removed">{deleted}</p>'
        elif top in ("ul", "ol"):
            deleted = f'<li class="diff-removed">{deleted}</li>'
        elif top == "tr":
            deleted = f"<td>{deleted}</td>"
        elif top in ("table", "thead", "tbody"):
            deleted = f"<tr><td>{deleted}</td></tr>"
        elif words[:1].isspace():
            deleted = " " + deleted
        self._piece(deleted, changed=True)
        if top is None:
            self.blocks[-1][2] = True

    def markup(self, context: int | None) -> str:
        self.end_insert()
        blocks = self.blocks
        if context is None:
            return "".join("".join(block[0]) for block in blocks)
        changed = [index for index, block in enumerate(blocks) if block[1]]
        keep = {index for at in changed for index in range(at - context, at + context + 1)}
        out: list[str] = []
        for index, block in enumerate(blocks):
            text = "".join(block[0])
            if index in keep or not text.strip():
                out.append(text)
            elif not out or not out[-1].startswith('<p class="word-diff__skip"'):
                out.append(
                    f'<p class="word-diff__skip">… <span class="visually-hidden">{_("Oförändrad text")}</span></p>'
                )
        return "".join(out)


# Where the texts are first lined up: each block (a paragraph, a list item, a heading, a table row...)
# and each container's opening and closing tag is one segment, so a list item added or removed is one
# segment inserted or deleted, not a shift of every item after it.
BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "pre", "dt", "dd", "hr"}
CONTAINERS = {"ul", "ol", "table", "thead", "tbody", "blockquote", "dl"}


def _segments(tokens: list[str]) -> list[list[str]]:
    segments: list[list[str]] = []
    for token in tokens:
        name = (TAG_NAME.match(token) or [None, ""])[1].lower() if _is_tag(token) else ""
        opening = name and not token.startswith("</")
        if (opening and name in BLOCKS | CONTAINERS) or (name in CONTAINERS and not opening) or not segments:
            segments.append([])
        segments[-1].append(token)
        if name in CONTAINERS:
            segments.append([])  # what follows a container's tag starts a segment of its own
    return [segment for segment in segments if segment]


def _emit_changed(writer: _Writer, old: list[str], new: list[str]) -> None:
    """Word by word: the same words as they were, deletions and insertions marked."""
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            for token in new[j1:j2]:
                (writer.tag if _is_tag(token) else writer.text)(token)
            continue
        writer.delete("".join(token for token in old[i1:i2] if not _is_tag(token)))
        for token in new[j1:j2]:
            (writer.tag if _is_tag(token) else writer.insert)(token)


def html_diff(old_html: str, new_html: str, *, context: int | None = CONTEXT_BLOCKS) -> SafeString:
    """The new markup with what was inserted since the old one in <ins> and what was deleted in <del>:
    blocks lined up first (`_segments`), then the words of the blocks that changed."""
    a = _segments(TOKENS.findall(old_html or ""))
    b = _segments(TOKENS.findall(new_html or ""))
    writer = _Writer()
    matcher = difflib.SequenceMatcher(None, ["".join(s) for s in a], ["".join(s) for s in b], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "replace" and i2 - i1 == j2 - j1:  # as many blocks changed as there were: pair by pair
            for old, new in zip(a[i1:i2], b[j1:j2], strict=True):
                _emit_changed(writer, old, new)
        else:
            _emit_changed(writer, [t for s in a[i1:i2] for t in s], [t for s in b[j1:j2] for t in s])
    return mark_safe(writer.markup(context))  # noqa: S308 - sanitised markup and our own tags (module docstring)


def markup_diff(old: str, new: str, *, context: int | None = CONTEXT_BLOCKS) -> SafeString:
    """What changed from Markdown `old` to `new`, as the document renders them."""
    return html_diff(markdown_to_safe_html(old or ""), markdown_to_safe_html(new or ""), context=context)


def rendered(text: str) -> SafeString:
    """A formatted text as the document shows it (for an item added or removed as a whole)."""
    return mark_safe(markdown_to_safe_html(text or ""))  # noqa: S308 - sanitised by nh3
