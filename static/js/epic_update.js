// Shows a follow-up question only while its parent has one of the answers it
// depends on. Hidden questions keep their values; the server ignores them.
(function () {
  "use strict";
  var form = document.querySelector(".epic-update-form");
  if (!form) return;
  function answerOf(key) {
    var checked = form.querySelector('input[name="' + key + '"]:checked');
    return checked ? checked.value : "";
  }
  function visible(block) {
    var parentKey = block.getAttribute("data-parent");
    if (!parentKey) return true;
    var parent = form.querySelector('[data-question="' + parentKey + '"]');
    if (parent && !visible(parent)) return false;
    return block.getAttribute("data-when").split(" ").indexOf(answerOf(parentKey)) !== -1;
  }
  function refresh() {
    form.querySelectorAll(".question[data-parent]").forEach(function (block) {
      // Keep a follow-up with an error visible so its message can be read.
      block.hidden = !visible(block) && !block.querySelector(".errorlist");
    });
  }
  form.addEventListener("change", refresh);
  refresh();
})();
