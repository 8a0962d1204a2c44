"""`glossary-widget init`: a small, valid glossary to start from and to learn the format by."""

from __future__ import annotations

from pathlib import Path

# Written in the project's own words: short, but each one a real entry that `check` accepts,
# with the front-matter fields and sections an editor will use.
STARTER_FILES = {
    "categories.yml": """\
# The categories a site owner can choose with data-categories="...". Terms name them by slug.
- slug: finance
  label: Finance
  description: Credit, loans, fees and debt collection in everyday money matters.
- slug: insurance
  label: Insurance
  description: Buying coverage, making claims and how insurers decide what they pay.
""",
    "terms/late-fee.md": """\
---
title: Late Fee
categories: [finance]
related: [grace-period]
updated: 2026-01-01
---
## Definition

A late fee is a charge added to a bill or loan payment that arrives after its due date. The
amount is set in the contract, often as a fixed sum or a share of the payment.

## Examples

- A credit card adds a $30 charge because the payment arrived one day after the due date.

## Misuse

Some lenders move due dates, process payments slowly or charge a fee larger than the law allows.
Check the contract's amount and the date the payment was received, and dispute a fee in writing.
""",
    "terms/grace-period.md": """\
---
title: Grace Period
categories: [finance, insurance]
related: [late-fee]
updated: 2026-01-01
---
## Definition

A grace period is the time after a due date during which a payment is still accepted without a
penalty, or during which an insurance policy stays in force although the premium is unpaid.

## Misuse

Grace periods are often shorter than people assume, and a contract may end one quietly. Read
how many days it gives and what happens on the last one, rather than relying on the bill.
""",
    "terms/deductible.md": """\
---
title: Deductible
categories: [insurance]
updated: 2026-01-01
---
## Definition

A deductible is the amount a policyholder pays towards a claim before the insurer pays the rest.

## Misuse

A low premium can hide a deductible so high that most claims are never paid. Compare the
deductible with the savings you could really spend on a claim before choosing a policy.
""",
}


class StarterError(Exception):
    pass


def write_starter(data_dir: Path) -> list[Path]:
    """Write the starter glossary into `data_dir`, which must be new or empty: nothing of an
    existing glossary (or of any other folder) is ever overwritten."""
    if data_dir.exists() and not data_dir.is_dir():
        raise StarterError(f"{data_dir} is a file, not a folder")
    if data_dir.is_dir() and any(data_dir.iterdir()):
        raise StarterError(f"{data_dir} is not empty; give init a new or empty folder")
    written = []
    for name, text in STARTER_FILES.items():
        path = data_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
