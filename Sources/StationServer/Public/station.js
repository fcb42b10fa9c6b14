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
  draws: "抽签次数", task: "任务", signOut: "退出", attempt: "第几次", calledPlate: "已叫号", abortedStep: "中止步骤", finishedCount: "已完成检测", aborted: "已中止",
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
  actionFailed: "Action failed", draws: "draws", task: "Task", signOut: "Sign out", attempt: "attempt", calledPlate: "Called", abortedStep: "Aborted step",
  finishedCount: "Inspections done", aborted: "aborted",
});

const station = { view: null, events: [], received: null };

// Words for the controller's states (lanes, runs, tickets, drivers).
const STATES = {
  idle: ["空闲", "idle"], called: ["已叫号", "called"], busy: ["检测中", "busy"], testing: ["检测中", "testing"],
  awaiting_repeat: ["等待重测", "awaiting repeat"], station_done: ["工位完成", "station done"], leaving: ["驶离中", "leaving"],
  finished: ["已完成", "finished"], waiting: ["等待分配", "waiting"], assigned: ["已分配", "assigned"],
  picked_up: ["已取车", "picked up"], at_lane_entry: ["线前等候", "at lane entry"], in_lane: ["在线检测", "in lane"],
  exited_lane: ["已出线", "exited lane"], parked: ["已停车", "parked"], done: ["完成", "done"], withdrawn: ["已撤回", "withdrawn"],
  free: ["空闲", "free"], unresponsive: ["无响应", "unresponsive"], on_break: ["休息", "on break"],
  signed_out: ["已签退", "signed out"], off_shift: ["未当班", "off shift"], open: ["当班", "open"], closed: ["已结班", "closed"],
  aborted: ["已中止", "aborted"],
};

function stateText(code) {
  const w = STATES[code];
  return w ? (state.lang === "zh" ? w[0] : w[1]) : (code || "");
}

function tr(obj) {
  // A bilingual text from the server: {zh, en}.
  if (!obj) return "";
  return state.lang === "zh" ? (obj.zh || obj.en || "") : (obj.en || obj.zh || "");
}

function verdictBadge(v) {
  const cls = v === "pass" ? "good" : v === "fail" || v === "aborted" ? "stale" : "out_of_range";
  return el("span", { class: "badge " + cls }, t(v === "not_applicable" ? "notApplicable" : v));
}

function waited(seconds) {
  if (seconds == null) return "–";
  const m = Math.floor(seconds / 60), s = Math.floor(seconds % 60);
  return m > 0 ? `${m}:${String(s).padStart(2, "0")}` : `${s} ${t("seconds")}`;
}

function clockOf(ms) {
  return ms ? new Date(ms).toLocaleTimeString(state.lang === "zh" ? "zh-CN" : "en-GB") : "";
}

function onStation(msg) {
  station.view = msg.station;
  station.received = performance.now();
  renderStation();
}

function onEvents(msg) {
  for (const e of msg.events || []) station.events.unshift(e);
  station.events.length = Math.min(station.events.length, 80);
  renderEvents();
}

// Redraw a part only when what it shows changed (a button must not be replaced under the operator's pointer).
const drawn = {};
function changed(key, value) {
  const text = state.lang + JSON.stringify(value);
  if (drawn[key] === text) return false;
  drawn[key] = text;
  return true;
}

function renderStation(force) {
  const v = station.view;
  if (!v) return;
  if (force) for (const key of Object.keys(drawn)) delete drawn[key];
  if (changed("shift", v.shift || null)) renderShift(v.shift);
  for (const lane of v.lanes || []) if (changed("lane:" + lane.id, lane)) renderLanes([lane]);
  if (changed("queue", v.queue || [])) renderQueue(v.queue || []);
  if (changed("drivers", v.drivers || [])) renderDrivers(v.drivers || []);
  if (changed("alarms", v.alarms || [])) renderAlarms(v.alarms || []);
  const done = (v.lanes || []).reduce((n, l) => n + (l.finished_count || 0), 0);
  const rate = document.getElementById("per-hour");
  if (rate) rate.textContent = `${t("finishedCount")} ${done}`;
}

