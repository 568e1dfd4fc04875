// Vigil check page: the normaliser of what a person types into the check
// box, in the browser. It answers what the server's extract.Query answers
// (kind and normalised value) for the inputs it is sure of, and null for
// everything else: the page then offers the server-side check instead of
// guessing. Phone numbers are validated with the metadata of phonemeta.js,
// generated from the phonenumbers library the server uses; e-mail
// addresses are read at the hosts of mailhosts.js only.
// internal/web/normalize_browser_test.go runs it over the extractor's
// corpora and fails if it ever disagrees with the Go normaliser.
(function (g) {
  "use strict";
  var META = g.VigilPhoneMeta || {};
  var MAIL = g.VigilMailHosts || [];

  // The extractor's trunkZero calling codes and fallback regions
  // (internal/extract/phone.go): national numbers of these are read with a
  // leading 0 dropped.
  var TRUNK_ZERO = { 855: "KH", 66: "TH", 84: "VN", 95: "MM", 856: "LA", 86: "CN", 62: "ID", 60: "MY", 63: "PH" };
  var FALLBACK = ["KH", "TH", "VN", "MM", "LA", "CN", "ID", "MY", "PH"];
  var STOP = { everyone: 1, channel: 1, here: 1, admin: 1, gmail: 1, yahoo: 1, hotmail: 1, outlook: 1 };

  var compiled = {};
  function re(p) {
    if (!compiled[p]) { compiled[p] = new RegExp("^(?:" + p + ")$"); }
    return compiled[p];
  }
  function matchDesc(d, n) {
    if (!d) { return false; }
    if (d.l && d.l.length && d.l.indexOf(n.length) < 0) { return false; }
    return re(d.p).test(n);
  }
  // valid is phonenumbers.IsValidNumber for a national number of region m.
  function valid(m, n) {
    if (!matchDesc(m.g, n)) { return false; }
    for (var i = 0; i < m.t.length; i++) {
      if (matchDesc(m.t[i], n)) { return true; }
    }
    return !m.same && matchDesc(m.m, n);
  }
  function regionOf(cc) {
    for (var id in META) {
      if (META[id].cc === cc) { return id; }
    }
    return "";
  }

  // parsePhone returns the E.164 form, false when the number is not valid,
  // or null when this table cannot tell (the server can).
  function parsePhone(num, region) {
    var cc = 0, national, l, d;
    if (num.charAt(0) === "+") {
      d = num.slice(1);
      for (l = 1; l <= 3 && l < d.length; l++) {
        if (TRUNK_ZERO[parseInt(d.slice(0, l), 10)]) { cc = parseInt(d.slice(0, l), 10); national = d.slice(l); break; }
      }
      if (!cc) { return parseOther(d); }
    } else {
      for (var k in TRUNK_ZERO) {
        if (TRUNK_ZERO[k] === region) { cc = parseInt(k, 10); }
      }
      if (!cc || num.slice(0, 2) === "00") { return null; }
      national = num;
    }
    if (national.charAt(0) === "0") { national = national.slice(1); }
    if (national.length < 4 || national.length > 14 || national.charAt(0) === "0") { return false; }
    var m = META[TRUNK_ZERO[cc]];
    if (!m) { return null; }
    return valid(m, national) ? "+" + cc + national : false;
  }

  // parseOther reads an international number (digits after '+') of a
  // table region outside TRUNK_ZERO; null when a national prefix or a
  // leading zero would make libphonenumber rewrite it.
  function parseOther(d) {
    for (var l = 1; l <= 3 && l < d.length; l++) {
      var cc = parseInt(d.slice(0, l), 10), id = regionOf(cc);
      if (!id || d.charAt(0) === "0") { continue; }
      var m = META[id], national = d.slice(l);
      if (national.charAt(0) === "0" || m.npr || (m.npp && new RegExp("^(?:" + m.npp + ")").test(national))) { return null; }
      return valid(m, national) ? "+" + cc + national : false;
    }
    return null;
  }

  // normalizePhone is the extractor's: '+' or "00" international, else
  // national in exactly one fallback region, else international without
  // the '+'.
  function normalizePhone(d) {
    var v;
    if (d.charAt(0) === "+") { return parsePhone(d, ""); }
    if (d.slice(0, 2) === "00") {
      v = parsePhone("+" + d.slice(2), "");
      if (v !== false) { return v; }
    }
    var found = "";
    for (var i = 0; i < FALLBACK.length; i++) {
      v = parsePhone(d, FALLBACK[i]);
      if (v === null) { return null; }
      if (v) {
        if (found && found !== v) { return false; }
        found = v;
      }
    }
    if (!found && d.charAt(0) !== "0") { return parsePhone("+" + d, ""); }
    return found || false;
  }

  // digits returns q as ASCII digits with an optional leading '+' when it
  // is only digits (ASCII, Khmer, Thai, Lao, Myanmar) and separators.
  function digits(q) {
    var out = "";
    for (var i = 0; i < q.length; i++) {
      var c = q.charCodeAt(i), base = -1;
      if (c >= 0x30 && c <= 0x39) { base = 0x30; }
      else if (c >= 0x17E0 && c <= 0x17E9) { base = 0x17E0; }
      else if (c >= 0x0E50 && c <= 0x0E59) { base = 0x0E50; }
      else if (c >= 0x0ED0 && c <= 0x0ED9) { base = 0x0ED0; }
      else if (c >= 0x1040 && c <= 0x1049) { base = 0x1040; }
      if (base >= 0) { out += String(c - base); continue; }
      if (c === 0x2B && out === "") { out = "+"; continue; }
      if (" -.()".indexOf(q.charAt(i)) >= 0 || c === 0xA0 || c === 0x2013 || c === 0x2010 || c === 0x2011) { continue; }
      return null;
    }
    return out.length >= 7 ? out : null;
  }

  // handle is the extractor's handleValue for Telegram, Instagram and
  // TikTok: lower case, with '@'.
  var HANDLE = { telegram: [5, 32, /^[a-z0-9_]+$/], instagram: [2, 30, /^[a-z0-9_.]+$/], tiktok: [2, 24, /^[a-z0-9_.]+$/] };
  function handle(name, kind) {
    var v = name.toLowerCase(), r = HANDLE[kind || "telegram"];
    if (v.length < r[0] || v.length > r[1] || STOP[v] || !r[2].test(v)) { return null; }
    return "@" + v;
  }
  var IG_RESERVED = { p: 1, reel: 1, reels: 1, explore: 1, accounts: 1, direct: 1, tv: 1 };
  var FB_RESERVED = {
    "profile.php": 1, people: 1, pages: 1, groups: 1, "sharer.php": 1, share: 1, sharer: 1, watch: 1, events: 1,
    login: 1, "login.php": 1, "home.php": 1, "photo.php": 1, "story.php": 1, "permalink.php": 1, marketplace: 1,
    help: 1, reel: 1, story: 1, photo: 1, photos: 1, videos: 1
  };
  var SITE = "^(?:https?:\\/\\/)?(?:www\\.)?";

  // profile reads a profile link of Instagram, TikTok or Facebook, as the
  // extractor's socialProfile does for the plainest forms.
  function profile(q) {
    var m, v;
    if ((m = new RegExp(SITE + "(?:m\\.)?(?:instagram\\.com|instagr\\.am)\\/(?:stories\\/)?([A-Za-z0-9_.]*[A-Za-z0-9_])\\/?$", "i").exec(q))) {
      if (IG_RESERVED[m[1]] || /^stories$/.test(m[1])) { return null; }
      v = handle(m[1], "instagram");
      return v ? { kind: "instagram", value: v } : null;
    }
    if ((m = new RegExp(SITE + "(?:m\\.)?tiktok\\.com\\/@([A-Za-z0-9_.]*[A-Za-z0-9_])\\/?$", "i").exec(q))) {
      v = handle(m[1], "tiktok");
      return v ? { kind: "tiktok", value: v } : null;
    }
    if ((m = new RegExp(SITE + "(?:(?:m|web|mbasic)\\.)?(?:facebook\\.com|fb\\.com|fb\\.me)\\/([A-Za-z0-9.]*[A-Za-z0-9])\\/?$", "i").exec(q))) {
      v = m[1].toLowerCase();
      if (FB_RESERVED[m[1]] || v.length < 5 || v.length > 50) { return null; }
      return { kind: "facebook", value: v };
    }
    return null;
  }

  // plainWord reports whether no wallet, IBAN or phone scanner of the
  // extractor looks inside s: no alphanumeric run of 14 or more, none
  // starting like an IBAN, no run of six digits.
  function plainWord(s) {
    var runs = s.split(/[^A-Za-z0-9]+/);
    for (var i = 0; i < runs.length; i++) {
      if (runs[i].length >= 14 || /^[A-Z]{2}[0-9]{2}/.test(runs[i])) { return false; }
    }
    return !/[0-9]{6}/.test(s); // no phone number inside

  }

  // query returns {kind, value} as extract.Query(q, "") does, or null when
  // it cannot be sure.
  function query(q) {
    q = String(q).replace(/^[ \t\n\r\v\f]+|[ \t\n\r\v\f]+$/g, "");
    if (q === "" || q.length > 500) { return null; }
    var d = digits(q), v, m;
    if (d !== null) {
      v = normalizePhone(d);
      return v ? { kind: "phone", value: v } : null;
    }
    if (/[^\x21-\x7e]/.test(q)) { return null; }
    if ((m = /^@([A-Za-z][A-Za-z0-9_]*)$/.exec(q)) && plainWord(q)) {
      v = handle(m[1]);
      return v ? { kind: "telegram", value: v } : null;
    }
    if ((m = /^[A-Za-z][A-Za-z0-9_]*$/.exec(q)) && plainWord(q)) {
      v = handle(q);
      return v ? { kind: "telegram", value: v } : null;
    }
    if ((m = /^(?:https?:\/\/)?(?:www\.)?(?:t\.me|telegram\.me|telegram\.dog)\/(?:s\/)?([A-Za-z0-9_]+)\/?$/i.exec(q)) && plainWord(m[1])) {
      v = handle(m[1]);
      return v ? { kind: "telegram", value: v } : null;
    }
    if ((m = /^(?:https?:\/\/)?(?:www\.)?wa\.me\/\+?([0-9]{8,})\/?$/i.exec(q))) {
      v = parsePhone("+" + m[1], "");
      return v ? { kind: "whatsapp", value: v } : null;
    }
    // An e-mail address at a host of mailhosts.js (generated: hosts the
    // extractor reads; others may be public suffixes, which this file does
    // not know). One with "nospam" in it is left to the server, which takes
    // that out as its writer asked.
    if ((m = /^([A-Za-z0-9][A-Za-z0-9._%+-]*)@([A-Za-z0-9.]+)$/.exec(q)) && plainWord(m[1]) &&
        m[1].indexOf("..") < 0 && !/nospam/i.test(m[1]) && MAIL.indexOf(m[2].toLowerCase()) >= 0) {
      return { kind: "email", value: m[1].toLowerCase() + "@" + m[2].toLowerCase() };
    }
    // An Ethereum address in one case (mixed case carries a checksum this
    // file does not compute).
    if (/^0[xX](?:[0-9a-f]{40}|[0-9A-F]{40})$/.test(q)) {
      return { kind: "eth", value: "0x" + q.slice(2).toLowerCase() };
    }
    if (plainWord(q)) {
      return profile(q);
    }
    return null;
  }

  g.VigilNormalize = { query: query };
})(typeof window !== "undefined" ? window : this);
