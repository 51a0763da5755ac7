/* The attention explorer (docs/transformer.md): the trained HybridTransformer, in the browser.
 *
 * It recomputes what lensbook.models.promoter_readout.HybridTransformer.forward
 * computes, from the exported state_dict: the stem's convolution, a max pool
 * into bins and a sigmoid (MotifStem), the embedding, sinusoidal positions,
 * the query, key and value projections, each head's softmax(q k^T / sqrt(d)),
 * then the output projection, the residual and the read-out at the promoter's
 * bin. Nothing is precomputed: the weights and the DNA are all it reads.
 *
 * The reader edits the sequence (or pastes one), or acts on the enhancer with
 * one click (delete it, move it, mutate a base); P(enhancer) and the whole
 * attention matrix follow.
 */
(function () {
  "use strict";

  var api = (window.lensbookExplorers = window.lensbookExplorers || {});
  var DATA = "explorers/attention.json";
  var CODE = {A: 0, C: 1, G: 2, T: 3, N: 4, U: 3};
  var BASES = "ACGT";
  var DEBOUNCE = 150;
  var TOUCH = 24;    // px: the smallest heatmap cell where a finger picks it (a touch target)
  var LEFT = 76;     // px: row labels

  function number(n) { return n.toLocaleString("en"); }

  /* The model's layers from the exported state_dict (PyTorch's names and layouts). */
  function layers(data) {
    var s = data.state;
    function linear(name) { return {weight: s[name + ".weight"], bias: s[name + ".bias"]}; }
    return {stem: linear("stem.conv"), embed: linear("embed"), query: linear("attention.query"),
            key: linear("attention.key"), value: linear("attention.value"), out: linear("attention.out"),
            readout: linear("readout")};
  }

  /* y = W x + b for a Linear layer stored as {weight: (out, in), bias: (out)}. */
  function linear(layer, x) {
    return layer.weight.map(function (row, o) {
      var s = layer.bias[o];
      for (var i = 0; i < row.length; i++) s += row[i] * x[i];
      return s;
    });
  }

  /* The forward pass on one sequence: attention (heads, bins, bins), the stem's evidence and the logit. */
  function forward(model, net, sequence) {
    var config = model.config, L = sequence.length, k = config.kernel, size = config.bin_size;
    if (L !== config.length) throw new Error("expected a " + config.length + "-bp sequence, got " + L + " bp");
    var codes = new Uint8Array(L);
    for (var p = 0; p < L; p++) {
      var c = CODE[sequence[p]];
      if (c === undefined) throw new Error("not a base at 0-based position " + p + ": " + sequence[p]);
      codes[p] = c;
    }
    var bins = Math.floor((L - k + 1) / size);
    // MotifStem: conv (C, L - k + 1) -> max pool (C, bins) -> sigmoid
    var evidence = net.stem.weight.map(function (w, ch) {
      var out = new Array(bins);
      for (var b = 0; b < bins; b++) {
        var best = -Infinity;
        for (var t = b * size; t < (b + 1) * size; t++) {
          var s = net.stem.bias[ch];
          for (var j = 0; j < k; j++) {
            var code = codes[t + j];
            if (code < 4) s += w[code][j];
          }
          if (s > best) best = s;
        }
        out[b] = 1 / (1 + Math.exp(-best));
      }
      return out;
    });
    var d = config.d_model, heads = config.heads, dh = d / heads;
    // embed (bins, C) -> (bins, d), + sinusoidal positions: PE(pos, 2i) = sin(pos / base^(2i/d)), PE(pos, 2i+1) = cos(...)
    var h = [];
    for (var b2 = 0; b2 < bins; b2++) {
      var e = linear(net.embed, evidence.map(function (row) { return row[b2]; }));
      for (var i = 0; i < d; i += 2) {
        var angle = b2 * Math.pow(model.position_base, -i / d);
        e[i] += Math.sin(angle);
        e[i + 1] += Math.cos(angle);
      }
      h.push(e);
    }
    var q = h.map(function (x) { return linear(net.query, x); });
    var key = h.map(function (x) { return linear(net.key, x); });
    var v = h.map(function (x) { return linear(net.value, x); });
    var attention = [], z = h.map(function () { return new Array(d).fill(0); });
    for (var head = 0; head < heads; head++) {
      var off = head * dh, rows = [];
      for (var r = 0; r < bins; r++) {
        var scores = new Array(bins), top = -Infinity;
        for (var col = 0; col < bins; col++) {
          var dot = 0;
          for (var m = 0; m < dh; m++) dot += q[r][off + m] * key[col][off + m];
          scores[col] = dot / Math.sqrt(dh);
          if (scores[col] > top) top = scores[col];
        }
        var total = 0;
        for (var c2 = 0; c2 < bins; c2++) { scores[c2] = Math.exp(scores[c2] - top); total += scores[c2]; }
        for (var c3 = 0; c3 < bins; c3++) {
          scores[c3] /= total;
          for (var m2 = 0; m2 < dh; m2++) z[r][off + m2] += scores[c3] * v[c3][off + m2];
        }
        rows.push(scores);
      }
      attention.push(rows);
    }
    // output projection, residual, read-out at the promoter's bin
    var at = config.readout_bin;
    var out = linear(net.out, z[at]).map(function (value, i2) { return value + h[at][i2]; });
    var logit = linear(net.readout, out)[0];
    return {attention: attention, evidence: evidence, logit: logit, probability: 1 / (1 + Math.exp(-logit)), bins: bins};
  }

  var clean = api.cleanSequence;  // FASTA, RNA, case and stray characters: common.js

  /* A probability that never reads 0.000 when it is 2e-5: three decimals, or two significant digits below 0.001. */
  function probability(p) {
    return p >= 0.001 ? p.toFixed(3) : p.toExponential(1);
  }

  function percent(value) {
    if (value > 0.999) return "more than 99.9%";
    if (value < 0.001) return "less than 0.1%";
    return (100 * value).toFixed(value < 0.1 || value > 0.99 ? 1 : 0) + "%";
  }

  function start(root) {
    var el = api.el;
    var id = api.uid("attention");
    var choices = el("fieldset", {"class": "lensbook-explorer__choices"}, [el("legend", {text: "Start from"})]);
    var box = el("textarea", {id: id + "-input", rows: "5", spellcheck: "false", autocomplete: "off",
                              autocapitalize: "characters", "class": "lensbook-explorer__sequence",
                              "aria-describedby": id + "-check"});
    var check = el("p", {id: id + "-check", "class": "lensbook-explorer__problems", role: "status", "aria-live": "polite"});
    var deleteButton = el("button", {type: "button", "class": "md-button", text: "Delete the enhancer"});
    var distance = el("input", {type: "number", id: id + "-distance", inputmode: "numeric", step: "1"});
    var moveButton = el("button", {type: "button", "class": "md-button", text: "Move the enhancer"});
    var basePick = el("select", {id: id + "-base"});
    var mutateButton = el("button", {type: "button", "class": "md-button", text: "Mutate that base"});
    var undoButton = el("button", {type: "button", "class": "md-button", text: "Undo all edits"});
    var actions = el("div", {"class": "lensbook-explorer__actions"}, [
      el("div", {"class": "lensbook-explorer__buttons"}, [deleteButton, undoButton]),
      el("div", {"class": "lensbook-explorer__buttons"}, [
        el("label", {"for": distance.id, text: "Distance upstream of the promoter (bp)"}), distance, moveButton]),
      el("div", {"class": "lensbook-explorer__buttons"}, [
        el("label", {"for": basePick.id, text: "Enhancer base"}), basePick, mutateButton]),
    ]);
    var where = el("p", {"class": "lensbook-explorer__help"});
    var verdict = el("p", {"class": "lensbook-explorer__verdict", role: "status", "aria-live": "polite"});
    var heads = el("fieldset", {"class": "lensbook-explorer__choices lensbook-explorer__inline"},
                   [el("legend", {text: "Attention of"})]);
    var mapHelp = el("p", {"class": "lensbook-explorer__help"});
    var scroller = el("div", {"class": "lensbook-explorer__scroll"});
    var tooltip = el("div", {"class": "lensbook-explorer__tooltip", hidden: "", "aria-hidden": "true"});
    var cellStatus = el("p", {"class": "lensbook-explorer__summary", role: "status", "aria-live": "polite"});
    var legend = el("div", {"class": "lensbook-explorer__legend"});
    root.insertBefore(el("div", {"class": "lensbook-explorer__body"}, [
      choices,
      el("label", {"for": box.id, "class": "lensbook-explorer__label"}), box, check, actions, where, verdict,
      heads, mapHelp, el("div", {"class": "lensbook-explorer__map"}, [scroller, tooltip]), cellStatus, legend,
    ]), root.firstChild);

    return api.load(DATA).then(function (model) {
      var config = model.config, net = layers(model), B = Math.floor((config.length - config.kernel + 1) / config.bin_size);
      var E = model.elements, size = config.bin_size, P = config.readout_bin;
      var state = {start: 0, original: null, sequence: "", enhancer: null, head: model.head_read, query: P, key: null,
                   result: null, originalResult: null, timer: null, seed: 1, note: ""};
      root.lensbookAttention = state;
      box.previousSibling.textContent = "The " + number(config.length) + "-bp sequence: edit it, or paste your own";
      distance.min = String(E.min_distance);
      distance.max = String(E.max_distance);
      for (var j = 0; j < E.enhancer.length; j++) {
        basePick.appendChild(el("option", {value: String(j), text: (j + 1) + " (" + E.enhancer[j] + ")"}));
      }
      basePick.value = String(Math.floor(E.enhancer.length / 2) - 1);

      function binBases(b) {  // 1-based bases where a motif starting in bin b starts
        return "bases " + number(b * size + 1) + "\u2013" + number((b + 1) * size);
      }
      function enhancerBin() { return state.enhancer === null ? null : Math.floor(state.enhancer / size); }
      function binName(b) {
        var role = b === P ? ", the promoter's" : (b === enhancerBin() ? ", the enhancer's" : "");
        return "bin " + b + " (" + binBases(b) + role + ")";
      }
      function headName(h) {
        return h === "mean" ? "the mean of the heads" : "head " + (h + 1);
      }

      /* --- the sequence ---------------------------------------------------------------------- */

      function matches(sequence, at) {
        var n = 0;
        for (var i = 0; i < E.enhancer.length; i++) if (sequence[at + i] === E.enhancer[i]) n += 1;
        return n;
      }
      function findEnhancer(sequence) {
        if (state.enhancer !== null && matches(sequence, state.enhancer) >= E.enhancer.length - 2) return state.enhancer;
        var at = sequence.indexOf(E.enhancer);
        return at >= 0 ? at : null;
      }
      function randomBases(n) {
        var out = "";
        for (var i = 0; i < n; i++) {
          state.seed = (state.seed * 1103515245 + 12345) % 2147483648;
          out += BASES[Math.floor(state.seed / 2147483648 * 4)];
        }
        return out;
      }
      function replace(sequence, at, text) {
        return sequence.slice(0, at) + text + sequence.slice(at + text.length);
      }
      function background(n) {  // random bases that do not spell the enhancer
        var out = randomBases(n);
        while (out === E.enhancer) out = randomBases(n);
        return out;
      }

      choices.appendChild(el("div", {}, model.sequences.map(function (entry, i) {
        var input = el("input", {type: "radio", name: id + "-sequence", value: String(i), id: id + "-seq-" + i});
        if (i === 0) input.checked = true;
        input.addEventListener("change", function () { if (input.checked) begin(i); });
        return el("label", {"for": input.id}, [input, " " + entry.label]);
      })));
      [model.head_read].concat(Array.apply(null, Array(config.heads)).map(function (_, h) { return h; })
        .filter(function (h) { return h !== model.head_read; })).concat(config.heads > 1 ? ["mean"] : [])
        .forEach(function (h) {
          var input = el("input", {type: "radio", name: id + "-head", value: String(h), id: id + "-head-" + h});
          if (h === model.head_read) input.checked = true;
          input.addEventListener("change", function () {
            if (input.checked) { state.head = h === "mean" ? "mean" : Number(h); render(); }
          });
          var text = h === "mean" ? "Mean of the heads" : "Head " + (h + 1) + (h === model.head_read ? " (the head the page reads)" : "");
          heads.appendChild(el("label", {"for": input.id}, [input, " " + text]));
        });

      function begin(i) {
        state.start = i;
        var entry = model.sequences[i];
        state.original = entry.sequence;
        state.enhancer = entry.enhancer_start === null ? null : entry.enhancer_start;
        state.note = "";
        state.originalResult = forward(model, net, entry.sequence);
        setSequence(entry.sequence, true);
        reveal();
      }

      /* On a narrow screen, scroll the matrix so that the promoter's and the enhancer's columns show. */
      function reveal() {
        var last = Math.max(P, enhancerBin() === null ? 0 : enhancerBin()) + 2;
        scroller.scrollLeft = Math.max(0, last * CELL - (scroller.clientWidth - LEFT));
      }

      function setSequence(sequence, fromAction) {
        state.sequence = sequence;
        if (fromAction) box.value = sequence;
        state.enhancer = findEnhancer(sequence);
        state.result = forward(model, net, sequence);
        check.textContent = "";
        check.hidden = true;
        box.setAttribute("aria-invalid", "false");
        root.removeAttribute("data-stale");
        render();
      }

      function fromBox() {
        state.timer = null;
        var cleaned = clean(box.value), n = cleaned.sequence.length, messages = [];
        if (cleaned.rna) messages.push("Read as RNA: " + number(cleaned.rna) + (cleaned.rna === 1 ? " U was" : " Us were") + " read as T.");
        if (cleaned.problems.length) messages.push("Not bases, read as N: " + cleaned.problems.join(", ") + ".");
        if (n !== config.length) {
          messages.push("The model reads exactly " + number(config.length) + " bp; this has " + number(n) + ". " +
            (n < config.length ? "Add " + number(config.length - n) : "Remove " + number(n - config.length)) +
            " to see its prediction, or use \u201cUndo all edits\u201d. The charts below still show the last " +
            number(config.length) + "-bp sequence.");
          check.textContent = messages.join(" ");
          check.hidden = false;
          box.setAttribute("aria-invalid", "true");
          root.setAttribute("data-stale", "true");
          return;
        }
        state.note = "";
        setSequence(cleaned.sequence, false);
        if (messages.length) { check.textContent = messages.join(" "); check.hidden = false; }
      }
      box.addEventListener("input", function () {
        clearTimeout(state.timer);
        var wait = api.attentionDebounce === undefined ? DEBOUNCE : api.attentionDebounce;
        if (wait <= 0) fromBox();
        else state.timer = setTimeout(fromBox, wait);
      });

      deleteButton.addEventListener("click", function () {
        if (state.enhancer === null) return;
        var at = state.enhancer;
        state.enhancer = null;
        state.note = "The enhancer at " + "bases " + number(at + 1) + "\u2013" + number(at + E.enhancer.length) +
          " was replaced by random bases.";
        setSequence(replace(state.sequence, at, background(E.enhancer.length)), true);
      });
      moveButton.addEventListener("click", function () {
        var d = Math.round(Number(distance.value));
        if (!(d >= E.min_distance && d <= E.max_distance)) {
          check.textContent = "Choose a distance from " + E.min_distance + " to " + E.max_distance + " bp (the range " +
            "the model was trained on).";
          check.hidden = false;
          return;
        }
        var sequence = state.sequence;
        if (state.enhancer !== null) sequence = replace(sequence, state.enhancer, background(E.enhancer.length));
        var at = E.promoter_start - d;
        state.enhancer = at;
        state.note = "The enhancer now starts at base " + number(at + 1) + ", " + d + " bp upstream of the promoter.";
        setSequence(replace(sequence, at, E.enhancer), true);
      });
      mutateButton.addEventListener("click", function () {
        if (state.enhancer === null) return;
        var j = Number(basePick.value), at = state.enhancer + j, old = state.sequence[at];
        var next = BASES[(BASES.indexOf(old) + 1) % 4] || "A";
        state.note = "Base " + (j + 1) + " of the enhancer (base " + number(at + 1) + ") changed from " + old + " to " +
          next + ".";
        setSequence(replace(state.sequence, at, next), true);
      });
      undoButton.addEventListener("click", function () { begin(state.start); });

      /* --- drawing ---------------------------------------------------------------------------- */

      function colours() {
        return {
          bar: api.colour(root, "--lensbook-explorer-bar", "#00695c"),
          mark: api.colour(root, "--lensbook-explorer-mark", "#bf360c"),
          ink: api.colour(root, "--md-default-fg-color", "#000"),
          light: api.colour(root, "--md-default-fg-color--light", "#666"),
          faint: api.colour(root, "--md-default-fg-color--lightest", "#ddd"),
        };
      }

      function matrix() {
        var a = state.result.attention;
        if (state.head !== "mean") return a[state.head];
        return a[0].map(function (row, r) {
          return row.map(function (_, c) {
            var s = 0;
            for (var h = 0; h < a.length; h++) s += a[h][r][c];
            return s / a.length;
          });
        });
      }

      function argmax(values) {
        var best = 0;
        values.forEach(function (v, j) { if (v > values[best]) best = j; });
        return best;
      }

      var TOP = 40, STRIPE = 16, CHART = 110, CELL = TOUCH;
      /* Cells fill the column with a mouse; with a finger (or on a narrow screen) they stay at least
       * TOUCH px and the matrix scrolls sideways. */
      function cellSize() {
        var room = Math.floor(((scroller.clientWidth || 600) - LEFT - 8) / B);
        var coarse = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
        return coarse || room < TOUCH ? Math.max(TOUCH, Math.min(30, room)) : Math.min(30, room);
      }
      function drawMap(c) {
        CELL = cellSize();
        var m = matrix(), ev = state.result.evidence, eb = enhancerBin();
        var gridTop = TOP + 2 * STRIPE + 6, gridBottom = gridTop + B * CELL;
        var chartTop = gridBottom + 46, width = LEFT + B * CELL + 8, height = chartTop + CHART + 46;
        // two drawings in one coordinate system: the row labels (x < LEFT) stay put while the matrix scrolls
        var svg = el("svg:svg", {width: width - LEFT, height: height, viewBox: LEFT + " 0 " + (width - LEFT) + " " + height,
                                 "class": "lensbook-explorer__heatmap", "font-size": "12"});
        var side = el("svg:svg", {width: LEFT, height: height, viewBox: "0 0 " + LEFT + " " + height,
                                  "class": "lensbook-explorer__heatmap lensbook-explorer__rows", "font-size": "12",
                                  "aria-hidden": "true"});
        function text(x, y, t, anchor, colour, extra) {
          var attributes = {x: x, y: y, "text-anchor": anchor || "middle", fill: colour || c.light, text: t};
          Object.keys(extra || {}).forEach(function (k) { attributes[k] = extra[k]; });
          (x <= LEFT && (anchor === "end") ? side : svg).appendChild(el("svg:text", attributes));
        }
        // column numbers, then the stem's evidence stripes
        text(LEFT - 6, 14, "to bin \u2192", "end");
        for (var b = 0; b < B; b++) {
          var x = LEFT + b * CELL;
          var tag = b === P ? "P" : (b === eb ? "E" : "");
          text(x + CELL / 2, 14, String(b), "middle", tag ? c.ink : c.light, tag ? {"font-weight": "700"} : null);
          if (tag) text(x + CELL / 2, 30, tag, "middle", tag === "P" ? c.bar : c.mark, {"font-weight": "700"});
          svg.appendChild(el("svg:rect", {x: x + 1, y: TOP, width: CELL - 2, height: STRIPE - 1, fill: c.mark,
                                          "fill-opacity": ev[0][b].toFixed(3)}));
          svg.appendChild(el("svg:rect", {x: x + 1, y: TOP + STRIPE, width: CELL - 2, height: STRIPE - 1, fill: c.bar,
                                          "fill-opacity": ev[1][b].toFixed(3)}));
        }
        text(LEFT - 6, TOP + STRIPE - 2, "enhancer?", "end");
        text(LEFT - 6, TOP + 2 * STRIPE - 2, "promoter?", "end");
        // the matrix: row r = where bin r looks
        for (var r = 0; r < B; r++) {
          var y = gridTop + r * CELL, rtag = r === P ? "P " : (r === eb ? "E " : "");
          text(LEFT - 6, y + CELL / 2 + 4, rtag + "bin " + r, "end", rtag || r === state.query ? c.ink : c.light,
               r === state.query ? {"font-weight": "700"} : null);
          for (var col = 0; col < B; col++) {
            svg.appendChild(el("svg:rect", {x: LEFT + col * CELL + 0.5, y: y + 0.5, width: CELL - 1, height: CELL - 1,
                                            fill: c.bar, "fill-opacity": Math.max(0, m[r][col]).toFixed(4)}));
          }
        }
        svg.appendChild(el("svg:rect", {x: LEFT, y: gridTop, width: B * CELL, height: B * CELL, fill: "none",
                                        stroke: c.faint}));
        svg.appendChild(el("svg:rect", {x: LEFT - 1, y: gridTop + state.query * CELL - 1, width: B * CELL + 2,
                                        height: CELL + 2, fill: "none", stroke: c.ink, "stroke-width": 2}));
        if (state.key !== null) {
          svg.appendChild(el("svg:rect", {x: LEFT + state.key * CELL + 1, y: gridTop + state.query * CELL + 1,
                                          width: CELL - 2, height: CELL - 2, fill: "none", stroke: c.mark,
                                          "stroke-width": 2}));
        }
        // base positions under the grid
        for (var b3 = 0; b3 < B; b3 += 5) {
          svg.appendChild(el("svg:rect", {x: LEFT + b3 * CELL, y: gridBottom, width: 1, height: 5, fill: c.light}));
          text(LEFT + b3 * CELL, gridBottom + 17, number(b3 * size + 1), b3 === 0 ? "start" : "middle");
        }
        text(LEFT + B * CELL, gridBottom + 32, "base where each bin starts (1-based)", "end");
        // the selected row as bars, with an axis
        var row = m[state.query], base = chartTop + CHART;
        text(LEFT - 6, chartTop - 8, "weight", "end");
        [0, 0.5, 1].forEach(function (v) {
          var yv = base - v * CHART;
          svg.appendChild(el("svg:rect", {x: LEFT, y: yv, width: B * CELL, height: 1, fill: c.faint}));
          text(LEFT - 6, yv + 4, v === 0 ? "0" : (v === 1 ? "100%" : "50%"), "end");
        });
        for (var b2 = 0; b2 < B; b2++) {
          var h = Math.max(0.75, CHART * row[b2]);
          svg.appendChild(el("svg:rect", {x: LEFT + b2 * CELL + 3, y: base - h, width: CELL - 6, height: h,
                                          fill: b2 === eb ? c.mark : c.bar, "data-bin": String(b2)}));
          if (b2 % 2 === 0 || B <= 12) text(LEFT + b2 * CELL + CELL / 2, base + 16, String(b2));
        }
        text(LEFT + B * CELL, base + 32, "bin it looks at", "end");
        svg.setAttribute("aria-label", "Attention matrix of " + headName(state.head) + ": " + B + " by " + B +
          " bins; row " + state.query + " is selected, shown as bars below the matrix.");
        svg.setAttribute("role", "img");
        svg.lensbookGrid = {gridTop: gridTop, gridBottom: gridBottom};
        return [side, svg];
      }

      var grid = el("div", {"class": "lensbook-explorer__track", tabindex: "0", role: "slider",
                            "aria-orientation": "vertical"});
      scroller.appendChild(grid);

      function cellText(r, col) {
        var m = matrix();
        return "Bin " + r + " (" + binBases(r) + (r === P ? ", the promoter's" : (r === enhancerBin() ? ", the enhancer's" : "")) +
          ") gives " + percent(m[r][col]) + " of its attention (weight " + m[r][col].toFixed(4) + ") to " + binName(col) +
          ", in " + headName(state.head) + ".";
      }

      function render() {
        var c = colours(), m = matrix(), row = m[state.query], top = argmax(row);
        var scrolled = scroller.scrollLeft;   // kept across redraws (a new row, a palette switch, a resize)
        grid.textContent = "";
        drawMap(c).forEach(function (svg) { grid.appendChild(svg); });
        scroller.scrollLeft = scrolled;
        grid.setAttribute("aria-label", "Bin whose attention is shown");
        grid.setAttribute("aria-valuemin", "0");
        grid.setAttribute("aria-valuemax", String(B - 1));
        grid.setAttribute("aria-valuenow", String(state.query));
        grid.setAttribute("aria-valuetext", binName(state.query) + ": " + percent(row[top]) + " on " + binName(top));
        grid.setAttribute("data-row", JSON.stringify(row));
        cellStatus.textContent = state.key !== null ? cellText(state.query, state.key) :
          "Where " + binName(state.query) + " looks, in " + headName(state.head) + ": " + percent(row[top]) +
          " on " + binName(top) + ".";
        var entry = model.sequences[state.start], p = state.result.probability, p0 = state.originalResult.probability;
        verdict.textContent = "P(enhancer present) = " + probability(p) +
          (state.sequence !== state.original ? " (before your edits: " + probability(p0) + ")" : "") +
          ", computed here from the trained weights. Only the promoter's bin, " + P + ", feeds this answer.";
        var eb = enhancerBin();
        where.textContent = (state.note ? state.note + " " : "") + (state.enhancer !== null ?
          "Enhancer (" + E.enhancer + ") at bases " + number(state.enhancer + 1) + "\u2013" +
          number(state.enhancer + E.enhancer.length) + ", " + (E.promoter_start - state.enhancer) + " bp upstream of " +
          "the promoter, in bin " + eb + "." : "No enhancer (" + E.enhancer + ") in this sequence.") +
          " Promoter (" + E.promoter + ") at bases " + number(E.promoter_start + 1) + "\u2013" +
          number(E.promoter_start + E.promoter.length) + ", bin " + P + ".";
        moveButton.textContent = state.enhancer === null ? "Insert an enhancer" : "Move the enhancer";
        deleteButton.disabled = state.enhancer === null;
        mutateButton.disabled = state.enhancer === null;
        basePick.disabled = state.enhancer === null;
        if (state.enhancer !== null && document.activeElement !== distance) distance.value = String(E.promoter_start - state.enhancer);
        else if (!distance.value) distance.value = String(Math.round((E.min_distance + E.max_distance) / 2));
        root.setAttribute("data-probability", p.toFixed(6));
      }

      mapHelp.textContent = "Each row is one bin of " + size + " bp (the bases where a motif would start) and " +
        "shows where that bin looks: its attention weights over all " + B + " bins, which sum to 1. The darker a " +
        "cell, the larger the weight. Point at a cell (or tap it) to read it; click or tap a row, or focus the " +
        "matrix and use the arrow keys, to choose the row drawn as bars below it. P marks the promoter's bin, E the " +
        "enhancer's.";
      legend.appendChild(el("p", {}, [el("span", {"class": "lensbook-explorer__swatch lensbook-explorer__swatch--mark"}),
        " enhancer? \u2014 how sure the model's motif stem is that the enhancer (" + E.enhancer + ") starts in the " +
        "bin, from pale (0) to dark (1)"]));
      legend.appendChild(el("p", {}, [el("span", {"class": "lensbook-explorer__swatch lensbook-explorer__swatch--bar"}),
        " promoter? \u2014 the same for the promoter (" + E.promoter + "); matrix cells use this colour for the " +
        "attention weight, from blank (0) to dark (1)"]));

      function cellAt(event) {
        var svg = grid.querySelector("svg:not(.lensbook-explorer__rows)"), box_ = svg.getBoundingClientRect();
        var g = svg.lensbookGrid, x = event.clientX - box_.left, y = event.clientY - box_.top - g.gridTop;
        if (x < 0 || y < 0 || x >= B * CELL || y >= B * CELL) return null;
        return {row: Math.floor(y / CELL), col: Math.floor(x / CELL), x: event.clientX, y: event.clientY};
      }
      function showTip(cell) {
        if (!cell) { tooltip.hidden = true; return; }
        tooltip.textContent = cellText(cell.row, cell.col);
        tooltip.hidden = false;
        var host = tooltip.parentNode.getBoundingClientRect();
        var left = Math.min(cell.x - host.left + 12, host.width - 230);
        tooltip.style.left = Math.max(0, left) + "px";
        tooltip.style.top = (cell.y - host.top + 16) + "px";
      }
      grid.addEventListener("pointermove", function (event) { showTip(cellAt(event)); });
      grid.addEventListener("pointerleave", function () { tooltip.hidden = true; });
      grid.addEventListener("click", function (event) {
        var cell = cellAt(event);
        if (!cell) return;
        state.query = cell.row;
        state.key = cell.col;
        render();
        showTip(cell);
      });
      grid.addEventListener("keydown", function (event) {
        var rows = {ArrowUp: -1, ArrowDown: 1, PageUp: -5, PageDown: 5}, cols = {ArrowLeft: -1, ArrowRight: 1};
        if (event.key in rows) state.query = Math.max(0, Math.min(B - 1, state.query + rows[event.key]));
        else if (event.key in cols) state.key = Math.max(0, Math.min(B - 1, (state.key === null ? P : state.key) + cols[event.key]));
        else if (event.key === "Home") state.query = 0;
        else if (event.key === "End") state.query = B - 1;
        else return;
        event.preventDefault();
        tooltip.hidden = true;
        render();
      });

      begin(0);

      /* For tests: the model run on `sequence` in this browser, and what the page shows now. */
      api.attention = function (sequence) {
        var result = forward(model, net, sequence);
        return {attention: result.attention, logit: result.logit, evidence: result.evidence};
      };
      api.attentionSequences = model.sequences.map(function (s) { return s.sequence; });
      api.attentionShown = function () {
        return {sequence: state.sequence, attention: state.result.attention, logit: state.result.logit,
                probability: state.result.probability, head: state.head, query: state.query, row: matrix()[state.query],
                enhancer: state.enhancer};
      };
      return {redraw: render};
    });
  }

  api.register("attention", start);
})();
