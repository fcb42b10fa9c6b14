// The driver's handheld: polls GET /api/handheld/task (the signed-in driver's own task only), shows the prompt
// in large type and acknowledges it with POST /api/handheld/ack. The server keeps the prompt, so a dropped
// Wi-Fi connection only delays: the page retries with back-off (1 s, 2 s, 4 s … 15 s) and shows the same
// prompt again when it is back. Plain JavaScript, no build step. See docs/api.md.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const texts = {
    zh: {
      title: "驾驶员手持终端", logout: "退出", connecting: "正在连接…", online: "已连接", idle: "暂无任务，请稍候",
      offline: "网络中断，{s} 秒后重试（任务保留在服务器上）", ack: "确认", sending: "正在发送…",
      confirmPlate: "确认车牌（输入或点选）", platePlaceholder: "输入车牌",
      acked: "已确认", plateMismatch: "车牌不符，请核对后重试", notYours: "该任务不属于您，已记录",
      stale: "任务已更新，请看新的提示", unsent: "未能发送，{s} 秒后自动重试", lane: "{lane}", refused: "操作被拒绝：{r}",
    },
    en: {
      title: "Driver handheld", logout: "Sign out", connecting: "Connecting…", online: "Connected", idle: "No task yet, please wait",
      offline: "Connection lost, retrying in {s} s (the task is kept on the server)", ack: "Confirm", sending: "Sending…",
      confirmPlate: "Confirm the plate (type or tap)", platePlaceholder: "Type the plate",
      acked: "Confirmed", plateMismatch: "The plate does not match; check and try again",
      notYours: "This task is not yours; the attempt was recorded", stale: "The task changed; read the new prompt",
      unsent: "Not sent; retrying in {s} s", lane: "{lane}", refused: "Refused: {r}",
    },
  };
  const POLL_MS = 1000;
  const MAX_BACKOFF_MS = 15000;
  let me = null;
  let view = null;          // last GET /api/handheld/task body
  let shownPrompt = null;   // prompt id on screen (typed plate survives polls of the same prompt)
  let failures = 0;
  let timer = null;
  let result = null;        // {key, vars, bad}
  let pendingAck = null;    // {prompt_id, plate} being sent or waiting to be re-sent
  const acked = new Set();  // prompts this handheld acknowledged (a station's prompt stays until the rig is done)
  let ackFailures = 0;

  const backoff = (n) => Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.max(0, n - 1));

  function setConn(state, vars) {
    const conn = $("conn");
    conn.dataset.state = state;
    conn.classList.toggle("offline", state === "offline");
    conn.textContent = I18n.t(state, vars);
  }

  function render() {
    $("who").textContent = me ? `${me.name} · ${me.driver || me.user}` : "";
    $("plateInput").placeholder = I18n.t("platePlaceholder");
    const task = view && view.task;
    $("idle").hidden = !!task;
    $("current").hidden = !task;
    if (task) {
      const zh = I18n.lang === "zh";
      $("where").textContent = [task.lane_name || task.lane, task.station_name || ""].filter(Boolean).join(" · ");
      $("plate").textContent = task.plate || "";
      $("plate").hidden = !task.plate;
      $("prompt").textContent = zh ? task.text_zh : task.text_en || task.text_zh;
      $("next").textContent = (zh ? task.next_zh : task.next_en) || "";
      $("confirm").hidden = !task.confirm_plate;
      const choices = $("choices");
      if (choices.dataset.prompt !== task.prompt_id) {
        choices.dataset.prompt = task.prompt_id;
        choices.replaceChildren(...(task.plate_choices || []).map((plate) => {
          const b = document.createElement("button");
          b.type = "button";
          b.textContent = plate;
          b.dataset.plate = plate;
          b.addEventListener("click", () => { $("plateInput").value = plate; markChoice(); });
          return b;
        }));
      }
      markChoice();
      const done = acked.has(task.prompt_id);
      $("ack").hidden = !task.expects_acknowledgement;
      $("ack").disabled = done || (!!pendingAck && ackFailures === 0);
      $("ack").textContent = pendingAck && ackFailures === 0 ? I18n.t("sending") : done ? I18n.t("acked") : I18n.t("ack");
    }
    const r = $("result");
    r.textContent = result ? I18n.t(result.key, result.vars) : "";
    r.classList.toggle("bad", !!(result && result.bad));
  }

  function markChoice() {
    const typed = $("plateInput").value.trim();
    for (const b of $("choices").children) b.classList.toggle("chosen", b.dataset.plate === typed);
  }
  $("plateInput").addEventListener("input", markChoice);

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(poll, ms);
  }

  function show(body) {
    const id = body.task ? body.task.prompt_id : null;
    if (id !== shownPrompt) {
      shownPrompt = id;
      $("plateInput").value = "";
      if (result && !result.keep) result = null;
      if (result) result.keep = false;
    }
    view = body;
    render();
  }

  async function poll() {
    try {
      const response = await fetch("/api/handheld/task", { credentials: "same-origin", cache: "no-store" });
      if (response.status === 401) { location.assign("/login?next=%2Fhandheld"); return; }
      if (!response.ok) throw new Error("HTTP " + response.status);
      const body = await response.json();
      failures = 0;
      setConn("online");
      show(body);
      schedule(POLL_MS);
    } catch (e) {
      failures += 1;
      const wait = backoff(failures);
      setConn("offline", { s: Math.round(wait / 1000) });
      schedule(wait);
    }
  }

  async function sendAck() {
    if (!pendingAck) return;
    render();
    try {
      const response = await fetch("/api/handheld/ack", {
        method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
        body: JSON.stringify(pendingAck),
      });
      const sent = pendingAck;
      pendingAck = null;
      ackFailures = 0;
      if (response.status === 401) { location.assign("/login?next=%2Fhandheld"); return; }
      const body = await response.json().catch(() => ({}));
      if (response.ok) {
        acked.add(sent.prompt_id);
        result = { key: "acked", keep: true };
        show(body);
      } else if (response.status === 422) {
        result = { key: "plateMismatch", bad: true };
      } else if (response.status === 403) {
        result = { key: "notYours", bad: true };
      } else if (response.status === 409) {
        acked.add(sent.prompt_id);
        result = { key: "stale", bad: true, keep: true };
        poll();
      } else {
        result = { key: "refused", vars: { r: (body.error && body.error.reason) || response.status }, bad: true };
      }
      render();
    } catch (e) {
      // Not sent (or the answer was lost): keep the same acknowledgement and send it again; the server
      // answers 409 if the first one did arrive, and the next poll shows where things stand.
      ackFailures += 1;
      const wait = backoff(ackFailures);
      result = { key: "unsent", vars: { s: Math.round(wait / 1000) }, bad: true };
      render();
      setTimeout(sendAck, wait);
    }
  }

  $("ack").addEventListener("click", () => {
    const task = view && view.task;
    if (!task || acked.has(task.prompt_id) || (pendingAck && ackFailures === 0)) return;
    const plate = $("plateInput").value.trim();
    pendingAck = { prompt_id: task.prompt_id };
    if (task.confirm_plate || plate) pendingAck.plate = plate;
    ackFailures = 0;
    result = null;
    sendAck();
  });

  I18n.init(texts, $("lang"), () => { render(); setConn($("conn").dataset.state, { s: Math.round(backoff(failures) / 1000) }); })
    .then(async () => {
      try {
        const response = await fetch("/api/me", { credentials: "same-origin" });
        if (response.status === 401) { location.assign("/login?next=%2Fhandheld"); return; }
        if (response.ok) me = await response.json();
      } catch (e) { /* the poll loop reports the connection */ }
      render();
      poll();
    });
})();
