// LaneControl operator console: plain JavaScript, no build step. Reads /live (see docs/api.md).
"use strict";

const I18N = {
  zh: {
    connecting: "连接中…", connected: "已连接", disconnected: "连接断开，重连中…", health: "机台状态", rig: "机台",
    link: "链路", quality: "质量", staleFor: "失效时长", period: "周期", p99: "周期误差 p99", missed: "错过期限",
    timeouts: "超时", failures: "失败", reconnects: "重连", polls: "轮询次数", lang: "English",
    footer: "实时数据经 WebSocket /live 推送（20 Hz）", rate: "次更新/秒", ruleset: "规则", chart: "制动力曲线（近 10 秒）",
    left: "左", right: "右", emission: "排放", headlamp: "前照灯", brake: "制动", noData: "无数据",
    good: "正常", stale: "失效", timed_out: "超时", out_of_range: "超量程", title: "控制台",
  },
  en: {
    connecting: "Connecting…", connected: "Connected", disconnected: "Disconnected, reconnecting…", health: "Rig health",
    rig: "Rig", link: "Link", quality: "Quality", staleFor: "Stale for", period: "Period", p99: "Period error p99",
    missed: "Missed deadlines", timeouts: "Timeouts", failures: "Failures", reconnects: "Reconnects", polls: "Polls",
    lang: "中文", footer: "Live data over the WebSocket /live (20 Hz)", rate: "updates/s", ruleset: "Ruleset",
    chart: "Brake force (last 10 s)", left: "left", right: "right", emission: "Emission", headlamp: "Headlamp",
    brake: "Brake", noData: "no data", good: "good", stale: "stale", timed_out: "timed out", out_of_range: "out of range",
    title: "Console",
  },
};

// Chinese names of the channels operators read most; the rest show their register-map name.
const CHANNEL_ZH = {
  force_left: "左制动力", force_right: "右制动力", load_left: "左轮荷", load_right: "右轮荷", axle_load: "轴荷",
  roller_state: "滚筒状态", roller_speed: "滚筒速度", pedal_force: "踏板力", slip_left_pct: "左滑移率", slip_right_pct: "右滑移率",
  co_pct: "CO", co2_pct: "CO₂", hc_ppm: "HC", no_ppm: "NO", o2_pct: "O₂", lambda: "过量空气系数 λ", engine_rpm: "发动机转速",
  oil_temp_c: "油温", opacity_k: "光吸收系数 k", warmup_remaining_s: "预热剩余",
  left_low_intensity: "左近光发光强度", left_high_intensity: "左远光发光强度", right_low_intensity: "右近光发光强度",
  right_high_intensity: "右远光发光强度", heartbeat: "心跳", fault_word: "故障字",
};

const state = {
  lang: null, profile: null, rigs: {}, traces: {}, received: 0, rateWindow: [], health: null, socket: null,
};

function t(key) { return (I18N[state.lang] || I18N.en)[key] || key; }

function fmt(v) {
  if (typeof v !== "number") return String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return v.toFixed(a >= 100 ? 1 : a >= 1 ? 2 : 3);
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k.startsWith("data-")) e.setAttribute(k, v); else e[k] = v;
  }
  for (const c of children) e.append(c);
  return e;
}

function setLanguage(lang) {
  state.lang = lang;
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.getElementById("lang-toggle").textContent = t("lang");
  document.title = "LaneControl " + t("title");
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-channel-label]")) {
    const name = node.dataset.channelLabel;
    node.textContent = lang === "zh" && CHANNEL_ZH[name] ? CHANNEL_ZH[name] : name;
  }
  if (state.profile) {
    document.getElementById("station-name").textContent =
      lang === "zh" ? state.profile.station_name : (state.profile.station_name_en || state.profile.station_name);
    document.getElementById("ruleset").textContent = t("ruleset") + " " + state.profile.ruleset;
  }
  for (const rig of Object.keys(state.rigs)) updateQuality(rig);
  if (typeof stationLanguageChanged === "function") stationLanguageChanged();
  try { localStorage.setItem("lanectl.lang", lang); } catch (e) { /* private mode */ }
}

