// Copy buttons of the sustainability reports: copy the textarea named by data-copy-target.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button.copy");
  if (!button) return;
  const area = document.getElementById(button.dataset.copyTarget);
  const status = button.parentElement.querySelector(".copy-status");
  try {
    await navigator.clipboard.writeText(area.value);
  } catch (error) {
    area.select();
    document.execCommand("copy");
  }
  if (status) status.textContent = "Copied.";
});
