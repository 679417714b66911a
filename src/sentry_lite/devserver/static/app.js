// sentry-lite viewer: live updates over Server-Sent Events, search as you type, filters,
// Clear, and the Spotlight error page. Lists are re-fetched and swapped in place; a
// detail page shows a notice instead, so what you are reading never moves under you.
(function () {
  "use strict";
  document.documentElement.lang = "en";
  var body = document.body;
  var main = document.getElementById("main");
  var dot = document.getElementById("live");
  var mode = body.getAttribute("data-live");
  var base = body.getAttribute("data-base") || location.origin;
  var pending = null;

  // sentry_sdk's Django middleware serves this page as the app's 500 page, from the
  // app's own origin, with the error's event id in window.__spotlight. Show that event.
  var spotlight = window.__spotlight && window.__spotlight.initOptions;
  if (spotlight && spotlight.startFrom && new URL(base).origin !== location.origin) {
    var match = /\/errors\/([0-9a-fA-F-]{32,36})/.exec(spotlight.startFrom);
    if (match) {
      var eventUrl = base + "/events/" + match[1];
      main.innerHTML = "";
      var bar = document.createElement("div");
      bar.className = "embed-bar";
      bar.textContent = "This request failed; the error as sentry-lite received it. ";
      var open = document.createElement("a");
      open.href = eventUrl;
      open.textContent = "Open in the viewer";
      bar.appendChild(open);
      var frame = document.createElement("iframe");
      frame.className = "embed-frame";
      frame.title = "the error event";
      frame.src = eventUrl + "?embed=1";
      main.appendChild(bar);
      main.appendChild(frame);
      body.classList.add("embedded");
      return;
    }
  }
  if (new URL(base).origin !== location.origin) return;  // embedded some other way
  if (new URLSearchParams(location.search).get("embed") === "1") body.classList.add("in-frame");

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
        bindFilters();
        body.setAttribute("data-updated", String(Date.now()));
      })
      .catch(function () {});
  }

  function toast(count) {
    var el = document.querySelector(".toast");
    if (!el) {
      el = document.createElement("div");
      el.className = "toast";
      body.appendChild(el);
    }
    el.textContent = count + " new item" + (count === 1 ? "" : "s") + " received";
    var link = document.createElement("a");
    link.href = "/";
    link.textContent = "Show issues";
    el.appendChild(link);
  }

  var unseen = 0;
  function onItem(message) {
    var data = {};
    try { data = JSON.parse(message.data); } catch (e) { data = {}; }
    if (data.item_type === "clear" && mode !== "list") { location.reload(); return; }
    if (mode === "list") {
      if (pending) return;
      pending = setTimeout(function () {
        pending = null;
        swapFrom(location.href);
      }, 150);
    } else if (mode === "wait") {
      location.reload();
    } else {
      unseen += 1;
      toast(unseen);
    }
  }

  // A browser allows ~6 connections per server: a page kept in the back/forward cache
  // must give its live connection back, or a few navigations later nothing loads.
  var source = null;
  function connect() {
    if (!window.EventSource || source) return;
    source = new EventSource("/live");
    source.addEventListener("open", function () { dot.classList.add("on"); });
    source.addEventListener("error", function () { dot.classList.remove("on"); });
    source.addEventListener("item", onItem);
  }
  window.addEventListener("pagehide", function () {
    if (source) { source.close(); source = null; dot.classList.remove("on"); }
  });
  window.addEventListener("pageshow", function (e) { if (e.persisted) connect(); });
  connect();

  var search = document.querySelector("form.search input");
  var timer = null;
  if (search && mode === "list") {
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var form = search.form;
        var url = new URL(form.getAttribute("action"), location.href);
        new FormData(form).forEach(function (value, key) {
          if (value) url.searchParams.set(key, value);
        });
        history.replaceState(null, "", url.pathname + url.search);
        swapFrom(url.href);
      }, 200);
    });
  }

  function bindFilters() {
    document.querySelectorAll("form.filters select").forEach(function (select) {
      select.addEventListener("change", function () {
        var form = select.form;
        var url = new URL(form.getAttribute("action"), location.href);
        new FormData(form).forEach(function (value, key) {
          if (value) url.searchParams.set(key, value);
        });
        location.assign(url.pathname + url.search);
      });
    });
  }
  bindFilters();

  var clear = document.getElementById("clear");
  var token = document.querySelector('meta[name="sentry-lite-token"]');
  if (clear) {
    clear.addEventListener("click", function () {
      if (!window.confirm("Delete every event, transaction, log and item received so far?")) return;
      fetch("/json/clear", {
        method: "POST",
        headers: { "X-Sentry-Lite-Token": token ? token.content : "" },
      }).then(function (r) {
        if (r.ok) location.assign("/");
      });
    });
  }

  refreshTimes();
  setInterval(refreshTimes, 15000);
})();
