/* The attention explorer (docs/transformer.md): the trained HybridTransformer, in the browser.
 *
 * It recomputes what lensbook.models.transformer.HybridTransformer.forward
 * computes, from the exported weights: the stem's convolution, a max pool
 * into bins and a sigmoid (MotifStem), the embedding, sinusoidal positions,
 * the query, key and value projections, each head's softmax(q k^T / sqrt(d)),
 * then the output projection, the residual and the read-out at the promoter's
 * bin. Nothing is precomputed: the weights and the DNA are all it reads.
 */
(function () {
  "use strict";

  var api = (window.lensbookExplorers = window.lensbookExplorers || {});
  var DATA = "explorers/attention.json";
  var CODE = {A: 0, C: 1, G: 2, T: 3, N: 4};

  /* y = W x + b for a Linear layer stored as {weight: (out, in), bias: (out)}. */
  function linear(layer, x) {
    return layer.weight.map(function (row, o) {
      var s = layer.bias[o];
      for (var i = 0; i < row.length; i++) s += row[i] * x[i];
      return s;
    });
  }

  /* The forward pass on one sequence: attention (heads, bins, bins), the stem's evidence and the logit. */
  function forward(model, sequence) {
    var L = sequence.length, k = model.kernel, size = model.bin_size;
    if (L !== model.length) throw new Error("expected a " + model.length + "-bp sequence, got " + L + " bp");
    var codes = new Uint8Array(L);
    for (var p = 0; p < L; p++) {
      var c = CODE[sequence[p]];
      if (c === undefined) throw new Error("not a base at 0-based position " + p + ": " + sequence[p]);
      codes[p] = c;
    }
    var bins = Math.floor((L - k + 1) / size);
    // MotifStem: conv (C, L - k + 1) -> max pool (C, bins) -> sigmoid
    var evidence = model.stem.weight.map(function (w, ch) {
      var out = new Array(bins);
      for (var b = 0; b < bins; b++) {
        var best = -Infinity;
        for (var t = b * size; t < (b + 1) * size; t++) {
          var s = model.stem.bias[ch];
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
    var d = model.d_model, heads = model.heads, dh = d / heads;
    // embed (bins, C) -> (bins, d), + sinusoidal positions: PE(pos, 2i) = sin(pos / base^(2i/d)), PE(pos, 2i+1) = cos(...)
    var h = [];
    for (var b2 = 0; b2 < bins; b2++) {
      var e = linear(model.embed, evidence.map(function (row) { return row[b2]; }));
      for (var i = 0; i < d; i += 2) {
        var angle = b2 * Math.pow(model.position_base, -i / d);
        e[i] += Math.sin(angle);
        e[i + 1] += Math.cos(angle);
      }
      h.push(e);
    }
    var q = h.map(function (x) { return linear(model.query, x); });
    var key = h.map(function (x) { return linear(model.key, x); });
    var v = h.map(function (x) { return linear(model.value, x); });
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
    var at = model.readout_bin;
    var out = linear(model.out, z[at]).map(function (value, i2) { return value + h[at][i2]; });
    var logit = linear(model.readout, out)[0];
    return {attention: attention, evidence: evidence, logit: logit, probability: 1 / (1 + Math.exp(-logit)), bins: bins};
  }

  function percent(value) {
    if (value > 0.999) return "more than 99.9%";
    if (value < 0.001) return "less than 0.1%";
    return (100 * value).toFixed(value < 0.1 || value > 0.99 ? 1 : 0) + "%";
  }

  function start(root) {
    var el = api.el;
    var id = api.uid("attention");
    var choices = el("fieldset", {"class": "lensbook-explorer__choices"}, [el("legend", {text: "Test sequence"})]);
    var track = el("div", {
      "class": "lensbook-explorer__track", role: "slider", tabindex: "0", "aria-label": "Query bin",
      "aria-orientation": "horizontal", "aria-describedby": id + "-track-help",
    });
    var trackHelp = el("p", {id: id + "-track-help", "class": "lensbook-explorer__help"});
    var status = el("p", {"class": "lensbook-explorer__summary", role: "status", "aria-live": "polite"});
    var verdict = el("p", {"class": "lensbook-explorer__help"});
    var charts = el("div", {"class": "lensbook-explorer__charts"});
    root.insertBefore(el("div", {"class": "lensbook-explorer__body"},
                         [choices, el("p", {"class": "lensbook-explorer__label", text: "Query bin: whose attention row to show"}),
                          track, trackHelp, status, charts, verdict]), root.firstChild);

    return api.load(DATA).then(function (model) {
      var state = {sequence: 0, bin: model.readout_bin, result: null};
      var B = model.bins;
      trackHelp.textContent = "Each cell is a bin of " + model.bin_size + " window starts (0-based, as in the figure " +
        "above); the two stripes are the stem's enhancer (top) and promoter (bottom) evidence. Click or drag a bin, " +
        "or focus the strip and use the arrow keys, Home and End.";

      model.sequences.forEach(function (entry, i) {
        var input = el("input", {type: "radio", name: id + "-sequence", value: String(i), id: id + "-seq-" + i});
        if (i === 0) input.checked = true;
        input.addEventListener("change", function () {
          if (input.checked) { state.sequence = i; compute(); render(); }
        });
        choices.appendChild(el("label", {"for": input.id}, [input, " " + entry.label]));
      });

      function compute() {
        state.result = forward(model, model.sequences[state.sequence].sequence);
      }

      function binName(b) {
        var entry = model.sequences[state.sequence];
        var what = b === model.readout_bin ? ", the promoter's" : (entry.enhancer && b === entry.enhancer_bin ? ", the enhancer's" : "");
        return "bin " + b + what;
      }

      function headName(head) {
        return head === "mean" ? "Mean of the heads" : "Head " + (head + 1);
      }

      function row(head) {
        var a = state.result.attention;
        if (head !== "mean") return a[head][state.bin];
        var out = new Array(B).fill(0);
        a.forEach(function (rows) { rows[state.bin].forEach(function (v, j) { out[j] += v / a.length; }); });
        return out;
      }

      function argmax(values) {
        var best = 0;
        values.forEach(function (v, j) { if (v > values[best]) best = j; });
        return best;
      }

      function colours() {
        return {
          primary: api.colour(root, "--md-primary-fg-color", "#009485"),
          accent: api.colour(root, "--md-accent-fg-color", "#ff6e42"),
          ink: api.colour(root, "--md-default-fg-color", "#000"),
          light: api.colour(root, "--md-default-fg-color--light", "#666"),
          faint: api.colour(root, "--md-default-fg-color--lightest", "#ddd"),
        };
      }

      function drawTrack(c) {
        var entry = model.sequences[state.sequence];
        var ev = state.result.evidence;
        var svg = el("svg:svg", {viewBox: "0 0 " + (B * 20) + " 56", "aria-hidden": "true", focusable: "false"});
        for (var b = 0; b < B; b++) {
          var cell = el("svg:g", {"data-bin": String(b)});
          // the stem's evidence: enhancer filter (accent, as the enhancer's bar below), promoter filter (primary)
          cell.appendChild(el("svg:rect", {x: b * 20 + 1, y: 12, width: 18, height: 14, fill: c.accent,
                                           "fill-opacity": (0.08 + 0.92 * ev[0][b]).toFixed(3)}));
          cell.appendChild(el("svg:rect", {x: b * 20 + 1, y: 27, width: 18, height: 14, fill: c.primary,
                                           "fill-opacity": (0.08 + 0.92 * ev[1][b]).toFixed(3)}));
          if (b === state.bin) {
            cell.appendChild(el("svg:rect", {x: b * 20 + 0.75, y: 10.75, width: 18.5, height: 31.5, fill: "none",
                                             stroke: c.ink, "stroke-width": 1.5}));
          }
          var tag = b === model.readout_bin ? "P" : (entry.enhancer && b === entry.enhancer_bin ? "E" : "");
          if (tag) cell.appendChild(el("svg:text", {x: b * 20 + 10, y: 9, "text-anchor": "middle", "font-size": 9,
                                                    fill: c.ink, text: tag}));
          if (b % 5 === 0) cell.appendChild(el("svg:text", {x: b * 20 + 10, y: 53, "text-anchor": "middle",
                                                            "font-size": 8, fill: c.light, text: String(b)}));
          svg.appendChild(cell);
        }
        track.textContent = "";
        track.appendChild(svg);
        track.setAttribute("aria-valuemin", "0");
        track.setAttribute("aria-valuemax", String(B - 1));
        track.setAttribute("aria-valuenow", String(state.bin));
        track.setAttribute("aria-valuetext", binName(state.bin) + " (window starts " + state.bin * model.bin_size +
                           "\u2013" + ((state.bin + 1) * model.bin_size - 1) + ")");
      }

      function drawChart(head, c) {
        var values = row(head);
        var entry = model.sequences[state.sequence];
        var top = argmax(values);
        var caption = headName(head) + (head === model.head_read ? " (the head read above)" : "") + ": " +
          percent(values[top]) + " on " + binName(top);
        var label = caption + (entry.enhancer && top !== entry.enhancer_bin ? "; " + percent(values[entry.enhancer_bin]) +
          " on the enhancer's bin, " + entry.enhancer_bin : "") + ". Query: " + binName(state.bin) + ".";
        var svg = el("svg:svg", {viewBox: "0 0 " + (B * 20) + " 92", role: "img", "aria-label": label});
        for (var b = 0; b < B; b++) {
          var h = Math.max(0.75, 80 * values[b]);
          var isEnhancer = entry.enhancer && b === entry.enhancer_bin;
          svg.appendChild(el("svg:rect", {x: b * 20 + 3, y: 84 - h, width: 14, height: h,
                                          fill: isEnhancer ? c.accent : c.primary}));
          if (b === state.bin) {
            svg.appendChild(el("svg:rect", {x: b * 20 + 0.75, y: 1, width: 18.5, height: 84, fill: "none", stroke: c.ink,
                                            "stroke-width": 1.5, "stroke-dasharray": "4 3"}));
          }
        }
        svg.appendChild(el("svg:rect", {x: 0, y: 84, width: B * 20, height: 1.5, fill: c.faint}));
        return el("div", {"class": "lensbook-explorer__chart", "data-head": String(head),
                          "data-row": JSON.stringify(values)}, [svg, el("p", {"aria-hidden": "true", text: caption})]);
      }

      function render() {
        var c = colours();
        drawTrack(c);
        charts.textContent = "";
        for (var head = 0; head < model.heads; head++) charts.appendChild(drawChart(head, c));
        if (model.heads > 1) charts.appendChild(drawChart("mean", c));
        var shown = row(model.head_read), top = argmax(shown);
        status.textContent = "Query " + binName(state.bin) + ": head " + (model.head_read + 1) + " puts " +
          percent(shown[top]) + " of its attention on " + binName(top) + ".";
        var entry = model.sequences[state.sequence];
        verdict.textContent = "The model's answer, computed here from the same weights: P(enhancer present) = " +
          state.result.probability.toFixed(3) +
          (entry.enhancer ? " (the enhancer starts at 0-based position " + entry.enhancer_start + ")." : " (there is none).") +
          " Only the promoter's bin, " + model.readout_bin + ", feeds that answer; the other rows are computed but not read out.";
      }

      function select(bin) {
        bin = Math.max(0, Math.min(B - 1, bin));
        if (bin === state.bin) return;
        state.bin = bin;
        render();
      }

      track.addEventListener("keydown", function (event) {
        var moves = {ArrowLeft: -1, ArrowDown: -1, ArrowRight: 1, ArrowUp: 1, PageDown: -5, PageUp: 5};
        if (event.key in moves) select(state.bin + moves[event.key]);
        else if (event.key === "Home") select(0);
        else if (event.key === "End") select(B - 1);
        else return;
        event.preventDefault();
      });
      function fromPointer(event) {
        var box = track.getBoundingClientRect();
        select(Math.floor((event.clientX - box.left) / box.width * B));
      }
      var dragging = false;
      track.addEventListener("pointerdown", function (event) {
        dragging = true;
        if (track.setPointerCapture) track.setPointerCapture(event.pointerId);
        track.focus();
        fromPointer(event);
      });
      track.addEventListener("pointermove", function (event) { if (dragging) fromPointer(event); });
      ["pointerup", "pointercancel"].forEach(function (name) {
        track.addEventListener(name, function () { dragging = false; });
      });

      compute();
      render();

      /* For tests: the model run on `sequence` in this browser. */
      api.attention = function (sequence) {
        var result = forward(model, sequence);
        return {attention: result.attention, logit: result.logit, evidence: result.evidence};
      };
      api.attentionSequences = model.sequences.map(function (s) { return s.sequence; });
      return {redraw: render};
    });
  }

  api.register("attention", start);
})();
