/* camwatch dashboard: one page, plain JavaScript, served from the daemon itself (no CDN, works
 * on an offline district LAN). It asks the HTTP API (/api/v1) with the user's bearer token,
 * kept in this browser's localStorage, and shows the same documents the CLI prints:
 *   #/            overview: counts by state, cameras by owner and commune, 7-day availability
 *   #/map         the cameras placed by their coordinates, drawn as SVG (no tile server)
 *   #/camera/ID   one camera: picture, facts, samples chart, events; maintenance for admins
 *   #/find, #/backlog   the investigators' and the backlog's pages (investigate.js)
 * The views refresh themselves every REFRESH_MS without reloading the page. A banner says so
 * while the daemon's last configuration reload was refused (GET /api/v1/daemon's config), and
 * another while a reload waits for another writer's lock on the store (config.pending). Every
 * text from the store goes in with textContent, never as HTML. Vietnamese and English. */
"use strict";

const REFRESH_MS = 5000;            /* cameras' states */
const UPTIME_REFRESH_MS = 60000;    /* the 7-day bars */
const THUMBS_AT_ONCE = 4;           /* thumbnails fetched in parallel */
const STATES = ["up", "degraded", "down", "unknown", "maintenance"];

/* Every text of the page: [Vietnamese, English]. */
const TEXT = {
  "nav.overview": ["Tổng quan", "Overview"],
  "nav.map": ["Bản đồ", "Map"],
  logout: ["Đăng xuất", "Sign out"],
  lang: ["English", "Tiếng Việt"],
  "login.title": ["Đăng nhập", "Sign in"],
  "login.help": ["Nhập mã truy cập (token) do quản trị cấp.", "Enter the access token your administrator gave you."],
  "login.go": ["Đăng nhập", "Sign in"],
  "login.bad": ["Mã truy cập không hợp lệ.", "That token is not valid."],
  total: ["Tổng số", "Total"],
  up: ["Hoạt động", "Up"],
  degraded: ["Suy giảm", "Degraded"],
  down: ["Mất tín hiệu", "Down"],
  unknown: ["Chưa rõ", "Unknown"],
  maintenance: ["Bảo trì", "Maintenance"],
  search: ["Tìm theo mã, tên, địa chỉ, đường (không cần dấu)", "Search id, name, address, road (diacritics optional)"],
  "all.owners": ["Mọi đơn vị", "All owners"],
  "all.communes": ["Mọi xã, thị trấn", "All communes"],
  "all.states": ["Mọi trạng thái", "All states"],
  since: ["từ", "since"],
  cameras: ["camera", "cameras"],
  none: ["Không có camera nào phù hợp.", "No camera matches."],
  nopic: ["Chưa có ảnh", "No picture yet"],
  avail: ["7 ngày: hoạt động {p} %", "7 days: {p} % up"],
  updated: ["Cập nhật lúc", "Updated at"],
  back: ["← Tổng quan", "← Overview"],
  facts: ["Thông tin", "Facts"],
  owner: ["Đơn vị", "Owner"],
  commune: ["Xã, thị trấn", "Commune"],
  address: ["Địa chỉ", "Address"],
  road: ["Đường", "Road"],
  codec: ["Mã hoá", "Codec"],
  resolution: ["Độ phân giải", "Resolution"],
  fps: ["Khung hình/giây", "Frames/s"],
  bitrate: ["Tốc độ bit (kbit/s)", "Bitrate (kbit/s)"],
  latency: ["Độ trễ trả lời", "Answer time"],
  last_probe: ["Lần kiểm tra cuối", "Last probe"],
  last_ok: ["Lần trả lời tốt cuối", "Last good answer"],
  flags: ["Lỗi hình ảnh", "Picture faults"],
  reason: ["Lý do", "Reason"],
  manufacturer: ["Hãng", "Maker"],
  model: ["Model", "Model"],
  firmware: ["Firmware", "Firmware"],
  clock: ["Lệch đồng hồ", "Clock offset"],
  "samples.title": ["Luồng video (24 giờ)", "Video stream (24 hours)"],
  "events.title": ["Sự kiện (7 ngày)", "Events (7 days)"],
  "events.none": ["Không có sự kiện.", "No events."],
  "maint.title": ["Bảo trì", "Maintenance"],
  "maint.on": ["Đưa vào bảo trì", "Put in maintenance"],
  "maint.off": ["Kết thúc bảo trì", "End maintenance"],
  "maint.note": ["Ghi chú", "Note"],
  "map.nopos": ["camera không có toạ độ", "cameras without coordinates"],
  "err.net": ["Không kết nối được", "Cannot connect"],
  "reload.refused": ["Cấu hình mới bị từ chối lúc", "Configuration reload refused at"],
  "reload.more": ["và thêm", "and"],
  "reload.more2": ["lỗi khác", "more"],
  "reload.runs": ["camwatchd vẫn chạy theo cấu hình nạp lúc", "camwatchd runs on the configuration loaded at"],
  "reload.fix": ["Sửa tệp rồi nạp lại (systemctl reload camwatchd); lệnh sau kiểm tra mà không nạp:",
                 "Fix the file, then reload (systemctl reload camwatchd); this checks it without reloading:"],
  "reload.pending": ["Cấu hình mới đang chờ từ lúc", "Configuration reload pending since"],
  "reload.waits": ["chờ khóa ghi của một chương trình khác trên kho dữ liệu",
                   "waiting for another writer's lock on the store"],
  "reload.held": ["do", "held by"],
  "reload.notyet": ["cấu hình mới chưa có hiệu lực", "the new configuration is not in force yet"],
  ago: ["trước", "ago"],
  s: ["giây", "s"],
  m: ["phút", "min"],
  h: ["giờ", "h"],
  d: ["ngày", "d"],
};

