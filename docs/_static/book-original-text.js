// The originals beside a translation (src/book/sphinxext/original.py), imported by
// book-original.js: after each translated block of the article, the text of the block at the
// same place in the Japanese page (both are written from one doctree), marked lang="ja"; a
// link of the contents, the Japanese link to the same page.
const words = (el) => {
  el = el.cloneNode(true);
  el.querySelectorAll(".headerlink,.print-url").forEach((e) => e.remove());
  return el.textContent.replace(/\s+/g, " ").trim();
};

export default async (article, href) => {
  const control = article.querySelector(".book-original-control");
  // Child indexes from <article> down (the control, which the original lacks, left out).
  const path = (el) =>
    el == article
      ? []
      : [...path(el.parentNode), [...el.parentNode.children].filter((c) => c != control).indexOf(el)];
  const response = await fetch(href);
  if (!response.ok) throw Error(response.status);
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  // Smaller (not below the admonitions' size), muted, behind a rule; aligned as its block
  // (book.css sets the source line of a summary to the right).
  const style = document.createElement("style");
  style.textContent = `.book-original-text{display:none}
.book-original-on .book-original-text{display:block;margin:.2em 0 .6em;padding-left:.75em;
border-left:2px solid var(--color-brand-primary);color:var(--color-foreground-secondary);
font-size:max(.9em,.8125rem);font-weight:normal;overflow-wrap:anywhere}
.source-summary>p:last-child>.book-original-text{width:fit-content;margin-left:auto}`;
  document.head.append(style);
  const pairs = [];
  for (const block of article.querySelectorAll(
    ".translated,.toctree-wrapper .caption,.toctree-wrapper a",
  )) {
    let twin = page.querySelector("article");
    // A link of the contents by its target: an edition may order them otherwise (the colophon).
    const link = block.matches(".toctree-wrapper a") && block.getAttribute("href");
    if (link) {
      const links = twin.querySelectorAll(".toctree-wrapper a");
      twin = [...links].find((a) => a.getAttribute("href") == link);
    } else for (const i of path(block)) twin = twin?.children[i];
    const text = twin?.tagName == block.tagName && words(twin);
    if (!text || text == words(block)) continue; // untranslated, or the same words
    // After a heading, a paragraph of its own (the heading's name stays the translation's);
    // in a paragraph or term, or after a link of the contents, a line of the block.
    const heading = block.matches("h1,h2,h3,h4,h5,h6,.caption");
    const original = document.createElement(heading ? "p" : "span");
    original.className = "book-original-text";
    original.lang = "ja";
    original.textContent = text;
    pairs.push([block, original, heading || block.tagName == "A"]);
  }
  for (const [block, original, after] of pairs) {
    after ? block.after(original) : block.append(original);
  }
};
