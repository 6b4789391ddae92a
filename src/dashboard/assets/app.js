// perfgate dashboard: draws window.PERFGATE_DATA (data.js, schema perfgate.dashboard.v1) with
// uPlot. Every name in the data is untrusted (benchmark names come from pull requests' code):
// text goes into the page through textContent and attributes only, never through innerHTML.
(function () {
  "use strict";

  var D = window.PERFGATE_DATA;
  var PAGE = 60;
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (attrs[k] !== undefined && attrs[k] !== null) e.setAttribute(k, attrs[k]);
      });
    }
    if (text !== undefined) e.textContent = text;
    return e;
  }

  if (!D || D.schema !== "perfgate.dashboard.v1") {
    $("status").textContent = "No dashboard data: data.js is missing, or was written by another perfgate version.";
    return;
  }

  // ---- numbers and units -------------------------------------------------------------------
  function sig(v) {
    var a = Math.abs(v);
    if (a === 0) return "0";
    if (a >= 1000) return v.toFixed(0);
    if (a >= 100) return v.toFixed(1);
    if (a >= 10) return v.toFixed(2);
    return v.toPrecision(3);
  }
  function scaled(v, steps) {
    var a = Math.abs(v), pick = steps[0];
    for (var i = 0; i < steps.length; i++) if (a >= steps[i][0]) pick = steps[i];
    return sig(v / pick[0]) + " " + pick[1];
  }
  var TIME = [[1, "ns"], [1e3, "µs"], [1e6, "ms"], [1e9, "s"]];
  var BYTES = [[1, "B"], [1024, "KiB"], [1048576, "MiB"], [1073741824, "GiB"]];
  var RATE = [[1, "B/s"], [1024, "KiB/s"], [1048576, "MiB/s"], [1073741824, "GiB/s"]];
  var PER = [[1, "/s"], [1e3, "k/s"], [1e6, "M/s"]];
  function fmt(v, unit) {
    if (v === null || v === undefined || !isFinite(v)) return "–";
    switch (unit) {
      case "ns": return scaled(v, TIME);
      case "B": return scaled(v, BYTES);
      case "B/s": return scaled(v, RATE);
      case "/s": return scaled(v, PER);
      case "ratio": return sig(v * 100) + "%";
      case "count": return sig(v);
      default: return sig(v) + " " + unit;
    }
  }
  function pct(c) {
    var s = (c * 100).toFixed(Math.abs(c) < 0.1 ? 1 : 0);
    return (c > 0 ? "+" : "") + s + "%";
  }
  function short(sha) { return sha ? sha.slice(0, 7) : "(no commit)"; }
  function commitHref(sha) {
    return D.commit_url && sha && /^[0-9a-fA-F]{4,64}$/.test(sha) ? D.commit_url + sha : null;
  }
  // RFC 3339 as `2026-11-03 11:00 UTC` (another offset is kept as written).
  function day(t) {
    if (!t) return "";
    var m = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d)(?::\d\d(?:\.\d+)?)?(Z|[+-]\d\d:?\d\d)?$/.exec(t);
    if (!m) return t;
    return m[1] + " " + m[2] + (m[3] === "Z" || m[3] === "+00:00" ? " UTC" : m[3] ? " " + m[3] : "");
  }

  // ---- series ids and deep links ------------------------------------------------------------
  var multiKey = D.keys.length > 1, multiMachine = D.machines.length > 1;
  function linkOf(s) {
    var p = new URLSearchParams();
    p.set("b", s.b);
    p.set("m", s.m);
    if (multiKey) p.set("k", D.keys[s.k].key);
    if (multiMachine) p.set("e", String(s.e));
    return "#" + p.toString();
  }
  function cardId(i) { return "s" + i; }

  // ---- filters -----------------------------------------------------------------------------
  // A glob (`*` any run, `?` one character), case-insensitive, matched in at most
  // len(g) x len(s) steps: a RegExp of `.*` runs backtracks exponentially, and a link such as
  // `#q=*A*A*A*A*A*A*B` hung the page.
  function globMatch(g, s) {
    g = g.toLowerCase(); s = s.toLowerCase();
    var i = 0, j = 0, star = -1, mark = 0;
    while (j < s.length) {
      if (i < g.length && (g[i] === "?" || g[i] === s[j])) { i++; j++; }
      else if (i < g.length && g[i] === "*") { star = i++; mark = j; }
      else if (star >= 0) { i = star + 1; j = ++mark; }
      else return false;
    }
    while (i < g.length && g[i] === "*") i++;
    return i === g.length;
  }
  function matcher(q) {
    var tokens = q.trim().split(/\s+/).filter(Boolean).map(function (t) {
      if (/[*?]/.test(t)) {
        return function (s) {
          return globMatch(t, s.b) || globMatch(t, s.m) || globMatch(t, s.b + " " + s.m);
        };
      }
      var low = t.toLowerCase();
      return function (s) { return (s.b + " " + s.m).toLowerCase().indexOf(low) >= 0; };
    });
    return function (s) { return tokens.every(function (f) { return f(s); }); };
  }

  var state = { q: "", key: "", machine: "", shifted: false, shown: PAGE, focus: null };

  function visible() {
    var m = matcher(state.q), out = [];
    for (var i = 0; i < D.series.length; i++) {
      var s = D.series[i];
      if (state.focus !== null) { if (i === state.focus) out.push(i); continue; }
      if (state.key !== "" && String(s.k) !== state.key) continue;
      if (state.machine !== "" && String(s.e) !== state.machine) continue;
      if (state.shifted && !(s.sh && s.sh.length)) continue;
      if (m(s)) out.push(i);
    }
    return out;
  }

  // ---- charts ------------------------------------------------------------------------------
  var css = getComputedStyle(document.documentElement);
  function color(name) { return css.getPropertyValue(name).trim() || "#888"; }
  var charts = new Map();

  function chartData(s) {
    var xs = s.x, n = xs.length;
    var level = new Array(n).fill(null), lo = new Array(n).fill(null), hi = new Array(n).fill(null);
    var far = new Array(n).fill(null), kept = s.y.slice();
    var li = 0;
    for (var i = 0; i < n; i++) {
      while (li + 1 < s.lv.length && s.lv[li + 1][0] <= i) li++;
      if (s.lv.length && s.lv[0][0] <= i) level[i] = s.lv[li][1];
      if (s.band && i >= s.band[2]) { lo[i] = s.band[0]; hi[i] = s.band[1]; }
    }
    (s.far || []).concat(s.apart === undefined ? [] : [s.apart]).forEach(function (i) {
      far[i] = s.y[i];
      kept[i] = null;
    });
    return [xs, kept, far, level, hi, lo];
  }

  function shiftMarks(s) {
    return {
      hooks: {
        draw: [function (u) {
          var ctx = u.ctx, top = u.bbox.top, h = u.bbox.height;
          ctx.save();
          ctx.font = Math.round(11 * devicePixelRatio) + "px system-ui, sans-serif";
          (s.sh || []).forEach(function (sh) {
            var run = s.x[sh[0]];
            var x = Math.round(u.valToPos(run - 0.5, "x", true));
            ctx.strokeStyle = sh[2] ? color("--worse") : color("--better");
            ctx.fillStyle = ctx.strokeStyle;
            ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
            ctx.lineWidth = devicePixelRatio;
            ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + h); ctx.stroke();
            var label = (sh[2] ? "▲ " : "▼ ") + pct(sh[1]) + " " + short(D.keys[s.k].commits[run]);
            // Right of the line, or left of it when the label would run off the plot.
            var w = ctx.measureText(label).width, gap = 4 * devicePixelRatio;
            var lx = x + gap + w > u.bbox.left + u.bbox.width ? x - gap - w : x + gap;
            ctx.fillText(label, lx, top + 12 * devicePixelRatio);
          });
          ctx.restore();
        }],
      },
    };
  }

  function drawChart(i, box, tip) {
    var s = D.series[i], key = D.keys[s.k];
    var width = Math.max(280, box.clientWidth);
    var opts = {
      width: width,
      height: 200,
      legend: { show: false },
      cursor: { points: { size: 7 }, drag: { x: false, y: false } },
      scales: { x: { time: false } },
      axes: [
        { stroke: color("--muted"), grid: { stroke: color("--grid") }, ticks: { stroke: color("--grid") },
          values: function (u, splits) { return splits.map(function (v) { return Number.isInteger(v) ? short(key.commits[v]) : ""; }); } },
        { stroke: color("--muted"), grid: { stroke: color("--grid") }, ticks: { stroke: color("--grid") }, size: 70,
          values: function (u, splits) { return splits.map(function (v) { return fmt(v, s.u); }); } },
      ],
      series: [
        {},
        { label: "run", stroke: color("--line"), width: 1.5, points: { show: true, size: 4, fill: color("--line") }, spanGaps: true },
        { label: "left out", stroke: color("--muted"), width: 0, points: { show: true, size: 6, fill: color("--bg"), stroke: color("--muted") }, paths: function () { return null; } },
        { label: "level", stroke: color("--level"), width: 2, paths: uPlot.paths.stepped({ align: 1 }), points: { show: false } },
        { label: "band high", stroke: color("--band-edge"), width: 1, dash: [3, 3], points: { show: false } },
        { label: "band low", stroke: color("--band-edge"), width: 1, dash: [3, 3], points: { show: false } },
      ],
      bands: [{ series: [4, 5], fill: color("--band") }],
      plugins: [shiftMarks(s)],
      hooks: {
        setCursor: [function (u) {
          var idx = u.cursor.idx;
          if (idx === null || idx === undefined) { tip.hidden = true; return; }
          var run = s.x[idx], sha = key.commits[run];
          var n = typeof s.n === "number" ? s.n : s.n[idx];
          var note = (s.far || []).indexOf(idx) >= 0 ? " · left out: far from its level"
            : s.apart === idx ? " · apart from the runs before it" : "";
          tip.textContent = short(sha) + " · " + day(key.times[run]) + " · " + fmt(s.y[idx], s.u) +
            " · " + n + (n === 1 ? " sample" : " samples") + note;
          tip.hidden = false;
        }],
      },
    };
    var u = new uPlot(opts, chartData(s), box);
    u.over.addEventListener("click", function () {
      var idx = u.cursor.idx;
      if (idx === null || idx === undefined) return;
      var href = commitHref(key.commits[s.x[idx]]);
      if (href) window.open(href, "_blank", "noopener");
    });
    box.dataset.drawn = "1";
    charts.set(i, u);
  }

  var observer = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (en) {
      if (!en.isIntersecting) return;
      var box = en.target, i = Number(box.dataset.series);
      observer.unobserve(box);
      if (!box.dataset.drawn) drawChart(i, box, box.nextElementSibling);
    });
  }, { rootMargin: "300px 0px" }) : null;

  // ---- cards -------------------------------------------------------------------------------
  function lastIdx(s) { return s.y.length - 1; }

  function card(i) {
    var s = D.series[i], key = D.keys[s.k];
    var sec = el("section", { class: "card", id: cardId(i), "aria-label": s.b + " " + s.m });
    var h = el("h3");
    var a = el("a", { href: linkOf(s) }, s.b);
    h.appendChild(a);
    h.appendChild(el("span", { class: "metric" }, " " + s.m));
    sec.appendChild(h);
    var meta = el("p", { class: "meta" });
    var li = lastIdx(s);
    var parts = ["latest " + fmt(s.y[li], s.u), s.y.length + " runs"];
    if (s.band) parts.push("next run expected within " + fmt(s.band[0], s.u) + " – " + fmt(s.band[1], s.u));
    else parts.push("no band yet: too few runs");
    parts.push(s.hi ? "higher is better" : "lower is better");
    if (multiKey) parts.push("key " + key.key);
    if (multiMachine) parts.push(D.machines[s.e] || "unknown machine");
    meta.textContent = parts.join(" · ");
    sec.appendChild(meta);
    var box = el("div", { class: "chart", "data-series": String(i), role: "img",
      "aria-label": "Chart of " + s.b + " " + s.m + " over " + s.y.length + " runs" });
    sec.appendChild(box);
    var tip = el("p", { class: "tip", "aria-live": "polite" });
    tip.hidden = true;
    sec.appendChild(tip);
    var det = el("details");
    det.appendChild(el("summary", null, "Runs as a table"));
    det.addEventListener("toggle", function () {
      if (!det.open || det.dataset.filled) return;
      det.dataset.filled = "1";
      var t = el("table");
      var hr = el("tr");
      ["commit", "time", "value", "samples", ""].forEach(function (c) { hr.appendChild(el("th", null, c)); });
      t.appendChild(hr);
      for (var j = s.y.length - 1; j >= 0; j--) {
        var run = s.x[j], tr = el("tr"), td = el("td"), sha = key.commits[run], href = commitHref(sha);
        td.appendChild(href ? el("a", { href: href }, short(sha)) : document.createTextNode(short(sha)));
        tr.appendChild(td);
        tr.appendChild(el("td", null, day(key.times[run])));
        tr.appendChild(el("td", null, fmt(s.y[j], s.u)));
        tr.appendChild(el("td", null, String(typeof s.n === "number" ? s.n : s.n[j])));
        var why = (s.far || []).indexOf(j) >= 0 ? "left out (far from its level)" : s.apart === j ? "apart from the runs before it" : "";
        (s.sh || []).forEach(function (sh) { if (sh[0] === j) why = (sh[2] ? "shift for the worse " : "shift for the better ") + pct(sh[1]); });
        tr.appendChild(el("td", null, why));
        t.appendChild(tr);
      }
      det.appendChild(t);
    });
    sec.appendChild(det);
    return sec;
  }

  function render() {
    charts.forEach(function (u) { u.destroy(); });
    charts.clear();
    if (observer) observer.disconnect();
    var list = $("series");
    list.textContent = "";
    var ids = visible();
    $("count").textContent = ids.length === D.series.length ? D.series.length + " series"
      : ids.length + " of " + D.series.length + " series";
    ids.slice(0, state.shown).forEach(function (i) {
      var c = card(i);
      list.appendChild(c);
      var box = c.querySelector(".chart");
      if (observer) observer.observe(box); else drawChart(i, box, box.nextElementSibling);
    });
    var more = $("more");
    more.hidden = ids.length <= state.shown;
    more.textContent = "Show " + Math.min(PAGE, ids.length - state.shown) + " more";
    $("clear-focus").hidden = state.focus === null;
  }

  // ---- what changed ------------------------------------------------------------------------
  function renderChanges() {
    var ul = $("changes"), all = D.changes, limit = 10;
    var heading = $("changes-title");
    var branches = Array.from(new Set(D.keys.map(function (k) { return k.branch; })));
    heading.textContent = "What changed on " + (branches.length === 1 ? branches[0] : "the default branches") +
      " in the last " + D.recent + " runs";
    if (!all.length) {
      ul.appendChild(el("li", { class: "none" }, "No level shift: every series stayed at its level."));
      return;
    }
    function fill(n) {
      ul.textContent = "";
      all.slice(0, n).forEach(function (c) {
        var s = D.series[c.s], key = D.keys[s.k], sha = key.commits[c.run];
        var li = el("li");
        li.appendChild(el("span", { class: c.worse ? "badge worse" : "badge better" }, (c.worse ? "▲ worse " : "▼ better ") + pct(c.change)));
        li.appendChild(document.createTextNode(" "));
        li.appendChild(el("a", { href: linkOf(s) }, s.b + " · " + s.m));
        li.appendChild(document.createTextNode(" since "));
        var href = commitHref(sha);
        li.appendChild(href ? el("a", { href: href, class: "sha" }, short(sha)) : el("span", { class: "sha" }, short(sha)));
        var extra = [day(key.times[c.run])];
        if (multiKey) extra.push("key " + key.key);
        li.appendChild(el("span", { class: "when" }, " " + extra.join(" · ")));
        ul.appendChild(li);
      });
    }
    fill(limit);
    if (all.length > limit) {
      var b = $("all-changes");
      b.hidden = false;
      b.textContent = "Show all " + all.length;
      b.addEventListener("click", function () { fill(all.length); b.hidden = true; });
    }
  }

  // ---- controls and deep links -------------------------------------------------------------
  function options(select, labels) {
    if (labels.length < 2) { select.parentElement.hidden = true; return; }
    labels.forEach(function (l, i) { select.appendChild(el("option", { value: String(i) }, l)); });
  }

  function fromHash() {
    var p = new URLSearchParams(location.hash.slice(1));
    state.focus = null;
    if (p.has("q")) { state.q = p.get("q"); $("search").value = state.q; }
    if (p.has("b")) {
      var b = p.get("b"), m = p.get("m"), k = p.get("k"), e = p.get("e");
      for (var i = 0; i < D.series.length; i++) {
        var s = D.series[i];
        if (s.b === b && (m === null || s.m === m) && (k === null || D.keys[s.k].key === k) &&
            (e === null || String(s.e) === e)) { state.focus = i; break; }
      }
      if (state.focus === null) $("status").textContent = "No series named " + b + (m ? " · " + m : "") + " in this dashboard.";
      else $("status").textContent = "";
    }
    state.shown = PAGE;
    render();
    if (state.focus !== null) {
      var c = $(cardId(state.focus));
      if (c) { c.scrollIntoView({ block: "start" }); c.querySelector("h3 a").focus({ preventScroll: true }); }
    }
  }

  document.title = D.title;
  $("title").textContent = D.title;
  var runs = D.keys.reduce(function (a, k) { return a + k.commits.length; }, 0);
  $("summary").textContent = D.series.length + " series over " + runs + " runs" +
    (D.updated ? " · last run " + day(D.updated) : "") +
    (D.unsummarised ? " · " + D.unsummarised + " older runs without summaries not drawn" : "");
  options($("key"), D.keys.map(function (k) { return k.key + " (" + k.branch + ")"; }));
  options($("machine"), D.machines.map(function (m) { return m || "unknown machine"; }));
  renderChanges();

  var typing;
  $("search").addEventListener("input", function () {
    clearTimeout(typing);
    typing = setTimeout(function () {
      state.q = $("search").value; state.focus = null; state.shown = PAGE;
      if (location.hash) history.replaceState(null, "", location.pathname + location.search);
      render();
    }, 120);
  });
  $("key").addEventListener("change", function () { state.key = this.value; state.focus = null; render(); });
  $("machine").addEventListener("change", function () { state.machine = this.value; state.focus = null; render(); });
  $("shifted").addEventListener("change", function () { state.shifted = this.checked; state.focus = null; render(); });
  $("more").addEventListener("click", function () { state.shown += PAGE; render(); });
  $("clear-focus").addEventListener("click", function () {
    history.replaceState(null, "", location.pathname + location.search);
    state.focus = null; render();
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "/" && document.activeElement !== $("search")) { ev.preventDefault(); $("search").focus(); }
  });
  window.addEventListener("hashchange", fromHash);
  window.addEventListener("resize", function () {
    charts.forEach(function (u, i) {
      var box = $(cardId(i));
      if (box) u.setSize({ width: Math.max(280, box.querySelector(".chart").clientWidth), height: 200 });
    });
  });
  fromHash();
})();
