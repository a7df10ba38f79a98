// Lotse web chat: plain JavaScript, no build step. Talks to POST /api/chat.
"use strict";
(function () {
  const log = document.getElementById("log");
  const form = document.getElementById("form");
  const input = document.getElementById("text");
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

  function place(p) {
    const li = el("li", "place");
    li.appendChild(el("div", "name", p.name));
    const meta = el("div", "meta");
    const km = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(p.distance_km);
    meta.appendChild(el("span", "", km + " km"));
    if (p.address) meta.appendChild(el("span", "", " · " + p.address));
    li.appendChild(meta);
    const extra = el("div", "meta");
    if (p.example) extra.appendChild(el("span", "tag", t.example));
    if (p.approximate) extra.appendChild(el("span", "tag", t.approximate));
    if (p.phone) { const a = el("a", "", p.phone); a.href = "tel:" + p.phone.replace(/[^0-9+]/g, ""); a.dir = "ltr"; extra.appendChild(a); extra.append(" "); }
    if (p.url) { const a = el("a", "", p.url.replace(/^https?:\/\//, "")); a.href = p.url; a.rel = "noopener"; a.target = "_blank"; a.dir = "ltr"; extra.appendChild(a); extra.append(" "); }
    const map = el("a", "", t.map);
    map.href = "https://www.openstreetmap.org/?mlat=" + p.lat + "&mlon=" + p.lon + "#map=17/" + p.lat + "/" + p.lon;
    map.target = "_blank"; map.rel = "noopener";
    extra.appendChild(map);
    li.appendChild(extra);
    return li;
  }

  function show(message) {
    const bubble = el("div", "bubble bot");
    bubble.appendChild(el("p", "", message.text)).style.margin = "0";
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
        btn.addEventListener("click", () => b.data === "location" ? locate() : send({ button: b.data }, b.label));
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

  async function send(payload, echo) {
    if (echo) { log.appendChild(el("p", "bubble me", echo)); scroll(); }
    try {
      const res = await fetch("/api/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(Object.assign({ session: session, lang: lang }, payload)),
      });
      const data = await res.json();
      if (!res.ok) { show({ text: data.error || t.error }); return; }
      setLang(data.lang, data.rtl);
      data.messages.forEach(show);
    } catch (e) {
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
  // Choosing a language stores it for this session, then reloads the page in that language.
  langSelect.addEventListener("change", async () => {
    const code = langSelect.value;
    await send({ button: "l:" + code });
    window.location.search = "?lang=" + code;
  });
})();
