"""Answer hygiene shared by the readers: non-answers and whitespace."""

from __future__ import annotations

import re

_NON_ANSWERS = {
    "",
    "n/a",
    "na",
    "n.a",
    "n.a.",
    "none",
    "nothing",
    "no",
    "nope",
    "nil",
    "null",
    "-",
    "--",
    "---",
    ".",
    "..",
    "...",
    "?",
    "x",
    "xx",
    "xxx",
    "idk",
    "i don't know",
    "i dont know",
    "dont know",
    "don't know",
    "dk",
    "no comment",
    "no comments",
    "nothing to add",
    "nothing else",
    "nothing really",
    "not applicable",
    "no answer",
    "not sure",
    "none really",
    "no thanks",
    "all good",
    "did not answer",
    "prefer not to say",
    "skip",
}


def is_non_answer(text: str) -> bool:
    """True for answers that carry no content: "N/A", "nothing", "-", "no comment", ...

    Only whole answers are matched (case, spaces and trailing punctuation ignored),
    so "No, the milk frother broke" is an answer.
    """
    s = re.sub(r"\s+", " ", text.strip().lower().replace("’", "'"))
    s = s.rstrip(" .!")
    return s in _NON_ANSWERS or not re.search(r"[a-z0-9]", s)