const app = {
  lang: localStorage.getItem("cw_lang") || (navigator.language.startsWith("vi") ? "vi" : "en"),
  token: localStorage.getItem("cw_token") || "",
  who: null,
  cameras: null,  /* the status document */
  uptime: {},     /* id -> percent{...} over 7 days */
  thumbs: {},     /* id -> {key, url}: object URLs of fetched pictures */
  wanted: [],     /* thumbnails to fetch: [id, key, img] */
  fetching: 0,
  filter: { q: "", owner: "", commune: "", state: "" },
  timer: null,
};

function t(key) {
  const pair = TEXT[key];
  return pair ? pair[app.lang === "vi" ? 0 : 1] : key;
}

/* Fill element e: attributes (on* are listeners, style goes through CSSOM, which a CSP that
 * forbids style="" still allows) and children (nodes, or text). */
function build(e, attrs, children) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "style") e.style.cssText = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

/* el("div", {class: "x", onclick: f}, child, "text", ...); svg() the same in SVG's space. */
const el = (tag, attrs, ...children) => build(document.createElement(tag), attrs, children);
const svg = (tag, attrs, ...children) =>
  build(document.createElementNS("http://www.w3.org/2000/svg", tag), attrs, children);

/* Text folded for search: no case, no diacritics, đ as d ("Tân Dương" finds "tan duong"). */
function fold(s) {
  return String(s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
    .replace(/[đĐ]/g, "d").toLowerCase();
}

/* "2026-11-25T20:16:23+07:00" as the site's wall clock: "2026-11-25 20:16". */
function when(iso) {
  return iso ? iso.slice(0, 16).replace("T", " ") : "-";
}

function ago(ms) {
  let s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  const parts = [[86400, "d"], [3600, "h"], [60, "m"]];
  for (const [n, u] of parts) if (s >= n) return Math.floor(s / n) + " " + t(u) + " " + t("ago");
  return s + " " + t("s") + " " + t("ago");
}

function showError(msg) {
  document.getElementById("error").textContent = msg || "";
}

/* A request to the API with the token; the answer's JSON, or null after a 401 (login shown). */
async function api(path, opts) {
  const o = Object.assign({ headers: {} }, opts || {});
  o.headers.Authorization = "Bearer " + app.token;
  let r;
  try {
    r = await fetch(path, o);
  } catch (e) {
    showError(t("err.net"));
    throw e;
  }
  if (r.status === 401) {
    app.who = null;
    render();
    return null;
  }
  const doc = (r.headers.get("Content-Type") || "").startsWith("application/json")
    ? await r.json() : null;
  if (!r.ok) {
    showError((doc && doc.detail) || r.status + " " + r.statusText);
    throw new Error(r.status);
  }
  showError("");
  return doc;
}

/* ---- thumbnails: fetched with the token, a few at a time, again only when newer ---- */

function thumbKey(c) {
  return [c.last_sample_ms, c.last_probe_ms, c.thumb].join("/");
}

function wantThumb(c, img) {
  const have = app.thumbs[c.id];
  if (have && have.url) img.src = have.url;
  if (!have || have.key !== thumbKey(c)) {
    app.wanted.push([c.id, thumbKey(c), img]);
    pumpThumbs();
  }
}

async function pumpThumbs() {
  while (app.fetching < THUMBS_AT_ONCE && app.wanted.length > 0) {
    const [id, key, img] = app.wanted.shift();
    const have = app.thumbs[id];
    if (have && have.key === key) {
      if (have.url) img.src = have.url;
      continue;
    }
    app.thumbs[id] = { key, url: have ? have.url : null };
    app.fetching++;
    fetch("/api/v1/cameras/" + encodeURIComponent(id) + "/thumbnail",
          { headers: { Authorization: "Bearer " + app.token } })
      .then((r) => (r.ok ? r.blob() : null))
      .then((b) => {
        if (!b) return;
        if (app.thumbs[id].url) URL.revokeObjectURL(app.thumbs[id].url);
        app.thumbs[id].url = URL.createObjectURL(b);
        for (const i of document.querySelectorAll('img[data-cam="' + CSS.escape(id) + '"]'))
          i.src = app.thumbs[id].url;
      })
      .catch(() => {})
      .finally(() => { app.fetching--; pumpThumbs(); });
  }
}

function thumbImg(c, cls) {
  /* an empty alt: a grey box, not a broken image, until the picture comes */
  const img = el("img", { class: cls, alt: "", title: t("nopic"), "data-cam": c.id });
  wantThumb(c, img);
  return img;
}

/* ---- data ---- */

async function loadCameras() {
  const doc = await api("/api/v1/cameras");
  if (doc) {
    app.cameras = doc;
    document.getElementById("updated").textContent =
      t("updated") + " " + new Date().toLocaleTimeString(app.lang === "vi" ? "vi-VN" : "en-GB");
  }
}

/* The daemon's own document: its last configuration reload (a 404, no vitals kept, is none). */
async function loadDaemon() {
  const r = await fetch("/api/v1/daemon", { headers: { Authorization: "Bearer " + app.token } })
    .catch(() => null);
  app.daemon = r && r.ok ? await r.json() : null;
}

/* "FILE:LINE: FIELD: message", as the daemon's journal and `camwatch status` say it. */
function problemText(p) {
  let where = p.file || "";
  if (p.line !== null && p.line !== undefined) where += ":" + p.line;
  return [where, p.field, p.message].filter((x) => x).join(": ");
}

/* The banner while the last reload was refused: when, the first problem and how many more,
 * what runs, what to do. */
function reloadBanner() {
  const b = document.getElementById("reload");
  const c = app.who && app.daemon && app.daemon.running ? app.daemon.config : null;
  if (!c || c.ok !== false) {
    b.hidden = true;
    b.replaceChildren();
    return;
  }
  const more = c.problems.length - 1 + (c.more || 0);
  const first = el("strong", { "data-reload": "problem" }, problemText(c.problems[0] || {}));
  b.replaceChildren(
    t("reload.refused") + " " + when(c.at) + " (" + ago(c.at_ms) + "): ", first,
    more > 0 ? " (" + t("reload.more") + " " + more + " " + t("reload.more2") + ")" : "",
    ". " + t("reload.runs") + " " + when(c.ok_at) + ". " +
      t("reload.fix") + " ",
    el("code", {}, "camwatchd -c CONF --check-config"));
  b.hidden = false;
}

/* The banner while a reload waits for another writer's lock on the store: since when, whose
 * lock, that the new configuration is not in force yet (as `camwatch status` says it). */
function pendingBanner() {
  const b = document.getElementById("reload-pending");
  const c = app.who && app.daemon && app.daemon.running ? app.daemon.config : null;
  const p = c ? c.pending : null;
  if (!p) {
    b.hidden = true;
    b.replaceChildren();
    return;
  }
  const h = p.holder;
  b.replaceChildren(
    t("reload.pending") + " " + when(p.since) + " (" + ago(p.since_ms) + "), " + t("reload.waits"),
    h ? " (" + t("reload.held") + " " + (h.name || "?") + ", pid " + h.pid + ")" : "",
    "; " + t("reload.notyet") + ".");
  b.hidden = false;
}

async function loadUptime() {
  const doc = await api("/api/v1/uptime?from=-7d&by=camera");
  if (doc) {
    app.uptime = {};
    for (const c of doc.cameras) app.uptime[c.id] = c.percent;
    app.uptimeAt = Date.now();
  }
}

function matches(c) {
  const f = app.filter;
  if (f.owner && c.owner !== f.owner) return false;
  if (f.commune && c.commune !== f.commune) return false;
  if (f.state && c.state !== f.state) return false;
  if (f.q) {
    const hay = fold([c.id, c.name, c.address, c.road, c.commune, c.owner_name].join(" "));
    for (const w of fold(f.q).split(/\s+/)) if (w && !hay.includes(w)) return false;
  }
  return true;
}

/* ---- views ---- */

function stateLabel(s) {
  return el("span", { class: "state c-" + s, "data-state": s }, t(s));
}

/* "7 days: 12.5 % up": the figure in the words, not "7 days: up" over a bar with no up in it. */
function availText(id) {
  const p = app.uptime[id];
  return t("avail").replace("{p}", p ? (p.up || 0).toFixed(1) : "–");
}

function availBar(id) {
  const p = app.uptime[id];
  if (!p) return el("div", { class: "bar" });
  const bar = el("div", { class: "bar", title: availText(id), "data-up": (p.up || 0).toFixed(1) });
  for (const s of STATES) if (p[s] > 0) bar.append(el("span", { class: "b-" + s, style: "width:" + p[s] + "%" }));
  return bar;
}

function card(c) {
  return el("a", { class: "card s-" + c.state, href: "#/camera/" + encodeURIComponent(c.id),
                   "data-id": c.id },
    thumbImg(c, "thumb"),
    el("div", { class: "title" }, c.id + " · " + c.name),
    el("div", {}, stateLabel(c.state), " ", el("span", { class: "muted" },
       t("since") + " " + when(c.since) + " (" + ago(c.since_ms) + ")")),
    c.reason ? el("div", { class: "reason" }, c.reason) : null,
    availBar(c.id));
}

function tiles() {
  const n = { total: app.cameras.length };
  for (const s of STATES) n[s] = 0;
  for (const c of app.cameras) n[c.state]++;
  return el("div", { class: "tiles" }, ["total"].concat(STATES).map((s) =>
    el("div", { class: "tile s-" + s + (app.filter.state === (s === "total" ? "" : s) ? " selected" : ""),
                "data-count": s, onclick: () => { app.filter.state = s === "total" ? "" : s; render(); } },
       el("div", { class: "n" }, n[s]), el("div", {}, t(s)))));
}

function select(key, all, values) {
  const s = el("select", { "data-filter": key, onchange: (e) => { app.filter[key] = e.target.value; render(); } },
               el("option", { value: "" }, all),
               values.map(([v, label]) => el("option", { value: v, selected: app.filter[key] === v }, label)));
  return s;
}

function filters() {
  const owners = new Map(), communes = new Set();
  for (const c of app.cameras) {
    owners.set(c.owner, c.owner_name ? c.owner_name + " (" + c.owner + ")" : c.owner);
    communes.add(c.commune);
  }
  const q = el("input", { type: "search", placeholder: t("search"), value: app.filter.q,
                          "data-filter": "q",
                          oninput: (e) => { app.filter.q = e.target.value; renderList(); } });
  return el("div", { class: "filters" }, q,
    select("owner", t("all.owners"), [...owners].sort()),
    select("commune", t("all.communes"), [...communes].sort((a, b) => a.localeCompare(b, "vi")).map((c) => [c, c])),
    select("state", t("all.states"), STATES.map((s) => [s, t(s)])));
}

/* The cameras that pass the filters, by owner then commune. */
function groups(list) {
  const out = new Map();
  for (const c of list) {
    const o = out.get(c.owner) || new Map();
    out.set(c.owner, o);
    const cs = o.get(c.commune) || [];
    o.set(c.commune, cs);
    cs.push(c);
  }
  return [...out].sort((a, b) => a[0].localeCompare(b[0]));
}

function renderList() {
  const box = document.getElementById("list");
  if (!box) return;
  const list = app.cameras.filter(matches);
  box.replaceChildren();
  if (list.length === 0) {
    box.append(el("div", { class: "empty" }, t("none")));
    return;
  }
  for (const [owner, communes] of groups(list)) {
    const first = [...communes.values()][0][0];
    const n = [...communes.values()].reduce((a, cs) => a + cs.length, 0);
    box.append(el("h2", { class: "owner", "data-owner": owner },
                  (first.owner_name || owner) + " (" + owner + ") · " + n + " " + t("cameras")));
    for (const [commune, cs] of [...communes].sort((a, b) => a[0].localeCompare(b[0], "vi"))) {
      box.append(el("h3", { class: "commune" }, commune + " · " + cs.length));
      box.append(el("div", { class: "grid" }, cs.map(card)));
    }
  }
}

function viewOverview(view) {
  view.append(tiles(), filters(), el("div", { id: "list" }));
  renderList();
}

/* Degrees to the map's SVG units (north up, a degree of longitude shortened by the latitude's
 * cosine) and back, fitted to the cameras given. */
function projection(cams) {
  const W = 1000, PAD = 30;
  const lats = cams.map((c) => c.lat), lons = cams.map((c) => c.lon);
  const minLat = Math.min(...lats), maxLat = Math.max(...lats);
  const minLon = Math.min(...lons), maxLon = Math.max(...lons);
  const k = Math.cos(((minLat + maxLat) / 2) * Math.PI / 180);
  const spanX = Math.max((maxLon - minLon) * k, 1e-6), spanY = Math.max(maxLat - minLat, 1e-6);
  const scale = (W - 2 * PAD) / Math.max(spanX, spanY);
  return {
    W, H: Math.round(spanY * scale + 2 * PAD), scale, k,
    x: (lon) => PAD + (lon - minLon) * k * scale,
    y: (lat) => PAD + (maxLat - lat) * scale,
    lon: (x) => minLon + (x - PAD) / (k * scale),
    lat: (y) => maxLat - (y - PAD) / scale,
  };
}

function viewMap(view) {
  const list = app.cameras.filter(matches);
  const placed = list.filter((c) => typeof c.lat === "number" && typeof c.lon === "number");
  let box = el("div", { class: "map" });
  if (placed.length > 0) {
    const p = projection(placed);
    const s = svg("svg", { viewBox: "0 0 " + p.W + " " + p.H, role: "img" });
    for (const c of placed) {
      s.append(svg("circle", { cx: p.x(c.lon).toFixed(1), cy: p.y(c.lat).toFixed(1), r: 7, fill: "var(--" + c.state + ")",
                               "data-id": c.id, "data-state": c.state,
                               onclick: () => { location.hash = "#/camera/" + encodeURIComponent(c.id); } },
                   svg("title", {}, c.id + " · " + c.name + " · " + t(c.state))));
    }
    box.append(s);
  }
  box.append(el("div", { class: "legend" }, STATES.map((s) =>
    el("span", {}, el("i", { style: "background:var(--" + s + ")" }), t(s))),
    list.length > placed.length ? el("span", { class: "muted" }, (list.length - placed.length) + " " + t("map.nopos")) : null));
  view.append(filters(), box);
}

function row(label, value) {
  return el("tr", {}, el("th", {}, t(label)), el("td", {}, value === null || value === undefined || value === "" ? "-" : value));
}

/* A line chart of one field of the samples over the last day. */
function chart(samples, field, label) {
  const pts = samples.filter((s) => typeof s[field] === "number");
  const W = 600, H = 120, P = 24;
  const g = svg("svg", { viewBox: "0 0 " + W + " " + H, "data-chart": field });
  g.append(svg("line", { class: "axis", x1: P, y1: H - P, x2: W - 4, y2: H - P }));
  if (pts.length > 0) {
    const t0 = Date.now() - 86400000, max = Math.max(...pts.map((s) => s[field]), 1);
    const xy = pts.map((s) => [P + (W - P - 4) * Math.max(0, s.at_ms - t0) / 86400000,
                               H - P - (H - 2 * P) * s[field] / max]);
    g.append(svg("polyline", { points: xy.map((p) => p[0].toFixed(1) + "," + p[1].toFixed(1)).join(" "),
                               stroke: field === "fps" ? "var(--up)" : "var(--maintenance)" }));
    g.append(svg("text", { x: 2, y: P - 8 }, String(Math.round(max))));
  }
  g.append(svg("text", { x: 2, y: H - 6 }, "0"));
  return el("div", { class: "chart" }, el("div", { class: "muted" }, t(label)), g);
}

async function setMaintenance(id, on, note) {
  const doc = await api("/api/v1/cameras/" + encodeURIComponent(id) + "/maintenance",
                        { method: "POST", headers: { "Content-Type": "application/json" },
                          body: JSON.stringify({ on, note }) });
  if (doc) { await loadCameras(); render(); }
}

async function viewCamera(view, id) {
  const doc = await api("/api/v1/cameras/" + encodeURIComponent(id));
  if (!doc) return;
  if (currentRoute().id !== id) return; /* moved on meanwhile */
  const c = doc.status, d = doc.device;
  const facts = el("table", { "data-facts": c.id },
    row("owner", (c.owner_name || "") + " (" + c.owner + ")"), row("commune", c.commune),
    row("address", c.address), row("road", c.road), row("reason", c.reason),
    row("codec", c.codec), row("resolution", c.width && c.height ? c.width + "×" + c.height : null),
    row("fps", typeof c.fps === "number" ? c.fps.toFixed(1) : null),
    row("bitrate", typeof c.bitrate_kbps === "number" ? Math.round(c.bitrate_kbps) : null),
    row("latency", typeof c.latency_ms === "number" ? c.latency_ms + " ms" : null),
    row("last_probe", when(c.last_probe)), row("last_ok", when(c.last_ok)),
    row("flags", (c.flags || []).join(", ")),
    d ? [row("manufacturer", d.manufacturer), row("model", d.model), row("firmware", d.firmware),
         row("clock", typeof d.clock_offset_ms === "number" ? (d.clock_offset_ms / 1000).toFixed(1) + " s" : null)] : null);
  const events = doc.events.events.slice().reverse();
  const evTable = events.length === 0 ? el("div", { class: "muted" }, t("events.none")) :
    el("table", { "data-events": c.id }, events.map((e) => el("tr", {},
      el("td", {}, when(e.at)),
      el("td", {}, e.kind === "state" ? [stateLabel(e.from), " → ", stateLabel(e.to)] : e.field),
      el("td", { class: "muted" }, e.kind === "state" ? e.reason : e.old + " → " + e.new))));
  let maint = null;
  if (app.who && app.who.role === "admin") {
    const on = c.state !== "maintenance";
    const note = el("input", { placeholder: t("maint.note"), "data-maint-note": "" });
    maint = el("div", { class: "panel" }, el("h3", {}, t("maint.title")),
      el("div", { class: "maint" }, note,
         el("button", { class: "primary", "data-maint": on ? "on" : "off",
                        onclick: () => setMaintenance(c.id, on, note.value) }, t(on ? "maint.on" : "maint.off"))));
  }
  view.replaceChildren(el("p", {}, el("a", { href: "#/" }, t("back"))),
    el("h2", { "data-camera": c.id }, c.id + " · " + c.name),
    el("p", {}, stateLabel(c.state), " ", t("since"), " ", when(c.since), " (", ago(c.since_ms), ")"),
    el("div", { class: "camera" },
       el("div", {}, thumbImg(c, "big"), el("div", { class: "panel" }, el("h3", { "data-avail": c.id }, availText(c.id)), availBar(c.id)), maint),
       el("div", {}, el("div", { class: "panel" }, el("h3", {}, t("facts")), facts),
          el("div", { class: "panel" }, el("h3", {}, t("samples.title")),
             chart(doc.samples, "fps", "fps"), chart(doc.samples, "bitrate_kbps", "bitrate")),
          el("div", { class: "panel" }, el("h3", {}, t("events.title")), evTable))));
}

function viewLogin(view) {
  const input = el("input", { type: "password", id: "token", autocomplete: "off" });
  const bad = el("div", { class: "bad", id: "login-bad" });
  const form = el("form", { class: "login", onsubmit: async (e) => {
    e.preventDefault();
    app.token = input.value.trim();
    const r = await fetch("/api/v1/whoami", { headers: { Authorization: "Bearer " + app.token } })
      .catch(() => null);
    if (!r || !r.ok) {
      bad.textContent = r ? t("login.bad") : t("err.net");
      return;
    }
    localStorage.setItem("cw_token", app.token);
    app.who = await r.json();
    start();
  } }, el("h2", {}, t("login.title")), el("p", {}, t("login.help")), input, bad,
    el("button", { class: "primary", type: "submit", id: "login-go" }, t("login.go")));
  view.append(form);
  input.focus();
}

/* ---- routing and refresh ---- */

/* The id of a camera's link; a link mangled on its way ("%E0%A4%A") is taken as written, so
 * its page says there is no such camera instead of the whole page failing blank. */
function linkId(s) {
  try {
    return decodeURIComponent(s);
  } catch (e) {
    return s;
  }
}

function currentRoute() {
  const h = location.hash || "#/";
  const m = h.match(/^#\/camera\/(.+)$/);
  if (m) return { name: "camera", id: linkId(m[1]) };
  const pages = { "#/map": "map", "#/find": "find", "#/backlog": "backlog" };
  return { name: pages[h] || "overview" };
}

function chrome() {
  document.documentElement.lang = app.lang;
  for (const e of document.querySelectorAll("[data-i18n]")) e.textContent = t(e.dataset.i18n);
  document.getElementById("lang").textContent = t("lang");
  document.getElementById("nav").hidden = !app.who;
  document.getElementById("logout").hidden = !app.who;
  document.getElementById("who").textContent = app.who ? app.who.name + " (" + app.who.role + ")" : "";
  reloadBanner();
  pendingBanner();
  document.getElementById("site").textContent = app.who && app.who.site ? "· " + app.who.site : "";
  const r = currentRoute().name;
  document.getElementById("nav-overview").classList.toggle("active", r === "overview");
  document.getElementById("nav-map").classList.toggle("active", r === "map");
  document.getElementById("nav-find").classList.toggle("active", r === "find");
  document.getElementById("nav-backlog").classList.toggle("active", r === "backlog");
  /* footage is the investigators' (and admins') */
  document.getElementById("nav-find").hidden = !app.who || app.who.role === "viewer";
}

/* Pages drawn once when opened (a form in them is never wiped by a refresh). */
const STILL_PAGES = { find: (v) => viewFind(v), backlog: (v) => viewBacklog(v).catch(() => {}) };

function render(refresh) {
  chrome();
  const view = document.getElementById("view");
  if (!app.who) {
    view.replaceChildren();
    view.dataset.page = "login";
    viewLogin(view);
    return;
  }
  if (!app.cameras) return;
  const r = currentRoute();
  if (STILL_PAGES[r.name]) {
    if (!refresh || view.dataset.page !== r.name) {
      view.replaceChildren();
      view.dataset.page = r.name;
      STILL_PAGES[r.name](view);
    }
    return;
  }
  view.dataset.page = r.name;
  if (r.name === "camera") {
    /* not while someone types a maintenance note */
    if (document.activeElement && document.activeElement.hasAttribute("data-maint-note")) return;
    viewCamera(view, r.id).catch(() => {});
    return;
  }
  /* keep the search box's focus and caret across a refresh */
  const focused = document.activeElement && document.activeElement.dataset
    ? document.activeElement.dataset.filter : null;
  view.replaceChildren();
  if (r.name === "map") viewMap(view);
  else viewOverview(view);
  if (focused) {
    const f = view.querySelector('[data-filter="' + focused + '"]');
    if (f) { f.focus(); if (f.setSelectionRange && f.type === "search") f.setSelectionRange(f.value.length, f.value.length); }
  }
}

async function tick() {
  try {
    await loadCameras();
    await loadDaemon();
    if (!app.uptimeAt || Date.now() - app.uptimeAt > UPTIME_REFRESH_MS) await loadUptime();
    if (app.who) render(true);
  } catch (e) {
    /* shown in the footer; the next tick tries again */
  }
}

async function start() {
  clearInterval(app.timer);
  if (!app.who) {
    const r = app.token ? await fetch("/api/v1/whoami", { headers: { Authorization: "Bearer " + app.token } })
      .catch(() => null) : null;
    app.who = r && r.ok ? await r.json() : null;
  }
  if (!app.who) { render(); return; }
  await tick();
  app.timer = setInterval(tick, REFRESH_MS);
}

document.getElementById("lang").addEventListener("click", () => {
  app.lang = app.lang === "vi" ? "en" : "vi";
  localStorage.setItem("cw_lang", app.lang);
  render();
});
document.getElementById("logout").addEventListener("click", () => {
  localStorage.removeItem("cw_token");
  app.token = "";
  app.who = null;
  clearInterval(app.timer);
  render();
});
window.addEventListener("hashchange", () => render(false));
/* after every script of the page has run (investigate.js adds its pages and words) */
document.addEventListener("DOMContentLoaded", start);