function renderShift(shift) {
  const box = document.getElementById("shift");
  if (!box) return;
  box.replaceChildren();
  const open = shift && shift.state === "open";
  box.append(el("strong", {}, t("shift") + ": "));
  if (!shift) {
    box.append(el("span", { "data-shift-state": "none" }, t("shiftNone")));
  } else {
    box.append(el("span", { "data-shift-state": shift.state }, `${shift.id} (${stateText(shift.state)})`));
    box.append(" · " + t("seedHash") + " ", el("code", { "data-seed-hash": "" }, shift.seed_commitment || ""));
    if (shift.seed) box.append(" · " + t("seed") + " ", el("code", { "data-seed": "" }, shift.seed));
    box.append(el("span", { class: "muted" },
      ` · ${t("openedBy")} ${shift.opened_by || ""}` + (shift.draws != null ? ` · ${t("draws")} ${shift.draws}` : "")));
  }
  const button = el("button", { type: "button", id: open ? "shift-close" : "shift-open" }, t(open ? "shiftClose" : "shiftOpen"));
  button.addEventListener("click", () => {
    if (open && !confirm(t("confirmClose"))) return;
    act(open ? "/api/shift/close" : "/api/shift/open", {}, box);
  });
  box.append(" ", button, " ", el("span", { class: "error", "data-error": "shift" }));
}

function renderLanes(lanes) {
  for (const lane of lanes) {
    const box = document.querySelector(`[data-lane-status="${CSS.escape(lane.id)}"]`);
    if (!box) continue;
    const keep = box.querySelector("input[name=reason]");
    const reasonValue = keep ? keep.value : "";
    const hadFocus = keep && document.activeElement === keep;
    const errorText = (box.querySelector(".error") || {}).textContent || "";
    box.replaceChildren();
    const run = lane.current;
    box.dataset.state = lane.state || "";
    const line = el("div", { class: "lane-line" },
      el("span", { class: "muted" }, t("vehicle") + " "),
      el("strong", { class: "plate", "data-plate": lane.id }, run ? run.plate : "–"),
      run ? el("span", { class: "muted" }, ` #${run.queue_number}` + (run.attempt > 1 ? ` (${t("attempt")} ${run.attempt})` : "")) : "",
      run && run.driver ? el("span", {}, ` · ${t("driver")} ${run.driver}`) : "",
      " ", el("span", { class: "badge", "data-lane-state": lane.state }, stateText(run ? run.state : lane.state)));
    box.append(line);
    if (lane.called_plate) {
      box.append(el("div", { class: "called", "data-called": lane.id }, `${t("calledPlate")} `, el("strong", {}, lane.called_plate)));
    }
    if (run) {
      const where = run.station ? `${t(run.station)} · ` : "";
      box.append(el("div", { class: "step", "data-step": lane.id }, el("span", { class: "muted" }, t("step") + " "),
        where + (tr(run.prompt) || "")));
      if (run.abort_reason) {
        box.append(el("div", { class: "error" }, `${t("abortedStep")} ${run.aborted_step || ""}: ${tr(run.abort_reason)}`));
      }
      const list = el("ul", { class: "verdicts", "data-verdicts": lane.id });
      for (const item of run.verdicts || []) {
        const value = item.value != null ? `${fmt(item.value)} ${item.unit || ""}` : "";
        const limit = item.limit ? ` (${item.limit})` : "";
        list.append(el("li", { "data-item": item.item, "data-verdict": item.verdict, title: tr(item) },
          verdictBadge(item.verdict), " ", el("span", {}, item.item), " ", el("span", { class: "muted" }, value + limit)));
      }
      box.append(list);
      if (run.outcome) box.append(el("div", { class: "result", "data-outcome": run.outcome }, t("result") + " ", verdictBadge(run.outcome)));
    }
    const reason = el("input", { name: "reason", placeholder: t("reason"), value: reasonValue, size: 18 });
    const call = el("button", { type: "button", "data-action": "call-next" }, t("callNext"));
    const abort = el("button", { type: "button", "data-action": "abort" }, t("abort"));
    const repeat = el("button", { type: "button", "data-action": "repeat" }, t("repeat"));
    const error = el("span", { class: "error", "data-error": "lane" }, errorText);
    call.addEventListener("click", () => act(`/api/lanes/${encodeURIComponent(lane.id)}/call-next`, {}, box));
    abort.addEventListener("click", () => act(`/api/lanes/${encodeURIComponent(lane.id)}/abort`, { reason: reason.value }, box));
    repeat.addEventListener("click", () => act(`/api/lanes/${encodeURIComponent(lane.id)}/repeat`, {}, box));
    box.append(el("div", { class: "actions" }, call, " ", reason, " ", abort, " ", repeat, " ", error));
    if (hadFocus) reason.focus();
  }
}

