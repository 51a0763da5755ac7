/* The LSTM gate explorer (docs/lstm.md): the trained LSTMReader of the memory experiment, in the browser.
 *
 * It recomputes torch.nn.LSTM (one layer, one direction) from the exported
 * state_dict, step by step, as the page's hand-written cell does (equations
 * of section 4.3; PyTorch's gate order i, f, g, o in weight_ih_l0/weight_hh_l0):
 *   i, f, o = sigmoid(W x + U h + b),  g = tanh(...),  c = f c + i g,  h = o tanh(c)
 * and the reader's answer softmax(head(h at the last base)). The reader types
 * a sequence (or flips a donor's variant with one click) and watches the
 * gates and the cell state of the units that carry each donor.
 */
(function () {
  "use strict";

  var api = (window.lensbookExplorers = window.lensbookExplorers || {});
  var DATA = "explorers/lstm-gates.json";
  var CODE = {A: 0, C: 1, G: 2, T: 3, N: 4, U: 3};
  var DEBOUNCE = 150;

  function number(n) { return n.toLocaleString("en"); }

  var clean = api.cleanSequence;  // FASTA, RNA, case and stray characters: common.js

  /* The LSTM over `sequence`: gates f, i, o, candidate g, cell c and hidden h, each [L][H]; log P(class). */
  function run(model, sequence) {
    var s = model.state, W = s["lstm.weight_ih_l0"], U = s["lstm.weight_hh_l0"];
    var bi = s["lstm.bias_ih_l0"], bh = s["lstm.bias_hh_l0"], H = U[0].length, L = sequence.length;
    var h = new Float64Array(H), c = new Float64Array(H), z = new Float64Array(4 * H);
    var out = {f: [], i: [], o: [], g: [], c: [], h: []};
    function sigmoid(v) { return 1 / (1 + Math.exp(-v)); }
    for (var t = 0; t < L; t++) {
      var code = CODE[sequence[t]];
      for (var r = 0; r < 4 * H; r++) {
        var v = bi[r] + bh[r];
        if (code < 4) v += W[r][code];
        var row = U[r];
        for (var k = 0; k < H; k++) v += row[k] * h[k];
        z[r] = v;
      }
      var fi = new Float64Array(H), ii = new Float64Array(H), oi = new Float64Array(H), gi = new Float64Array(H);
      for (var u = 0; u < H; u++) {
        ii[u] = sigmoid(z[u]);
        fi[u] = sigmoid(z[H + u]);
        gi[u] = Math.tanh(z[2 * H + u]);
        oi[u] = sigmoid(z[3 * H + u]);
        c[u] = fi[u] * c[u] + ii[u] * gi[u];
        h[u] = oi[u] * Math.tanh(c[u]);
      }
      out.f.push(fi); out.i.push(ii); out.o.push(oi); out.g.push(gi);
      out.c.push(Float64Array.from(c)); out.h.push(Float64Array.from(h));
    }
    var head = s["head.weight"], logits = head.map(function (w, k) {
      var v = s["head.bias"][k];
      for (var u = 0; u < H; u++) v += w[u] * h[u];
      return v;
    });
    var top = Math.max.apply(null, logits), total = 0;
    logits.forEach(function (v) { total += Math.exp(v - top); });
    out.logp = logits.map(function (v) { return v - top - Math.log(total); });
    out.hidden = H;
    return out;
  }

  function start(root) {
    var el = api.el, id = api.uid("lstm");
    var box = el("textarea", {id: id + "-input", rows: "4", spellcheck: "false", autocomplete: "off",
                              autocapitalize: "characters", "class": "lensbook-explorer__sequence",
                              "aria-describedby": id + "-check"});
    var check = el("p", {id: id + "-check", "class": "lensbook-explorer__problems", role: "status", "aria-live": "polite",
                         hidden: ""});
    var firstButton = el("button", {type: "button", "class": "md-button"});
    var secondButton = el("button", {type: "button", "class": "md-button"});
    var resetButton = el("button", {type: "button", "class": "md-button", text: "Example sequence"});
    var verdict = el("div", {"class": "lensbook-explorer__verdict", role: "status", "aria-live": "polite"});
    var help = el("p", {"class": "lensbook-explorer__help"});
    var canvas = el("canvas", {"class": "lensbook-explorer__canvas", tabindex: "0", role: "slider",
                               "aria-orientation": "horizontal"});
    var readout = el("p", {"class": "lensbook-explorer__summary", role: "status", "aria-live": "polite"});
    var pickers = el("div", {"class": "lensbook-explorer__buttons"});
    root.insertBefore(el("div", {"class": "lensbook-explorer__body"}, [
      el("label", {"for": box.id, "class": "lensbook-explorer__label", text: "The sequence the LSTM reads, base by base"}),
      box, check, el("div", {"class": "lensbook-explorer__buttons"}, [firstButton, secondButton, resetButton]),
      verdict, pickers, help, el("div", {}, [canvas]), readout,
    ]), root.firstChild);

    return api.load(DATA).then(function (model) {
      var state = {sequence: model.example, result: null, at: null, units: [model.units.first, model.units.second],
                   timer: null};
      root.lensbookLstm = state;
      var H = model.state["lstm.weight_hh_l0"][0].length;
      [0, 1].forEach(function (slot) {
        var select = el("select", {id: id + "-unit-" + slot});
        for (var u = 0; u < H; u++) {
          var tag = u === model.units.first ? " (carries the first donor)" : (u === model.units.second ? " (carries the second donor)" : "");
          select.appendChild(el("option", {value: String(u), text: "unit " + u + tag}));
        }
        select.value = String(state.units[slot]);
        select.addEventListener("change", function () { state.units[slot] = Number(select.value); draw(); });
        pickers.appendChild(el("span", {"class": "lensbook-explorer__pick"}, [
          el("label", {"for": select.id, text: (slot ? "Lower" : "Upper") + " panel "}), select]));
      });
      help.textContent = "Each panel follows one of the LSTM's " + H + " units along the sequence: its cell state " +
        "(orange, on a scale symmetric about 0, its largest size written on the right) and its forget, input and " +
        "output gates (0 to 1). Shaded: the two donors. " +
        "Point at a base, or focus the chart and use the arrow keys, to read the values there.";

      function donorAt(sequence, at) {
        var piece = sequence.slice(at, at + model.donors[0].length);
        return model.donors.indexOf(piece);
      }
      function flip(at) {
        var k = donorAt(state.sequence, at);
        if (k < 0) return;
        var next = model.donors[1 - k];
        setSequence(state.sequence.slice(0, at) + next + state.sequence.slice(at + next.length), true);
      }
      firstButton.addEventListener("click", function () { flip(model.first); });
      secondButton.addEventListener("click", function () { flip(model.second); });
      resetButton.addEventListener("click", function () { setSequence(model.example, true); });

      function setSequence(sequence, intoBox) {
        state.sequence = sequence;
        if (intoBox) box.value = sequence;
        state.result = sequence.length ? run(model, sequence) : null;
        if (state.at !== null && state.at >= sequence.length) state.at = null;
        render();
      }

      function fromBox() {
        var cleaned = clean(box.value);
        if (!cleaned.sequence.length) {
          check.textContent = "Nothing to read: type or paste DNA (A, C, G, T).";
          check.hidden = false;
          return;
        }
        check.hidden = !cleaned.problems.length;
        check.textContent = cleaned.problems.length ? "Not bases, read as N (an all-zero input): " +
          cleaned.problems.join(", ") + "." : "";
        setSequence(cleaned.sequence, false);
      }
      box.addEventListener("input", function () {
        clearTimeout(state.timer);
        var wait = api.lstmDebounce === undefined ? DEBOUNCE : api.lstmDebounce;
        if (wait <= 0) fromBox();
        else state.timer = setTimeout(fromBox, wait);
      });

      function render() {
        var r = state.result;
        [[firstButton, model.first, "first"], [secondButton, model.second, "second"]].forEach(function (b) {
          var k = donorAt(state.sequence, b[1]);
          b[0].disabled = k < 0;
          b[0].textContent = k < 0 ? "No " + b[2] + " donor at base " + (b[1] + 1) :
            "Make the " + b[2] + " donor " + model.donors[1 - k];
        });
        verdict.textContent = "";
        if (!r) return;
        var probabilities = r.logp.map(Math.exp), best = 0;
        probabilities.forEach(function (p, k) { if (p > probabilities[best]) best = k; });
        verdict.appendChild(el("p", {text: "The LSTM's answer after " + number(state.sequence.length) + " bases: " +
          describe(best) + ", P = " + probabilities[best].toFixed(3) + "."}));
        verdict.appendChild(el("p", {"class": "lensbook-explorer__help", text: "All four: " + probabilities.map(function (p, k) {
          return describe(k) + " " + p.toFixed(3);
        }).join("; ") + "."}));
        draw();
      }

      function describe(k) {  // class name "AG": the third base of the first and the second donor
        var name = model.classes[k];
        return "first " + model.donors["AG".indexOf(name[0])] + ", second " + model.donors["AG".indexOf(name[1])];
      }

      function colours() {
        return {
          ink: api.colour(root, "--md-default-fg-color", "#000"),
          light: api.colour(root, "--md-default-fg-color--light", "#666"),
          faint: api.colour(root, "--md-default-fg-color--lightest", "#ddd"),
          bar: api.colour(root, "--lensbook-explorer-bar", "#00695c"),
          mark: api.colour(root, "--lensbook-explorer-mark", "#bf360c"),
          grey: api.colour(root, "--lensbook-explorer-grey", "#616161"),
          band: api.colour(root, "--lensbook-explorer-band", "rgba(0,0,0,0.1)"),
          font: window.getComputedStyle(root).fontFamily || "sans-serif",
        };
      }

      var ROWS = [["c", "cell state"], ["f", "forget gate"], ["i", "input gate"], ["o", "output gate"]];
      var ROW = 36, GAP = 26, LEFT = 96;
      function draw() {
        var r = state.result;
        if (!r) return;
        var c = colours(), L = state.sequence.length;
        var s = api.surface(canvas, 2 * (ROWS.length * ROW + GAP) + 24);
        var g = s.g, cssWidth = s.width, cssHeight = s.height;
        g.font = "12px " + c.font;
        var plot = cssWidth - LEFT - 8, step = plot / L;
        function x(t) { return LEFT + (t + 0.5) * step; }
        state.units.forEach(function (unit, panel) {
          var top = panel * (ROWS.length * ROW + GAP);
          g.fillStyle = c.ink;
          g.textAlign = "left";
          g.textBaseline = "top";
          g.fillText("unit " + unit + (unit === model.units.first ? ", carries the first donor" :
            (unit === model.units.second ? ", carries the second donor" : "")), LEFT, top + 2);
          var y0 = top + 18;
          [model.first, model.second].forEach(function (at) {  // the donors
            if (donorAt(state.sequence, at) < 0) return;
            g.fillStyle = c.band;
            g.fillRect(LEFT + at * step, y0, Math.max(2, model.donors[0].length * step), ROWS.length * ROW);
          });
          var cmax = 1;
          r.c.forEach(function (v) { cmax = Math.max(cmax, Math.abs(v[unit])); });
          ROWS.forEach(function (row, k) {
            var yTop = y0 + k * ROW, h = ROW - 6, base = yTop + h;
            g.fillStyle = c.light;
            g.textAlign = "right";
            g.textBaseline = "middle";
            g.fillText(row[1], LEFT - 8, yTop + h / 2);
            var values = r[row[0]], scale, zero;
            if (row[0] === "c") { scale = h / (2 * cmax); zero = yTop + h / 2; } else { scale = h; zero = base; }
            g.fillStyle = c.faint;
            g.fillRect(LEFT, Math.round(zero), plot, 1);
            g.strokeStyle = row[0] === "c" ? c.mark : c.bar;
            g.lineWidth = 1.5;
            g.beginPath();
            for (var t = 0; t < L; t++) {
              var y = zero - values[t][unit] * scale;
              if (t === 0) g.moveTo(x(t), y); else g.lineTo(x(t), y);
            }
            g.stroke();
            if (row[0] === "c") {
              g.fillStyle = c.light;
              g.textAlign = "left";
              g.fillText("\u00b1" + cmax.toFixed(1), LEFT + plot - 34, yTop + 6);
            }
          });
        });
        if (state.at !== null) {
          g.fillStyle = c.ink;
          g.fillRect(Math.round(x(state.at)) - 1, 16, 2, cssHeight - 40);
        }
        g.fillStyle = c.light;
        g.textAlign = "left";
        g.textBaseline = "top";
        g.fillText("base 1", LEFT, cssHeight - 18);
        g.textAlign = "right";
        g.fillText("base " + number(L) + (plot > 320 ? " (the answer is read here)" : ""), LEFT + plot, cssHeight - 18);
        canvas.setAttribute("aria-label", "Gates and cell state of units " + state.units[0] + " and " +
          state.units[1] + " along the " + number(L) + "-bp sequence");
        canvas.setAttribute("aria-valuemin", "1");
        canvas.setAttribute("aria-valuemax", String(L));
        var at = state.at === null ? L - 1 : state.at;
        canvas.setAttribute("aria-valuenow", String(at + 1));
        readout.textContent = "Base " + number(at + 1) + " (" + state.sequence[at] + "): " + state.units.map(function (u) {
          return "unit " + u + " forget " + r.f[at][u].toFixed(3) + ", input " + r.i[at][u].toFixed(3) +
            ", output " + r.o[at][u].toFixed(3) + ", cell " + r.c[at][u].toFixed(3);
        }).join("; ") + ".";
        canvas.setAttribute("aria-valuetext", readout.textContent);
      }

      function baseAt(event) {
        var rect = canvas.getBoundingClientRect(), L = state.sequence.length;
        var t = Math.floor((event.clientX - rect.left - LEFT) / (rect.width - LEFT - 8) * L);
        return t < 0 || t >= L ? null : t;
      }
      canvas.addEventListener("pointermove", function (event) { state.at = baseAt(event); draw(); });
      canvas.addEventListener("keydown", function (event) {
        var L = state.sequence.length, now = state.at === null ? L - 1 : state.at;
        var moves = {ArrowLeft: -1, ArrowRight: 1, ArrowDown: -1, ArrowUp: 1, PageDown: -10, PageUp: 10};
        if (event.key in moves) now += moves[event.key];
        else if (event.key === "Home") now = 0;
        else if (event.key === "End") now = L - 1;
        else return;
        event.preventDefault();
        state.at = Math.max(0, Math.min(L - 1, now));
        draw();
      });

      setSequence(model.example, true);

      /* For tests: the LSTM on `sequence` in this browser, and what the page shows now. */
      api.lstmRun = function (sequence) {
        var out = run(model, sequence);
        function plain(rows) { return rows.map(function (v) { return Array.prototype.slice.call(v); }); }
        return {f: plain(out.f), i: plain(out.i), o: plain(out.o), c: plain(out.c), h: plain(out.h), logp: out.logp};
      };
      api.lstmShown = function () { return {sequence: state.sequence, logp: state.result.logp, units: state.units}; };
      return {redraw: draw};
    });
  }

  api.register("lstm-gates", start);
})();
