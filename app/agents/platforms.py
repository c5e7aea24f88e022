"""What each platform expects of a text, and a check of the rules that can be measured.

The rules text goes into the prompts; ``violations`` measures a finished text so the senior
editor can be asked to fix what breaks a hard limit (X's 280 characters, LinkedIn's 3,000).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.domain.status import Platform

_BLANK_LINES = re.compile(r"\n\s*\n")
_POST_NUMBER = re.compile(r"^\s*\d+\s*/(\s*\d+)?\s")
_MARKDOWN_HEADING = re.compile(r"^\s{0,3}#{1,6}\s", re.MULTILINE)
_WORD = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class PlatformSpec:
    name: str
    label: str
    rules: str
    max_chars: int | None = None  # the whole text
    max_post_chars: int | None = None  # each post of a thread
    min_words: int | None = None
    max_words: int | None = None
    allows_headings: bool = True

    def violations(self, text: str) -> list[str]:
        """The measurable rules ``text`` breaks, each as a sentence an editor can act on."""
        problems: list[str] = []
        if self.max_chars is not None and len(text) > self.max_chars:
            problems.append(
                f"The text is {len(text)} characters long; {self.label} allows at most "
                f"{self.max_chars}. Shorten it by at least {len(text) - self.max_chars}."
            )
        if not self.allows_headings and _MARKDOWN_HEADING.search(text):
            problems.append(
                f"{self.label} does not render Markdown headings: remove every line "
                "starting with '#'."
            )
        if self.max_post_chars is not None:
            problems.extend(self._thread_violations(text))
        return problems

    def _thread_violations(self, text: str) -> list[str]:
        assert self.max_post_chars is not None
        problems = []
        posts = split_thread(text)
        if not posts:
            return ["The thread has no posts."]
        for number, post in enumerate(posts, start=1):
            if len(post) > self.max_post_chars:
                problems.append(
                    f"Post {number} is {len(post)} characters long; each post allows at most "
                    f"{self.max_post_chars}."
                )
            if not _POST_NUMBER.match(post):
                problems.append(f"Post {number} does not start with its number ('{number}/').")
        return problems


def split_thread(text: str) -> list[str]:
    """The posts of a thread: blocks separated by blank lines."""
    return [block.strip() for block in _BLANK_LINES.split(text.strip()) if block.strip()]


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


PLATFORMS: dict[str, PlatformSpec] = {
    Platform.BLOG.value: PlatformSpec(
        name=Platform.BLOG.value,
        label="Blog",
        rules=(
            "A Markdown article of 800–1,500 words (or the requested length): one '# ' title "
            "line, a short opening, H2 ('## ') sections for the main points, H3 only inside "
            "them, short paragraphs, and a closing section with a next step for the reader."
        ),
        min_words=800,
        max_words=1500,
    ),
    Platform.LINKEDIN.value: PlatformSpec(
        name=Platform.LINKEDIN.value,
        label="LinkedIn",
        rules=(
            "One LinkedIn post of at most 3,000 characters. The first line is the hook: it "
            "must make a reader stop scrolling, in under 150 characters. Short paragraphs "
            "separated by blank lines. No Markdown headings and no bold markup; at most three "
            "hashtags, on the last line."
        ),
        max_chars=3000,
        allows_headings=False,
    ),
    Platform.X.value: PlatformSpec(
        name=Platform.X.value,
        label="X",
        rules=(
            "A thread of 3–8 posts. Each post is at most 280 characters including its "
            "number, starts with its number and a slash ('1/', '2/' …), and is separated "
            "from the next by one blank line. The first post carries the hook; the last one "
            "the call to action. No Markdown headings."
        ),
        max_post_chars=280,
        allows_headings=False,
    ),
}


def platform_spec(name: str) -> PlatformSpec:
    try:
        return PLATFORMS[name]
    except KeyError:
        known = ", ".join(PLATFORMS)
        raise ValueError(f"unknown platform {name!r}; the platforms are: {known}") from None
