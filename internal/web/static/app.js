// Vigil pages: small progressive enhancements. Every page works without it.
(function () {
  "use strict";
  var body = document.body;
  document.documentElement.classList.add("js");

  // Public pages: keep what the page is about out of the browser history.
  // The history entry is renamed to the neutral page, so Back and the
  // history list show the weather.
  var neutral = body.getAttribute("data-neutral");
  if (neutral && window.history && history.replaceState) {
    try { history.replaceState(null, "", neutral); } catch (e) {}
  }

  // Leave quickly: replace this page (no new history entry) with the
  // neutral one. Without JavaScript the link still goes there.
  var leave = document.getElementById("leave");
  if (leave) {
    leave.addEventListener("click", function (ev) {
      ev.preventDefault();
      document.body.textContent = "";
      location.replace(leave.getAttribute("href"));
    });
  }

  // File pickers: show the chosen files' names beside the page's own
  // button (the native control is hidden by the stylesheet).
  Array.prototype.forEach.call(document.querySelectorAll("input.file-native"), function (input) {
    var names = document.getElementById(input.id + "-names");
    if (!names) { return; }
    input.addEventListener("change", function () {
      var list = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
      names.textContent = list.length ? list.join(", ") : names.getAttribute("data-none");
    });
  });

  // Copy buttons: data-copy names the element whose text to copy.
  Array.prototype.forEach.call(document.querySelectorAll("button.copy"), function (b) {
    b.addEventListener("click", function () {
      var el = document.getElementById(b.getAttribute("data-copy"));
      if (!el) { return; }
      var text = el.textContent.trim();
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(function () { b.classList.add("done"); });
      } else {
        var r = document.createRange(); r.selectNodeContents(el);
        var s = window.getSelection(); s.removeAllRanges(); s.addRange(r);
        try { document.execCommand("copy"); } catch (e) {}
      }
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll("button.print"), function (b) {
    b.addEventListener("click", function () { window.print(); });
  });

  // Select all rows of a bulk form.
  Array.prototype.forEach.call(document.querySelectorAll("input.select-all"), function (all) {
    all.addEventListener("change", function () {
      var name = all.getAttribute("data-target");
      Array.prototype.forEach.call(all.form.querySelectorAll('input[type=checkbox][name="' + name + '"]'), function (c) {
        c.checked = all.checked;
      });
    });
  });
})();
