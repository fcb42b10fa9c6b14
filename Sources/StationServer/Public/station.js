// LaneControl operator console, station part: shift, queue, drivers, alarms, each lane's vehicle, step and
// verdicts (from the `station` and `events` messages of /live), and the operator's actions (JSON API, see
// docs/api.md). Loaded after console.js, which owns the socket, the language and the rigs' readings.
"use strict";

Object.assign(I18N.zh, {
  shift: "班次", shiftNone: "未开班", shiftOpen: "开班", shiftClose: "结班", seedHash: "种子哈希", seed: "种子（已公开）",
  openedBy: "开班人", queue: "排队", queueNumber: "号", plate: "号牌", lane: "检测线", driver: "引车员", state: "状态",
  waiting: "等待", drivers: "引车员", alarms: "报警", noAlarms: "无报警", events: "事件", checkIn: "登记车辆",
  vin: "VIN", category: "车辆类别", typeCode: "车辆类型代码", fuel: "燃料", axles: "轴数", mass: "总质量 kg",
  firstRegistered: "初次登记日期", usePhase: "使用阶段", submitCheckIn: "登记", callNext: "叫下一辆", abort: "中止检测",
  repeat: "重新检测", reassign: "改派引车员", reason: "原因", reasonRequired: "请填写原因", toDriver: "改派给（留空则重新抽签）",
  vehicle: "车辆", step: "当前步骤", verdicts: "判定", result: "结论", idle: "空闲", signIn: "登录", signedOutHint: "操作需以操作员身份登录",
  pass: "合格", fail: "不合格", incomplete: "未完成", notApplicable: "不适用", none: "—", ok: "完成", seconds: "秒",
  gasoline: "汽油", diesel: "柴油", lpg: "液化石油气", cng: "天然气", electric: "纯电", hybrid_gasoline: "油电混合（汽油）",
  hybrid_diesel: "油电混合（柴油）", in_use: "在用车", new_registration: "注册登记", unknown: "未知", ticket: "排队号",
  confirmClose: "确定结班？结班后公开种子。", inspectionsPerHour: "每小时检测", actionFailed: "操作失败",
});
Object.assign(I18N.en, {
  shift: "Shift", shiftNone: "No shift open", shiftOpen: "Open shift", shiftClose: "Close shift", seedHash: "Seed hash",
  seed: "Seed (revealed)", openedBy: "Opened by", queue: "Queue", queueNumber: "No.", plate: "Plate", lane: "Lane",
  driver: "Driver", state: "State", waiting: "Waiting", drivers: "Drivers", alarms: "Alarms", noAlarms: "No alarms",
  events: "Events", checkIn: "Check a vehicle in", vin: "VIN", category: "Category", typeCode: "Type code", fuel: "Fuel",
  axles: "Axles", mass: "Max mass kg", firstRegistered: "First registered", usePhase: "Use phase", submitCheckIn: "Check in",
  callNext: "Call next", abort: "Abort test", repeat: "Order repeat", reassign: "Reassign driver", reason: "Reason",
  reasonRequired: "Give a reason", toDriver: "To driver (empty: new draw)", vehicle: "Vehicle", step: "Step",
  verdicts: "Verdicts", result: "Result", idle: "idle", signIn: "Sign in", signedOutHint: "Actions need an operator sign-in",
  pass: "pass", fail: "fail", incomplete: "incomplete", notApplicable: "n/a", none: "—", ok: "done", seconds: "s",
  gasoline: "gasoline", diesel: "diesel", lpg: "LPG", cng: "CNG", electric: "electric", hybrid_gasoline: "hybrid (gasoline)",
  hybrid_diesel: "hybrid (diesel)", in_use: "in use", new_registration: "new registration", unknown: "unknown",
  ticket: "Ticket", confirmClose: "Close the shift? Its seed is then revealed.", inspectionsPerHour: "inspections/h",
  actionFailed: "Action failed",
});

const station = { view: null, events: [], received: null };

function tr(obj, base) {
  // A bilingual text from the server: {text_zh, text_en} or {zh, en}.
  if (!obj) return "";
  const zh = obj[(base || "text") + "_zh"] ?? obj.zh, en = obj[(base || "text") + "_en"] ?? obj.en;
  return state.lang === "zh" ? (zh || en || "") : (en || zh || "");
}

