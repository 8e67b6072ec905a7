// The period control: the custom range's dates show only when "Custom range" is picked;
// typing a date picks it. Without JavaScript both stay visible and work as they are.
(function () {
  const form = document.getElementById("period-form");
  if (!form) return;
  const select = form.querySelector("select[name=period]");
  const range = document.getElementById("custom-range");
  if (!select || !range) return;
  const sync = function () { range.hidden = select.value !== "custom"; };
  select.addEventListener("change", sync);
  range.querySelectorAll("input").forEach(function (input) {
    input.addEventListener("change", function () { select.value = "custom"; });
  });
  sync();
})();
