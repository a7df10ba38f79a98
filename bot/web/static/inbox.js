// The team inbox: the list follows the server's events (server-sent events), and a saved reply fills the answer.
(() => {
  "use strict";
  const list = document.getElementById("inbox-list");
  if (list && window.EventSource) {
    const events = new EventSource("/admin/inbox/events");
    events.addEventListener("changed", async (e) => {
      const version = JSON.parse(e.data).version;
      if (String(version) === list.dataset.version) return;
      const resp = await fetch("/admin/inbox?part=list", {credentials: "same-origin"});
      if (resp.ok) {
        list.innerHTML = await resp.text();
        list.dataset.version = String(version);
      }
    });
  }
  const saved = document.getElementById("saved");
  const text = document.getElementById("reply-text");
  if (saved && text && saved.tagName === "SELECT") {
    saved.addEventListener("change", () => { if (saved.value) text.value = saved.value; text.focus(); });
  }
})();
