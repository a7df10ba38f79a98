// The admin's offer form: shows how the opening hours are understood while staff type them (text and a week
// table), and lets staff move the offer's point by clicking on the small map.
(() => {
  "use strict";
  const input = document.getElementById("f-opening_hours");
  const preview = document.getElementById("hours-live");
  const week = document.getElementById("hours-week");
  if (input && preview) {
    let timer = null;
    const showWeek = (rows) => {
      if (!week) return;
      const body = week.tBodies[0];
      body.replaceChildren();
      for (const [day, spans] of rows || []) {
        const tr = body.insertRow();
        const th = document.createElement("th");
        th.textContent = day;
        tr.appendChild(th);
        tr.insertCell().textContent = spans;
      }
      week.hidden = !(rows && rows.length);
    };
    const show = async () => {
      const text = input.value.trim();
      if (!text) { preview.textContent = ""; preview.className = "hint"; showWeek([]); return; }
      try {
        const resp = await fetch("/admin/hours?text=" + encodeURIComponent(text), {credentials: "same-origin"});
        const data = await resp.json();
        preview.className = data.ok ? "ok" : "error";
        preview.textContent = data.message;
        showWeek(data.ok ? data.week : []);
      } catch (err) {
        preview.textContent = "";
      }
    };
    input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(show, 300); });
  }

  const map = document.getElementById("map");
  const point = document.getElementById("map-point");
  const lat = document.getElementById("f-lat");
  const lon = document.getElementById("f-lon");
  if (map && point && lat && lon) {
    map.addEventListener("click", (event) => {
      const at = map.createSVGPoint();
      at.x = event.clientX;
      at.y = event.clientY;
      const p = at.matrixTransform(map.getScreenCTM().inverse());
      point.setAttribute("cx", p.x.toFixed(1));
      point.setAttribute("cy", p.y.toFixed(1));
      const d = map.dataset;
      lat.value = (Number(d.lat) - (p.y - 110) * Number(d.dlat)).toFixed(6);
      lon.value = (Number(d.lon) + (p.x - 160) * Number(d.dlon)).toFixed(6);
    });
  }
})();
