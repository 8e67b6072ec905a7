// Behaviour shared by every page, kept out of the HTML (the Content Security Policy
// allows no inline script or event handler). Each part works without JavaScript.

// A <select data-autosubmit> submits its form when changed (a <noscript> button does it otherwise).
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
    field.form.submit();
  }
});
