"""Count candidate glossary names in the local text corpus.

Usage: python glossary_data/candidates/count.py "payday loan" "credit report" ...
       python glossary_data/candidates/count.py -f names.txt
Prints, per name: total occurrences and number of documents, over
  - $GLOSSARY_REALWORLD_PAGES/*.html (real news and blog pages, text only), if set
  - tests/corpus/*.yml passages (labelled article prose)
  - examples/*.html
The counts in the candidate files of this folder were taken with 31 real-world pages and the 443
passages the corpus had before issue 24's new terms.
Matching: case-insensitive, whole words, an optional plural "s"/"es" on the last word,
hyphen and space treated alike.
"""
import glob
import html
import os
import re
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def page_text(path: str) -> str:
    raw = Path(path).read_text(encoding="utf-8", errors="replace")
    raw = re.sub(r"(?is)<(script|style|noscript|svg)\b.*?</\1>", " ", raw)
    raw = re.sub(r"(?s)<[^>]+>", " ", raw)
    return html.unescape(raw)

def documents() -> list[str]:
    pages = os.environ.get("GLOSSARY_REALWORLD_PAGES")
    docs = [page_text(p) for p in sorted(glob.glob(f"{pages}/*.html"))] if pages else []
    docs += [page_text(str(p)) for p in sorted((REPO / "examples").glob("*.html"))]
    for path in sorted((REPO / "tests" / "corpus").glob("*.yml")):
        for passage in yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []:
            docs.append(re.sub(r"<[^>]+>", " ", passage.get("html", "")))
    return docs

def pattern(name: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in re.split(r"[\s\-]+", name.strip())]
    body = r"[\s\-]+".join(words)
    return re.compile(rf"(?<!\w){body}(?:s|es)?(?!\w)", re.IGNORECASE)

def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["-f"]:
        args = [line.strip() for line in Path(args[1]).read_text().splitlines() if line.strip()]
    docs = documents()
    print(f"# {len(docs)} documents")
    rows = []
    for name in args:
        pat = pattern(name)
        counts = [len(pat.findall(d)) for d in docs]
        rows.append((sum(counts), sum(1 for c in counts if c), name))
    for total, ndocs, name in sorted(rows, reverse=True):
        print(f"{total:6d} {ndocs:5d}  {name}")

if __name__ == "__main__":
    main()
