// Ward's only script: small conveniences. Every page works without it.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // A copy button beside each secret shown once.
  document.querySelectorAll("code.copy").forEach(function (code) {
    if (!navigator.clipboard) { return; }
    var b = document.createElement("button");
    b.type = "button";
    b.className = "small";
    b.textContent = "Copy";
    b.addEventListener("click", function () {
      navigator.clipboard.writeText(code.textContent).then(function () { b.textContent = "Copied"; });
    });
    code.after(" ", b);
  });
  // Filters apply with their button, not as a menu changes: with the
  // keyboard, each arrow key changes a menu, and reloading the page on
  // each would take the person's place away from them.
});
