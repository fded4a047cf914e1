// Shows the £ value of the commitment being added as the supplier types it. The page shows the same
// figures server-side after each save, so this is an enhancement only.
const live = document.getElementById("bid-preview-live");

if (live) {
  const measure = document.getElementById(live.dataset.measure);
  const quantity = document.getElementById(live.dataset.quantity);
  let timer = null;
  let latest = 0;

  const update = async () => {
    if (!measure.value || !quantity.value.trim()) {
      live.textContent = "";
      return;
    }
    const request = ++latest;
    const url = new URL(live.dataset.previewUrl, window.location.href);
    url.searchParams.set("measure", measure.value);
    url.searchParams.set("quantity", quantity.value.trim());
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok || request !== latest) return;
      const data = await response.json();
      live.textContent = data.message || "";
    } catch {
      live.textContent = "";
    }
  };

  const schedule = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(update, 300);
  };

  if (measure && quantity) {
    measure.addEventListener("change", schedule);
    quantity.addEventListener("input", schedule);
  }
}
