// Starts GOV.UK Frontend's enhancements; every page also works without them.
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();

// Place fields: suggestions from /places/ as a person types. The plain text box works without them.
const placeInputs = document.querySelectorAll('input[data-module="app-place-autocomplete"]');
if (placeInputs.length) {
  const script = document.createElement("script");
  script.src = new URL("../autocomplete/accessible-autocomplete.min.js", import.meta.url).href;
  script.onload = () => placeInputs.forEach(enhancePlaceInput);
  document.head.appendChild(script);
}

function enhancePlaceInput(input) {
  const container = document.createElement("div");
  input.parentNode.insertBefore(container, input);
  input.remove();
  window.accessibleAutocomplete({
    element: container,
    id: input.id,
    name: input.name,
    defaultValue: input.value,
    minLength: 2,
    showNoOptionsFound: false,
    confirmOnBlur: false,
    inputClasses: input.className.replace("govuk-input--width-20", "").trim(),
    source: (query, populate) => {
      fetch(`/places/?q=${encodeURIComponent(query)}`, { headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : { places: [] }))
        .then((data) => populate(data.places.map((place) => place.name)))
        .catch(() => populate([]));
    },
  });
  const created = container.querySelector("input");
  if (created && input.getAttribute("aria-describedby")) {
    created.setAttribute("aria-describedby", input.getAttribute("aria-describedby"));
  }
}
