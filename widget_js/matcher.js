// ---- matcher: one pass over the words of a text, whatever the number of terms ----------------
//
// Names are split into words. A Map from a name's first word (lower-cased) to the names that
// start with it is built once; scanning a text then costs one Map lookup per word, so it does
// not grow with the size of the glossary, and no regular expression is built per term.

// A word is a run of letters, marks, digits and `_`: matches are whole words by construction.
const WORD = /[\p{L}\p{M}\p{N}_]+/gu;
// The words after a candidate's first one are read with a second cursor, so that WORD keeps its
// place in the text.
const NEXT_WORD = new RegExp(WORD);
const EXACT_MARK = "=";

/** The regular English plural of a lower-case word: premium -> premiums, policy -> policies. */
function plural(word) {
  if (/(s|x|z|ch|sh)$/.test(word)) return word + "es";
  if (/[^aeiou]y$/.test(word)) return word.slice(0, -1) + "ies";
  return word + "s";
}

/** The text between two words, with white space and typographic variants folded. */
function normalizeGap(gap) {
  return gap === " "
    ? gap
    : gap.replace(/\s+/g, " ").replace(/[\u2018\u2019]/g, "'").replace(/[\u2010\u2011]/g, "-");
}

/** A name's words and the normalized text between them. (No String.split: with a regular
 * expression it compiles a new one on every call.) */
function splitName(name) {
  const words = [];
  const gaps = [];
  WORD.lastIndex = 0;
  for (let m, end = -1; (m = WORD.exec(name)); end = WORD.lastIndex) {
    if (end >= 0) gaps.push(normalizeGap(name.slice(end, m.index)));
    words.push(m[0]);
  }
  return [words, gaps];
}

/**
 * Builds the matcher from index entries `[slug, name, ...]` (see api.py for the format).
 * Returns `match(text) -> [[start, end, slug], ...]`, leftmost-longest and non-overlapping.
 */
function createMatcher(entries) {
  const byFirstWord = new Map();
  const add = (slug, words, gaps, exact) => {
    const key = words[0].toLowerCase();
    let candidates = byFirstWord.get(key);
    if (!candidates) byFirstWord.set(key, (candidates = []));
    candidates.push({ slug, words, gaps, exact, length: words.join("").length });
  };
  for (let [slug, ...names] of entries) {
    const caseSensitive = slug.startsWith(EXACT_MARK);
    if (caseSensitive) slug = slug.slice(1);
    for (let name of names) {
      const exact = caseSensitive || name.startsWith(EXACT_MARK);
      if (name.startsWith(EXACT_MARK)) name = name.slice(1);
      const [words, gaps] = splitName(name);
      if (!words.length) continue;
      const folded = exact ? words : words.map((w) => w.toLowerCase());
      add(slug, folded, gaps, exact);
      // Plurals for all but case-sensitive terms: premiums, policies, and also APRs.
      if (!caseSensitive) add(slug, [...folded.slice(0, -1), plural(folded[folded.length - 1])], gaps, exact);
    }
  }
  // Longest first, so the first candidate that fits is the leftmost-longest match.
  for (const candidates of byFirstWord.values()) {
    candidates.sort((a, b) => b.words.length - a.words.length || b.length - a.length);
  }

  return function match(text) {
    const found = [];
    WORD.lastIndex = 0;
    for (let m; (m = WORD.exec(text)); ) {
      const candidates = byFirstWord.get(m[0].toLowerCase());
      if (!candidates) continue;
      for (const candidate of candidates) {
        const end = fits(candidate, text, m);
        if (end) {
          found.push([m.index, end, candidate.slug]);
          WORD.lastIndex = end;
          break;
        }
      }
    }
    return found;
  };
}

/** Where `candidate` ends in `text` if it matches from the word `first`, else 0. */
function fits({ words, gaps, exact }, text, first) {
  if ((exact ? first[0] : first[0].toLowerCase()) !== words[0]) return 0;
  let end = first.index + first[0].length;
  NEXT_WORD.lastIndex = end;
  for (let k = 1; k < words.length; k++) {
    const m = NEXT_WORD.exec(text);
    if (!m || (exact ? m[0] : m[0].toLowerCase()) !== words[k]) return 0;
    if (normalizeGap(text.slice(end, m.index)) !== gaps[k - 1]) return 0;
    end = NEXT_WORD.lastIndex;
  }
  return end;
}
