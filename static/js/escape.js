// One way for text from the database into an HTML string: ECharts tooltips take HTML, so a
// formatter escapes every name it puts there. Everywhere else, build nodes and set textContent.
(function () {
  "use strict";
  const ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  window.gjEscape = (value) =>
    value === null || value === undefined ? "" : String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]);
})();
