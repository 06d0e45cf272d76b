// The root page: take a reader whose browser prefers a published language to that edition.
// The list of editions is the page's own (data-lang on each item); "#choose" in the address
// keeps the reader on the list.
(function () {
  if (window.location.hash === "#choose") return;
  var items = document.querySelectorAll("[data-lang]");
  var published = {};
  for (var i = 0; i < items.length; i++) {
    var link = items[i].querySelector("a.edition");
    published[items[i].getAttribute("data-lang").toLowerCase()] = link.getAttribute("href");
  }
  var wanted = navigator.languages || [navigator.language];
  for (var j = 0; j < wanted.length; j++) {
    var tag = String(wanted[j]).toLowerCase();
    var base = tag.split("-")[0];
    var target = published[tag] || published[base];
    if (!target && base === "zh") target = published["zh-cn"];
    if (target) {
      window.location.replace(target);
      return;
    }
  }
})();
