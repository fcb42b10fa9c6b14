// The sign-in page: POST /api/login, then on to ?next= (a local path) or the role's home page.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const texts = {
    zh: {
      title: "检测站登录", user: "用户名", password: "密码", submit: "登录", signingIn: "正在登录…",
      wrong: "用户名或密码错误", throttled: "登录失败次数过多，请 {s} 秒后再试", network: "无法连接服务器，请稍后重试",
      denied: "当前账号无权打开该页面，请换一个账号登录", signedAs: "当前已登录：{user}（{role}）",
      roles_operator: "操作员", roles_driver: "驾驶员", roles_inspector: "检验员", roles_admin: "管理员",
    },
    en: {
      title: "Station sign-in", user: "Login name", password: "Password", submit: "Sign in", signingIn: "Signing in…",
      wrong: "Wrong login name or password", throttled: "Too many failed logins; try again in {s} s",
      network: "Cannot reach the server; try again shortly",
      denied: "This account may not open that page; sign in with another account",
      signedAs: "Signed in as {user} ({role})",
      roles_operator: "operator", roles_driver: "driver", roles_inspector: "inspector", roles_admin: "admin",
    },
  };
  const params = new URLSearchParams(location.search);
  const next = params.get("next");
  const safeNext = next && next.startsWith("/") && !next.startsWith("//") ? next : null;
  let lastError = null;
  let me = null;

  function render() {
    if (I18n.profile) $("station").textContent = I18n.lang === "zh" ? I18n.profile.station_name || "" : I18n.profile.station_name_en || I18n.profile.station_name || "";
    const notice = $("notice");
    notice.hidden = !params.has("denied");
    notice.textContent = I18n.t("denied");
    if (lastError) $("error").textContent = I18n.t(lastError.key, lastError.vars);
    if (me) {
      $("me").hidden = false;
      $("me").textContent = I18n.t("signedAs", { user: me.user, role: I18n.t("roles_" + me.role) });
    }
  }

  function fail(key, vars) {
    lastError = { key, vars };
    $("error").hidden = false;
    render();
  }

  $("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("error").hidden = true;
    lastError = null;
    const button = $("submit");
    button.disabled = true;
    button.textContent = I18n.t("signingIn");
    try {
      const response = await fetch("/api/login", {
        method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ user: $("user").value.trim(), password: $("password").value }),
      });
      if (response.ok) {
        const user = await response.json();
        location.assign(safeNext || user.home);
        return;
      }
      $("password").value = "";
      if (response.status === 429) fail("throttled", { s: response.headers.get("Retry-After") || "?" });
      else fail("wrong");
    } catch (e) {
      fail("network");
    } finally {
      button.disabled = false;
      button.textContent = I18n.t("submit");
    }
  });

  I18n.init(texts, $("lang"), render).then(async () => {
    if (!I18n.profile) {
      try { I18n.profile = await (await fetch("/api/profile")).json(); } catch (e) { /* the name is decoration */ }
    }
    try {
      const response = await fetch("/api/me", { credentials: "same-origin" });
      if (response.ok) me = await response.json();
    } catch (e) { /* not signed in */ }
    render();
  });
})();