function buildLanes(profile) {
  const root = document.getElementById("lanes");
  root.replaceChildren();
  for (const lane of profile.lanes) {
    const stations = el("div", { class: "stations" });
    for (const station of lane.stations) {
      const rig = station.rig;
      const rows = el("tbody");
      rig.channels.forEach((c, i) => {
        rows.append(el("tr", {},
          el("td", { "data-channel-label": c.name }, c.name),
          el("td", { class: "v", "data-channel": c.name, "data-index": String(i) }, "–"),
          el("td", { class: "u" }, c.unit || "")));
      });
      const table = el("div", { class: "readings-wrap" }, el("table", { class: "readings" }, rows));
      const badge = el("span", { class: "badge", "data-quality": rig.id }, t("noData"));
      const head = el("h3", {}, el("span", {}, el("span", { "data-i18n": station.kind }, t(station.kind)), " · " + rig.id + " ",
        el("span", { class: "muted" }, rig.model)), badge);
      const box = el("div", { class: "station " + station.kind, "data-rig": rig.id }, head);
      if (station.kind === "brake") {
        const canvas = el("canvas", { class: "chart", "data-chart": rig.id, width: 600, height: 220 });
        const legend = el("div", { class: "legend" }, el("span", { "data-i18n": "chart" }, t("chart")), " ",
          el("span", { class: "l" }, "■ ", el("span", { "data-i18n": "left" }, t("left"))), " ",
          el("span", { class: "r" }, "■ ", el("span", { "data-i18n": "right" }, t("right"))));
        box.append(el("div", { class: "brake-body" }, el("div", {}, canvas, legend), table));
      } else {
        box.append(table);
      }
      box.append(el("div", { class: "muted", "data-stale": rig.id }));
      stations.append(box);
      state.rigs[rig.id] = { channels: rig.channels, quality: null, staleFor: null };
    }
    const status = el("div", { class: "lane-status", "data-lane-status": lane.id });
    root.append(el("div", { class: "lane", "data-lane": lane.id }, el("h2", {}, lane.id + " · " + lane.name), status, stations));
  }
}

function updateQuality(rig) {
  const r = state.rigs[rig];
  const badge = document.querySelector(`[data-quality="${CSS.escape(rig)}"]`);
  if (!badge || !r) return;
  badge.className = "badge " + (r.quality || "");
  badge.textContent = r.quality ? t(r.quality) : t("noData");
  const stale = document.querySelector(`[data-stale="${CSS.escape(rig)}"]`);
  if (stale) stale.textContent = r.staleFor != null ? `${t("staleFor")} ${r.staleFor.toFixed(1)} s` : "";
}

function onSamples(msg) {
  for (const s of msg.samples || []) {
    const r = state.rigs[s.rig];
    if (!r) continue;
    state.received += 1;
    const box = document.querySelector(`[data-rig="${CSS.escape(s.rig)}"]`);
    if (!box) continue;
    const cells = box.querySelectorAll("td[data-channel]");
    cells.forEach((cell) => {
      const v = s.values[Number(cell.dataset.index)];
      if (v !== undefined) cell.textContent = fmt(v);
    });
    box.dataset.seq = String(s.seq);
    if (r.quality !== s.quality) { r.quality = s.quality; updateQuality(s.rig); }
  }
  for (const tr of msg.traces || []) {
    const list = (state.traces[tr.rig] = state.traces[tr.rig] || []);
    for (const p of tr.points) list.push(p);
    const newest = list.length ? list[list.length - 1][0] : 0;
    while (list.length && list[0][0] < newest - 10) list.shift();
  }
}

