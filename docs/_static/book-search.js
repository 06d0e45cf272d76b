/*
 * The book's search, on top of Sphinx's searchtools.js (src/book/sphinxext/search.py says why).
 *
 * splitQuery: Sphinx calls it to cut the query into words. A run of Japanese or Chinese
 * characters that is not itself a word of the index is segmented into words of the index:
 * the cover with the fewest characters left over, then with the fewest words (longest
 * match). Characters that are no word of the index (particles such as な) are left out, as
 * the index left them out. Latin words pass unchanged to Sphinx's stemmer.
 *
 * Scorer.score: a page that contains the whole query (BOOK_SEARCH_PAGES, normalised text)
 * gains 20 points per occurrence (up to 5), more than Sphinx gives one word of a compound
 * found in a heading (15); a page whose title contains the query gains 200. A reference page
 * (glossary, timeline, sources, about) gains nothing for the phrase and loses 100: the running
 * text comes first unless a reference page is the only match, or the one the query names.
 */
"use strict";

const BOOK_CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc]/u;
const BOOK_WORD_SPLIT = /[^\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu;
const BOOK_LONGEST_WORD = 16;
let bookVocabulary = null;
let bookQuery = "";

const bookNormalise = (text) =>
  text.normalize("NFKC").replace(/\s+/g, " ").toLowerCase().trim();

const bookBetter = (a, b) =>
  b === null || a.left < b.left || (a.left === b.left && a.words.length < b.words.length);

/* The words of the index that cover `token` best; [] when none of it is in the index. */
const bookSegment = (token, vocabulary) => {
  const best = [{ left: 0, words: [] }, ...Array(token.length).fill(null)];
  for (let i = 0; i < token.length; i++) {
    if (best[i] === null) continue;
    const skip = { left: best[i].left + 1, words: best[i].words };
    if (bookBetter(skip, best[i + 1])) best[i + 1] = skip;
    for (let j = i + 1; j <= Math.min(token.length, i + BOOK_LONGEST_WORD); j++) {
      const word = token.slice(i, j);
      if (!vocabulary.has(word)) continue;
      const cover = { left: best[i].left, words: [...best[i].words, word] };
      if (bookBetter(cover, best[j])) best[j] = cover;
    }
  }
  return best[token.length].words;
};

const bookIndexVocabulary = () => {
  if (bookVocabulary === null && typeof Search !== "undefined" && Search._index) {
    bookVocabulary = new Set([
      ...Object.keys(Search._index.terms),
      ...Object.keys(Search._index.titleterms),
    ]);
  }
  return bookVocabulary;
};

const bookOccurrences = (text, phrase) => {
  let count = 0;
  for (let at = text.indexOf(phrase); at !== -1 && count < 5; at = text.indexOf(phrase, at + phrase.length)) count++;
  return count;
};

const bookScore = (result) => {
  const [docname, title, , , score] = result;
  const page = typeof BOOK_SEARCH_PAGES === "undefined" ? undefined : BOOK_SEARCH_PAGES[docname];
  if (!page || !bookQuery) return score;
  const named = bookNormalise(title || "").includes(bookQuery) ? 200 : 0;
  if (!page.reading) return score + named - 100;
  return score + named + 20 * bookOccurrences(page.text, bookQuery);
};

var splitQuery = (query) => {
  if (typeof Scorer !== "undefined") Scorer.score = bookScore;
  bookQuery = bookNormalise(query);
  const tokens = query.split(BOOK_WORD_SPLIT).filter((token) => token);
  const vocabulary = bookIndexVocabulary();
  if (vocabulary === null) return tokens;
  return tokens.flatMap((token) => {
    const lower = token.toLowerCase();
    if (!BOOK_CJK.test(lower) || vocabulary.has(lower)) return [token];
    const words = bookSegment(lower, vocabulary);
    return words.length ? words : [token];
  });
};