function verdictBadge(v) {
  const cls = v === "pass" ? "good" : v === "fail" ? "stale" : "out_of_range";
  return el("span", { class: "badge " + cls }, t(v === "not_applicable" ? "notApplicable" : v));
}

function waited(seconds) {
  if (seconds == null) return "–";
  const m = Math.floor(seconds / 60), s = Math.floor(seconds % 60);
  return m > 0 ? `${m}:${String(s).padStart(2, "0")}` : `${s} ${t("seconds")}`;
}

function onStation(msg) {
  station.view = msg.station;
  station.received = performance.now();
  renderStation();
}

function onEvents(msg) {
  for (const e of msg.events || []) {
    station.events.unshift(e);
    if (e.kind === "verdict") flashVerdict(e);
  }
  station.events.length = Math.min(station.events.length, 60);
  renderEvents();
}

function flashVerdict(e) {
  const box = document.querySelector(`[data-lane-status="${CSS.escape(e.lane || "")}"]`);
  if (box) box.dataset.lastVerdict = `${e.item}:${e.verdict}`;
}

function renderStation() {
  const v = station.view;
  if (!v) return;
  renderShift(v.shift);
  renderLanes(v.lanes || []);
  renderQueue(v.queue || []);
  renderDrivers(v.drivers || []);
  renderAlarms(v.alarms || []);
  renderEvents();
  const rate = document.getElementById("per-hour");
  if (rate) rate.textContent = v.inspections_per_hour != null ? `${v.inspections_per_hour.toFixed(1)} ${t("inspectionsPerHour")}` : "";
}

function renderShift(shift) {
  const box = document.getElementById("shift");
  if (!box) return;
  box.replaceChildren();
  const open = shift && shift.open;
  box.append(el("strong", {}, t("shift") + ": "));
  if (!shift) {
    box.append(el("span", { "data-shift-state": "none" }, t("shiftNone")));
  } else {
    box.append(el("span", { "data-shift-state": open ? "open" : "closed" }, shift.id + (open ? "" : " ✓")));
    if (shift.seed_hash) box.append(" · " + t("seedHash") + " ", el("code", { "data-seed-hash": "" }, shift.seed_hash));
    if (shift.seed) box.append(" · " + t("seed") + " ", el("code", { "data-seed": "" }, shift.seed));
    if (shift.opened_by) box.append(el("span", { class: "muted" }, ` · ${t("openedBy")} ${shift.opened_by}`));
  }
  const button = el("button", { type: "button", id: open ? "shift-close" : "shift-open" }, t(open ? "shiftClose" : "shiftOpen"));
  button.addEventListener("click", () => {
    if (open && !confirm(t("confirmClose"))) return;
    act(open ? "/api/shift/close" : "/api/shift/open", {}, box);
  });
  box.append(" ", button, el("span", { class: "error", "data-error": "shift" }));
}

