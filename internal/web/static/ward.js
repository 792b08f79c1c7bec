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
  // Filters apply as soon as a menu changes.
  document.querySelectorAll("form.filters select").forEach(function (s) {
    s.addEventListener("change", function () { s.form.requestSubmit(); });
  });
});
