// ---- matcher: one pass over a text, whatever the number of terms ------------------------------
//
// An index file holds the matcher ready-made (widget_server/api.py computes it once per glossary
// version): `words`, from each word a name is looked up by to the entries with such a name, and
// `starts`, the first letters of those words, of which one regular expression is made: the
// engine finds where a name may start, so script looks at a few words in a hundred rather than
// at every word, and neither grows with the glossary. Building the matcher is then compiling
// that expression. A name is split into its words only when its word turns up in a text: a page
// mentions few of the glossary's names.

// A word is a run of letters, marks, digits and `_`: matches are whole words by construction.
const WORD_CHAR = "[\\p{L}\\p{M}\\p{N}_]";
// Splits names, reads the words after a candidate's first one, and (copied) every word of a text
// for a matcher without `starts`.
const WORD = new RegExp(WORD_CHAR + "+", "gu");
const EXACT_MARK = "=";

/**
 * Case folding for matching, which keeps every letter at its place: lower case, with the final
 * sigma as any other sigma (as in Unicode's case folding; lower-casing it depends on the letters
 * around it) and İ as i (as in Turkish; lower-cased, it would become two characters).
 */
const fold = (text) => text.replaceAll("İ", "i").toLowerCase().replaceAll("ς", "σ");

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

/** `list` if it is a list of text (what is not even an array has no `every`), else an error. */
function texts(list) {
  if (!list?.every?.((item) => typeof item === "string")) throw Error("bad index");
  return list;
}

/** The regular English plural of a lower-case word: premium -> premiums, policy -> policies. */
function plural(word) {
  if (/(s|x|z|ch|sh)$/.test(word)) return word + "es";
  if (/[^aeiou]y$/.test(word)) return word.slice(0, -1) + "ies";
  return word + "s";
}

/** The text between two words, with white space and typographic variants folded. */
function normalizeGap(gap) {
  return gap == " "
    ? gap
    : gap.replace(/\s+/g, " ").replace(/[\u2018\u2019]/g, "'").replace(/[\u2010\u2011]/g, "-");
}

/** The names of an index entry, `[slug, name, aliases..., context rules...]`, all text: what
 * comes before its context rules, marks and all. */
function namesOf(entry) {
  const rules = texts(entry?.[1] && entry).findIndex((item) => /^[+-]/.test(item));
  return entry.slice(1, rules < 0 ? undefined : rules);
}

/**
 * `words` for `terms`, for the matchers of context words and for an index file without them (an
 * older or a hand-made copy): from each name's first word, folded, and its plurals, to the
 * positions in `terms` of the entries with such a name. More than api.py's `entry_words` (which
 * has a plural only where `fits` may take it, and each position once), to the same effect: `fits`
 * compares every word, and a position listed twice has its names tried twice.
 */
function wordsOf(terms) {
  const words = Object.create(null); // no inherited keys: "constructor" is a word like any other
  terms.forEach((entry, position) => {
    for (const name of namesOf(entry)) {
      const first = splitName(name)[0][0] ?? ""; // EXACT_MARK is not a word character
      for (const word of [fold(first), plural(fold(first)), fold(plural(first))]) (words[word] ??= []).push(position);
    }
  });
  return words;
}

/**
 * Builds the matcher from index files `{terms, words, starts, context}` (see api.py for the
 * format; `words` and `starts` may be missing). Returns `match(text) -> [[start, end, slug],
 * ...]`, leftmost-longest and non-overlapping.
 */
