// Vigil check page: check on this device (issue 19). What was typed is
// normalised (normalize.js) and hashed here; only the first digits of the
// hash go to the server (GET /api/v1/check/range/{prefix}), and the answer
// is found in that bucket here. Where the normaliser is not sure, or the
// browser cannot hash (no crypto.subtle outside a secure context), nothing
// is sent: the page offers the server-side check, which the form does
// without JavaScript.
(function () {
  "use strict";
  var form = document.querySelector("form[action='/check']");
  var tpl = document.getElementById("check-local");
  var unsure = document.getElementById("check-unsure");
  var input = document.getElementById("q");
  if (!form || !tpl || !unsure || !input || !window.VigilNormalize || !window.fetch ||
      !window.isSecureContext || !window.crypto || !window.crypto.subtle || !window.TextEncoder) {
    return;
  }

  function hex(buf) {
    var b = new Uint8Array(buf), s = "";
    for (var i = 0; i < b.length; i++) { s += (b[i] < 16 ? "0" : "") + b[i].toString(16); }
    return s;
  }
  function getJSON(path) {
    return fetch(path, { credentials: "omit", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error(path + ": " + r.status); }
      return r.json();
    });
  }
  function clear() {
    unsure.hidden = true;
    Array.prototype.forEach.call(document.querySelectorAll("main .result"), function (el) { el.remove(); });
  }
  function offerServer() {
    clear();
    unsure.hidden = false;
    document.getElementById("check-server").focus();
  }
  function show(n, entry) {
    clear();
    var d = tpl.dataset;
    var el = tpl.content.firstElementChild.cloneNode(true);
    el.querySelector(".kind").textContent = d["kind" + n.kind.charAt(0).toUpperCase() + n.kind.slice(1)] || n.kind;
    el.querySelector("code").textContent = n.value;
    var band = (entry && entry.band) || "none";
    var b = el.querySelector("p.band");
    b.classList.add("band-" + band);
    b.querySelector("strong").textContent = d["band" + band.charAt(0).toUpperCase() + band.slice(1)] || "";
    if (entry && entry.legitimate) {
      var legit = el.querySelector(".legitimate");
      legit.hidden = false;
      legit.setAttribute("data-legitimate", "true");
    }
    var unv = (entry && entry.unverified_reports) || "none";
    if (unv !== "none") {
      var u = el.querySelector("p.unverified");
      u.hidden = false;
      u.classList.add("unverified-" + unv);
      u.textContent = d["unverified" + unv.charAt(0).toUpperCase() + unv.slice(1)] || "";
    }
    form.parentNode.insertBefore(el, tpl);
  }

  // The server-side check, asked for with its button, posts as without
  // JavaScript (the click is noted for browsers without SubmitEvent.submitter).
  var toServer = false;
  document.getElementById("check-server").addEventListener("click", function () { toServer = true; });
  form.addEventListener("submit", function (ev) {
    if (toServer || (ev.submitter && ev.submitter.id === "check-server")) { return; }
    ev.preventDefault();
    var n = window.VigilNormalize.query(input.value);
    if (!n) { offerServer(); return; }
    var hash;
    crypto.subtle.digest("SHA-256", new TextEncoder().encode(n.kind + ":" + n.value)).then(function (buf) {
      hash = hex(buf);
      return getJSON("/api/v1/check/range");
    }).then(function (idx) {
      var l = idx.prefix_length;
      return getJSON("/api/v1/check/range/" + hash.slice(0, l)).then(function (bucket) {
        var suffix = hash.slice(l), found = null;
        (bucket.entries || []).forEach(function (e) { if (e.suffix === suffix) { found = e; } });
        show(n, found);
      });
    }).catch(offerServer);
  });
})();
