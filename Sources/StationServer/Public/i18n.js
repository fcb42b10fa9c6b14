// Language switch shared by the login page and the handheld: Chinese first under a Chinese ruleset
// (GET /api/profile says `language`), the user's choice kept in localStorage. Plain JavaScript, no build step.
"use strict";
const I18n = {
  lang: localStorage.getItem("lanecontrol.lang"),
  texts: {},
  // texts: {zh: {key: "…"}, en: {…}}; button: the switch; onChange: re-render dynamic text.
  async init(texts, button, onChange) {
    this.texts = texts;
    this.onChange = onChange || (() => {});
    if (!this.lang) {
      try {
        const profile = await (await fetch("/api/profile", { credentials: "same-origin" })).json();
        this.lang = profile.language === "en" ? "en" : "zh";
        this.profile = profile;
      } catch (e) {
        this.lang = "zh";
      }
    }
    if (button) button.addEventListener("click", () => this.set(this.lang === "zh" ? "en" : "zh"));
    this.button = button;
    this.apply();
  },
  set(lang) {
    this.lang = lang;
    localStorage.setItem("lanecontrol.lang", lang);
    this.apply();
  },
  t(key, vars) {
    let text = (this.texts[this.lang] || {})[key] ?? (this.texts.en || {})[key] ?? key;
    for (const [k, v] of Object.entries(vars || {})) text = text.replaceAll("{" + k + "}", v);
    return text;
  },
  apply() {
    document.documentElement.lang = this.lang === "zh" ? "zh-CN" : "en";
    for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = this.t(el.dataset.i18n);
    if (this.button) this.button.textContent = this.lang === "zh" ? "English" : "中文";
    if (this.texts[this.lang] && this.texts[this.lang].title) document.title = this.t("title") + " · LaneControl";
    this.onChange();
  },
};
