// ---- matcher: one pass over a text, whatever the number of terms ------------------------------
//
// A Map from a name's first word (lower-cased) to the names that start with it is built once,
// and one regular expression of the first letters of those words: the engine finds where a
// name may start, so script looks at a few words in a hundred rather than at every word, and
// neither grows with the glossary. Four letters keep the expression small (1,600 beginnings
// for 20,000 synthetic terms, compiled in a few milliseconds); a glossary with more beginnings
// than MAX_BEGINNINGS gets three letters, or two. A name is split into its words only when its
// first word turns up in a text: a page mentions few of the glossary's names.

// A word is a run of letters, marks, digits and `_`: matches are whole words by construction.
const WORD_CHAR = "[\\p{L}\\p{M}\\p{N}_]";
const WORD = new RegExp(WORD_CHAR + "+", "gu");
// A second cursor, for splitting names and reading the words after a candidate's first one, so
// that WORD keeps its place in the text.
const NEXT_WORD = new RegExp(WORD);
const MAX_BEGINNINGS = 2000; // compiled in about 5 ms on a 2.1 GHz Xeon; 4,000 took 17-27 ms
const EXACT_MARK = "=";

/**
 * Case folding for matching, which keeps every letter at its place: lower case, with the final
 * sigma as any other sigma (as in Unicode's case folding; lower-casing it depends on the letters
 * around it) and İ as i (as in Turkish; lower-cased, it would become two characters).
 */
