/* lensbook explorers: what the motif scanner and the attention explorer share.
 *
 * Every explorer is a <div class="lensbook-explorer" data-explorer="NAME"> in a
 * page. Material's instant navigation swaps pages without re-running scripts,
 * so explorers are looked for from document$ (every page shown), and each
 * element is started once, when it comes within a screen's height of the
 * window: a page that holds one does none of its work while it loads (on a
 * phone, transformer.md's attention explorer was a 100-ms task at load). The trained weights are JSON files generated at build time
 * (lensbook.site.explorers), fetched relative to this script, so the site works
 * under any base URL.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  // this file is <site>/assets/explorers/common.js
  var siteRoot = new URL("../../", script ? script.src : window.location.href);
  var api = (window.lensbookExplorers = window.lensbookExplorers || {});
  var starters = {};
  var live = [];
  var loads = {};

  /* JSON under the site's root, fetched once per page load. */
  api.load = function (path) {
    if (!loads[path]) {
      loads[path] = fetch(new URL(path, siteRoot).href).then(function (response) {
        if (!response.ok) throw new Error("could not load " + path + " (HTTP " + response.status + ")");
        return response.json();
      });
      loads[path].catch(function () { delete loads[path]; });  // a later page may try again
    }
    return loads[path];
  };

  /* The address of a file under the site's root (a worker script, say). */
  api.asset = function (path) {
    return new URL(path, siteRoot).href;
  };

  /* A colour from Material's palette, read where the explorer sits (light or dark scheme). */
  api.colour = function (element, name, fallback) {
    var value = window.getComputedStyle(element).getPropertyValue(name).trim();
    return value || fallback;
  };

  /* An element with attributes and children. */
  api.el = function (tag, attributes, children) {
    var svg = tag.indexOf("svg:") === 0;
    var node = svg ? document.createElementNS("http://www.w3.org/2000/svg", tag.slice(4))
                   : document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) {
      if (key === "text") node.textContent = attributes[key];
      else node.setAttribute(key, attributes[key]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  };

  var counter = 0;
  /* Text the reader typed or pasted -> {sequence, problems, rna}: FASTA headers and whitespace
   * skipped, lower case read as upper, U read as T (counted in `rna`); any other character is a
   * problem, named with its 1-based position (code points counted, so an emoji is one) and read as N. */
  var BASES = {A: 1, C: 1, G: 1, T: 1, N: 1, U: 1};
  api.number = function (n) { return n.toLocaleString("en"); };
  api.cleanSequence = function (text) {
    var out = [], problems = [], rna = 0, lineStart = true, header = false;
    for (var i = 0; i < text.length; i++) {
      var unit = text.charCodeAt(i), ch = text[i];
      if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) { ch = text.slice(i, i + 2); i += 1; }
      if (ch === "\n" || ch === "\r") { header = false; lineStart = true; continue; }
      if (lineStart && ch === ">") header = true;
      lineStart = false;
      if (header || ch === " " || ch === "\t") continue;
      var upper = ch.toUpperCase();
      if (upper.length !== 1 || !BASES[upper]) {
        if (problems.length < 6) problems.push("\u201c" + ch + "\u201d at position " + api.number(out.length + 1));
        out.push("N");
        continue;
      }
      if (upper === "U") { rna += 1; upper = "T"; }
      out.push(upper);
    }
    return {sequence: out.join(""), problems: problems, rna: rna};
  };

  /* A canvas drawn at its displayed width (at least 200 px) and the device pixel ratio, cleared:
   * {g: its 2-D context in CSS pixels, width, height}. */
  api.surface = function (canvas, cssHeight) {
    var cssWidth = Math.max(200, Math.floor(canvas.parentNode.clientWidth || 600));
    var ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(cssWidth * ratio);
    canvas.height = Math.round(cssHeight * ratio);
    canvas.style.width = cssWidth + "px";
    canvas.style.height = cssHeight + "px";
    var g = canvas.getContext("2d");
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, cssWidth, cssHeight);
    return {g: g, width: cssWidth, height: cssHeight};
  };

  api.uid = function (prefix) {
    counter += 1;
    return "lensbook-" + prefix + "-" + counter;
  };

  /* Register an explorer: start(root) builds it in `root` and returns {redraw} or nothing. */
  api.register = function (name, start) {
    starters[name] = start;
    scan();
  };

  function report(root, error) {
    root.setAttribute("data-ready", "error");
    var message = root.querySelector(".lensbook-explorer__error");
    if (!message) {
      message = api.el("p", {"class": "lensbook-explorer__error", role: "alert"});
      root.appendChild(message);
    }
    message.textContent = "The explorer could not start: " + error.message;
  }

  function begin(root) {
    var start = starters[root.getAttribute("data-explorer")];
    root.setAttribute("data-started", "true");
    Promise.resolve()
      .then(function () { return start(root); })
      .then(function (handle) {
        if (handle) live.push({root: root, handle: handle});
        root.setAttribute("data-ready", "true");
      })
      .catch(function (error) { report(root, error); });
  }

  // "near": within a screen's height (100% of the window's) above or below the window
  var near = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (!entry.isIntersecting || entry.target.hasAttribute("data-started")) return;
      near.unobserve(entry.target);
      begin(entry.target);
    });
  }, {rootMargin: "100% 0px"}) : null;

  function scan() {
    live = live.filter(function (item) { return document.body.contains(item.root); });
    if (near) near.disconnect();   // also lets go of the explorers of a page instant navigation left
    var roots = document.querySelectorAll(".lensbook-explorer[data-explorer]");
    Array.prototype.forEach.call(roots, function (root) {
      if (!starters[root.getAttribute("data-explorer")] || root.hasAttribute("data-started")) return;
      if (near) near.observe(root);
      else begin(root);
    });
  }

  function redrawAll() {
    live = live.filter(function (item) { return document.body.contains(item.root); });
    live.forEach(function (item) {
      if (item.handle.redraw) item.handle.redraw();
    });
  }

  // Material's palette toggle changes data-md-color-scheme on <body>: colours are read again
  new MutationObserver(redrawAll).observe(document.body, {
    attributes: true, attributeFilter: ["data-md-color-scheme", "data-md-color-primary", "data-md-color-accent"],
  });
  var resizing = null;
  window.addEventListener("resize", function () {
    if (resizing) cancelAnimationFrame(resizing);
    resizing = requestAnimationFrame(redrawAll);
  });

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(scan);  // every page, including those shown by instant navigation
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", scan);
  } else {
    scan();
  }
})();
