"""The publisher's report: opens, votes and comments per term, read from the feedback store.

One report feeds `glossary-widget stats` (a table, CSV or JSON) and the /admin/ page. Terms are
sorted so that the ones that most need a rewrite come first: many opens and a low helpful share.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from dataclasses import asdict, dataclass
from typing import Any

from widget_server.store import Store

LATEST_COMMENTS = 20
_SINCE = re.compile(r"(\d+)d")


@dataclass(frozen=True)
class Counts:
    opens: int
    helpful_yes: int
    helpful_no: int

    @property
    def helpful_share(self) -> float | None:
        votes = self.helpful_yes + self.helpful_no
        return self.helpful_yes / votes if votes else None

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "helpful_share": self.helpful_share}


@dataclass(frozen=True)
class Row(Counts):
    """Totals for a term (site None: every site) or for a term on one site."""

    term: str
    site: str | None

    @property
    def rewrite_need(self) -> float:
        """Opens times the estimated share of unhappy readers.

        The share is smoothed as if every term had one vote each way (Laplace), so a term nobody
        voted on counts as half helpful and one "No" does not outrank a hundred votes.
        """
        unhelpful = (self.helpful_no + 1) / (self.helpful_yes + self.helpful_no + 2)
        return self.opens * unhelpful

    def as_dict(self) -> dict[str, Any]:
        return {"term": self.term, "site": self.site, **super().as_dict()}


@dataclass(frozen=True)
class Day(Counts):
    day: str

    def as_dict(self) -> dict[str, Any]:
        return {"day": self.day, **super().as_dict()}


@dataclass(frozen=True)
class Comment:
    day: str
    site: str
    term: str
    text: str


@dataclass(frozen=True)
class Report:
    since: str  # the first day counted (UTC)
    terms: list[Row]
    term_sites: list[Row]
    days: list[Day]
    comments: list[Comment]


class BadSince(ValueError):
    """`--since` is not a number of days such as 30d."""


def since_day(since: str, today: datetime.date | None = None) -> str:
    """`30d` -> the first day of the last 30 days (today included), as YYYY-MM-DD."""
    match = _SINCE.fullmatch(since.strip())
    if not match or int(match[1]) < 1:
        raise BadSince(f"{since!r} is not a number of days such as 30d")
    today = today or datetime.datetime.now(datetime.UTC).date()
    # More days than the calendar has (`--since 1000000d`) is all of them.
    days = min(int(match[1]) - 1, (today - datetime.date.min).days)
    return (today - datetime.timedelta(days=days)).isoformat()


def report(
    store: Store, since: str, site: str | None = None, term: str | None = None, comments: int = LATEST_COMMENTS
) -> Report:
    """Everything the report shows, for days from `since` on, optionally one site or term."""
    where, parameters = _filter(since, site, term)
    counts = "SUM(opens), SUM(helpful_yes), SUM(helpful_no)"
    terms = [
        Row(*_ints(c), t, None)
        for t, *c in store.query(f"SELECT term, {counts} FROM term_day WHERE {where} GROUP BY term", parameters)
    ]
    term_sites = [
        Row(*_ints(c), t, s)
        for t, s, *c in store.query(
            f"SELECT term, site, {counts} FROM term_day WHERE {where} GROUP BY term, site", parameters
        )
    ]
    days = [
        Day(*_ints(c), d)
        for d, *c in store.query(
            f"SELECT day, {counts} FROM term_day WHERE {where} GROUP BY day ORDER BY day", parameters
        )
    ]
    latest = [
        Comment(*row)
        for row in store.query(
            f"SELECT day, site, term, text FROM comment WHERE {where} ORDER BY id DESC LIMIT ?", [*parameters, comments]
        )
    ]
    return Report(since, _by_need(terms), _by_need(term_sites), days, latest)


def _filter(since: str, site: str | None, term: str | None) -> tuple[str, list[Any]]:
    clauses, parameters = ["day >= ?"], [since]
    for column, value in (("site", site), ("term", term)):
        if value is not None:
            clauses.append(f"{column} = ?")
            parameters.append(value)
    return " AND ".join(clauses), parameters


def _ints(values: list[Any]) -> tuple[int, int, int]:
    """Opens, yes and no as ints: PostgreSQL's SUM of a BIGINT is a NUMERIC (Decimal)."""
    opens, yes, no = (int(value or 0) for value in values)
    return opens, yes, no


def _by_need(rows: list[Row]) -> list[Row]:
    return sorted(rows, key=lambda row: (-row.rewrite_need, -row.opens, row.term, row.site or ""))


def share_text(share: float | None) -> str:
    return "-" if share is None else f"{share:.0%}"


def as_table(result: Report) -> str:
    """Plain text for a terminal: terms, then each term per site, then the latest comments."""
    lines = [f"Since {result.since} (UTC), terms that most need a rewrite first", ""]
    lines += _columns(
        ["term", "opens", "yes", "no", "helpful"],
        [[r.term, r.opens, r.helpful_yes, r.helpful_no, share_text(r.helpful_share)] for r in result.terms],
    )
    lines += ["", "Per site", ""]
    lines += _columns(
        ["term", "site", "opens", "yes", "no", "helpful"],
        [
            [r.term, r.site, r.opens, r.helpful_yes, r.helpful_no, share_text(r.helpful_share)]
            for r in result.term_sites
        ],
    )
    lines += ["", "Latest comments", ""]
    lines += [f"{c.day}  {c.term}  {c.site}  {c.text}" for c in result.comments] or ["(none)"]
    return "\n".join(lines)


def _columns(header: list[str], rows: list[list[Any]]) -> list[str]:
    if not rows:
        return ["(no data)"]
    cells = [header, *[[str(cell) for cell in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in cells]


def as_csv(result: Report) -> str:
    """One row per term and site, the finest grain the store keeps per period."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["term", "site", "opens", "helpful_yes", "helpful_no", "helpful_share"])
    for r in result.term_sites:
        share = "" if r.helpful_share is None else f"{r.helpful_share:.4f}"
        writer.writerow([r.term, r.site, r.opens, r.helpful_yes, r.helpful_no, share])
    return out.getvalue()


def as_json(result: Report) -> str:
    return json.dumps(
        {
            "since": result.since,
            "terms": [r.as_dict() for r in result.terms],
            "term_sites": [r.as_dict() for r in result.term_sites],
            "days": [d.as_dict() for d in result.days],
            "comments": [asdict(c) for c in result.comments],
        },
        indent=2,
        ensure_ascii=False,
    )


FORMATS = {"table": as_table, "csv": as_csv, "json": as_json}
