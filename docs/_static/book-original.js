// The control of the Japanese original: see src/book/sphinxext/original.py.
(() => {
  const link = document.querySelector(".book-original-control a");
  if (!link || location.protocol == "file:") return;
  const control = link.parentNode;
  const article = control.parentNode;
  const button = document.createElement("button");
  const style = document.createElement("style");
  let on, inserted;
  const show = async (value) => {
    button.setAttribute("aria-pressed", (on = value));
    try {
      if (on)
        await (inserted ||= import(`./book-original-text.js?v=${control.dataset.v}`).then((m) =>
          m.default(article, link.href),
        ));
      article.classList.toggle("book-original-on", on);
    } catch {
      button.replaceWith(link);
    }
  };
  style.textContent = `.book-original-control button{font:inherit;color:inherit;background:none;
border:1px solid var(--color-foreground-border);border-radius:.3em;padding:.2em .7em}
.book-original-control button::before{content:"";display:inline-block;width:.7em;
height:.7em;margin-right:.5em;border:1px solid;border-radius:2px}
[aria-pressed=true]::before{background:currentColor}
@media print{.book-original-control{display:none}}`;
  document.head.append(style);
  button.textContent = link.textContent;
  button.onclick = () => {
    try {
      localStorage[on ? "removeItem" : "setItem"]("book-original", 1);
    } catch {}
    show(!on);
  };
  link.replaceWith(button);
  show(false);
  try {
    localStorage.getItem("book-original") && show(true);
  } catch {}
})();
