/* camwatch dashboard, the investigators' and the district's pages (loaded after app.js, whose
 * helpers they use):
 *   #/find      time and place (typed, without diacritics if one likes, or picked on the map):
 *               the cameras that saw it, their footage as windows and gaps on a timeline;
 *               a request made of it, its export with progress, each file downloaded and its
 *               SHA-256 checked against the export's manifest in the browser
 *   #/backlog   the maintenance backlog's figures, and the report in each format to download
 * Both are drawn when opened, not on every refresh: a form being filled is never wiped. */
"use strict";

Object.assign(TEXT, {
  "nav.find": ["Tra cứu hình ảnh", "Investigate"],
  "nav.backlog": ["Tồn đọng bảo trì", "Backlog"],
  "find.title": ["Tra cứu hình ảnh theo thời gian và địa điểm", "Footage by time and place"],
  "find.from": ["Từ", "From"],
  "find.to": ["Đến", "To"],
  "find.place": ["Địa điểm (tên, địa chỉ, đường, xã; không cần dấu)", "Place (name, address, road, commune; diacritics optional)"],
  "find.or": ["hoặc chọn một điểm trên bản đồ", "or pick a point on the map"],
  "find.radius": ["Bán kính (m)", "Radius (m)"],
  "find.point": ["Điểm đã chọn", "Point picked"],
  "find.clear": ["Bỏ chọn", "Clear"],
  "find.go": ["Tìm", "Find"],
  "find.none": ["Không có camera nào ở đó.", "No camera there."],
  "find.cams": ["camera", "cameras"],
  "find.covered": ["có hình", "recorded"],
  "find.state": ["trạng thái lúc đó", "state then"],
  "find.m": ["m", "m"],
  "gap.not indexed": ["chưa quét đầu ghi (không rõ)", "not indexed (unknown)"],
  "gap.overwritten": ["đã bị ghi đè", "overwritten"],
  "gap.before recorder's oldest footage": ["trước hình cũ nhất đầu ghi còn giữ (không rõ)",
                                           "before the recorder's oldest footage (unknown)"],
  "idx.no recorder": ["Camera chưa gắn đầu ghi: không biết có ghi hình hay không",
                      "No recorder configured: whether it recorded is unknown"],
  "idx.never scanned": ["Đầu ghi chưa được quét: không biết có ghi hình hay không",
                        "Its recorder was never scanned: whether it recorded is unknown"],
  "idx.scan failed": ["Lần quét đầu ghi gần nhất bị lỗi: không rõ phần",
                      "Its recorder's last scan failed: unknown"],
  "idx.not configured": ["Đầu ghi không có trong cấu hình: không biết có ghi hình hay không",
                         "Its recorder is not configured: whether it recorded is unknown"],
  "idx.no longer configured": ["Đầu ghi không còn trong cấu hình: không biết có ghi hình hay không",
                               "Its recorder is no longer configured: whether it recorded is unknown"],
  "idx.scanned": ["Đầu ghi chưa được quét lại: không rõ phần", "Its recorder not scanned since: unknown"],
  "idx.after": ["sau", "after"],
  "find.unknown": ["không rõ", "unknown"],
  "gap.not recorded": ["không ghi hình", "not recorded"],
  "gap.unreadable": ["tệp hỏng", "unreadable"],
  window: ["có hình", "footage"],
  "req.title": ["Lập yêu cầu trích xuất", "Make a request"],
  "req.case": ["Số vụ việc", "Case"],
  "req.reason": ["Lý do", "Reason"],
  "req.go": ["Lập yêu cầu", "Make the request"],
  "req.made": ["Đã lập yêu cầu số", "Request made: no."],
  "exp.go": ["Trích xuất", "Export"],
  "exp.running": ["Đang trích xuất", "Exporting"],
  "exp.done": ["Đã trích xuất xong", "Export done"],
  "exp.failed": ["Trích xuất thất bại", "Export failed"],
  "exp.download": ["Tải về", "Download"],
  "exp.verified": ["SHA-256 khớp với biên bản", "SHA-256 matches the manifest"],
  "exp.mismatch": ["SHA-256 KHÔNG khớp với biên bản", "SHA-256 does NOT match the manifest"],
  "bl.title": ["Tồn đọng bảo trì (từ đầu tháng)", "Maintenance backlog (this month)"],
  "bl.download": ["Tải báo cáo", "Download the report"],
  "bl.rank": ["#", "#"],
  "bl.state": ["Trạng thái", "State"],
  "bl.priority": ["Ưu tiên", "Priority"],
  "bl.actions": ["Việc cần làm", "Actions"],
  "bl.cost": ["Chi phí (đ)", "Cost (VND)"],
  "bl.downtime": ["Thời gian mất tín hiệu", "Downtime"],
  "bl.avail": ["Hoạt động", "Available"],
  "bl.owners": ["Theo đơn vị", "By owner"],
  "bl.needing": ["Cần xử lý", "Needing work"],
  "bl.total": ["Tổng cộng", "Total"],
  "bl.unpriced": ["chưa có đơn giá", "unpriced"],
  "bl.none": ["Không có camera nào cần xử lý.", "No camera needs work."],
  "bl.cameras": ["Số camera", "Cameras"],
  /* the printed report's note (report/lang.c RL_DEF_CAMERAS_RETIRED), with how many */
  "bl.retired": ["Số camera: tất cả camera được giám sát trong kỳ, kể cả {n} camera đã gỡ khỏi danh mục " +
                 "quản lý trong kỳ (tỷ lệ hoạt động và số lần mất tín hiệu tính đến thời điểm gỡ bỏ); số " +
                 "camera cần sửa chữa và đang mất tín hiệu chỉ tính camera còn trong danh mục.",
                 "Cameras: every camera monitored in the period, the {n} taken out of the inventory " +
                 "during it included, with their availability and outages until then; cameras needing " +
                 "work and down now count only those still in the inventory."],
  /* the backlog's actions, in the printed report's words (report/lang.c) */
  "act.restore_link": ["Khôi phục nguồn điện, đường truyền", "Restore power or network link"],
  "act.clean_lens": ["Vệ sinh, chỉnh tiêu cự ống kính", "Clean or refocus the lens"],
  "act.reaim": ["Chỉnh lại góc quay camera", "Re-aim the camera"],
  "act.setup_ntp": ["Cài đặt đồng bộ thời gian (NTP)", "Set the clock to follow NTP"],
  "act.reconfigure_encoder": ["Cấu hình lại thông số hình ảnh", "Reconfigure the video settings"],
  "act.update_credentials": ["Cập nhật tài khoản truy cập", "Update the access account"],
  "act.update_firmware": ["Cập nhật phần mềm (firmware)", "Update the firmware"],
  "act.repair_ir": ["Sửa đèn hồng ngoại, chiếu sáng", "Repair the infrared light or site lighting"],
  "act.replace_camera": ["Thay thế camera", "Replace the camera"],
  "act.replace_disk": ["Thay ổ cứng đầu ghi", "Replace the recorder's disk"],
});

