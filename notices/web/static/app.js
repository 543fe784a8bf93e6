// notices 公文工作台: small enhancements; every page works without this file.
(function () {
  "use strict";
  // A running task: poll its state and show the result when it is done.
  var box = document.querySelector("[data-task]");
  if (box && box.getAttribute("data-finished") === "no") {
    var bar = box.querySelector("progress"), count = box.querySelector("[data-count]");
    var poll = function () {
      fetch(box.getAttribute("data-task"), { cache: "no-store", credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (bar) { bar.max = s.total || 1; bar.value = s.done; }
          if (count) { count.textContent = s.done + "/" + (s.total || "?"); }
          if (s.finished) { window.location.reload(); } else { setTimeout(poll, 600); }
        })
        .catch(function () { setTimeout(poll, 2000); });
    };
    setTimeout(poll, 300);
  }
  // The drop zone: files dropped anywhere on it go to its file input.
  var zone = document.querySelector("[data-drop]");
  if (zone) {
    var input = zone.querySelector("input[type=file]");
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      if (e.dataTransfer && e.dataTransfer.files.length) { input.files = e.dataTransfer.files; }
    });
  }
  // A button that starts a long action is pressed once.
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      var button = e.submitter;
      if (form.method.toLowerCase() === "post" && button) {
        setTimeout(function () { button.disabled = true; }, 0);
      }
    });
  });
})();
