// Lotse web chat: plain JavaScript, no build step. Talks to POST /api/chat.
// Right-to-left: the page's dir follows the reply's language; every bubble has unicode-bidi: plaintext, and
// names, addresses, phone numbers and links sit in <bdi> (or dir="ltr") so they keep their own order.
"use strict";
(function () {
  const log = document.getElementById("log");
  const form = document.getElementById("form");
  const input = document.getElementById("text");
  const sendButton = document.getElementById("send");
  const langSelect = document.getElementById("lang");
  const t = log.dataset;
  let lang = t.lang;
  let session = localStorage.getItem("lotse-session");
  if (!session) {
    session = (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2));
    localStorage.setItem("lotse-session", session);
  }

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function scroll() { log.scrollTop = log.scrollHeight; }

  // The same rule as bot.i18n.format_distance: metres under 1 km, one decimal under 20 km.
  function distance(km) {
    if (km < 1) {
      const metres = Math.round(km * 100) * 10;
      return t.m.replace("{distance}", new Intl.NumberFormat(lang, { maximumFractionDigits: 0 }).format(metres));
    }
    const digits = km < 20 ? 1 : 0;
    return t.km.replace("{distance}", new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(km));
  }

  function link(text, href, cls) {
    const a = el("a", cls || "", text);
    a.href = href;
    a.dir = "ltr";
    if (!href.startsWith("tel:")) { a.target = "_blank"; a.rel = "noopener"; }
    return a;
  }

  function place(p) {
    const li = el("li", "place");
    // The name and address sit in <bdi>: a German name keeps its order inside an Arabic line, while the line
    // itself still starts on the side of the page's language.
    li.appendChild(el("div", "name")).appendChild(el("bdi", "", p.name));
    const meta = el("div", "meta");
    // An offer placed at its postcode's centre is only roughly that far: say so with "≈".
    meta.appendChild(el("span", "distance", (p.approximate ? "≈ " : "") + distance(p.distance_km)));
    if (p.address) { meta.append(" · "); meta.appendChild(el("bdi", "address", p.address)); }
    li.appendChild(meta);
    const extra = el("div", "meta links");
    if (p.example) extra.appendChild(el("span", "tag", t.example));
    if (p.approximate) extra.appendChild(el("span", "tag", t.approximate));
    if (p.appointment) extra.appendChild(el("span", "tag appointment", t.appointment));
    if (p.phone) extra.appendChild(link(p.phone, p.tel || "tel:" + p.phone.replace(/[^0-9+]/g, ""), "phone"));
    if (p.url) extra.appendChild(link(p.url.replace(/^https?:\/\//, "").replace(/\/$/, ""), p.url, "url"));
    extra.appendChild(link(t.map, "https://www.openstreetmap.org/?mlat=" + p.lat + "&mlon=" + p.lon +
                                   "#map=17/" + p.lat + "/" + p.lon, "map"));
    li.appendChild(extra);
    if (p.hours) li.appendChild(el("div", "meta hours")).appendChild(el("bdi", "", "🕒 " + p.hours));
    if (p.source && !p.example) {
      // Real contact points show where their facts come from, and how old that page is.
      const src = el("div", "meta source");
      src.append(t.source + ": ");
      const host = hostOf(p.source);
      src.appendChild(host ? link(host, p.source, "url") : el("bdi", "", p.source));
      if (p.source_date) src.appendChild(el("bdi", "", " " + p.source_date));
      li.appendChild(src);
    }
    // The credit the data's licence asks for (OpenStreetMap's ODbL), as the source states it.
    if (p.attribution) li.appendChild(el("div", "meta attribution")).appendChild(el("bdi", "", p.attribution));
    return li;
  }

  // The web site of a source URL, or null when it is not one: a stored source such as "https://[::1" must not
  // break the whole answer (new URL throws on it), it is shown as plain text.
  function hostOf(source) {
    if (!/^https?:\/\//.test(source)) return null;
    try { return new URL(source).host || null; } catch (e) { return null; }
  }

  // Text with its web addresses and phone numbers as links (answers end with a district link on their own line).
  // The server lists each phone number of the text as written there, with the tel: URI that dials it: every
  // number, 112 and 116 016 included, is one tap away.
  function withPhones(node, text, phones) {
    let rest = text;
    while (rest) {
      let at = -1, phone = null;
      phones.forEach((ph) => {
        const i = rest.indexOf(ph.text);
        if (i >= 0 && (at < 0 || i < at)) { at = i; phone = ph; }
      });
      if (!phone) { node.append(rest); return; }
      if (at > 0) node.append(rest.slice(0, at));
      node.appendChild(link(phone.text, phone.tel, "phone"));
      rest = rest.slice(at + phone.text.length);
    }
  }

  function paragraph(text, phones) {
    const p = el("p", "text");
    const parts = text.split(/(https?:\/\/[^\s\u2066-\u2069]+[^\s\u2066-\u2069.,:;!?)])/);
    parts.forEach((part, i) => {
      if (i % 2 === 1) p.appendChild(link(part.replace(/^https?:\/\//, "").replace(/\/$/, ""), part, "url"));
      else if (part) withPhones(p, part, phones || []);
    });
    return p;
  }

  function show(message) {
    const bubble = el("div", "bubble bot");
    bubble.appendChild(paragraph(message.text || "", message.phones));
    if (message.places && message.places.length) {
      const ul = el("ul", "places");
      message.places.forEach((p) => ul.appendChild(place(p)));
      bubble.appendChild(ul);
    }
    if (message.buttons && message.buttons.length) {
      const row = el("div", "buttons");
      message.buttons.forEach((b) => {
        const btn = el("button", "", b.label);
        btn.type = "button";
        btn.dataset.data = b.data;
        // The data goes back as it came; what a button does is its `kind` (the page never parses the data).
        if (b.kind === "language") btn.lang = b.lang;
        if (b.kind === "feedback") {
          btn.className = "feedback";
          btn.setAttribute("aria-label", b.helpful ? t.helpful : t.unhelpful);
        }
        btn.addEventListener("click", () => {
          if (b.kind === "location") locate();
          else if (b.kind === "feedback") feedback(b.data, row);
          else if (b.kind === "language") chooseLanguage(b.lang);
          else send({ button: b.data }, b.label);
        });
        row.appendChild(btn);
      });
      bubble.appendChild(row);
    }
    log.appendChild(bubble);
    scroll();
  }

  function setLang(code, rtl) {
    lang = code;
    document.documentElement.lang = code;
    document.documentElement.dir = rtl ? "rtl" : "ltr";
    langSelect.value = code;
  }

  let waiting = null;
  function busy(on) {
    sendButton.disabled = on;
    if (on && !waiting) {
      waiting = el("p", "bubble bot writing");
      waiting.setAttribute("aria-label", t.writing);
      waiting.append(el("span", "dot"), el("span", "dot"), el("span", "dot"));
      log.appendChild(waiting);
      scroll();
    } else if (!on && waiting) {
      waiting.remove();
      waiting = null;
    }
  }

  async function send(payload, echo) {
    if (echo) { log.appendChild(el("p", "bubble me", echo)); scroll(); }
    busy(true);
    try {
      const res = await fetch("/api/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(Object.assign({ session: session, lang: lang }, payload)),
      });
      const data = await res.json();
      busy(false);
      if (!res.ok) { show({ text: data.error || t.error }); return; }
      setLang(data.lang, data.rtl);
      data.messages.forEach(show);
      if (data.handoff) listen(true);
    } catch (e) {
      busy(false);
      show({ text: t.error });
    }
  }

  // 👍 / 👎: the answer stays; its two feedback buttons give way to the thanks (no new bubble, no echo).
  async function feedback(data, row) {
    const buttons = [...row.querySelectorAll("button.feedback")];
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const res = await fetch("/api/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ session: session, lang: lang, button: data }),
      });
      const reply = await res.json();
      const thanks = el("span", "thanks", res.ok ? reply.messages[0].text : (reply.error || t.error));
      buttons.forEach((b) => b.remove());
      row.appendChild(thanks);
    } catch (e) {
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  function locate() {
    if (!navigator.geolocation) { show({ text: t.nolocation }); return; }
    navigator.geolocation.getCurrentPosition(
      (pos) => send({ location: { lat: pos.coords.latitude, lon: pos.coords.longitude } }, "📍"),
      () => show({ text: t.nolocation }),
      { timeout: 10000, maximumAge: 600000 }
    );
  }

  // While the integration centre's team has the conversation, their replies arrive as server-sent events from
  // /api/staff (no reloading). The id of the last one shown is kept, so a page opened later shows only the newer
  // ones: replies that came while the page was closed are there when the person comes back.
  let stream = null;
  function listen(told) {
    if (stream || !window.EventSource) return;
    localStorage.setItem("lotse-staff", "1");
    const after = localStorage.getItem("lotse-staff-after") || "0";
    stream = new EventSource("/api/staff?session=" + encodeURIComponent(session) + "&after=" + after);
    stream.onmessage = (e) => {
      if (e.lastEventId) localStorage.setItem("lotse-staff-after", e.lastEventId);
      showStaff(JSON.parse(e.data));
    };
    // A page opened while the team has the conversation says so (the reply that opened it said it already).
    // The server's "open" event carries the data of the button that ends the chat (EventSource's own "open", on
    // connecting, has none).
    stream.addEventListener("open", (e) => {
      const stop = e.data ? JSON.parse(e.data).stop : null;
      if (!stop) return;
      if (!told) show({ text: t.withteam, buttons: [{ label: t.endteam, data: stop, kind: "stop" }] });
      told = true;
      attach.hidden = false;
    });
    stream.addEventListener("end", () => {
      stream.close();
      stream = null;
      attach.hidden = true;
      localStorage.removeItem("lotse-staff");
    });
  }

  function showStaff(message) {
    const bubble = el("div", "bubble bot staff " + message.kind);
    if (message.kind === "staff" || message.kind === "file") bubble.appendChild(el("div", "who", t.team));
    if (message.file) bubble.appendChild(fileLink(message.file));
    else bubble.appendChild(paragraph(message.text, message.phones));
    log.appendChild(bubble);
    scroll();
  }

  // A file of the team: a link that only this session can open (the server checks the session).
  function fileLink(file) {
    const href = "/api/file/" + encodeURIComponent(file.token) + "?session=" + encodeURIComponent(session);
    const p = el("p", "text file");
    const a = link("📎 " + file.name, href, "file-link");
    a.setAttribute("download", file.name);
    p.appendChild(a);
    if (file.image) {
      const img = el("img", "thumb");
      img.src = href;
      img.alt = file.name;
      p.appendChild(img);
    }
    return p;
  }

  // While the team has the conversation the person may send a photo or PDF (📎). The server checks the type by
  // the file's first bytes and the size; the page checks the size first, so a big file is never sent for nothing.
  const attach = document.getElementById("attach");
  const picker = document.getElementById("attach-file");
  const maxFile = 10 * 1024 * 1024;
  const fileTypes = /^(image\/(jpeg|png|webp|heic)|application\/pdf)$/;
  attach.addEventListener("click", () => picker.click());
  picker.addEventListener("change", async () => {
    const file = picker.files[0];
    picker.value = "";
    if (!file) return;
    log.appendChild(el("p", "bubble me", "📎 " + file.name));
    scroll();
    if (file.size > maxFile) { show({ text: t.toobig }); return; }
    if (file.type && !fileTypes.test(file.type) && !/\.heic$/i.test(file.name)) { show({ text: t.wrongtype }); return; }
    const body = new FormData();
    body.append("session", session);  // first: the server knows the handoff before the file arrives
    body.append("file", file, file.name);
    busy(true);
    try {
      const res = await fetch("/api/upload", { method: "POST", body: body });
      const data = await res.json();
      busy(false);
      if (!res.ok) { show({ text: data.error || t.error }); return; }
      data.messages.forEach(show);
    } catch (e) {
      busy(false);
      show({ text: t.error });
    }
  });
  if (localStorage.getItem("lotse-staff")) listen(false);

  // Long stories are welcome up to the limit; near it a counter shows how much is left, and a longer text is
  // refused with a word (never cut quietly: the question is often at the end).
  const maxText = Number(input.dataset.max) || 4000;
  const counter = document.getElementById("count");
  function count() {
    const n = input.value.length;
    counter.hidden = n < maxText * 0.9;
    counter.textContent = n + " / " + maxText;
    counter.classList.toggle("over", n > maxText);
  }
  input.addEventListener("input", count);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    if (text.length > maxText) {
      show({ text: t.toolong });
      return;
    }
    input.value = "";
    count();
    send({ text: text }, text);
  });
  document.getElementById("locate").addEventListener("click", locate);
  // Choosing a language (the picker at the top or a language button) stores it for this session, then reloads the
  // page so that its own words (placeholder, buttons) are in that language too.
  async function chooseLanguage(code) {
    const option = [...langSelect.options].find((o) => o.value === code);
    await send({ button: option ? option.dataset.button : "" });
    window.location.search = "?lang=" + code;
  }
  langSelect.addEventListener("change", () => chooseLanguage(langSelect.value));
  // Privacy: the engine asks for confirmation before deleting the stored language and place.
  const forget = document.getElementById("forget");
  forget.addEventListener("click", () => send({ button: forget.dataset.button }));
})();