function renderLanes(lanes) {
  for (const lane of lanes) {
    const box = document.querySelector(`[data-lane-status="${CSS.escape(lane.id)}"]`);
    if (!box) continue;
    const keep = box.querySelector("input[name=reason]");
    const reasonValue = keep ? keep.value : "";
    box.replaceChildren();
    box.dataset.state = lane.state || "";
    const vehicle = lane.vehicle;
    const line = el("div", { class: "lane-line" },
      el("span", { class: "muted" }, t("vehicle") + " "),
      el("strong", { class: "plate", "data-plate": lane.id }, vehicle ? vehicle.plate : t("idle")),
      vehicle && vehicle.queue_number != null ? el("span", { class: "muted" }, ` #${vehicle.queue_number}`) : "",
      lane.driver ? el("span", {}, ` · ${t("driver")} ${lane.driver}`) : "",
      lane.state ? el("span", { class: "badge", "data-lane-state": lane.state }, tr(lane, "state") || lane.state) : "");
    box.append(line);
    if (lane.step) {
      box.append(el("div", { class: "step", "data-step": lane.id }, el("span", { class: "muted" }, t("step") + " "),
        tr(lane.step) || lane.step.id || ""));
    }
    const list = el("ul", { class: "verdicts", "data-verdicts": lane.id });
    for (const item of lane.verdicts || []) {
      const value = item.value != null ? `${fmt(item.value)} ${item.unit || ""}` : "";
      const limit = item.limit ? ` (${item.limit})` : "";
      list.append(el("li", { "data-item": item.item, "data-verdict": item.verdict }, verdictBadge(item.verdict), " ",
        el("span", {}, tr(item, "name") || item.item), " ", el("span", { class: "muted" }, value + limit)));
    }
    box.append(list);
    if (lane.result) {
      box.append(el("div", { class: "result" }, t("result") + " ", verdictBadge(lane.result)));
    }
    const reason = el("input", { name: "reason", placeholder: t("reason"), value: reasonValue, size: 18 });
    const call = el("button", { type: "button", "data-action": "call-next" }, t("callNext"));
    const abort = el("button", { type: "button", "data-action": "abort" }, t("abort"));
    const repeat = el("button", { type: "button", "data-action": "repeat" }, t("repeat"));
    const error = el("span", { class: "error", "data-error": "lane" });
    call.addEventListener("click", () => act(`/api/lanes/${encodeURIComponent(lane.id)}/call-next`, {}, box));
    abort.addEventListener("click", () => act(`/api/lanes/${encodeURIComponent(lane.id)}/abort`, { reason: reason.value }, box));
    repeat.addEventListener("click", () => act(`/api/lanes/${encodeURIComponent(lane.id)}/repeat`, { reason: reason.value }, box));
    box.append(el("div", { class: "actions" }, call, " ", reason, " ", abort, " ", repeat, " ", error));
  }
}

function renderQueue(queue) {
  const tbody = document.querySelector("#queue tbody");
  if (!tbody) return;
  tbody.replaceChildren();
  for (const q of queue) {
    const reason = el("input", { name: "reason", placeholder: t("reason"), size: 12 });
    const to = el("input", { name: "driver", placeholder: t("toDriver"), size: 8 });
    const go = el("button", { type: "button", "data-action": "reassign" }, t("reassign"));
    const row = el("tr", { "data-queue": String(q.queue_number) },
      el("td", {}, String(q.queue_number)), el("td", { class: "plate" }, q.plate), el("td", {}, q.lane || "–"),
      el("td", {}, q.driver || "–"), el("td", {}, tr(q, "state") || q.state || ""), el("td", {}, waited(q.waiting_seconds)),
      el("td", {}, to, " ", reason, " ", go, el("span", { class: "error", "data-error": "reassign" })));
    go.addEventListener("click", () => {
      const body = { reason: reason.value };
      if (to.value.trim()) body.driver = to.value.trim();
      act(`/api/queue/${q.queue_number}/reassign`, body, row);
    });
    tbody.append(row);
  }
}

function renderDrivers(drivers) {
  const tbody = document.querySelector("#drivers tbody");
  if (!tbody) return;
  tbody.replaceChildren();
  for (const d of drivers) {
    tbody.append(el("tr", { "data-driver": d.id, "data-driver-state": d.state || "" },
      el("td", {}, d.id), el("td", {}, state.lang === "zh" ? (d.name_zh || d.name_en || "") : (d.name_en || d.name_zh || "")),
      el("td", {}, tr(d, "state") || d.state || ""), el("td", { class: "plate" }, d.plate || "–"), el("td", {}, d.lane || "–")));
  }
}

function renderAlarms(alarms) {
  const list = document.getElementById("alarms");
  if (!list) return;
  list.replaceChildren();
  if (!alarms.length) { list.append(el("li", { class: "muted" }, t("noAlarms"))); return; }
  for (const a of alarms) {
    list.append(el("li", { class: "alarm " + (a.severity || ""), "data-alarm": a.id || "" },
      a.lane ? `${a.lane} ` : "", a.rig ? `${a.rig} ` : "", tr(a)));
  }
}

function renderEvents() {
  const list = document.getElementById("events");
  if (!list) return;
  list.replaceChildren();
  for (const e of station.events.slice(0, 30)) {
    list.append(el("li", { "data-event": e.kind }, el("span", { class: "muted" }, (e.clock || "") + " "), tr(e)));
  }
}