function renderQueue(queue) {
  const tbody = document.querySelector("#queue tbody");
  if (!tbody) return;
  // Keep what the operator is typing in a row across refreshes.
  const typed = {};
  for (const row of tbody.querySelectorAll("tr[data-queue]")) {
    const r = row.querySelector("input[name=reason]"), d = row.querySelector("input[name=driver]");
    const err = row.querySelector(".error");
    typed[row.dataset.queue] = { reason: r.value, driver: d.value, error: err ? err.textContent : "",
      focus: document.activeElement === r ? "reason" : document.activeElement === d ? "driver" : null };
  }
  tbody.replaceChildren();
  for (const q of queue) {
    const keep = typed[String(q.queue_number)] || {};
    const reason = el("input", { name: "reason", placeholder: t("reason"), size: 12, value: keep.reason || "" });
    const to = el("input", { name: "driver", placeholder: t("toDriver"), size: 8, value: keep.driver || "" });
    const go = el("button", { type: "button", "data-action": "reassign" }, t("reassign"));
    const row = el("tr", { "data-queue": String(q.queue_number), "data-ticket-state": q.state },
      el("td", {}, String(q.queue_number)), el("td", { class: "plate" }, q.plate), el("td", {}, q.lane || "–"),
      el("td", {}, q.driver || "–"), el("td", {}, stateText(q.state)), el("td", {}, waited(q.waited_seconds)),
      el("td", {}, to, " ", reason, " ", go, " ", el("span", { class: "error", "data-error": "reassign" }, keep.error || "")));
    go.addEventListener("click", () => {
      const body = { reason: reason.value };
      if (to.value.trim()) body.driver = to.value.trim();
      act(`/api/queue/${q.queue_number}/reassign`, body, row);
    });
    tbody.append(row);
    if (keep.focus === "reason") reason.focus();
    if (keep.focus === "driver") to.focus();
  }
}

function renderDrivers(drivers) {
  const tbody = document.querySelector("#drivers tbody");
  if (!tbody) return;
  tbody.replaceChildren();
  for (const d of drivers) {
    const task = d.task;
    tbody.append(el("tr", { "data-driver": d.id, "data-driver-state": d.state || "" },
      el("td", {}, d.id), el("td", {}, state.lang === "zh" ? (d.name_zh || d.name_en || "") : (d.name_en || d.name_zh || "")),
      el("td", {}, stateText(d.state)), el("td", { class: "plate" }, task ? task.plate : "–"),
      el("td", {}, task ? task.lane || "–" : "–"), el("td", { class: "muted" }, task ? tr(task) : "")));
  }
}

function renderAlarms(alarms) {
  const list = document.getElementById("alarms");
  if (!list) return;
  list.replaceChildren();
  const standing = alarms.filter((a) => a.active);
  if (!alarms.length) { list.append(el("li", { class: "muted" }, t("noAlarms"))); return; }
  for (const a of alarms.slice(0, 30)) {
    list.append(el("li", { class: "alarm " + (a.severity || "") + (a.active ? "" : " cleared"), "data-alarm": String(a.id) },
      el("span", { class: "muted" }, clockOf(a.raised_at_ms) + " "), `${a.source || ""} `, tr(a),
      a.count > 1 ? el("span", { class: "muted" }, ` ×${a.count}`) : ""));
  }
  const heading = document.querySelector('[data-i18n="alarms"]');
  if (heading) heading.dataset.count = String(standing.length);
}

function eventText(e) {
  const parts = [];
  if (e.lane) parts.push(e.lane);
  if (e.plate) parts.push(e.plate);
  if (e.type === "verdict" && e.verdict) {
    const v = e.verdict;
    return el("span", {}, parts.join(" ") + " ", verdictBadge(v.verdict), ` ${v.item}` +
      (v.value != null ? ` ${fmt(v.value)} ${v.unit || ""}` : "") + (v.limit ? ` (${v.limit})` : ""));
  }
  if (e.type === "inspection_finished" && e.outcome) {
    return el("span", {}, parts.join(" ") + ` ${t("result")} `, verdictBadge(e.outcome));
  }
  const text = tr(e.text);
  return el("span", {}, parts.join(" ") + (parts.length ? " · " : "") + (text || e.type));
}

function renderEvents() {
  const list = document.getElementById("events");
  if (!list) return;
  list.replaceChildren();
  for (const p of station.events.slice(0, 40)) {
    const e = p.event || {};
    list.append(el("li", { "data-event": e.type || "", "data-seq": String(p.seq) },
      el("span", { class: "muted" }, clockOf(e.at_ms) + " "), eventText(e)));
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
      user.replaceChildren(el("span", { "data-user": me.user || "" }, `${me.name || me.user} · ${me.user} (${me.role}) `),
        el("a", { href: "/logout" }, t("signOut")));
      return;
    }
  } catch (e) { /* not signed in */ }
  showSignIn();
}

function stationLanguageChanged() {
  buildCheckIn();
  renderStation(true);
  renderEvents();
  if (!station.view) renderShift(null);
}

buildCheckIn();
renderShift(null);
whoAmI();
