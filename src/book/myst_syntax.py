"""The MyST syntax of the book: what docs/conf.py enables, and what the catalog checks
(src/book/message_checks.py) parse a message with, so that both read a message alike.

attrs_inline marks original-language names in translations: [日本語の名称]{.language-ja}
becomes <span lang="ja">. Deliberately off: html_image/html_admonition and the raw HTML syntax
itself (a translation must not bring markup to readers: `<script>` in a msgstr is shown as
text), and substitution (Jinja templates evaluated at build time).
"""

ENABLE_EXTENSIONS = ("colon_fence", "deflist", "attrs_inline")
DISABLE_SYNTAX = ("html_block", "html_inline")