const fold = (text) => text.replaceAll("İ", "i").toLowerCase().replaceAll("ς", "σ");

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
  NEXT_WORD.lastIndex = 0;
  for (let m, end = -1; (m = NEXT_WORD.exec(name)); end = NEXT_WORD.lastIndex) {
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
  // For each first word, a chain through `links` of the names that start with it. Only numbers
  // and references to the index entries, so that building it allocates next to nothing: it
  // runs for every name on every page view, while the code is still cold.
  const heads = new Map(); // first word -> index in `links` of the last name with it
  const links = []; // per name and key: its entry, its index there, the previous link with its first word or -1
  const add = (key, entry, i) => {
    links.push(entry, i, heads.get(key) ?? -1);
    heads.set(key, links.length - 3);
  };
  for (const entry of entries) {
    const caseSensitive = entry[0][0] === EXACT_MARK;
    for (let i = 1; i < entry.length; i++) {
      const name = entry[i];
      if (/^[+-]/.test(name)) break; // the context rules follow the names
      WORD.lastIndex = 0;
      const first = WORD.exec(name); // EXACT_MARK is not a word character
      if (!first) continue;
      const key = fold(first[0]);
      add(key, entry, i);
      // The plural of a one-word name begins with another word: premiums, policies, APRs.
      if (!caseSensitive && !WORD.exec(name)) add(fold(plural(name[0] === EXACT_MARK ? first[0] : key)), entry, i);
    }
  }
  // The first letters of the first words: fewer letters where four give more beginnings than
  // the engine compiles in a few milliseconds. (The loop tries four letters, then three, then
  // two, and keeps the first that give at most MAX_BEGINNINGS, or two.)
  // A matcher of one entry (a term's context words or `not` phrases) reads every word with a
  // copy of WORD instead, as its own expression would cost 2 ms to compile (the \p classes)
  // and save next to nothing on the few blocks it reads (the engine compiles WORD's source
  // once). Both find the same words. A copy: a context matcher runs inside the scan of another.
  let starts = new RegExp(WORD);
  if (entries[1]) {
    let beginnings;
    for (let length = 5; length > 2 && !(beginnings?.size <= MAX_BEGINNINGS); length--) {
      beginnings = new Set([...heads.keys()].map((key) => key.slice(0, length - 1)));
    }
    // Over the folded text, at the start of a word, and on to its end: what it finds is the
    // folded word. (A letter of two code units cut in half would never match.)
    const alternatives = [...beginnings].join("|").replace(/[\ud800-\udbff](?=\||$)/g, "");
    starts = new RegExp(`(?<!${WORD_CHAR})(?:${alternatives || "(?!)"})${WORD_CHAR}*`, "gu");
    starts.exec(""); // compiled now, with the matcher, rather than in the first scan
  }

  /** The names chained from `head`, split into words, in glossary order; then most words first,
   * so that the first candidate that fits is the leftmost-longest match. */
  const candidates = new Map(); // head -> candidates, made for the first words a page has
  const candidatesOf = (head) => {
    let list = candidates.get(head);
    if (!list) {
      list = [];
      for (let link = head; link >= 0; link = links[link + 2]) {
        const entry = links[link];
        const name = entry[links[link + 1]];
        const caseSensitive = entry[0][0] === EXACT_MARK;
        const exact = caseSensitive || name[0] === EXACT_MARK;
        const [words, gaps] = splitName(exact ? name : fold(name)); // as `fits` reads the text
        list.push({
          entry,
          needs: /^=?\?/.test(name),
          slug: caseSensitive ? entry[0].slice(1) : entry[0],
          words,
          gaps,
          exact,
          // Plurals of the last word for all but case-sensitive terms.
          plural: caseSensitive ? "" : plural(words[words.length - 1]),
        });
      }
      list.reverse().sort((a, b) => b.words.length - a.words.length); // stable: glossary order on ties
      candidates.set(head, list);
    }
    return list;
  };

  /** `near(start, end, words)`, given by the highlighter, tells whether the block of a match
   * that needs context holds one of the context words `words` (a matcher) outside it. */
  return function match(text, near) {
    /** Whether the context rules of the candidate's term let it match text[start, end): it is
     * inside no `not` phrase (read in the match's text node only: the text may be 64 of them,
     * joined by NUL), and a name that needs context has a context word `near`. */
    const allowed = ({ entry, needs }, start, end) => {
      const [words, not] = (entry.r ??= rulesOf(entry));
      const node = text.lastIndexOf("\0", start) + 1;
      return (
        !not?.(text.slice(node).split("\0", 1)[0]).some(([from, to]) => from + node <= start && to + node >= end) &&
        (!needs || (words && near?.(start, end, words)))
      );
    };
    const found = [];
    const folded = fold(text);
    starts.lastIndex = 0;
    for (let hit; (hit = starts.exec(folded)); ) {
      const head = heads.get(hit[0]);
      if (head === undefined) continue;
      for (const candidate of candidatesOf(head)) {
        const end = fits(candidate, candidate.exact ? text : folded, hit.index);
        if (end && allowed(candidate, hit.index, end)) {
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
 * The context rules of an index entry (api.py), made when one of its names first matches, so
 * that terms without rules, or not on the page, cost nothing: a matcher of its context words
 * (its own `+` words, else those of its index file) and one of its `not` phrases (`-`).
 */
function rulesOf(entry) {
  const pick = (mark) => entry.filter((item) => item[0] == mark).map((item) => item.slice(1));
  const near = pick("+");
  const not = pick("-");
  if (!near[0] && entry.c) near.push(...entry.c);
  return [near[0] && createMatcher([["", ...near]]), not[0] && createMatcher([["", ...not]])];
}

/** Where `candidate` ends in `text` (folded, unless the candidate is exact) if it matches from
 * the word at `start`, else 0. */
function fits({ words, gaps, plural }, text, start) {
  const last = words.length - 1;
  let end = start;
  NEXT_WORD.lastIndex = start;
  for (let k = 0; k <= last; k++) {
    const m = NEXT_WORD.exec(text);
    if (!m || (m[0] !== words[k] && !(k === last && m[0] === plural))) return 0;
    if (k && normalizeGap(text.slice(end, m.index)) !== gaps[k - 1]) return 0;
    end = NEXT_WORD.lastIndex;
  }
  return end;
}