const EXPORT_POLL_MS = 1000;

/* ---- times in the site's zone ---- */

/* The site's UTC offset in minutes, read from a time the API gave ("...+07:00"). */
function siteOffsetMin() {
  const iso = (app.cameras || []).map((c) => c.since || c.last_probe).find((s) => s) || "";
  const m = iso.match(/([+-])(\d\d):(\d\d)$/);
  return m ? (m[1] === "-" ? -1 : 1) * (+m[2] * 60 + +m[3]) : -new Date().getTimezoneOffset();
}

/* ms as the site's wall clock for an <input type=datetime-local>: "2026-11-25T20:16". */
function localInput(ms) {
  return new Date(ms + siteOffsetMin() * 60000).toISOString().slice(0, 16);
}

/* An input's value as the API reads a time in the site's zone: "2026-11-25 20:16". */
function apiTime(v) {
  return v.replace("T", " ");
}

/* ---- the map to pick a point on (app.js's projection, inverted) ---- */

function pickMap(state, onPick) {
  const placed = (app.cameras || []).filter((c) => typeof c.lat === "number" && typeof c.lon === "number");
  if (placed.length === 0) return el("div");
  const p = projection(placed);
  const s = svg("svg", { viewBox: "0 0 " + p.W + " " + p.H, role: "img", "data-pick-map": "" });
  for (const c of placed)
    s.append(svg("circle", { cx: p.x(c.lon).toFixed(1), cy: p.y(c.lat).toFixed(1), r: 5,
                             fill: "var(--" + c.state + ")", "data-id": c.id },
                 svg("title", {}, c.id + " · " + c.name)));
  if (state.lat !== null) {
    const rpx = Math.max(3, state.radius / 111320 * p.scale);
    s.append(svg("circle", { class: "pick-area", cx: p.x(state.lon).toFixed(1),
                             cy: p.y(state.lat).toFixed(1), r: rpx.toFixed(1) }));
    s.append(svg("circle", { class: "pick", cx: p.x(state.lon).toFixed(1), cy: p.y(state.lat).toFixed(1), r: 4 }));
  }
  s.addEventListener("click", (e) => {
    const pt = s.createSVGPoint();
    pt.x = e.clientX;
    pt.y = e.clientY;
    const at = pt.matrixTransform(s.getScreenCTM().inverse());
    onPick(+p.lat(at.y).toFixed(6), +p.lon(at.x).toFixed(6));
  });
  return el("div", { class: "map pickmap" }, s);
}

