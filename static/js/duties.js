// Ticks checklist items in place: posts the form with fetch and swaps the duty's card.
// Without JavaScript the forms post normally and the page reloads.
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.classList.contains("tick-form")) return;
  const card = form.closest("[data-duty]");
  if (!card) return;
  event.preventDefault();
  const button = form.querySelector("button");
  if (button) button.disabled = true;
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "HX-Request": "true" },
      credentials: "same-origin",
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const html = await response.text();
    const fresh = document.createRange().createContextualFragment(html).firstElementChild;
    if (fresh) {
      card.replaceWith(fresh);
      const again = fresh.querySelector(`button.tick`);
      if (again) again.focus();
    }
  } catch (error) {
    form.submit(); // fall back to a normal post
  }
});
