// sentry-lite viewer: live updates over Server-Sent Events and search as you type.
// Lists are re-fetched and swapped in place; a detail page shows a notice instead,
// so what you are reading never moves under you.
(function () {
  "use strict";
  var main = document.getElementById("main");
  var dot = document.getElementById("live");
  var mode = document.body.getAttribute("data-live");
  var pending = null;

  function ago(seconds) {
    if (seconds < 60) return Math.floor(seconds) + "s ago";
    if (seconds < 3600) return Math.floor(seconds / 60) + " min ago";
    if (seconds < 86400) return Math.floor(seconds / 3600) + " h ago";
    return Math.floor(seconds / 86400) + " d ago";
  }

  function refreshTimes() {
    var now = Date.now() / 1000;
    document.querySelectorAll("time[datetime]").forEach(function (el) {
      var ts = parseFloat(el.getAttribute("datetime"));
      if (!isNaN(ts)) el.textContent = ago(Math.max(0, now - ts));
    });
  }

  function swapFrom(url) {
    return fetch(url, { headers: { "Accept": "text/html" } })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("main");
        if (fresh) main.innerHTML = fresh.innerHTML;
        document.querySelectorAll("nav.tabs .tab").forEach(function (tab) {
          var other = doc.querySelector('nav.tabs .tab[data-tab="' + tab.dataset.tab + '"] .count');
          var mine = tab.querySelector(".count");
          if (other && mine) mine.textContent = other.textContent;
        });
        document.body.setAttribute("data-updated", String(Date.now()));
      })
      .catch(function () {});
  }

  function toast(count) {
    var el = document.querySelector(".toast");
    if (!el) {
      el = document.createElement("div");
      el.className = "toast";
      document.body.appendChild(el);
    }
    el.textContent = count + " new item" + (count === 1 ? "" : "s") + " received";
    var link = document.createElement("a");
    link.href = "/";
    link.textContent = "Show issues";
    el.appendChild(link);
  }

  var unseen = 0;
  function onItem() {
    if (mode === "list") {
      if (pending) return;
      pending = setTimeout(function () {
        pending = null;
        swapFrom(location.href);
      }, 150);
    } else {
      unseen += 1;
      toast(unseen);
    }
  }

  if (window.EventSource) {
    var source = new EventSource("/live");
    source.addEventListener("open", function () { dot.classList.add("on"); });
    source.addEventListener("error", function () { dot.classList.remove("on"); });
    source.addEventListener("item", onItem);
  }

  var search = document.querySelector("form.search input");
  var timer = null;
  if (search && mode === "list") {
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var form = search.form;
        var url = new URL(form.getAttribute("action"), location.href);
        if (search.value) url.searchParams.set("q", search.value);
        history.replaceState(null, "", url.pathname + url.search);
        swapFrom(url.href);
      }, 200);
    });
  }

  refreshTimes();
  setInterval(refreshTimes, 15000);
})();
