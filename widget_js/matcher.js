// ---- matcher: one pass over a text, whatever the number of terms ------------------------------
//
// An index file holds the matcher ready-made (widget_server/api.py computes it once per glossary
// version): `names`, from each word a name is looked up by to the names that may begin there,
// each already split into the words and gaps `fits` compares, and `starts`, the first letters of
// those words, of which one regular expression is made: the engine finds where a name may start,
// so script looks at a few words in a hundred rather than at every word, and neither grows with
// the glossary. Building the matcher is then compiling that expression.

// A word is a run of letters, marks, digits and `_`: matches are whole words by construction.
const WORD_CHAR = "[\\p{L}\\p{M}\\p{N}_]";
// Reads the words after a candidate's first one, and (copied) every word of a text for a matcher
// of context words.
const WORD = new RegExp(WORD_CHAR + "+", "gu");

/**
 * Case folding for matching, which keeps every letter at its place: lower case, with the final
 * sigma as any other sigma (as in Unicode's case folding; lower-casing it depends on the letters
 * around it) and İ as i (as in Turkish; lower-cased, it would become two characters).
 */
const fold = (text) => text.replaceAll("İ", "i").toLowerCase().replaceAll("ς", "σ");

/** The text between two words, with white space and typographic variants folded. */
function normalizeGap(gap) {
  return gap == " "
    ? gap
    : gap.replace(/\s+/g, " ").replace(/[\u2018\u2019]/g, "'").replace(/[\u2010\u2011]/g, "-");
}

/**
 * Builds the matcher from index files `{names, starts, rules}` (see api.py's `matcher_document`;
 * a matcher of context words has only `names`). Returns `match(text) -> [[start, end, slug],
 * ...]`, leftmost-longest and non-overlapping.
 */
export function createMatcher(files) {
  // Anything else is not an index file of this widget's (an older format, an error page's JSON).
  if (files.some((file) => !file?.names || typeof file.names != "object")) throw Error("bad index");
  // One expression of every file's first letters, over the folded text, at the start of a word,
  // and on to its end: what it finds is the folded word. Without them (a matcher of context
  // words), a copy of WORD reads every word instead: both find the same words, and the engine
  // compiles WORD's source once, where an expression of its own would take a millisecond or two,
  // in every matcher of context words. A copy: a context matcher runs inside the scan of another.
  const starts =
    files[0].starts == null
      ? new RegExp(WORD)
      : new RegExp(`(?<!${WORD_CHAR})(?:${files.map((file) => file.starts).filter(Boolean).join("|") || "(?!)"})${WORD_CHAR}*`, "gu");
  starts.exec(""); // compiled now, with the matcher, rather than in the first scan

  /** A file's context words or `not` phrases, `rules[n - 1]`, as a matcher, made when a page has
   * a name with them: each looked up by its first word, and a one-word one also by its plural. */
  const matchers = new Map(); // rules -> their matcher
  const rulesOf = (file, n) => {
    const forms = n && file.rules?.[n - 1];
    if (n && !Array.isArray(forms)) throw Error("bad index");
    if (forms && !matchers.has(forms)) {
      const names = Object.create(null);
      for (const form of forms) {
        for (const word of form.length > 2 ? [form[1]] : form) (names[word] ??= []).push(["", 0, 0, 0, ...form]);
      }
      matchers.set(forms, createMatcher([{ names }]));
    }
    return matchers.get(forms);
  };

  /** The names looked up by `word` in every file, each with its file; most words first, so that
   * the first that fits is the leftmost-longest match. Each is checked here, as a page has its
   * word: a name in an index file that is not one reads as a bad index, not as a script error. */
  const candidates = Object.create(null); // word -> candidates, made for the words a page has
  const candidatesOf = (word) =>
    files
      .flatMap((file) =>
        (Object.hasOwn(file.names, word) ? file.names[word] : []).map((name) => {
          if (!name?.every?.((part, k) => typeof part == (k && k < 4 ? "number" : "string"))) throw Error("bad index");
          return [name, file];
        }),
      )
      .sort((a, b) => b[0].length - a[0].length); // stable: glossary order on ties

  /** `near(start, end, words)`, given by the highlighter, tells whether the block of a match
   * that needs context holds one of the context words `words` (a matcher) outside it. */
  return function match(text, near) {
    /** Whether the context rules of `name` let it match text[start, end): it is inside none of
     * its `not` phrases, and if it needs context, a context word is `near`. Each `not` matcher
     * reads the text once, not once per match (a long text node of many matches took minutes
     * so): the text may be 64 nodes joined by NUL, which no phrase spans. */
    const phrases = new Map(); // a `not` matcher -> its matches in `text`
    const allowed = (name, file, start, end) => {
      const not = rulesOf(file, name[3]);
      return (
        !(not && (phrases.has(not) || phrases.set(not, not(text)), phrases.get(not)).some(([from, to]) => from <= start && to >= end)) &&
        (!name[2] || near?.(start, end, rulesOf(file, name[2])))
      );
    };
    const found = [];
    const folded = fold(text);
    starts.lastIndex = 0;
    for (let hit; (hit = starts.exec(folded)); ) {
      for (const [name, file] of (candidates[hit[0]] ??= candidatesOf(hit[0]))) {
        const end = fits(name, name[1] ? text : folded, hit.index);
        if (end > hit.index && (!(name[2] || name[3]) || allowed(name, file, hit.index, end))) {
          found.push([hit.index, end, name[0]]);
          starts.lastIndex = end;
          break;
        }
      }
    }
    return found;
  };
}

/** Where `name`, `[slug, exact, near, not, plural, word, gap, word, ...]`, ends in `text`
 * (folded, unless the name is exact) if it matches from the word at `start`, else 0. */
function fits(name, text, start) {
  const last = name.length - 1;
  let end = start;
  WORD.lastIndex = start;
  for (let k = 5; k <= last; k += 2) {
    const m = WORD.exec(text);
    if (!m || (m[0] !== name[k] && !(k === last && m[0] === name[4]))) return 0;
    if (k > 5 && normalizeGap(text.slice(end, m.index)) !== name[k - 1]) return 0;
    end = WORD.lastIndex;
  }
  return end;
}
