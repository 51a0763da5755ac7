/* The motif scanner (docs/cnn.md): the trained MotifCNN's first layer, in the browser.
 *
 * It computes what lensbook.models.cnn.MotifCNN.scan computes: each filter's
 * score at each window on the forward strand and on the reverse strand (the
 * reverse-complemented filter on the forward bases), the larger of the two,
 * then ReLU. N is an all-zero column (lensbook.dna); lower case is read as
 * upper case; any other character is flagged with its 1-based position and
 * read as N. Spaces, line breaks and FASTA header lines (">...") are skipped.
 */
(function () {
  "use strict";

  var api = (window.lensbookExplorers = window.lensbookExplorers || {});
  var DATA = "explorers/motif-scanner.json";
  var CODE = {A: 0, C: 1, G: 2, T: 3, N: 4, a: 0, c: 1, g: 2, t: 3, n: 4};
  var SHOWN = 12;  // flagged characters listed by position

  /* Bases of `text` as codes 0-4 (A, C, G, T, N) and the characters that are not bases. */
  function parse(text) {
    var codes = new Uint8Array(text.length);
    var n = 0, bad = [], lower = 0, header = false, lineStart = true;
    for (var i = 0; i < text.length; i++) {
      var ch = text[i];
      if (ch === "\n" || ch === "\r") { header = false; lineStart = true; continue; }
      if (lineStart && ch === ">") header = true;
      lineStart = false;
      if (header || ch === " " || ch === "\t") continue;
      var code = CODE[ch];
      if (code === undefined) {
        bad.push({character: ch, position: n + 1});
        code = 4;
      } else if (ch >= "a") {
        lower += 1;
      }
      codes[n++] = code;
    }
    return {codes: codes.subarray(0, n), bad: bad, lower: lower};
  }

  /* Per filter, lookup tables: weight of code c at column j, forward and reverse complement. */
  function tables(data) {
    var w = data.width;
    return data.filters.map(function (filter) {
      var forward = new Float64Array(5 * w), reverse = new Float64Array(5 * w);
      for (var b = 0; b < 4; b++) {
        for (var j = 0; j < w; j++) {
          forward[b * w + j] = filter.weight[b][j];
          // the reverse-complemented filter, weight.flip(1, 2): base b at column j reads row 3 - b, column w - 1 - j
          reverse[b * w + j] = filter.weight[3 - b][w - 1 - j];
        }
      }
      return {forward: forward, reverse: reverse, bias: filter.bias};
    });
  }

  /* Feature maps: per filter, ReLU(max(forward score, reverse score)) at each window start. */
  function scan(codes, filters, width) {
    var windows = Math.max(0, codes.length - width + 1);
    return filters.map(function (filter) {
      var best = new Float64Array(windows), strand = new Uint8Array(windows);
      var forward = filter.forward, reverse = filter.reverse;
      for (var i = 0; i < windows; i++) {
        var f = filter.bias, r = filter.bias;
        for (var j = 0; j < width; j++) {
          var k = codes[i + j] * width + j;
          f += forward[k];
          r += reverse[k];
        }
        var m = f >= r ? f : r;
        best[i] = m > 0 ? m : 0;
        strand[i] = f >= r ? 0 : 1;
      }
      return {scores: best, strand: strand};
    });
  }

  var BASES = "ACGTN";
  var COMPLEMENT = "TGCAN";

  function windowText(codes, start, width, reverse) {
    var out = "";
    for (var j = 0; j < width; j++) {
      out += reverse ? COMPLEMENT[codes[start + width - 1 - j]] : BASES[codes[start + j]];
    }
    return out;
  }

  function format(value) {
    return value.toFixed(2);
  }

  function start(root) {
    var el = api.el;
    var id = api.uid("motif");
    var box = el("textarea", {
      id: id + "-input", rows: "4", spellcheck: "false", autocomplete: "off", autocapitalize: "characters",
      "class": "lensbook-explorer__sequence", "aria-describedby": id + "-help " + id + "-problems",
    });
    var help = el("p", {id: id + "-help", "class": "lensbook-explorer__help"});
    var problems = el("p", {id: id + "-problems", "class": "lensbook-explorer__problems", role: "status",
                            "aria-live": "polite"});
    var summary = el("p", {"class": "lensbook-explorer__summary"});
    var canvas = el("canvas", {role: "img", "class": "lensbook-explorer__canvas"});
    var hitsBody = el("tbody");
    var hits = el("table", {"class": "lensbook-explorer__hits"}, [
      el("caption", {text: "Each filter's strongest window: the number the CNN's global max pool passes on"}),
      el("thead", {}, [el("tr", {}, ["filter", "best match in JASPAR", "score", "bases (1-based)", "strand",
                                     "window, read on its strand"].map(function (t) {
        return el("th", {scope: "col", text: t});
      }))]),
      hitsBody,
    ]);
    var exampleButton = el("button", {type: "button", "class": "md-button", text: "Example sequence"});
    var randomButton = el("button", {type: "button", "class": "md-button", text: "Random 10,000 bp"});
    var ui = el("div", {"class": "lensbook-explorer__body"}, [
      el("label", {"for": box.id, "class": "lensbook-explorer__label", text: "DNA to scan"}),
      box, help,
      el("div", {"class": "lensbook-explorer__buttons"}, [exampleButton, randomButton]),
      problems, summary, canvas,
      el("div", {"class": "lensbook-explorer__table"}, [hits]),
    ]);
    root.insertBefore(ui, root.firstChild);

    return api.load(DATA).then(function (data) {
      var width = data.width;
      var filters = tables(data);
      var labels = data.filters.map(function (f, i) { return (i + 1) + " " + f.label; });
      var current = null;

      help.textContent = "Type or paste DNA (A, C, G, T; N for an unknown base, which adds nothing to a score). " +
        "Lower case is read as upper case; spaces, line breaks and a FASTA header line are skipped. " +
        "Each of the " + data.filters.length + " filters is " + width + " bp wide and reads both strands.";

      function compute(text) {
        var parsed = parse(text);
        parsed.maps = scan(parsed.codes, filters, width);
        return parsed;
      }

      function describeProblems(parsed) {
        if (!parsed.bad.length) return "";
        var listed = parsed.bad.slice(0, SHOWN).map(function (b) {
          return "\u201c" + b.character + "\u201d at position " + b.position;
        }).join(", ");
        var more = parsed.bad.length > SHOWN ? " and " + (parsed.bad.length - SHOWN) + " more" : "";
        var noun = parsed.bad.length === 1 ? "character that is not a base" : "characters that are not bases";
        return parsed.bad.length + " " + noun + ": " + listed + more + ". " +
          (parsed.bad.length === 1 ? "It is" : "Each is") + " read as N (an all-zero column) until you change it.";
      }

      function bestWindows(parsed) {
        return parsed.maps.map(function (map, f) {
          var best = -1, at = -1;
          for (var i = 0; i < map.scores.length; i++) {
            if (map.scores[i] > best) { best = map.scores[i]; at = i; }
          }
          return {filter: f, score: best, start: at, reverse: at >= 0 && map.strand[at] === 1};
        }).sort(function (a, b) { return b.score - a.score || a.filter - b.filter; });
      }

      function drawTable(parsed, best) {
        hitsBody.textContent = "";
        best.forEach(function (hit) {
          var filter = data.filters[hit.filter];
          var match = filter.match_id ? filter.label + " (" + filter.match_id + ")" : filter.label;
          var cells = hit.score <= 0 ? [String(hit.filter + 1), match, "0", "does not fire here", "", ""] : [
            String(hit.filter + 1), match, format(hit.score),
            (hit.start + 1) + "\u2013" + (hit.start + width), hit.reverse ? "\u2212" : "+",
            windowText(parsed.codes, hit.start, width, hit.reverse),
          ];
          hitsBody.appendChild(el("tr", {}, cells.map(function (c, k) {
            return el("td", {text: c, "class": k === 5 ? "lensbook-explorer__bases" : ""});
          })));
        });
      }

      function draw() {
        if (!current) return;
        var parsed = current;
        var maps = parsed.maps;
        var cssWidth = Math.max(240, Math.floor(root.clientWidth || 600));
        var rowHeight = 20, top = 6, axis = 22, gutter = Math.min(150, Math.round(cssWidth * 0.28));
        var cssHeight = top + maps.length * rowHeight + axis;
        var ratio = window.devicePixelRatio || 1;
        canvas.width = Math.round(cssWidth * ratio);
        canvas.height = Math.round(cssHeight * ratio);
        canvas.style.width = cssWidth + "px";
        canvas.style.height = cssHeight + "px";
        var g = canvas.getContext("2d");
        g.setTransform(ratio, 0, 0, ratio, 0, 0);
        g.clearRect(0, 0, cssWidth, cssHeight);
        var ink = api.colour(root, "--md-default-fg-color", "#000");
        var light = api.colour(root, "--md-default-fg-color--light", "#666");
        var faint = api.colour(root, "--md-default-fg-color--lightest", "#ddd");
        var bar = api.colour(root, "--md-primary-fg-color", "#009485");
        var mark = api.colour(root, "--md-accent-fg-color", "#ff6e42");
        var font = window.getComputedStyle(root).fontFamily || "sans-serif";
        var n = maps.length ? maps[0].scores.length : 0;
        var plot = cssWidth - gutter - 8;
        var scale = 0;
        maps.forEach(function (m) { for (var i = 0; i < m.scores.length; i++) if (m.scores[i] > scale) scale = m.scores[i]; });
        g.font = "12px " + font;
        g.textBaseline = "middle";
        maps.forEach(function (m, f) {
          var y0 = top + f * rowHeight, base = y0 + rowHeight - 3, height = rowHeight - 5;
          g.fillStyle = light;
          g.textAlign = "right";
          var label = labels[f];
          while (g.measureText(label).width > gutter - 8 && label.length > 4) label = label.slice(0, -2) + "\u2026";
          g.fillText(label, gutter - 6, y0 + rowHeight / 2);
          g.fillStyle = faint;
          g.fillRect(gutter, base, plot, 1);
          if (!n || scale <= 0) return;
          g.fillStyle = bar;
          var best = -1, at = -1;
          if (n <= plot) {
            var step = plot / n;
            for (var i = 0; i < n; i++) {
              var v = m.scores[i];
              if (v > best) { best = v; at = i; }
              if (v <= 0) continue;
              var h = Math.max(1, height * v / scale);
              g.fillRect(gutter + i * step, base - h, Math.max(1, step - (step > 3 ? 1 : 0)), h);
            }
          } else {  // more windows than pixels: each pixel column shows the largest score under it
            for (var px = 0; px < plot; px++) {
              var lo = Math.floor(px * n / plot), hi = Math.max(lo + 1, Math.floor((px + 1) * n / plot));
              var top1 = 0;
              for (var k = lo; k < hi; k++) {
                if (m.scores[k] > top1) top1 = m.scores[k];
                if (m.scores[k] > best) { best = m.scores[k]; at = k; }
              }
              if (top1 > 0) {
                var hh = Math.max(1, height * top1 / scale);
                g.fillRect(gutter + px, base - hh, 1, hh);
              }
            }
          }
          if (at >= 0 && best > 0) {  // the filter's strongest window
            var x = gutter + (at + 0.5) * plot / n;
            g.fillStyle = mark;
            g.beginPath();
            g.moveTo(x - 4, y0 + 1);
            g.lineTo(x + 4, y0 + 1);
            g.lineTo(x, y0 + 6);
            g.closePath();
            g.fill();
          }
        });
        g.fillStyle = ink;
        g.textAlign = "left";
        g.textBaseline = "alphabetic";
        var axisY = top + maps.length * rowHeight + 15;
        g.fillStyle = light;
        g.fillText(n ? "window 1" : "", gutter, axisY);
        g.textAlign = "right";
        g.fillText(n ? "window " + n.toLocaleString("en") + " \u00b7 bar height: score, 0 to " + format(scale) : "",
                   gutter + plot, axisY);
      }

      function update() {
        current = compute(box.value);
        var parsed = current;
        var length = parsed.codes.length;
        problems.textContent = describeProblems(parsed);
        problems.hidden = !parsed.bad.length;
        box.setAttribute("aria-invalid", parsed.bad.length ? "true" : "false");
        var best = bestWindows(parsed);
        if (length < width) {
          summary.textContent = length.toLocaleString("en") + " bp: type at least " + width +
            " bases (one filter's width) to get a score.";
        } else {
          summary.textContent = length.toLocaleString("en") + " bp, " + (length - width + 1).toLocaleString("en") +
            " windows" + (parsed.lower ? " (" + parsed.lower.toLocaleString("en") + " lower-case bases read as upper case)" : "") +
            (best[0].score <= 0 ? ". No filter fires on this sequence." :
              ". Strongest: filter " + (best[0].filter + 1) + " (" + data.filters[best[0].filter].label + "), score " +
              format(best[0].score) + " at bases " + (best[0].start + 1) + "\u2013" + (best[0].start + width) +
              ", " + (best[0].reverse ? "reverse" : "forward") + " strand.");
        }
        canvas.setAttribute("aria-label", "Feature maps of the " + data.filters.length + " filters along the " +
          length.toLocaleString("en") + "-bp sequence, one row per filter; the table below lists each filter's strongest window.");
        drawTable(parsed, length < width ? [] : best);
        hits.hidden = length < width;
        draw();
      }

      box.value = data.example;
      box.addEventListener("input", update);
      exampleButton.addEventListener("click", function () { box.value = data.example; update(); });
      var seed = 1;
      randomButton.addEventListener("click", function () {
        var out = new Array(10000);
        for (var i = 0; i < out.length; i++) {
          seed = (seed * 1103515245 + 12345) % 2147483648;
          out[i] = "ACGT"[Math.floor(seed / 2147483648 * 4)];
        }
        box.value = out.join("");
        update();
      });
      update();

      /* For tests and the benchmark: the feature maps of `text`, one array per filter. */
      api.motifScores = function (text) {
        return compute(text).maps.map(function (m) { return Array.prototype.slice.call(m.scores); });
      };
      return {redraw: draw};
    });
  }

  api.register("motif-scanner", start);
})();
