// Filters without a server: each article carries its language, provinces, years and verdicts as data-*.
(function () {
  "use strict";
  var articles = Array.prototype.slice.call(document.querySelectorAll("article.article"));
  var controls = Array.prototype.slice.call(document.querySelectorAll("[data-filter]"));
  var search = document.getElementById("filter-search");
  var shown = document.getElementById("shown");
  var texts = articles.map(function (a) { return a.textContent.toLowerCase(); });

  function wanted() {
    var w = {};
    controls.forEach(function (c) { w[c.dataset.filter] = c.value; });
    w.search = search.value.trim().toLowerCase();
    return w;
  }

  function listed(article, key, value) {
    if (!value) { return true; }
    return JSON.parse(article.dataset[key] || "[]").indexOf(value) >= 0;
  }

  function apply() {
    var w = wanted(), count = 0;
    articles.forEach(function (a, i) {
      var ok = (!w.lang || a.dataset.lang === w.lang)
        && listed(a, "provinces", w.province)
        && listed(a, "years", w.year)
        && listed(a, "verdicts", w.verdict)
        && (!w.search || texts[i].indexOf(w.search) >= 0);
      a.classList.toggle("hidden", !ok);
      a.querySelectorAll("li.check").forEach(function (c) {
        c.classList.toggle("hidden", Boolean(w.verdict) && c.dataset.verdict !== w.verdict);
      });
      if (ok) { count += 1; }
    });
    shown.textContent = count + " of " + articles.length + " articles";
  }

  controls.forEach(function (c) { c.addEventListener("change", apply); });
  search.addEventListener("input", apply);
  // A link to a span in a hidden article shows that article first.
  document.addEventListener("click", function (e) {
    var link = e.target.closest("a[href^='#']");
    if (!link) { return; }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    var article = target && target.closest("article.article");
    if (article && article.classList.contains("hidden")) {
      controls.forEach(function (c) { c.value = ""; });
      search.value = "";
      apply();
    }
  });
  apply();
}());
