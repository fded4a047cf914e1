// Swagger UI draws a parameter's choices as a <select> with no label; name each after its parameter
// (the row's data-param-name) as the reference is drawn, so a screen reader says what it chooses.
new MutationObserver(() => {
  document.querySelectorAll("tr[data-param-name] select:not([aria-label])").forEach((select) => {
    select.setAttribute("aria-label", select.closest("tr").dataset.paramName);
  });
}).observe(document.documentElement, { childList: true, subtree: true });
