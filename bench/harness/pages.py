"""The WAN workloads' bodies: HTML pages that read and compress like encyclopedia articles
(workload 6), and blobs of random bytes that do not compress at all (workload 7).

Deterministic: the same seed gives the same bytes on every run and machine, so that the
compressed sizes, and so the bounds, repeat.
"""

from __future__ import annotations

import itertools
import random

CONSONANTS = "bcdfghklmnprstvwz"
ONSETS = ["b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w",
          "br", "ch", "cl", "dr", "gr", "pl", "pr", "sh", "st", "th", "tr"]
VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ou", "io"]
CODAS = ["", "", "", "n", "r", "s", "l", "t", "nd", "rt", "st", "ng"]
COMMON = ("the of and in to a was is for as on by with that from at his an which were "
          "are be it also its or has had first this their one after new two been but "
          "they other most into who between during more than not have all such some "
          "only city known part later its time three world year under many would over "
          "state century second war however while since then where both these").split()


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS)
                   for _ in range(rng.choice((1, 1, 2, 2, 2, 3))))


class Article:
    """One page's text: a vocabulary with a Zipf-like frequency, and the markup an
    encyclopedia page wraps around sentences (links, references, headings, tables)."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        vocabulary = COMMON + [_word(self.rng) for _ in range(4000)]
        self.words = vocabulary
        self.cumulative = list(itertools.accumulate(1 / (rank + 1) ** 1.3
                                                    for rank in range(len(vocabulary))))
        self.notes = 0

    def _pick(self, count: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cumulative, k=count)

    def _title(self, count: int) -> str:
        return " ".join(self._pick(count)).capitalize()

    def _link(self) -> str:
        title = " ".join(w.capitalize() for w in self._pick(self.rng.choice((1, 2, 2, 3))))
        text = title.lower() if self.rng.random() < 0.6 else title
        return f'<a href="/wiki/{title.replace(" ", "_")}" title="{title}">{text}</a>'

    def _reference(self) -> str:
        self.notes += 1
        n = self.notes
        return (f'<sup id="cite_ref-{n}" class="reference"><a href="#cite_note-{n}">'
                f"&#91;{n}&#93;</a></sup>")

    def sentence(self) -> str:
        words = self._pick(self.rng.randint(8, 28))
        words[0] = words[0].capitalize()
        parts = []
        for i, word in enumerate(words):
            roll = self.rng.random()
            if roll < 0.14:
                parts.append(self._link())
            elif roll < 0.10:
                parts.append(str(self.rng.choice((self.rng.randint(1700, 2024),
                                                  self.rng.randint(2, 990)))))
            else:
                parts.append(word)
            if i < len(words) - 1 and self.rng.random() < 0.08:
                parts[-1] += ","
        text = " ".join(parts) + "."
        if self.rng.random() < 0.5:
            text += self._reference()
        return text

    def paragraph(self) -> str:
        return "<p>" + " ".join(self.sentence() for _ in range(self.rng.randint(3, 8))) + "</p>\n"

    def heading(self) -> str:
        title = self._title(self.rng.randint(1, 4))
        anchor = title.replace(" ", "_")
        return (f'<h2><span class="mw-headline" id="{anchor}">{title}</span>'
                '<span class="mw-editsection"><span class="mw-editsection-bracket">[</span>'
                f'<a href="/w/index.php?title=Article&amp;action=edit&amp;section=1" '
                f'title="Edit section: {title}">edit</a>'
                '<span class="mw-editsection-bracket">]</span></span></h2>\n')

    def table(self) -> str:
        rows = ["<table class=\"wikitable sortable\">\n<tbody><tr><th>" +
                "</th><th>".join(self._title(1) for _ in range(4)) + "</th></tr>\n"]
        for _ in range(self.rng.randint(4, 12)):
            cells = [self._link(), str(self.rng.randint(1800, 2024)),
                     f"{self.rng.randint(1, 99_999):,}", self._title(2)]
            rows.append("<tr><td>" + "</td><td>".join(cells) + "</td></tr>\n")
        return "".join(rows) + "</tbody></table>\n"

    def navbox(self) -> str:
        items = "".join(f"<li>{self._link()}</li>" for _ in range(self.rng.randint(10, 30)))
        return ('<div role="navigation" class="navbox" aria-labelledby="Navbox"><table '
                'class="nowraplinks hlist navbox-inner"><tbody><tr><th scope="row" '
                f'class="navbox-group">{self._title(2)}</th><td class="navbox-list-with-group '
                f'navbox-list navbox-odd"><div><ul>{items}</ul></div></td></tr></tbody>'
                "</table></div>\n")

    def citation(self, n: int) -> str:
        author = self._title(1)
        return (f'<li id="cite_note-{n}"><span class="mw-cite-backlink"><b>'
                f'<a href="#cite_ref-{n}">^</a></b></span> <span class="reference-text">'
                f'<cite class="citation book cs1">{author}, {self._title(1)} '
                f"({self.rng.randint(1850, 2023)}). <i>{self._title(self.rng.randint(2, 6))}"
                f"</i>. {self._title(2)} Press. pp.&#160;{self.rng.randint(1, 600)}. "
                f'<a href="/wiki/ISBN_(identifier)" title="ISBN (identifier)">ISBN</a>&#160;'
                f"978-{self.rng.randint(0, 9)}-{self.rng.randint(1000, 9999)}-"
                f"{self.rng.randint(1000, 9999)}-{self.rng.randint(0, 9)}</cite></span></li>\n")


def html_page(number: int, size: int) -> bytes:
    """Page `number` of workload 6: exactly `size` bytes of article-like HTML."""
    article = Article(1000 + number)
    head = (f"<!DOCTYPE html>\n<html class=\"client-nojs\" lang=\"en\" dir=\"ltr\">\n<head>\n"
            f"<meta charset=\"UTF-8\">\n<title>{article._title(3)} - Encyclopedia</title>\n"
            "<link rel=\"stylesheet\" href=\"/w/load.php?lang=en&amp;modules=site.styles\">\n"
            "</head>\n<body class=\"mediawiki ltr sitedir-ltr skin-vector\">\n"
            "<div id=\"content\" class=\"mw-body\" role=\"main\">\n"
            f"<h1 id=\"firstHeading\" class=\"firstHeading\">{article._title(3)}</h1>\n"
            "<div id=\"bodyContent\" class=\"vector-body\">\n"
            "<div class=\"mw-parser-output\">\n")
    foot = "</div></div></div>\n</body>\n</html>\n"
    budget = size - len(head) - len(foot)
    refs_share = budget // 3  # the references list at the end, as on a real page
    parts, length = [], 0
    while length < budget - refs_share:
        roll = article.rng.random()
        block = (article.heading() if roll < 0.12 else
                 article.table() if roll < 0.17 else article.paragraph())
        parts.append(block)
        length += len(block)
    def add(block: str) -> None:
        nonlocal length
        parts.append(block)
        length += len(block)

    add("<h2><span class=\"mw-headline\" id=\"References\">References</span></h2>\n"
        "<div class=\"reflist\"><ol class=\"references\">\n")
    n = 1
    while length < budget - budget // 8:
        add(article.citation(n))
        n += 1
    add("</ol></div>\n")
    while length < budget:
        add(article.navbox())
    body = "".join(parts)[:budget]
    page = (head + body + foot).encode("ascii")
    assert len(page) == size
    return page


def random_blob(number: int, size: int) -> bytes:
    """Blob `number` of workload 7: `size` random bytes (incompressible)."""
    return random.Random(2000 + number).randbytes(size)