// Sends an action; shows the JSON error's reason beside the field it names (or in the box's error slot).
async function act(url, body, box) {
  for (const node of box.querySelectorAll(".error")) node.textContent = "";
  for (const node of box.querySelectorAll(".invalid")) node.classList.remove("invalid");
  let response, payload = null;
  try {
    response = await fetch(url, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), credentials: "same-origin",
    });
    payload = await response.json().catch(() => null);
  } catch (err) {
    showError(box, null, t("actionFailed") + ": " + err);
    return null;
  }
  if (!response.ok) {
    const error = (payload && payload.error) || { reason: response.statusText };
    if (response.status === 401) showSignIn();
    showError(box, error.field, error.reason);
    return null;
  }
  return payload;
}

function showError(box, field, reason) {
  const name = field ? String(field).split(".").pop() : null;
  const input = name ? box.querySelector(`[name="${CSS.escape(name)}"]`) : null;
  if (input) {
    input.classList.add("invalid");
    const slot = box.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
    if (slot) { slot.textContent = reason; return; }
  }
  const slot = box.querySelector(".error");
  if (slot) slot.textContent = reason;
}

function showSignIn() {
  const user = document.getElementById("user");
  if (user) user.replaceChildren(el("a", { href: "/login?next=/console" }, t("signIn")), " ", el("span", { class: "muted" }, t("signedOutHint")));
}

const CHECKIN_FIELDS = [
  ["plate", "plate", "text", true], ["vin", "vin", "text"], ["category", "category", "text"], ["type_code", "typeCode", "text"],
  ["fuel", "fuel", ["", "gasoline", "diesel", "lpg", "cng", "electric", "hybrid_gasoline", "hybrid_diesel"]],
  ["use_phase", "usePhase", ["", "in_use", "new_registration"]], ["axles", "axles", "number"],
  ["max_total_mass_kg", "mass", "number"], ["first_registered", "firstRegistered", "date"],
];

function buildCheckIn() {
  const form = document.getElementById("checkin");
  if (!form) return;
  form.replaceChildren();
  for (const [name, label, type, required] of CHECKIN_FIELDS) {
    let input;
    if (Array.isArray(type)) {
      input = el("select", { name });
      for (const option of type) input.append(el("option", { value: option }, option ? t(option) : t("unknown")));
    } else {
      input = el("input", { name, type, required: !!required, size: name === "vin" ? 19 : 10 });
    }
    form.append(el("label", {}, el("span", { "data-i18n": label }, t(label)), input,
      el("span", { class: "error", "data-error-for": name })));
  }
  const status = el("span", { id: "checkin-status" });
  form.append(el("button", { type: "submit", "data-i18n": "submitCheckIn" }, t("submitCheckIn")), " ", status,
    el("span", { class: "error" }));
  form.onsubmit = async (event) => {
    event.preventDefault();
    const body = {};
    for (const [name, , type] of CHECKIN_FIELDS) {
      const value = form.elements[name].value.trim();
      if (!value) continue;
      body[name] = type === "number" ? Number(value) : value;
    }
    status.textContent = "";
    const ticket = await act("/api/checkin", body, form);
    if (ticket) {
      status.textContent = `${t("ticket")} ${ticket.queue_number} · ${ticket.plate}`;
      status.dataset.ticket = String(ticket.queue_number);
      form.elements.plate.value = "";
      form.elements.vin.value = "";
    }
  };
}

async function whoAmI() {
  const user = document.getElementById("user");
  if (!user) return;
  try {
    const response = await fetch("/api/me", { credentials: "same-origin" });
    if (response.ok) {
      const me = await response.json();
      const u = me.user || me;
      user.replaceChildren(el("span", { "data-user": u.id || "" }, `${u.name || u.id} (${u.role})`));
      return;
    }
  } catch (e) { /* not signed in */ }
  showSignIn();
}

function stationLanguageChanged() {
  buildCheckIn();
  renderStation();
  if (!station.view) renderShift(null);
}

buildCheckIn();
renderShift(null);
whoAmI();
