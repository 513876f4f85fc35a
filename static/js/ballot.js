// The ballot: mark two units given the same place as they are typed; the server refuses ties
// anyway.
(function () {
  "use strict";
  document.querySelectorAll(".ballot-form").forEach((form) => {
    const inputs = [...form.querySelectorAll("input.place")];
    const mark = () => {
      const seen = {};
      inputs.forEach((i) => {
        if (i.value) seen[i.value] = (seen[i.value] || 0) + 1;
      });
      inputs.forEach((i) => i.classList.toggle("is-invalid", !!i.value && seen[i.value] > 1));
    };
    inputs.forEach((i) => i.addEventListener("input", mark));
    mark();
  });
})();