/* ---- results: a timeline per camera ---- */

function timeline(cam, fromMs, toMs) {
  const W = 600, H = 18, span = Math.max(1, toMs - fromMs);
  const g = svg("svg", { viewBox: "0 0 " + W + " " + H, preserveAspectRatio: "none",
                         class: "timeline", "data-timeline": cam.id });
  const bar = (a, b, cls, title) => svg("rect", {
    x: (W * (a - fromMs) / span).toFixed(2), y: 0, height: H, class: cls,
    width: Math.max(0.5, W * (b - a) / span).toFixed(2) }, svg("title", {}, title));
  for (const gap of cam.gaps)
    g.append(bar(gap.start_ms, gap.end_ms, "gap " + gapClass(gap.cause),
                 t("gap." + gap.cause) + ": " + when(gap.start) + " – " + when(gap.end)));
  for (const w of cam.windows)
    g.append(bar(w.start_ms, w.end_ms, "win", t("window") + ": " + when(w.start) + " – " + when(w.end)));
  return g;
}

/* The line saying why some of cam's gaps are "not indexed": always for a camera the index
 * cannot speak for; for a scanned recorder (last time, or before a failed scan), or a camera
 * with no recorder now whose footage other recorders hold (index.others), only when some of
 * the range is not indexed, with when. */
function indexLine(cam, unknownMs) {
  const ix = cam.index;
  const spoken = ix && (ix.state === "scanned" || ix.state === "scan failed" ||
    (ix.state === "no recorder" && (ix.others || []).length > 0));
  if (!ix || (spoken && unknownMs === 0))
    return null;
  return el("div", { class: "muted", "data-index": ix.state }, t("idx." + ix.state),
    ix.known_until ? " " + t("idx.after") + " " + when(ix.known_until) : "",
    ix.recorder ? " (" + ix.recorder + (ix.error ? ": " + ix.error : "") + ")" : "");
}

function resultRow(cam, fromMs, toMs) {
  const pct = cam.requested_ms > 0 ? Math.round(100 * cam.covered_ms / cam.requested_ms) : 0;
  const unknownMs = cam.gaps.filter((g) => g.cause === "not indexed")
    .reduce((a, g) => a + (g.end_ms - g.start_ms), 0);
  /* none of the range indexed: how much was recorded is unknown, not 0% */
  const covered = cam.covered_ms === 0 && unknownMs >= cam.requested_ms
    ? el("b", { "data-covered": "unknown" }, t("find.unknown"))
    : el("b", { "data-covered": pct }, pct + "%");
  return el("div", { class: "result", "data-result": cam.id },
    el("div", { class: "title" }, cam.id + " · " + cam.name,
       typeof cam.distance_m === "number" ? el("span", { class: "muted" }, " · " + Math.round(cam.distance_m) + " " + t("find.m")) : null),
    el("div", { class: "muted" }, [cam.commune, cam.road].filter((x) => x).join(" · "), " · ",
       t("find.state"), ": ", cam.state_then ? stateLabel(cam.state_then) : "-", " · ",
       t("find.covered"), " ", covered),
    timeline(cam, fromMs, toMs),
    indexLine(cam, unknownMs),
    cam.warning ? el("div", { class: "warn" }, cam.warning) : null);
}

