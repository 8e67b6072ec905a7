// Live progress of a sprint completion. The run button posts with fetch and the page polls
// the JSON status meanwhile: with Celery eager the post returns when the run is over (the
// polls show each step as it commits); with a worker it returns at once and the polls go on
// until the run is done or failed. Without JavaScript the form posts and the page reloads.
(() => {
  const section = document.getElementById("completion-progress");
  if (!section) return;
  const form = document.getElementById("completion-form");
  const statusUrl = section.dataset.statusUrl;
  const labels = { done: "done", running: "running…", failed: "failed", waiting: "waiting" };
  let timer = null;
  let posting = false;

  function render(data) {
    section.hidden = false;
    section.dataset.state = data.state;
    const badge = section.querySelector("[data-testid=progress-state]");
    badge.textContent = data.state_label;
    badge.className = "badge " + (data.state === "done" ? "ok" : data.state === "failed" ? "bad" : "info");
    section.querySelector("[data-testid=progress-count]").textContent =
      `${data.done} of ${data.total} steps done`;
    const error = section.querySelector("[data-testid=progress-error]");
    error.textContent = data.error;
    error.hidden = !data.error;
    for (const step of data.steps) {
      const item = section.querySelector(`li[data-step="${step.name}"]`);
      if (!item) continue;
      item.dataset.status = step.status;
      item.querySelector(".step-status").textContent = labels[step.status] || step.status;
      item.querySelector(".step-result").textContent = step.result;
    }
    if (data.finished && form) form.hidden = data.state === "done";
  }

  async function poll() {
    try {
      const response = await fetch(statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) {
        const data = await response.json();
        render(data);
        if (data.finished && !posting) return stop();
      }
    } catch (error) {
      // A missed poll is retried on the next tick.
    }
  }

  function start() {
    if (timer === null) timer = window.setInterval(poll, 700);
    poll();
  }

  function stop() {
    if (timer !== null) window.clearInterval(timer);
    timer = null;
  }

  if (["planned", "running"].includes(section.dataset.state)) start();

  if (form) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("button");
      if (button) button.disabled = true;
      const runError = document.querySelector("[data-testid=run-error]");
      posting = true;
      start();
      try {
        const response = await fetch(form.action, {
          method: "POST",
          body: new FormData(form),
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        if (!response.ok) {
          const data = await response.json().catch(() => ({ error: `The server answered ${response.status}.` }));
          if (runError) {
            runError.textContent = data.error;
            runError.hidden = false;
          }
          if (button) button.disabled = false;
        }
      } catch (error) {
        if (runError) {
          runError.textContent = "The request did not reach the portal; try again.";
          runError.hidden = false;
        }
        if (button) button.disabled = false;
      } finally {
        posting = false;
        poll();
      }
    });
  }
})();
