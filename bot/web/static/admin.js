// The admin's offer form: shows how the opening hours are understood while staff type them.
(() => {
  "use strict";
  const input = document.getElementById("f-opening_hours");
  const preview = document.getElementById("hours-live");
  if (!input || !preview) return;
  let timer = null;
  const show = async () => {
    const text = input.value.trim();
    if (!text) { preview.textContent = ""; preview.className = "hint"; return; }
    try {
      const resp = await fetch("/admin/hours?text=" + encodeURIComponent(text), {credentials: "same-origin"});
      const data = await resp.json();
      preview.className = data.ok ? "ok" : "error";
      preview.textContent = data.message;
    } catch (err) {
      preview.textContent = "";
    }
  };
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(show, 300); });
})();
