// ombud's page script: the map and the timeline of a selection, inclusion proofs on document
// pages, and uploads. Plain JavaScript, no build step; the map library (Leaflet) and the
// country outlines are served from /assets/vendor when `npm ci --prefix web` installed them
// before the build.
"use strict";

(function () {
  const csrf = () => {
    const m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.content : "";
  };

  const GRADE_COLOURS = {
    confirmed: "#1a7f37",
    fair: "#2f6fde",
    weak: "#b7791f",
    contested: "#cf222e",
    discounted: "#6e7781",
  };
  const TYPE_COLOURS = {
    "Battles": "#8250df",
    "Explosions/Remote violence": "#cf222e",
    "Violence against civilians": "#bc4c00",
    "Protests": "#2f6fde",
    "Riots": "#1a7f37",
    "Strategic developments": "#6e7781",
  };
  const colourOf = (key, by) =>
    (by === "type" ? TYPE_COLOURS : GRADE_COLOURS)[key] || "#57606a";

  const withParams = (query, extra) => {
    const p = new URLSearchParams(query);
    for (const [k, v] of Object.entries(extra)) {
      if (v === null || v === "") p.delete(k);
      else p.set(k, v);
    }
    return p.toString();
  };

  // ---- the map -------------------------------------------------------------------------
  function startMap(views) {
    const el = document.getElementById("map");
    const status = document.getElementById("map-status");
    const select = document.getElementById("colour");
    if (!el) return;
    if (!window.L) {
      el.classList.add("no-library");
      el.textContent =
        "The map's library is not built into this ombud. Run `npm ci --prefix web`, build again, and reload.";
      return;
    }
    const query = views.dataset.query || "";
    const map = L.map(el, { preferCanvas: true, worldCopyJump: true, minZoom: 2 });
    map.setView([30, 20], 2);
    // The base layer sits in a pane below the incidents, whenever it arrives.
    map.createPane("base");
    map.getPane("base").style.zIndex = 250;
    const tiles = views.dataset.tiles;
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 18 }).addTo(map);
    } else if (window.topojson) {
      fetch("/assets/vendor/countries.json")
        .then((r) => r.json())
        .then((topo) => {
          const land = topojson.feature(topo, topo.objects.countries);
          L.geoJSON(land, {
            pane: "base",
            renderer: L.canvas({ pane: "base" }),
            interactive: false,
            style: { color: "#8c959f", weight: 0.6, fillColor: "#eaeef2", fillOpacity: 1 },
          }).addTo(map);
        })
        .catch(() => {});
    }
    const layer = L.layerGroup().addTo(map);
    let fitted = false;
    let asked = 0;

    function draw() {
      const n = ++asked;
      const b = map.getBounds();
      const west = Math.max(-180, b.getWest()), east = Math.min(180, b.getEast());
      const south = Math.max(-90, b.getSouth()), north = Math.min(90, b.getNorth());
      const by = select ? select.value : "grade";
      const url =
        "/api/v1/map?" +
        withParams(query, {
          zoom: String(map.getZoom()),
          bbox: fitted ? [west, south, east, north].map((x) => x.toFixed(4)).join(",") : "",
          by: by,
        });
      if (status) status.textContent = "loading…";
      fetch(url, { credentials: "same-origin" })
        .then((r) => r.json())
        .then((data) => {
          if (n !== asked) return; // a newer view was asked for meanwhile
          layer.clearLayers();
          const cells = data.cells || [];
          for (const c of cells) {
            const radius = c.count === 1 ? 6 : Math.min(28, 7 + 4 * Math.log2(c.count));
            const m = L.circleMarker([c.lat, c.lon], {
              radius: radius,
              color: "#ffffff",
              weight: 1.5,
              fillColor: colourOf(c.top, by),
              fillOpacity: 0.85,
            });
            const parts = Object.entries(c.by)
              .map(([k, v]) => v + " " + k)
              .join(", ");
            // Text, never markup, in the tooltip.
            const tip = document.createElement("span");
            tip.textContent = c.count === 1 ? c.id + " (" + parts.replace(/^1 /, "") + ")" : c.count + " incidents: " + parts;
            m.bindTooltip(tip);
            if (c.count === 1) {
              m.on("click", () => (window.location.href = "/incidents/" + encodeURIComponent(c.id)));
            } else {
              m.on("click", () => map.setView([c.lat, c.lon], Math.min(map.getZoom() + 2, 18)));
            }
            m.options.ombudCount = c.count;
            m.addTo(layer);
            if (c.count > 1) {
              const label = L.marker([c.lat, c.lon], {
                interactive: false,
                icon: L.divIcon({ className: "cluster-count", html: String(c.count), iconSize: [30, 16] }),
              });
              label.addTo(layer);
            }
          }
          el.dataset.cells = String(cells.length);
          el.dataset.total = String(data.total || 0);
          if (status) status.textContent = (data.total || 0) + " incidents on the map";
          if (!fitted) {
            fitted = true;
            if (cells.length > 0) {
              const bounds = L.latLngBounds(cells.map((c) => [c.lat, c.lon]));
              map.fitBounds(bounds.pad(0.3), { maxZoom: 9 });
              // moveend draws again at the fitted view; if the view did not move, draw anyway.
              setTimeout(() => {
                if (!el.dataset.ready) draw();
              }, 400);
              return;
            }
          }
          el.dataset.ready = "1";
        })
        .catch((e) => {
          if (status) status.textContent = "the map could not load: " + e;
        });
    }
    map.on("moveend", draw);
    if (select) select.addEventListener("change", draw);
    draw();
  }

  // ---- the timeline --------------------------------------------------------------------
  const DAY = 86400000;
  const toDay = (s) => Math.round(Date.parse(s + "T00:00:00Z") / DAY);
  const fromDay = (d) => new Date(d * DAY).toISOString().slice(0, 10);

  function startTimeline(views) {
    const el = document.getElementById("timeline");
    if (!el) return;
    const query = views.dataset.query || "";
    fetch("/api/v1/timeline?" + query, { credentials: "same-origin" })
      .then((r) => r.json())
      .then((data) => drawTimeline(el, query, data.days || []))
      .catch(() => (el.textContent = "the timeline could not load"));
  }

  function drawTimeline(el, query, days) {
    el.innerHTML = "";
    if (days.length === 0) {
      el.textContent = "No dated incidents in this selection.";
      return;
    }
    const first = toDay(days[0].date), last = toDay(days[days.length - 1].date);
    const span = Math.max(1, last - first + 1);
    const max = Math.max(...days.map((d) => d.count));
    const width = el.clientWidth || 800, height = 90, pad = 18;
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("width", "100%");
    svg.setAttribute("height", String(height));
    const x = (d) => ((d - first) / span) * width;
    const bar = Math.max(1, width / span - 1);
    for (const d of days) {
      const day = toDay(d.date);
      const h = Math.max(2, ((height - pad) * d.count) / max);
      const r = document.createElementNS(ns, "rect");
      r.setAttribute("x", String(x(day)));
      r.setAttribute("y", String(height - pad - h));
      r.setAttribute("width", String(bar));
      r.setAttribute("height", String(h));
      r.setAttribute("class", "bar");
      const t = document.createElementNS(ns, "title");
      t.textContent = d.date + ": " + d.count;
      r.appendChild(t);
      svg.appendChild(r);
    }
    for (const [pos, label] of [[0, fromDay(first)], [width, fromDay(last)]]) {
      const t = document.createElementNS(ns, "text");
      t.setAttribute("x", String(pos));
      t.setAttribute("y", String(height - 4));
      t.setAttribute("text-anchor", pos === 0 ? "start" : "end");
      t.setAttribute("class", "axis");
      t.textContent = label;
      svg.appendChild(t);
    }
    const brush = document.createElementNS(ns, "rect");
    brush.setAttribute("class", "brush");
    brush.setAttribute("y", "0");
    brush.setAttribute("height", String(height - pad));
    brush.setAttribute("width", "0");
    svg.appendChild(brush);
    el.appendChild(svg);
    el.dataset.days = String(days.length);
    el.dataset.first = fromDay(first);
    el.dataset.last = fromDay(last);

    // Dragging over a period filters the whole page to it (the URL keeps the view).
    const dayAt = (clientX) => {
      const box = svg.getBoundingClientRect();
      const frac = Math.min(1, Math.max(0, (clientX - box.left) / box.width));
      return first + Math.floor(frac * span);
    };
    let start = null;
    svg.addEventListener("pointerdown", (e) => {
      start = e.clientX;
      svg.setPointerCapture(e.pointerId);
    });
    svg.addEventListener("pointermove", (e) => {
      if (start === null) return;
      const box = svg.getBoundingClientRect();
      const a = Math.min(start, e.clientX) - box.left, b = Math.max(start, e.clientX) - box.left;
      brush.setAttribute("x", String((a / box.width) * width));
      brush.setAttribute("width", String(((b - a) / box.width) * width));
    });
    svg.addEventListener("pointerup", (e) => {
      if (start === null) return;
      const a = dayAt(Math.min(start, e.clientX)), b = dayAt(Math.max(start, e.clientX));
      start = null;
      window.location.search = "?" + withParams(query, { since: fromDay(a), until: fromDay(b), cursor: null });
    });
  }

  // ---- a document's inclusion proof ------------------------------------------------------
  function startProofs() {
    for (const box of document.querySelectorAll("[data-proof]")) {
      const button = box.querySelector("button");
      const out = box.querySelector("pre");
      if (!button) continue;
      button.addEventListener("click", () => {
        out.textContent = "checking…";
        fetch(box.dataset.proof, { credentials: "same-origin" })
          .then((r) => r.json())
          .then((d) => {
            if (d.error) {
              out.textContent = d.error.message;
              return;
            }
            const p = d.proof;
            out.textContent =
              (d.verifies && d.intact ? "Verified: " : "NOT verified: ") +
              `leaf ${p.index} of a log of ${p.checkpoint.size}, root ${p.checkpoint.root}\n` +
              `archived bytes ${d.intact ? "still hash to" : "NO LONGER hash to"} ${p.sha256}\n` +
              `audit path (${p.path.length} hashes):\n  ` + p.path.join("\n  ");
          })
          .catch((e) => (out.textContent = "could not check: " + e));
      });
    }
  }

  // ---- uploads --------------------------------------------------------------------------
  function startUploads() {
    const drop = document.getElementById("drop");
    const input = document.getElementById("files");
    const results = document.getElementById("upload-results");
    if (!drop || !results) return;
    const queue = [];
    let busy = false;
    const next = () => {
      if (busy || queue.length === 0) return;
      busy = true;
      const { file, cell } = queue.shift();
      const xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/v1/uploads?name=" + encodeURIComponent(file.name));
      xhr.setRequestHeader("X-CSRF-Token", csrf());
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) cell.textContent = "sending " + Math.round((100 * e.loaded) / e.total) + "%";
      };
      xhr.upload.onload = () => (cell.textContent = "reading and merging…");
      xhr.onload = () => {
        let d = {};
        try {
          d = JSON.parse(xhr.responseText);
        } catch (_) {}
        if (xhr.status === 200) {
          const rejected = (d.rejected || []).map((r) => r.reason).join("; ");
          cell.textContent =
            `${d.new} new, ${d.duplicate} already archived, ${d.claims} claims, ${d.incidents_written} incidents changed` +
            (rejected ? "; rejected: " + rejected : "");
          cell.className = "ok";
        } else {
          cell.textContent = (d.error && d.error.message) || "failed (" + xhr.status + ")";
          cell.className = "error";
        }
        busy = false;
        next();
      };
      xhr.onerror = () => {
        cell.textContent = "the connection failed";
        cell.className = "error";
        busy = false;
        next();
      };
      xhr.send(file);
    };
    const add = (files) => {
      for (const file of files) {
        const row = results.insertRow();
        row.insertCell().textContent = file.name;
        const cell = row.insertCell();
        cell.textContent = "waiting";
        queue.push({ file, cell });
      }
      next();
    };
    drop.addEventListener("dragover", (e) => {
      e.preventDefault();
      drop.classList.add("over");
    });
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", (e) => {
      e.preventDefault();
      drop.classList.remove("over");
      add(e.dataTransfer.files);
    });
    if (input) input.addEventListener("change", () => add(input.files));
  }

  document.addEventListener("DOMContentLoaded", () => {
    const views = document.querySelector(".views");
    if (views) {
      startMap(views);
      startTimeline(views);
    }
    startProofs();
    startUploads();
    for (const b of document.querySelectorAll("[data-print]")) b.addEventListener("click", () => window.print());
  });
})();