export function createMatcher(files) {
  for (const file of files) {
    texts(file.context ?? []); // the category's context words, for the names that need them
    file.words ??= wordsOf(file.terms);
  }
  // One expression of every file's first letters, over the folded text, at the start of a word,
  // and on to its end: what it finds is the folded word. Without them (a matcher of context
  // words, a file without `starts`), a copy of WORD reads every word instead: both find the same
  // words, and the engine compiles WORD's source once, where an expression of its own would take
  // a millisecond or two, in every matcher of context words. A copy: a context matcher runs
  // inside the scan of another.
  const beginnings = files.map((file) => file.starts);
  const starts = beginnings.includes(undefined)
    ? new RegExp(WORD)
    : new RegExp(`(?<!${WORD_CHAR})(?:${beginnings.filter(Boolean).join("|") || "(?!)"})${WORD_CHAR}*`, "gu");
  starts.exec(""); // compiled now, with the matcher, rather than in the first scan

  /** The names of the entries looked up by `word`, split into words, in glossary order; then
   * most words first, so that the first candidate that fits is the leftmost-longest match. A
   * name of such an entry with another first word never fits: `fits` compares every word. */
  const candidates = Object.create(null); // word -> candidates, made for the words a page has
  const candidatesOf = (word) => {
    const list = [];
    for (const { terms, words, context } of files) {
      for (const position of Object.hasOwn(words, word) ? words[word] : []) {
        const entry = terms[position];
        const names = namesOf(entry);
        const caseSensitive = entry[0][0] == EXACT_MARK;
        for (const name of names) {
          const exact = caseSensitive || name[0] == EXACT_MARK;
          const [nameWords, gaps] = splitName(exact ? name : fold(name)); // as `fits` reads the text
          const needs = /^=?\?/.test(name);
          list.push({
            // Most terms have no rules: their candidates are not checked against any.
            rules: rulesOf(entry, context, needs),
            needs,
            slug: entry[0].replace(EXACT_MARK, ""), // a slug has no other `=`
            words: nameWords,
            gaps,
            exact,
            // Plurals of the last word for all but case-sensitive terms.
            plural: caseSensitive ? "" : plural(nameWords.at(-1)),
          });
        }
      }
    }
    return list.sort((a, b) => b.words.length - a.words.length); // stable: glossary order on ties
  };

  /** `near(start, end, words)`, given by the highlighter, tells whether the block of a match
   * that needs context holds one of the context words `words` (a matcher) outside it. */
  return function match(text, near) {
    /** Whether the context rules of a candidate with rules let it match text[start, end): it
     * is inside no `not` phrase, and a name that needs context has a context word `near`. Each
     * `not` matcher reads the text once, not once per match (a long text node of many matches
     * took minutes so): the text may be 64 nodes joined by NUL, which no phrase spans. */
    const phrases = new Map(); // a `not` matcher -> its matches in `text`
    const allowed = ({ rules: [words, not], needs }, start, end) =>
      !(not && (phrases.has(not) || phrases.set(not, not(text)), phrases.get(not)).some(([from, to]) => from <= start && to >= end)) &&
      (!needs || (words && near?.(start, end, words)));
    const found = [];
    const folded = fold(text);
    starts.lastIndex = 0;
    for (let hit; (hit = starts.exec(folded)); ) {
      for (const candidate of (candidates[hit[0]] ??= candidatesOf(hit[0]))) {
        const end = fits(candidate, candidate.exact ? text : folded, hit.index);
        // (A name with no word "fits" with no text: an index entry of a hand-made file.)
        if (end > hit.index && (!candidate.rules || allowed(candidate, hit.index, end))) {
          found.push([hit.index, end, candidate.slug]);
          starts.lastIndex = end;
          break;
        }
      }
    }
    return found;
  };
}

/**
 * A name's context rules (api.py), made with its candidates when a page has its word, so that
 * terms without rules, or not on the page, cost nothing: a matcher of its context words (its own
 * `+` words, else `context`, its file's) and one of its `not` phrases (`-`); none for a name
 * that `needs` no context, of an entry without `not` phrases (few terms have rules).
 */
function rulesOf(entry, context, needs) {
  const pick = (mark) => entry.filter((item) => item[0] == mark).map((item) => item.slice(1));
  const near = pick("+");
  const not = pick("-");
  if (!needs && !not[0]) return;
  if (!near[0] && context) near.push(...context);
  const matcherOf = (names) => names[0] && createMatcher([{ terms: [["", ...names]] }]);
  return [matcherOf(near), matcherOf(not)];
}

/** Where `candidate` ends in `text` (folded, unless the candidate is exact) if it matches from
 * the word at `start`, else 0. */
function fits({ words, gaps, plural }, text, start) {
  const last = words.length - 1;
  let end = start;
  WORD.lastIndex = start;
  for (let k = 0; k <= last; k++) {
    const m = WORD.exec(text);
    if (!m || (m[0] !== words[k] && !(k === last && m[0] === plural))) return 0;
    if (k && normalizeGap(text.slice(end, m.index)) !== gaps[k - 1]) return 0;
    end = WORD.lastIndex;
  }
  return end;
}