function onHealth(msg) {
  state.health = msg;
  const tbody = document.querySelector("#health tbody");
  tbody.replaceChildren();
  const links = {};
  for (const l of msg.links || []) links[l.name] = l;
  for (const h of msg.rigs || []) {
    const r = state.rigs[h.rig];
    if (r) { r.quality = h.quality || r.quality; r.staleFor = h.stale_for_seconds ?? null; updateQuality(h.rig); }
    const l = links[h.link] || {};
    const q = el("span", { class: "badge " + (h.quality || "") }, h.quality ? t(h.quality) : t("noData"));
    tbody.append(el("tr", { "data-health": h.rig },
      el("td", {}, h.rig), el("td", {}, h.link || "–"), el("td", {}, q),
      el("td", {}, h.stale_for_seconds != null ? h.stale_for_seconds.toFixed(1) + " s" : "–"),
      el("td", {}, l.period_seconds != null ? (l.period_seconds * 1000).toFixed(0) + " ms" : "–"),
      el("td", {}, l.period_error ? (l.period_error.p99 * 1e6).toFixed(0) + " µs" : "–"),
      el("td", {}, String(l.missed_deadlines ?? "–")), el("td", {}, String(h.timeouts)),
      el("td", {}, String(h.failures)), el("td", {}, String(l.reconnects ?? "–")), el("td", {}, String(h.polls))));
  }
}

function drawCharts() {
  for (const canvas of document.querySelectorAll("canvas[data-chart]")) {
    const ctx = canvas.getContext("2d");
    const w = canvas.width, h = canvas.height;
    ctx.clearRect(0, 0, w, h);
    const pts = state.traces[canvas.dataset.chart] || [];
    const newest = pts.length ? pts[pts.length - 1][0] : 0;
    let max = 100;
    for (const p of pts) max = Math.max(max, p[1], p[2]);
    max = Math.ceil(max / 100) * 100;
    ctx.strokeStyle = "#e3e8ee"; ctx.fillStyle = "#6a7785"; ctx.font = "11px sans-serif"; ctx.lineWidth = 1;
    for (let i = 0; i <= 4; i++) {
      const y = h - 16 - (h - 26) * i / 4;
      ctx.beginPath(); ctx.moveTo(36, y); ctx.lineTo(w, y); ctx.stroke();
      ctx.fillText(String(max * i / 4), 2, y + 4);
    }
    ctx.fillText("daN", 2, 10); ctx.fillText("-10 s", 36, h - 3); ctx.fillText("0", w - 10, h - 3);
    for (const [col, color] of [[1, "#1565c0"], [2, "#c62828"]]) {
      ctx.strokeStyle = color; ctx.lineWidth = 1.6; ctx.beginPath();
      pts.forEach((p, i) => {
        const x = 36 + (w - 40) * (1 - (newest - p[0]) / 10);
        const y = h - 16 - (h - 26) * (p[col] / max);
        if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
      });
      ctx.stroke();
    }
  }
  const now = performance.now();
  state.rateWindow.push([now, state.received]);
  while (state.rateWindow.length && state.rateWindow[0][0] < now - 2000) state.rateWindow.shift();
  if (state.rateWindow.length > 1) {
    const [t0, n0] = state.rateWindow[0];
    const rate = (state.received - n0) / ((now - t0) / 1000);
    document.getElementById("rate").textContent = `${rate.toFixed(0)} ${t("rate")}`;
  }
  requestAnimationFrame(drawCharts);
}

function connect() {
  const status = document.getElementById("conn-status");
  const socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/live");
  state.socket = socket;
  socket.onopen = () => { status.dataset.i18n = "connected"; status.textContent = t("connected"); status.className = "badge good"; };
  socket.onclose = () => {
    status.dataset.i18n = "disconnected"; status.textContent = t("disconnected"); status.className = "badge stale";
    setTimeout(connect, 1000);
  };
  socket.onmessage = (event) => {
    const msg = JSON.parse(event.data);
    if (msg.type === "hello") {
      const first = !state.profile;
      state.profile = msg.profile;
      if (first) {
        buildLanes(msg.profile);
        let lang = null;
        try { lang = localStorage.getItem("lanectl.lang"); } catch (e) { /* ignore */ }
        setLanguage(lang || msg.profile.language || "zh");
      }
    } else if (msg.type === "samples") {
      onSamples(msg);
    } else if (msg.type === "health") {
      onHealth(msg);
    } else if (msg.type === "station" && typeof onStation === "function") {
      onStation(msg);
    } else if (msg.type === "events" && typeof onEvents === "function") {
      onEvents(msg);
    }
  };
}

document.getElementById("lang-toggle").addEventListener("click", () => setLanguage(state.lang === "zh" ? "en" : "zh"));
state.lang = "zh";
connect();
requestAnimationFrame(drawCharts);
