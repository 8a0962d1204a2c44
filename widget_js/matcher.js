// ---- matcher: one pass over the words of a text, whatever the number of terms ----------------
//
// Names are split into words. A Map from a name's first word (lower-cased) to the names that
// start with it is built once; scanning a text then costs one Map lookup per word, so it does
// not grow with the size of the glossary, and no regular expression is built per term.

// A word is a run of letters, marks, digits and `_`: matches are whole words by construction.
const WORD = /[\p{L}\p{M}\p{N}_]+/gu;
const EXACT_MARK = "=";

/** The regular English plural of a lower-case word: premium -> premiums, policy -> policies. */
function plural(word) {
  if (/(s|x|z|ch|sh)$/.test(word)) return word + "es";
  if (/[^aeiou]y$/.test(word)) return word.slice(0, -1) + "ies";
  return word + "s";
}

/** The text between two words, with white space and typographic variants folded. */
function normalizeGap(gap) {
  return gap.replace(/\s+/g, " ").replace(/[\u2018\u2019]/g, "'").replace(/[\u2010\u2011]/g, "-");
}

/**
 * Builds the matcher from index entries `[slug, name, ...]` (see api.py for the format).
 * Returns `match(text) -> [[start, end, slug], ...]`, leftmost-longest and non-overlapping.
 */
function createMatcher(entries) {
  const byFirstWord = new Map();
  const add = (slug, words, gaps, exact) => {
    const key = words[0].toLowerCase();
    if (!byFirstWord.has(key)) byFirstWord.set(key, []);
    byFirstWord.get(key).push({ slug, words, gaps, exact, length: words.join("").length });
  };
  for (let [slug, ...names] of entries) {
    const caseSensitive = slug.startsWith(EXACT_MARK);
    if (caseSensitive) slug = slug.slice(1);
    for (let name of names) {
      const exact = caseSensitive || name.startsWith(EXACT_MARK);
      if (name.startsWith(EXACT_MARK)) name = name.slice(1);
      const words = name.match(WORD);
      if (!words) continue;
      const gaps = name.split(WORD).slice(1, -1).map(normalizeGap);
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
    const words = [];
    const starts = [];
    WORD.lastIndex = 0;
    for (let m; (m = WORD.exec(text)); ) {
      words.push(m[0]);
      starts.push(m.index);
    }
    const found = [];
    for (let i = 0; i < words.length; i++) {
      const candidates = byFirstWord.get(words[i].toLowerCase());
      if (!candidates) continue;
      for (const candidate of candidates) {
        const end = fits(candidate, words, starts, i, text);
        if (end) {
          found.push([starts[i], end, candidate.slug]);
          i += candidate.words.length - 1;
          break;
        }
      }
    }
    return found;
  };
}

/** Where `candidate` ends in `text` if it matches from the i-th word, else 0. */
function fits(candidate, words, starts, i, text) {
  const { words: names, gaps, exact } = candidate;
  if (i + names.length > words.length) return 0;
  for (let k = 0; k < names.length; k++) {
    const word = words[i + k];
    if ((exact ? word : word.toLowerCase()) !== names[k]) return 0;
    if (k && normalizeGap(text.slice(starts[i + k - 1] + words[i + k - 1].length, starts[i + k])) !== gaps[k - 1]) {
      return 0;
    }
  }
  const last = i + names.length - 1;
  return starts[last] + words[last].length;
}
