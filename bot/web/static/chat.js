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
    if (p.phone) extra.appendChild(link(p.phone, "tel:" + p.phone.replace(/[^0-9+]/g, ""), "phone"));
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
    return li;
  }

  // The web site of a source URL, or null when it is not one: a stored source such as "https://[::1" must not
  // break the whole answer (new URL throws on it), it is shown as plain text.
  function hostOf(source) {
    if (!/^https?:\/\//.test(source)) return null;
    try { return new URL(source).host || null; } catch (e) { return null; }
  }

  // Text with its web addresses as links (answers end with a district link on their own line).
  function paragraph(text) {
    const p = el("p", "text");
    const parts = text.split(/(https?:\/\/[^\s\u2066-\u2069]+[^\s\u2066-\u2069.,:;!?)])/);
    parts.forEach((part, i) => {
      if (i % 2 === 1) p.appendChild(link(part.replace(/^https?:\/\//, "").replace(/\/$/, ""), part, "url"));
      else if (part) p.append(part);
    });
    return p;
  }

  function show(message) {
    const bubble = el("div", "bubble bot");
    bubble.appendChild(paragraph(message.text || ""));
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
        if (b.data.startsWith("l:")) btn.lang = b.data.slice(2);
        btn.addEventListener("click", () => {
          if (b.data === "location") locate();
          else if (b.data.startsWith("l:")) chooseLanguage(b.data.slice(2));
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
    } catch (e) {
      busy(false);
      show({ text: t.error });
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

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send({ text: text }, text);
  });
  document.getElementById("locate").addEventListener("click", locate);
  // Choosing a language (the picker at the top or a language button) stores it for this session, then reloads the
  // page so that its own words (placeholder, buttons) are in that language too.
  async function chooseLanguage(code) {
    await send({ button: "l:" + code });
    window.location.search = "?lang=" + code;
  }
  langSelect.addEventListener("change", () => chooseLanguage(langSelect.value));
  // Privacy: the engine asks for confirmation ("forget:yes") before deleting the stored language and place.
  document.getElementById("forget").addEventListener("click", () => send({ button: "forget" }));
})();