/* A gap cause as a CSS class: "not recorded" -> "gap-not-recorded". */
function gapClass(cause) {
  return "gap-" + cause.replace(/[^a-z]+/g, "-");
}

function legend() {
  return el("div", { class: "legend" },
    el("span", {}, el("i", { class: "win" }), t("window")),
    ["not indexed", "overwritten", "not recorded", "unreadable",
     "before recorder's oldest footage"].map((c) =>
      el("span", {}, el("i", { class: gapClass(c) }), t("gap." + c))));
}

/* ---- downloads: fetched with the token, saved through an object URL ---- */

async function fetchBlob(url) {
  const r = await fetch(url, { headers: { Authorization: "Bearer " + app.token } });
  if (!r.ok) throw new Error(r.status + " " + url);
  return r.blob();
}

function save(blob, name) {
  const a = el("a", { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60000);
}

async function sha256hex(blob) {
  const d = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/* Download one file of an export; an MP4 is checked against the manifest's SHA-256. */
async function downloadFile(job, f, manifest, status) {
  const blob = await fetchBlob(f.url);
  if (f.name.endsWith(".mp4") && manifest) {
    const cam = manifest.cameras.find((c) => c.file && c.file.split("/").pop() === f.name);
    const got = await sha256hex(blob);
    const ok = cam && cam.sha256 === got;
    status.replaceChildren(el("span", { class: ok ? "ok" : "bad", "data-verified": ok ? "yes" : "no",
                                        "data-sha256": got }, t(ok ? "exp.verified" : "exp.mismatch"), " ", got.slice(0, 16) + "…"));
  }
  save(blob, f.name);
}

function exportPanel(job) {
  const box = el("div", { class: "panel", "data-export": job.id });
  const draw = async (j) => {
    box.dataset.state = j.state;
    box.replaceChildren(el("h3", {}, t("exp." + (j.state === "done" ? "done" : j.state === "failed" ? "failed" : "running")), " · ", j.id));
    if (j.progress) {
      const p = j.progress, frac = p.bytes_total > 0 ? p.bytes_done / p.bytes_total : 0;
      const pct = Math.round(100 * (p.index + frac) / Math.max(1, p.cameras));
      box.append(el("progress", { max: 100, value: pct, "data-progress": pct }),
                 el("span", { class: "muted" }, " " + (p.camera || "") + " " + pct + "%"));
    } else if (j.state === "queued") {
      box.append(el("progress", { max: 100 }));
    }
    if (j.error) box.append(el("div", { class: "bad" }, j.error));
    if (j.state !== "done") return;
    const mf = j.files.find((f) => f.name === "manifest.json");
    const manifest = mf ? JSON.parse(await (await fetchBlob(mf.url)).text()) : null;
    box.append(el("table", { class: "files" }, j.files.map((f) => {
      const status = el("td", { "data-status": f.name });
      return el("tr", {}, el("td", {}, f.name), el("td", { class: "muted" }, f.bytes + " B"),
        el("td", {}, el("button", { type: "button", "data-download": f.name,
                                    onclick: () => downloadFile(j, f, manifest, status).catch((e) => showError(String(e))) },
                        t("exp.download"))), status);
    })));
  };
  const poll = async () => {
    const j = await api("/api/v1/exports/" + encodeURIComponent(job.id));
    if (!j) return;
    await draw(j);
    if ((j.state === "queued" || j.state === "running") && document.body.contains(box))
      setTimeout(() => poll().catch(() => {}), EXPORT_POLL_MS);
  };
  draw(job).then(poll).catch(() => {});
  return box;
}

/* ---- the investigator's page ---- */

function viewFind(view) {
  const now = Date.now();
  const st = app.find || (app.find = { from: localInput(now - 3600000), to: localInput(now),
                                       place: "", lat: null, lon: null, radius: 300 });
  const from = el("input", { type: "datetime-local", value: st.from, "data-find": "from" });
  const to = el("input", { type: "datetime-local", value: st.to, "data-find": "to" });
  const place = el("input", { type: "search", value: st.place, placeholder: t("find.place"), "data-find": "place" });
  const radius = el("input", { type: "number", min: 1, max: 50000, value: st.radius, "data-find": "radius" });
  const results = el("div", { id: "find-results" });
  const mapBox = el("div");
  const point = el("span", { class: "muted", "data-find": "point" });
  const keep = () => Object.assign(st, { from: from.value, to: to.value, place: place.value.trim(), radius: +radius.value || 300 });
  const drawMap = () => {
    point.replaceChildren(st.lat === null ? "" : [t("find.point") + ": " + st.lat + ", " + st.lon + " ",
      el("button", { type: "button", onclick: () => { st.lat = st.lon = null; drawMap(); } }, t("find.clear"))]);
    mapBox.replaceChildren(pickMap(st, (lat, lon) => { keep(); st.lat = lat; st.lon = lon; st.place = ""; place.value = ""; drawMap(); }));
  };
  place.addEventListener("input", () => { if (place.value.trim()) { st.lat = st.lon = null; drawMap(); } });
  /* on input, not change: a change comes on blur, as a click on the map begins */
  radius.addEventListener("input", () => { keep(); drawMap(); });
  const form = el("form", { class: "panel findform", onsubmit: (e) => { e.preventDefault(); keep(); find(st, results); } },
    el("h3", {}, t("find.title")),
    el("div", { class: "row" }, el("label", {}, t("find.from"), " ", from), el("label", {}, t("find.to"), " ", to)),
    el("div", { class: "row" }, place),
    el("div", { class: "muted" }, t("find.or"), " · ", el("label", {}, t("find.radius"), " ", radius), " ", point),
    mapBox,
    el("button", { class: "primary", type: "submit", "data-find": "go" }, t("find.go")));
  drawMap();
  view.append(form, results);
}

/* The query of the form, as the API's parameters (and a request's fields). */
function findQuery(st) {
  const q = { from: apiTime(st.from), to: apiTime(st.to) };
  if (st.lat !== null) { q.near = st.lat + "," + st.lon; q.radius = String(st.radius); }
  else q.place = st.place;
  return q;
}

async function find(st, results) {
  const q = findQuery(st);
  const doc = await api("/api/v1/footage?" + new URLSearchParams(q).toString());
  if (!doc) return;
  const fromMs = Date.parse(st.from + ":00Z") - siteOffsetMin() * 60000;
  const toMs = Date.parse(st.to + ":00Z") - siteOffsetMin() * 60000;
  results.replaceChildren(el("h3", { "data-found": doc.length }, doc.length + " " + t("find.cams")));
  if (doc.length === 0) { results.append(el("div", { class: "empty" }, t("find.none"))); return; }
  results.append(legend(), ...doc.map((c) => resultRow(c, fromMs, toMs)));
  const caseIn = el("input", { placeholder: t("req.case"), "data-req": "case", required: true });
  const reason = el("input", { placeholder: t("req.reason"), "data-req": "reason", required: true });
  const made = el("div", { "data-req": "made" });
  results.append(el("form", { class: "panel findform", onsubmit: async (e) => {
    e.preventDefault();
    const r = await api("/api/v1/requests", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(Object.assign({}, q, { case: caseIn.value.trim(), reason: reason.value.trim() })) });
    if (!r) return;
    made.replaceChildren(el("p", { "data-request": r.id }, t("req.made") + " " + r.id + " "),
      el("button", { class: "primary", type: "button", "data-export-go": r.id, onclick: async (ev) => {
        ev.target.disabled = true;
        const job = await api("/api/v1/requests/" + r.id + "/export", { method: "POST" });
        if (job) made.append(exportPanel(job));
      } }, t("exp.go")));
  } }, el("h3", {}, t("req.title")), el("div", { class: "row" }, caseIn, reason),
    el("button", { class: "primary", type: "submit", "data-req": "go" }, t("req.go")), made));
}

/* ---- the backlog page ---- */

function vnd(n) {
  return typeof n === "number" ? n.toLocaleString("vi-VN") : "-";
}

/* A cost and how much of the work has no price: none of it priced is said, never shown as 0. */
function cost(o, count) {
  const none = o.cost_vnd === null || (o[count] > 0 && o.unpriced === o[count]);
  return [none ? t("bl.unpriced") : vnd(o.cost_vnd),
          o.unpriced && !none ? el("div", { class: "muted" }, o.unpriced + " " + t("bl.unpriced")) : null];
}

function hours(ms) {
  if (!ms) return "-";
  return ms < 3600000 ? Math.max(1, Math.round(ms / 60000)) + " " + t("m")
                      : (ms / 3600000).toFixed(1) + " " + t("h");
}

async function viewBacklog(view) {
  const doc = await api("/api/v1/reports/backlog?format=json&lang=" + app.lang);
  if (!doc || currentRoute().name !== "backlog") return;
  const links = el("div", { class: "downloads" }, t("bl.download"), ": ", ["html", "xlsx", "csv", "json"].map((f) =>
    el("button", { type: "button", "data-report": f, onclick: async () => {
      const r = await fetch("/api/v1/reports/backlog?format=" + f + "&lang=" + app.lang,
                            { headers: { Authorization: "Bearer " + app.token } });
      const name = ((r.headers.get("Content-Disposition") || "").match(/filename="([^"]+)"/) || [])[1] || "backlog." + f;
      if (r.ok) save(await r.blob(), name);
    } }, f.toUpperCase())));
  const items = doc.items.length === 0 ? el("div", { class: "empty" }, t("bl.none")) :
    el("table", { "data-backlog": "items" },
      el("tr", {}, ["bl.rank", "owner", "bl.priority", "bl.state", "bl.downtime", "bl.avail", "bl.actions", "bl.cost"].map((k) => el("th", {}, t(k)))),
      doc.items.map((it) => el("tr", { "data-item": it.id },
        el("td", {}, it.rank),
        el("td", {}, el("a", { href: "#/camera/" + encodeURIComponent(it.id) }, it.id), " · ", it.name,
           el("div", { class: "muted" }, it.owner_name || it.owner)),
        el("td", {}, it.priority), el("td", {}, stateLabel(it.state)),
        el("td", {}, hours(it.downtime_ms)),
        el("td", {}, typeof it.availability_pct === "number" ? it.availability_pct.toFixed(1) + "%" : "-"),
        el("td", { "data-actions": it.actions.map((a) => a.action).join(",") },
           it.actions.map((a) => t("act." + a.action)).join("; ")),
        el("td", { "data-cost": it.cost_vnd === null ? "" : it.cost_vnd }, cost(it, null)))));
  const owners = el("table", { "data-backlog": "owners" },
    el("tr", {}, ["owner", "bl.cameras", "bl.needing", "down", "bl.cost"].map((k) => el("th", {}, t(k)))),
    doc.owners.map((o) => el("tr", { "data-owner": o.owner },
      el("td", {}, o.owner_name || o.owner), el("td", {}, o.cameras), el("td", {}, o.needing_work),
      el("td", {}, o.down_now), el("td", {}, cost(o, "actions")))),
    el("tr", { class: "total", "data-owner": "" }, el("td", {}, t("bl.total")), el("td", {}, doc.total.cameras),
      el("td", {}, doc.total.needing_work), el("td", {}, doc.total.down_now),
      el("td", { "data-total-cost": doc.total.cost_vnd }, cost(doc.total, "actions"))));
  view.replaceChildren(el("h2", {}, t("bl.title"), " ", el("span", { class: "muted" }, when(doc.from) + " – " + when(doc.to))),
    links, el("div", { class: "panel" }, el("h3", {}, t("bl.owners")), owners,
      doc.total.retired > 0 && el("p", { class: "muted", "data-retired": doc.total.retired },
                                  t("bl.retired").replace("{n}", doc.total.retired))),
    el("div", { class: "panel" }, items));
}
