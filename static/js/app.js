// Site-wide behaviours by data- attributes, so no template needs an inline handler (the CSP
// forbids them). Listeners sit on the document, so content htmx swaps in behaves the same.
//   data-autosubmit  on a field: a change submits its form (period and language selectors)
//   data-confirm     on a form or a submit button: ask before submitting
//   data-print       on a link or button: print the page
(function () {
  "use strict";

  document.addEventListener("change", (event) => {
    const field = event.target.closest("[data-autosubmit]");
    if (!field || !field.form) return;
    // requestSubmit fires the submit event (and so data-confirm and htmx); submit() would not.
    if (field.form.requestSubmit) field.form.requestSubmit();
    else field.form.submit();
  });

  document.addEventListener("submit", (event) => {
    const question =
      (event.submitter && event.submitter.dataset.confirm) || event.target.dataset.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  });

  document.addEventListener("click", (event) => {
    const trigger = event.target.closest("[data-print]");
    if (!trigger) return;
    event.preventDefault();
    window.print();
  });
})();
