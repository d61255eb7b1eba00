// The facilitator console. Everything shown is built with textContent (never HTML from data),
// every request carries the tab's token in a header (never in a URL), and live updates come
// from one Server-Sent Events stream read with fetch (EventSource cannot send a header).
"use strict";

(function () {
  const RECONNECT_MS = 10000; // after a failure, wait 10 s: nothing polls faster than that
  const LOCAL_KEY = "focusbot.console.local";
  const params = new URLSearchParams(window.location.search);
  let chat = params.get("chat") || "";
  let auth = null; // () => Promise<string>: the Authorization header value
  let state = null;
  let knownFlags = null;
  const $ = (id) => document.getElementById(id);

  function el(tag, props, children) {
    const node = document.createElement(tag);
    Object.entries(props || {}).forEach(([key, value]) => {
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else node.setAttribute(key, value);
    });
    (children || []).forEach((child) => child && node.appendChild(child));
    return node;
  }

  function announce(words) {
    $("live").textContent = words;
  }

  function showMessage(words) {
    const box = $("message");
    box.textContent = words;
    box.hidden = !words;
  }

  function duration(ms) {
    const minutes = Math.max(0, Math.round(ms / 60000));
    if (minutes < 60) return minutes + " min";
    return Math.floor(minutes / 60) + " h " + (minutes % 60) + " min";
  }

  async function api(path, options) {
    const headers = { Authorization: await auth(), "X-Request-Id": String(Date.now()) };
    const sep = path.includes("?") ? "&" : "?";
    return fetch(path + sep + "chat=" + encodeURIComponent(chat),
      Object.assign({ headers: headers, cache: "no-store" }, options || {}));
  }

  // ---- signing in ------------------------------------------------------------------------------

  // Loaded only inside Teams: local mode needs no part of it (nor its request to Microsoft's CDN).
  function loadTeamsLibrary() {
    return new Promise((resolve) => {
      const script = el("script", { src: "/console/static/teams-js.js" });
      script.addEventListener("load", resolve);
      script.addEventListener("error", resolve);
      document.head.appendChild(script);
    });
  }

  async function signIn() {
    const local = window.sessionStorage.getItem(LOCAL_KEY);
    if (local) {
      const chosen = JSON.parse(local);
      chat = chat || chosen.chat;
      const banner = $("local-banner");
      banner.textContent = "Local mode: signed in as " + chosen.name +
        " without Teams (developer use only, loopback only).";
      banner.hidden = false;
      auth = async () => "Local " + chosen.teams_user_id;
      return;
    }
    if (!window.microsoftTeams) await loadTeamsLibrary();
    if (!window.microsoftTeams) throw new Error("Open this page from Teams.");
    await window.microsoftTeams.app.initialize();
    const context = await window.microsoftTeams.app.getContext();
    chat = (context.chat && context.chat.id) || chat;
    auth = async () => "Bearer " + await window.microsoftTeams.authentication.getAuthToken();
  }

  // ---- participant view ------------------------------------------------------------------------

  function renderParticipant(me) {
    $("participant").hidden = false;
    $("title").textContent = "Focus group";
    $("connection").textContent = "";
    $("my-consent").textContent = "Your consent: " + me.consent_words + ".";
    const sheet = $("sheet");
    sheet.replaceChildren();
    $("sheet-title").textContent = me.information_sheet.title;
    me.information_sheet.sections.forEach((section) => {
      sheet.appendChild(el("h3", { text: section.heading }));
      section.paragraphs.forEach((p) => sheet.appendChild(el("p", { text: p })));
    });
    sheet.appendChild(el("p", { text: "Questions: " + me.information_sheet.contact_email }));
  }

  // ---- facilitator view ------------------------------------------------------------------------

  function renderSession(s, now) {
    const live = s.live;
    $("session-status").textContent = live ? "● Live" : "■ Ended";
    const offset = Date.now() - Date.parse(now);
    state.offset = offset;
    $("start").disabled = live;
    $("remind").disabled = !live;
    $("end").disabled = !live;
    $("after").hidden = false;
    tick();
  }

  function tick() {
    if (!state) return;
    const s = state.session;
    const now = Date.now() - (state.offset || 0);
    const until = s.live ? now : Date.parse(s.ended_at);
    // Durations are computed from the ISO UTC fields; clock times are the server's words,
    // already in the study's time zone (never the browser's locale or zone).
    $("session-elapsed").textContent = duration(until - Date.parse(s.started_at)) +
      (s.live ? "" : " (ended " + s.ended_at_words + ")") + ", started " + s.started_at_words;
    $("session-next").textContent = s.next_reminder_at
      ? "in " + duration(Date.parse(s.next_reminder_at) - now) + " (at " +
        s.next_reminder_words + ")" : "none scheduled";
  }

  const CONSENT_SYMBOL = { accepted: "✓ ", declined: "✗ ", none: "… ", facilitator: "" };

  function renderRoster(people) {
    const list = $("roster");
    list.replaceChildren();
    people.forEach((p) => {
      list.appendChild(el("li", {}, [
        el("span", { class: "who", text: p.name }),
        el("span", { class: "consent-" + p.consent,
          text: CONSENT_SYMBOL[p.consent] + p.consent_words }),
      ]));
    });
    $("roster-count").textContent = "(" + people.length + ")";
  }

  function renderFlag(flag) {
    const item = el("li", { class: "flag" + (flag.urgent ? " urgent" : ""),
      "aria-labelledby": "flag-" + flag.id + "-title", "data-flag-id": String(flag.id) });
    item.appendChild(el("h3", { id: "flag-" + flag.id + "-title",
      text: (flag.urgent ? "⚠ URGENT: " : "") + flag.headline }));
    item.appendChild(el("p", { class: "meta", text: flag.author + ", " + flag.sent_at_words }));
    const quote = el("blockquote");
    flag.segments.forEach((segment) => {
      if (segment.category) {
        quote.appendChild(el("mark", { text: segment.text, title: segment.category }));
        quote.appendChild(el("span", { class: "visually-hidden",
          text: " (" + segment.category + ")" }));
      } else {
        quote.appendChild(document.createTextNode(segment.text));
      }
    });
    item.appendChild(quote);
    if (flag.reasons.length) {
      item.appendChild(el("p", { class: "meta", text: "May include: " + flag.reasons.join(", ") }));
    }
    item.appendChild(el("p", { class: "status", text: "Status: " + flag.status_words +
      (flag.hidden ? " · hidden from the chat" : "") + (flag.deleted ? " · deleted by author" : "") }));
    const buttons = el("div", { class: "buttons", role: "group",
      "aria-label": "Actions for flag " + flag.id });
    flag.actions.forEach((action) => {
      const button = el("button", { type: "button", class: "secondary",
        "data-verb": action.verb, text: action.label });
      button.addEventListener("click", () => act(flag.id, action, buttons));
      buttons.appendChild(button);
    });
    item.appendChild(buttons);
    if (flag.history.length) {
      const history = el("ul", { class: "history", "aria-label": "What was done" });
      flag.history.forEach((h) => history.appendChild(el("li", {
        text: h.action + " by " + h.actor + ", " + h.at_words +
          (h.outcome ? ": " + h.outcome : "") })));
      item.appendChild(history);
    }
    return item;
  }

  function renderFlags(flags) {
    const list = $("flags");
    const focused = document.activeElement;
    const focusKey = focused && focused.dataset && focused.dataset.verb
      ? [focused.closest("li").dataset.flagId, focused.dataset.verb] : null;
    list.replaceChildren(...flags.map(renderFlag));
    $("no-flags").hidden = flags.length > 0;
    $("flag-count").textContent = "(" + flags.length + ")";
    if (focusKey) {
      const again = list.querySelector('li[data-flag-id="' + focusKey[0] + '"] button[data-verb="' +
        focusKey[1] + '"]');
      if (again) again.focus();
    }
    if (knownFlags) {
      const fresh = flags.filter((f) => !knownFlags.has(f.id));
      if (fresh.length) announce(fresh.length + " new flag" + (fresh.length > 1 ? "s" : ""));
    }
    knownFlags = new Set(flags.map((f) => f.id));
  }

  function renderState(next) {
    state = next;
    $("facilitator").hidden = false;
    $("title").textContent = next.session.title || "Focus group console";
    renderSession(next.session, next.now);
    renderRoster(next.roster);
    renderFlags(next.flags);
    $("transcript").textContent = next.transcript.words;
    $("transcript-download").hidden = !next.transcript.available;
    $("undelivered").hidden = !next.undelivered.count;
    $("undelivered-words").textContent = next.undelivered.words;
  }

  async function act(flagId, action, group) {
    group.querySelectorAll("button").forEach((b) => { b.disabled = true; });
    const response = await api("/console/api/flags/" + flagId + "/" + action.verb, { method: "POST" });
    if (response.ok) {
      announce(action.label + ": done");
      showMessage("");
    } else {
      showMessage("That did not work (" + response.status + "). Nothing was changed.");
      group.querySelectorAll("button").forEach((b) => { b.disabled = false; });
    }
  }

  async function sessionAction(action, words) {
    const response = await api("/console/api/session/" + action, { method: "POST" });
    if (response.ok) announce(words);
    else showMessage("That did not work (" + response.status + ").");
  }

  async function download(format) {
    const response = await api(format === "transcript" ? "/console/api/transcript"
      : "/console/api/export?format=" + format);
    if (!response.ok) {
      showMessage("The export did not work (" + response.status + ").");
      return;
    }
    const disposition = response.headers.get("Content-Disposition") || "";
    const match = /filename="([^"]+)"/.exec(disposition);
    const link = el("a", { href: URL.createObjectURL(await response.blob()),
      download: match ? match[1] : "export." + format });
    document.body.appendChild(link);
    link.click();
    link.remove();
    announce("Export downloaded");
  }

  // ---- the live stream -------------------------------------------------------------------------

  async function stream() {
    for (;;) {
      let wait = RECONNECT_MS;
      try {
        const response = await api("/console/api/events");
        if (response.status === 401 || response.status === 403) {
          $("connection").textContent = "Not allowed (" + response.status + ").";
          $("facilitator").hidden = true;
          return;
        }
        if (!response.ok || !response.body) throw new Error("stream " + response.status);
        $("connection").textContent = "Updates live";
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = block.split("\n").filter((l) => l.startsWith("data: "))
              .map((l) => l.slice(6)).join("\n");
            if (block.startsWith("event: state") && data) renderState(JSON.parse(data));
          }
        }
        wait = 500; // the server ends each stream after a few minutes: reconnect with a new token
      } catch (error) {
        $("connection").textContent = "Reconnecting…";
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  async function start() {
    try {
      await signIn();
    } catch (error) {
      $("connection").textContent = String(error.message || error);
      return;
    }
    $("start").addEventListener("click", () => sessionAction("start", "Session started"));
    $("remind").addEventListener("click", () => sessionAction("remind", "Reminder posted"));
    $("end").addEventListener("click", () => sessionAction("end", "Session ended"));
    document.querySelectorAll("button.export").forEach((b) =>
      b.addEventListener("click", () => download(b.dataset.format)));
    const response = await api("/console/api/me");
    if (!response.ok) {
      $("connection").textContent = response.status === 401
        ? "Could not sign you in (401)." : "Not available (" + response.status + ").";
      return;
    }
    const me = await response.json();
    if (me.role === "facilitator") {
      setInterval(tick, 1000); // the clock on the page only: no request
      stream();
    } else {
      renderParticipant(me);
    }
  }

  start();
})();
