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
      WORD.lastIndex = 0;
      const first = WORD.exec(name); // EXACT_MARK is not a word character
      if (!first) continue;
      const key = first[0].toLowerCase();
      add(key, entry, i);
      // The plural of a one-word name begins with another word: premiums, policies, APRs.
      if (!caseSensitive && !WORD.exec(name)) add(plural(name[0] === EXACT_MARK ? first[0] : key).toLowerCase(), entry, i);
    }
  }
  // The first letters of the first words: fewer letters where four give more beginnings than
  // the engine compiles in a few milliseconds. (The loop tries four letters, then three, then
  // two, and keeps the first that give at most MAX_BEGINNINGS, or two.)
  let beginnings;
  for (let length = 5; length > 2 && !(beginnings?.size <= MAX_BEGINNINGS); length--) {
    beginnings = new Set([...heads.keys()].map((key) => key.slice(0, length - 1)));
  }
  // Over the lower-cased text, at the start of a word. (Greek: the text's final sigma may not be
  // its words'; a letter of two code units cut in half would never match.)
  const alternatives = [...beginnings].join("|").replace(/[σς]/g, "[σς]").replace(/[\ud800-\udbff](?=\||$)/g, "");
  const starts = new RegExp(`(?<!${WORD_CHAR})(?:${alternatives || "(?!)"})`, "gu");
  starts.exec(""); // compiled now, with the matcher, rather than in the first scan

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
        let [words, gaps] = splitName(name);
        if (!exact) words = words.map((word) => word.toLowerCase()); // word by word, as in `fits`
        list.push({
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

  return function match(text) {
    const found = [];
    const lower = text.toLowerCase();
    // Lower-casing changes the length of a few texts (İ): there, every word is looked up.
    const finder = lower.length === text.length ? starts : WORD;
    finder.lastIndex = 0;
    for (let hit; (hit = finder.exec(finder === WORD ? text : lower)); ) {
      WORD.lastIndex = hit.index;
      const m = WORD.exec(text);
      finder.lastIndex = WORD.lastIndex;
      const head = heads.get(m[0].toLowerCase());
      if (head === undefined) continue;
      for (const candidate of candidatesOf(head)) {
        const end = fits(candidate, text, m);
        if (end) {
          found.push([m.index, end, candidate.slug]);
          finder.lastIndex = end;
          break;
        }
      }
    }
    return found;
  };
}

/** Where `candidate` ends in `text` if it matches from the word `first`, else 0. */
function fits({ words, gaps, exact, plural }, text, first) {
  const last = words.length - 1;
  const same = (k, word) => {
    if (!exact) word = word.toLowerCase();
    return word === words[k] || (k === last && word === plural);
  };
  if (!same(0, first[0])) return 0;
  let end = first.index + first[0].length;
  NEXT_WORD.lastIndex = end;
  for (let k = 1; k <= last; k++) {
    const m = NEXT_WORD.exec(text);
    if (!m || !same(k, m[0])) return 0;
    if (normalizeGap(text.slice(end, m.index)) !== gaps[k - 1]) return 0;
    end = NEXT_WORD.lastIndex;
  }
  return end;
}
