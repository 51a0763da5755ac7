/* The motif scanner (docs/cnn.md): the trained MotifCNN, in the browser.
 *
 * The reader types or pastes DNA (or RNA, or FASTA); the page shows
 *   - the best hit of a filter that matches a JASPAR motif, named by that motif;
 *   - the trained model's prediction for every window of the length it was
 *     trained on, with the best window marked;
 *   - a per-base saliency track (in-silico mutagenesis, from the weights) for
 *     the window under the pointer (or chosen with the arrow keys);
 *   - every filter's feature map on one fixed scale, with the range its
 *     strongest window reaches on the test sequences marked.
 * The arithmetic is in motif-core.js (shared with the Web Worker that scans
 * large pastes); this file reads input, draws and reports.
 */
(function () {
  "use strict";

  var api = (window.lensbookExplorers = window.lensbookExplorers || {});
  var core = window.lensbookMotifCore;
  var DATA = "explorers/motif-scanner.json";
  var WORKER = "assets/explorers/motif-worker.js";
  var HOLD = 100000;        // characters: a longer paste leaves the text box
  var HOLD_LINES = 400;     // line breaks: so does a paste with more (Chromium inserts many lines in quadratic time)
  var SYNC = 50000;         // characters: a longer text is scanned in the worker
  var DEBOUNCE = 150;       // ms after the last keystroke
  var SHOWN = 6;            // flagged characters listed by position
  var LISTED = 5;           // records whose flagged characters are listed
  var LISTED_RECORDS = 1000; // records offered in the picker

  function number(n) { return n.toLocaleString("en"); }
  function fixed(v, digits) { return v.toFixed(digits === undefined ? 2 : digits); }
  function plural(n, one, many) { return number(n) + " " + (n === 1 ? one : many); }

  /* About 5 round ticks between 1 and n (1-based positions). */
  function ticks(n, room) {
    var target = Math.max(2, Math.min(6, Math.floor(room / 70)));
    var raw = n / target, power = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1))));
    var step = [1, 2, 5, 10].map(function (m) { return m * power; }).filter(function (s) { return s >= raw; })[0] || 10 * power;
    var out = [1];
    for (var t = step; t <= n; t += step) if (t - out[out.length - 1] >= step * 0.6) out.push(t);
    return out;
  }

  function start(root) {
    var el = api.el;
    var id = api.uid("motif");
    var box = el("textarea", {
      id: id + "-input", rows: "4", spellcheck: "false", autocomplete: "off", autocapitalize: "characters",
      "class": "lensbook-explorer__sequence", "aria-describedby": id + "-help " + id + "-problems",
    });
    var heldText = el("p", {"class": "lensbook-explorer__held-text"});
    var clearButton = el("button", {type: "button", "class": "md-button", text: "Clear and type instead"});
    var held = el("div", {"class": "lensbook-explorer__held", tabindex: "-1", hidden: ""}, [heldText, clearButton]);
    var help = el("p", {id: id + "-help", "class": "lensbook-explorer__help"});
    var problems = el("div", {id: id + "-problems", "class": "lensbook-explorer__problems", role: "status",
                              "aria-live": "polite"});
    var picker = el("select", {id: id + "-record"});
    var pickerRow = el("p", {"class": "lensbook-explorer__picker", hidden: ""},
                       [el("label", {"for": picker.id, text: "FASTA record to show "}), picker]);
    var progressBar = el("progress", {max: "1", value: "0", "aria-label": "Scan progress"});
    var progressText = el("span");
    var progress = el("p", {"class": "lensbook-explorer__progress", hidden: ""}, [progressBar, " ", progressText]);
    var headline = el("p", {"class": "lensbook-explorer__summary"});
    var predictionLine = el("p", {"class": "lensbook-explorer__summary"});
    var windowLine = el("p", {"class": "lensbook-explorer__help lensbook-explorer__window"});
    var predCanvas = el("canvas", {"class": "lensbook-explorer__canvas", tabindex: "0", role: "slider",
                                   "aria-orientation": "horizontal"});
    var salCanvas = el("canvas", {"class": "lensbook-explorer__canvas", role: "img"});
    var mapCanvas = el("canvas", {"class": "lensbook-explorer__canvas", role: "img"});
    var predTitle = el("p", {"class": "lensbook-explorer__label"});
    var predHelp = el("p", {"class": "lensbook-explorer__help"});
    var salTitle = el("p", {"class": "lensbook-explorer__label"});
    var salHelp = el("p", {"class": "lensbook-explorer__help"});
    var mapTitle = el("p", {"class": "lensbook-explorer__label", text: "Each filter along the sequence"});
    var mapHelp = el("p", {"class": "lensbook-explorer__help"});
    var hitsBody = el("tbody");
    var hits = el("table", {"class": "lensbook-explorer__hits"}, [
      el("caption", {text: "Each filter's strongest window: the number the CNN's global max pool passes on"}),
      el("thead", {}, [el("tr", {}, ["filter", "JASPAR match", "score", "95% of sequences without a motif stay below", "median on sequences with its motif", "bases (1-based)", "strand",
                                     "window, read on its strand"].map(function (t) {
        return el("th", {scope: "col", text: t});
      }))]),
      hitsBody,
    ]);
    var exampleButton = el("button", {type: "button", "class": "md-button", text: "Example sequence"});
    var randomButton = el("button", {type: "button", "class": "md-button", text: "Random 10,000 bp"});
    var hugeButton = el("button", {type: "button", "class": "md-button", text: "Random 1,000,000 bp"});
    var results = el("div", {"class": "lensbook-explorer__results"}, [
      headline, predTitle, predHelp, predCanvas, windowLine, predictionLine, salTitle, salHelp, salCanvas,
      mapTitle, mapHelp, mapCanvas, el("div", {"class": "lensbook-explorer__table"}, [hits]),
    ]);
    var ui = el("div", {"class": "lensbook-explorer__body"}, [
      el("label", {"for": box.id, "class": "lensbook-explorer__label", text: "DNA to scan (plain or FASTA)"}),
      box, held, help,
      el("div", {"class": "lensbook-explorer__buttons"}, [exampleButton, randomButton, hugeButton]),
      problems, pickerRow, progress, results,
    ]);
    root.insertBefore(ui, root.firstChild);

    return api.load(DATA).then(function (data) {
      var width = data.width, T = data.trained_length, K = data.classes.length;
      var filters = core.tables(data);
      var ceiling = Math.max.apply(null, filters.map(function (f) { return f.ceiling; }));
      var order = data.filters.map(function (f, i) { return i; }).sort(function (a, b) {
        return (data.filters[b].matched - data.filters[a].matched) || a - b;
      });
      var nMatched = data.filters.filter(function (f) { return f.matched; }).length;
      var state = {text: "", heldText: null, record: 0, result: null, hover: null, pinned: null, ism: null,
                   job: 0, worker: null, timer: null};
      root.lensbookMotif = state;

      help.textContent = "Type or paste DNA: A, C, G, T, and N for an unknown base (it adds nothing to a score). " +
        "Lower case is read as upper case, U as T (RNA), and spaces and line breaks are skipped. Paste FASTA with " +
        "several records and each is scanned on its own. Each of the " + data.filters.length + " filters is " +
        width + " bp wide and reads both strands; the model was trained on " + number(T) + "-bp sequences.";
      predTitle.textContent = "The trained model's prediction for each " + number(T) + "-bp window";
      predHelp.textContent = "One row per motif class: the probability the model gives that class for the " +
        number(T) + "-bp window starting at each base (0 to 1, the same scale for every input; the dashed line " +
        "is 0.5). A triangle marks each class's best window. Point at a window, or focus this chart and use the " +
        "arrow keys, to see its saliency below.";
      mapHelp.textContent = "Each filter's score on its better strand at each window, on one fixed scale for " +
        "every input: 0 to " + fixed(ceiling) + ", the highest score any " + width + "-bp sequence can reach. " +
        "From the " + number(data.n_test) + " test sequences (drawn like the training data): the shaded band is " +
        "where the filter's strongest window falls on 90% of those without a motif, and the short line is its " +
        "median on those with the motif it scores highest. Filters without a JASPAR match (Tomtom p \u2265 " +
        data.p_threshold + ", or too little information to search) are grouped below and greyed.";

      /* --- computing ------------------------------------------------------------------------- */

      function computeNow(text, record) {
        var parsed = core.parse(text);
        var index = Math.min(record, Math.max(0, parsed.records.length - 1));
        var chosen = parsed.records[index];
        var codes = chosen ? chosen.codes : new Uint8Array(0);
        var maps = core.scan(codes, filters, width);
        return {records: parsed.records, characters: parsed.characters, record: index, codes: codes, maps: maps,
                prediction: core.predict(maps, data.head, T, width)};
      }

      function worker() {
        if (state.worker) return state.worker;
        try {
          state.worker = new Worker(api.asset(WORKER));
        } catch (error) {
          state.worker = false;  // no workers here (a file:// page): scan on this thread
        }
        return state.worker;
      }

      function run() {
        clearTimeout(state.timer);
        state.timer = null;
        var text = state.heldText !== null ? state.heldText : box.value;
        state.text = text;
        state.job += 1;
        var job = state.job;
        if (state.worker && state.busy) {  // a scan of older text is running: stop it
          state.worker.terminate();
          state.worker = null;
        }
        var w = text.length > SYNC ? worker() : null;
        if (!w) {
          state.busy = false;
          progress.hidden = true;
          root.removeAttribute("data-busy");
          results.removeAttribute("aria-busy");
          show(computeNow(text, state.record));
          return;
        }
        state.busy = true;
        progress.hidden = false;
        progressBar.value = 0;
        progressText.textContent = "Scanning " + number(text.length) + " characters in the background\u2026";
        root.setAttribute("data-busy", "true");
        results.setAttribute("aria-busy", "true");
        w.onmessage = function (event) {
          if (job !== state.job) return;
          var m = event.data;
          if (m.type === "progress") {
            progressBar.value = m.done;
            progressText.textContent = "Scanning " + number(text.length) + " characters in the background: " +
              Math.round(100 * m.done) + "%";
            return;
          }
          state.busy = false;
          progress.hidden = true;
          root.removeAttribute("data-busy");
          results.removeAttribute("aria-busy");
          m.maps = m.maps.map(function (x) { return {scores: x.scores, strand: x.strand}; });
          show(m);
        };
        w.onerror = function (error) {
          error.preventDefault();
          state.worker = false;
          state.busy = false;
          root.removeAttribute("data-busy");
          results.removeAttribute("aria-busy");
          progress.hidden = true;
          show(computeNow(text, state.record));
        };
        w.postMessage({id: job, data: data, text: text, record: state.record});
      }

      function schedule() {
        clearTimeout(state.timer);
        var wait = api.motifDebounce === undefined ? DEBOUNCE : api.motifDebounce;
        if (wait <= 0) run();
        else state.timer = setTimeout(run, wait);
      }

      /* --- reading out ------------------------------------------------------------------------ */

      function notice(kind, text) {
        problems.appendChild(el("p", {"data-kind": kind, text: text}));
      }

      function describe(result) {
        problems.textContent = "";
        var records = result.records, chosen = records[result.record];
        var bad = 0;
        records.forEach(function (r) { bad += r.badCount; });
        if (!records.length || records.every(function (r) { return r.length === 0; })) {
          notice("empty", result.characters ?
            "No bases to scan: the text holds only FASTA headers or spaces. Type or paste DNA (A, C, G, T)." :
            "Nothing to scan yet: type or paste DNA above (A, C, G, T; FASTA is fine).");
        }
        if (records.length > 1) {
          notice("records", plural(records.length, "FASTA record", "FASTA records") + ": each is scanned on its " +
            "own (no window spans two records). Showing \u201c" + chosen.name + "\u201d; choose another below.");
        }
        var rna = 0;
        records.forEach(function (r) { rna += r.rna; });
        if (rna) {
          notice("rna", "Read as RNA: " + plural(rna, "U was", "Us were") + " read as T. The model was trained " +
            "on DNA, so this scans the DNA copy of your sequence.");
        }
        var flagged = records.filter(function (r) { return r.badCount; });
        flagged.slice(0, LISTED).forEach(function (r) {
          var listed = r.bad.slice(0, SHOWN).map(function (b) {
            return "\u201c" + b.character + "\u201d at position " + number(b.position);
          }).join(", ");
          var more = r.badCount > SHOWN ? " and " + number(r.badCount - SHOWN) + " more" : "";
          notice("bad", (records.length > 1 ? "In \u201c" + r.name + "\u201d, " : "") +
            plural(r.badCount, "character is not a base", "characters are not bases") + ": " + listed + more + ". " +
            (r.badCount === 1 ? "It is" : "Each is") + " read as N (an all-zero column) and counts as one position.");
        });
        if (flagged.length > LISTED) {
          notice("bad", plural(flagged.length - LISTED, "more record holds", "more records hold") +
            " characters that are not bases, read as N the same way.");
        }
        if (chosen && chosen.length > 0 && chosen.informative === 0) {
          notice("uninformative", "\u201c" + chosen.name + "\u201d has no A, C, G or T (" +
            plural(chosen.length, "position", "positions") + ", all N or unreadable): there is nothing to score, " +
            "so no filter score or prediction is shown.");
        }
        box.setAttribute("aria-invalid", bad ? "true" : "false");
        problems.hidden = !problems.childNodes.length;
      }

      function describeHeld(result) {
        var total = 0;
        result.records.forEach(function (r) { total += r.length; });
        heldText.textContent = number(result.characters) + " characters pasted: " +
          plural(result.records.length, "record", "records") + ", " + number(total) + " bp in all. " +
          (result.characters > HOLD ? "Text this long" : "Text with this many lines") + " is slow to edit in a box, so " +
          "it is held here instead; the scan reads all of it.";
      }

      function pickRecords(result) {
        picker.textContent = "";
        result.records.slice(0, LISTED_RECORDS).forEach(function (r, i) {
          var option = el("option", {value: String(i), text: r.name + " (" + number(r.length) + " bp)"});
          if (i === result.record) option.selected = true;
          picker.appendChild(option);
        });
        if (result.records.length > LISTED_RECORDS) {
          picker.appendChild(el("option", {disabled: "", text: "\u2026 " + number(result.records.length - LISTED_RECORDS) +
            " more records (paste them on their own to see them)"}));
        }
        pickerRow.hidden = result.records.length < 2;
      }

      function filterName(f) {
        var d = data.filters[f];
        return d.matched ? d.label : "filter " + (f + 1);
      }

      function hitText(f, hit) {
        return "bases " + number(hit.start + 1) + "\u2013" + number(hit.start + width) + ", " +
          (hit.reverse ? "reverse" : "forward") + " strand";
      }

      function rangeWords(f, score) {
        var q = data.filters[f].range;
        if (score > q[2]) return "above what it reaches on 95% of the test sequences without a motif (" + fixed(q[2]) + ")";
        return "no higher than it reaches on sequences without a motif (95% of them stay below " + fixed(q[2]) + ")";
      }

      /* The window the model finds most like a motif: the largest P of any motif class. */
      function bestWindow(result) {
        var p = result.prediction, top = -Infinity, at = 0, klass = 1;
        for (var w = 0; w < p.windows; w++) {
          for (var c = 1; c < K; c++) {
            var v = p.logp[w * K + c];
            if (v > top) { top = v; at = w; klass = c; }
          }
        }
        return {window: at, klass: klass, p: Math.exp(top)};
      }

      function windowClass(result, w) {  // the most probable motif class of window w
        var p = result.prediction, best = 1;
        for (var c = 2; c < K; c++) if (p.logp[w * K + c] > p.logp[w * K + best]) best = c;
        return best;
      }

      function selectedWindow() {
        var r = state.result;
        if (!r || !r.prediction.windows) return null;
        var w = state.hover !== null ? state.hover : state.pinned;
        if (w === null || w >= r.prediction.windows) w = r.bestWindow.window;
        return w;
      }

      function computeIsm() {
        var r = state.result, w = selectedWindow();
        if (w === null || !r.scorable) { state.ism = null; return; }
        var klass = windowClass(r, w), length = r.prediction.length;
        if (state.ism && state.ism.window === w && state.ism.result === r) return;
        state.ism = {result: r, window: w, klass: klass, length: length,
                     delta: core.ism(r.codes, w, length, filters, data.head, width, klass)};
      }

      function show(result) {
        var chosen = result.records[result.record];
        result.scorable = !!chosen && chosen.informative > 0 && chosen.length >= width;
        result.best = core.best(result.maps);
        result.bestWindow = result.prediction.windows ? bestWindow(result) : null;
        if (state.result && (state.result.record !== result.record || state.pinned >= result.prediction.windows)) {
          state.pinned = null;
        }
        state.result = result;
        state.hover = null;
        describe(result);
        if (state.heldText !== null) describeHeld(result);
        pickRecords(result);
        results.hidden = !result.scorable;
        if (chosen && chosen.informative > 0 && chosen.length < width) {
          results.hidden = true;
          notice("short", number(chosen.length) + " bp: type at least " + width + " bases (one filter's width) to " +
            "get a score.");
          problems.hidden = false;
        }
        if (result.scorable) {
          headlineText(result);
          table(result);
        }
        root.setAttribute("data-length", String(chosen ? chosen.length : 0));
        draw();
      }

      function headlineText(result) {
        var chosen = result.records[result.record], top = -1;
        result.best.forEach(function (hit, f) {
          if (data.filters[f].matched && hit.score > 0 && (top < 0 || hit.score > result.best[top].score)) top = f;
        });
        var lead = number(chosen.length) + " bp" + (chosen.lower ? " (lower case read as upper case)" : "") + ". ";
        if (top < 0) {
          headline.textContent = lead + "None of the " + nMatched + " filters that match a JASPAR motif fires " +
            "on this sequence.";
        } else {
          var d = data.filters[top], hit = result.best[top];
          headline.textContent = lead + "Strongest known motif: " + d.label + " (JASPAR " + d.match_id +
            (d.family ? ", " + d.family : "") + "; filter " + (top + 1) + "), score " + fixed(hit.score) + " at " +
            hitText(top, hit) + ", " + rangeWords(top, hit.score) + ".";
        }
        var b = result.bestWindow, span = result.prediction.length;
        predictionLine.textContent = (span < T ? "This record is shorter than the " + number(T) + " bp the model " +
          "was trained on, so it gets one prediction, on all " + number(span) + " bp. " : "") +
          "Most motif-like window: bases " + number(b.window + 1) + "\u2013" + number(b.window + span) + ", P(" +
          data.classes[b.klass] + ") = " + fixed(b.p, 3) + ".";
      }

      function table(result) {
        hitsBody.textContent = "";
        var grey = false;
        order.forEach(function (f) {
          var d = data.filters[f], hit = result.best[f];
          if (!d.matched && !grey) {
            grey = true;
            hitsBody.appendChild(el("tr", {"class": "lensbook-explorer__group"}, [
              el("th", {colspan: "8", scope: "rowgroup", text: "No JASPAR match (greyed): " +
                plural(data.filters.length - nMatched, "filter", "filters")})]));
          }
          var match = d.matched ? d.label + " (" + d.match_id + ")" : d.why;
          var range = fixed(d.range[2]), typical = fixed(d.planted.median) + " (" + data.classes[d.planted["class"]] + ")";
          var cells = hit.score <= 0 ? [String(f + 1), match, "0", range, typical, "does not fire here", "", ""] : [
            String(f + 1), match, fixed(hit.score), range, typical,
            number(hit.start + 1) + "\u2013" + number(hit.start + width), hit.reverse ? "\u2212" : "+",
            windowText(result.codes, hit.start, hit.reverse),
          ];
          hitsBody.appendChild(el("tr", {"class": d.matched ? "" : "lensbook-explorer__unmatched",
                                         "data-filter": String(f)}, cells.map(function (c, k) {
            return el("td", {text: c, "class": k === 7 ? "lensbook-explorer__bases" : ""});
          })));
        });
      }

      var BASES = "ACGTN", COMPLEMENT = "TGCAN";
      function windowText(codes, s, reverse) {
        var out = "";
        for (var j = 0; j < width; j++) out += reverse ? COMPLEMENT[codes[s + width - 1 - j]] : BASES[codes[s + j]];
        return out;
      }

      /* --- drawing ---------------------------------------------------------------------------- */

      function palette() {
        return {
          ink: api.colour(root, "--md-default-fg-color", "#000"),
          light: api.colour(root, "--md-default-fg-color--light", "#666"),
          faint: api.colour(root, "--md-default-fg-color--lightest", "#ddd"),
          bar: api.colour(root, "--lensbook-explorer-bar", "#00695c"),
          mark: api.colour(root, "--lensbook-explorer-mark", "#d84315"),
          grey: api.colour(root, "--lensbook-explorer-grey", "#888"),
          band: api.colour(root, "--lensbook-explorer-band", "rgba(0,0,0,0.08)"),
          font: window.getComputedStyle(root).fontFamily || "sans-serif",
        };
      }

      var surface = api.surface;  // drawn at its displayed width and the device pixel ratio: common.js

      function layout(cssWidth) {
        var gutter = Math.min(132, Math.max(84, Math.round(cssWidth * 0.26)));
        return {gutter: gutter, plot: cssWidth - gutter - 10};
      }

      /* Largest value of values[lo..hi) with stride/offset (one pixel column). */
      function columnMax(values, lo, hi, stride, offset, transform) {
        var top = -Infinity;
        for (var k = lo; k < hi; k++) {
          var v = values[k * stride + offset];
          if (v > top) top = v;
        }
        return transform ? transform(top) : top;
      }

      function axis(g, c, x0, plot, n, y, label) {
        g.fillStyle = c.light;
        g.strokeStyle = c.light;
        g.font = "12px " + c.font;
        g.textBaseline = "top";
        var marks = ticks(n, plot);
        marks.forEach(function (t, i) {
          var x = x0 + (t - 0.5) / n * plot;
          g.fillRect(Math.round(x), y, 1, 4);
          g.textAlign = i === 0 ? "left" : (x > x0 + plot - 30 ? "right" : "center");
          g.fillText(number(t), i === 0 ? x0 : x, y + 5);
        });
        g.textAlign = "left";
        if (label) {
          g.textAlign = "right";
          g.fillText(label, x0 + plot, y + 20);
          g.textAlign = "left";
        }
      }

      function label(g, c, text, x, y, maxWidth, colour) {
        g.fillStyle = colour || c.light;
        g.textAlign = "right";
        g.textBaseline = "middle";
        while (g.measureText(text).width > maxWidth && text.length > 4) text = text.slice(0, -2) + "\u2026";
        g.fillText(text, x, y);
      }

      function marker(g, x, y, colour) {
        g.fillStyle = colour;
        g.beginPath();
        g.moveTo(x - 5, y);
        g.lineTo(x + 5, y);
        g.lineTo(x, y + 6);
        g.closePath();
        g.fill();
      }

      function drawPrediction(c) {
        var r = state.result, p = r.prediction, rowH = 30, top = 8;
        var s = surface(predCanvas, top + (K - 1) * rowH + 40), g = s.g, L = layout(s.width);
        var n = p.windows, sel = selectedWindow();
        g.font = "12px " + c.font;
        for (var k = 1; k < K; k++) {
          var y0 = top + (k - 1) * rowH, base = y0 + rowH - 4, h = rowH - 10;
          label(g, c, "P(" + data.classes[k] + ")", L.gutter - 8, base - h / 2, L.gutter - 12);
          g.fillStyle = c.faint;
          g.fillRect(L.gutter, base, L.plot, 1);
          g.setLineDash([3, 3]);
          g.strokeStyle = c.faint;
          g.beginPath();
          g.moveTo(L.gutter, base - h / 2 + 0.5);
          g.lineTo(L.gutter + L.plot, base - h / 2 + 0.5);
          g.stroke();
          g.setLineDash([]);
          g.fillStyle = c.bar;
          if (n === 1) {  // one window: a bar as long as the probability, with its value
            var p1 = Math.exp(p.logp[k]);
            g.fillRect(L.gutter, base - h, Math.max(1, p1 * L.plot), h);
            g.fillStyle = c.ink;
            g.textAlign = p1 > 0.85 ? "right" : "left";
            g.textBaseline = "middle";
            g.fillText(fixed(p1, 3), p1 > 0.85 ? L.gutter + p1 * L.plot - 4 : L.gutter + p1 * L.plot + 4, base - h / 2);
            continue;
          }
          var columns = Math.min(L.plot, n), step = L.plot / columns, bestAt = 0, bestV = -Infinity;
          for (var px = 0; px < columns; px++) {
            var lo = Math.floor(px * n / columns), hi = Math.max(lo + 1, Math.floor((px + 1) * n / columns));
            var v = Math.exp(columnMax(p.logp, lo, hi, K, k));
            if (v > bestV) { bestV = v; bestAt = px; }
            var bh = Math.max(0.5, h * v);
            g.fillRect(L.gutter + px * step, base - bh, Math.max(1, step - (step > 3 ? 1 : 0)), bh);
          }
          marker(g, L.gutter + (bestAt + 0.5) * step, y0, c.mark);
        }
        if (n === 1) {
          g.fillStyle = c.light;
          g.textAlign = "left";
          g.textBaseline = "top";
          g.fillText("one window: the whole record", L.gutter, top + (K - 1) * rowH + 6);
        } else if (sel !== null) {
          var x = L.gutter + (sel + 0.5) / n * L.plot;
          g.fillStyle = c.ink;
          g.fillRect(Math.round(x) - 1, top, 2, (K - 1) * rowH);
        }
        if (n > 1) axis(g, c, L.gutter, L.plot, n, top + (K - 1) * rowH + 2, "window start (base, 1-based)");
        predCanvas.setAttribute("aria-label", "Model prediction along the sequence, one row per motif class");
        predCanvas.setAttribute("aria-valuemin", "1");
        predCanvas.setAttribute("aria-valuemax", String(n));
        if (sel !== null) {
          var klass = windowClass(r, sel);
          predCanvas.setAttribute("aria-valuenow", String(sel + 1));
          var words = "window at bases " + number(sel + 1) + "\u2013" + number(sel + p.length) + ": " +
            data.classes.map(function (name, i) {
              return "P(" + name + ") " + fixed(Math.exp(p.logp[sel * K + i]), 3);
            }).join(", ") + "; most likely motif " + data.classes[klass];
          predCanvas.setAttribute("aria-valuetext", words);
          windowLine.textContent = (state.hover !== null ? "Under the pointer: " :
            (state.pinned !== null ? "Chosen: " : "Shown (the most motif-like): ")) + words + ".";
        }
      }

      function drawSaliency(c) {
        computeIsm();
        var ism = state.ism;
        var s = surface(salCanvas, 96), g = s.g, L = layout(s.width);
        if (!ism) return;
        g.font = "12px " + c.font;
        var n = ism.length, top = 8, h = 54, base = top + h;
        var drop = new Float64Array(n), biggest = 0, at = 0;
        for (var pos = 0; pos < n; pos++) {
          var worst = 0;
          for (var b = 0; b < 4; b++) if (-ism.delta[b * n + pos] > worst) worst = -ism.delta[b * n + pos];
          drop[pos] = worst;
          if (worst > biggest) { biggest = worst; at = pos; }
        }
        var scale = Math.max(1, biggest);
        var name = data.classes[ism.klass];
        salTitle.textContent = "Saliency of bases " + number(ism.window + 1) + "\u2013" + number(ism.window + n) +
          " for P(" + name + ")";
        salHelp.textContent = "For each base of this window: how far log P(" + name + ") falls for the worst " +
          "single change of that base (in-silico mutagenesis: each base turned into the three others and the " +
          "model run again). Scale 0 to " + fixed(scale) + "; the largest fall, " + fixed(biggest) + ", is at base " +
          number(ism.window + at + 1) + ".";
        label(g, c, "fall in log P", L.gutter - 8, top + h / 2, L.gutter - 12);
        g.fillStyle = c.faint;
        g.fillRect(L.gutter, base, L.plot, 1);
        var step = L.plot / n;
        g.fillStyle = c.mark;
        for (var i = 0; i < n; i++) {
          var bh = h * drop[i] / scale;
          if (bh > 0.25) g.fillRect(L.gutter + i * step, base - bh, Math.max(1, step - (step > 3 ? 1 : 0)), bh);
        }
        if (step >= 8) {
          g.fillStyle = c.ink;
          g.font = "11px " + c.font;
          g.textAlign = "center";
          g.textBaseline = "top";
          for (var j = 0; j < n; j++) g.fillText(BASES[state.result.codes[ism.window + j]], L.gutter + (j + 0.5) * step, base + 2);
        }
        axis(g, c, L.gutter, L.plot, n, base + (step >= 8 ? 14 : 2), "base within the window");
        salCanvas.setAttribute("aria-label", salHelp.textContent);
      }

      function drawMaps(c) {
        var r = state.result, rowH = 26, top = 6, gap = nMatched < data.filters.length ? 18 : 0;
        var s = surface(mapCanvas, top + data.filters.length * rowH + gap + 40), g = s.g, L = layout(s.width);
        var n = r.maps.length ? r.maps[0].scores.length : 0, sel = selectedWindow();
        g.font = "12px " + c.font;
        var y = top;
        order.forEach(function (f, row) {
          var d = data.filters[f], m = r.maps[f];
          if (!d.matched && row === nMatched) {
            g.fillStyle = c.light;
            g.textAlign = "left";
            g.textBaseline = "middle";
            g.fillText("no JASPAR match:", 0, y + gap / 2);
            y += gap;
          }
          var base = y + rowH - 3, h = rowH - 6, colour = d.matched ? c.bar : c.grey;
          label(g, c, (f + 1) + " " + (d.matched ? d.label : d.why), L.gutter - 8, base - h / 2, L.gutter - 12,
                d.matched ? c.light : c.grey);
          g.fillStyle = c.band;  // where the strongest window falls on 90% of the test sequences
          var lo = h * d.range[0] / ceiling, hi = h * d.range[2] / ceiling;
          g.fillRect(L.gutter, base - hi, L.plot, Math.max(1, hi - lo));
          g.fillStyle = c.faint;
          g.fillRect(L.gutter, base, L.plot, 1);
          var tick = base - h * Math.min(d.planted.median, ceiling) / ceiling;  // median with its motif planted
          g.fillStyle = c.light;
          g.fillRect(L.gutter + L.plot + 2, Math.round(tick) - 1, 8, 2);
          g.fillStyle = colour;
          var columns = Math.min(L.plot, n), step = L.plot / columns;
          for (var px = 0; px < columns; px++) {
            var a = Math.floor(px * n / columns), b = Math.max(a + 1, Math.floor((px + 1) * n / columns));
            var v = columnMax(m.scores, a, b, 1, 0);
            if (v <= 0) continue;
            var bh = Math.max(1, h * Math.min(v, ceiling) / ceiling);
            g.fillRect(L.gutter + px * step, base - bh, Math.max(1, step - (step > 3 ? 1 : 0)), bh);
          }
          var hit = r.best[f];
          if (hit.score > 0) marker(g, L.gutter + (hit.start + 0.5) / n * L.plot, y, d.matched ? c.mark : c.grey);
          y += rowH;
        });
        if (sel !== null && r.prediction.windows > 1) {  // the selected model window: the positions it pools
          var span = r.prediction.length - width + 1;
          g.strokeStyle = c.ink;
          g.lineWidth = 1;
          g.strokeRect(Math.round(L.gutter + sel / n * L.plot) + 0.5, top + 0.5,
                       Math.max(2, Math.round(span / n * L.plot)), y - top - 1);
        }
        axis(g, c, L.gutter, L.plot, n, y + 2, "window start (base, 1-based)");
        mapCanvas.setAttribute("aria-label", "Feature maps of the " + data.filters.length + " filters, one row each; " +
          "the table below lists each filter's strongest window.");
      }

      function draw() {
        if (!state.result || !state.result.scorable) return;
        var c = palette();
        drawPrediction(c);
        drawSaliency(c);
        drawMaps(c);
      }

      /* --- input ------------------------------------------------------------------------------ */

      function hold(text) {
        state.heldText = text;
        box.value = "";
        box.hidden = true;
        held.hidden = false;
        heldText.textContent = number(text.length) + " characters pasted: reading them\u2026";
        state.record = 0;
        run();
      }

      function release() {
        state.heldText = null;
        held.hidden = true;
        box.hidden = false;
        box.value = "";
        state.record = 0;
        run();
        box.focus();
      }

      box.addEventListener("paste", function (event) {
        var text = event.clipboardData && event.clipboardData.getData("text/plain");
        if (!text) return;
        var next = box.value.slice(0, box.selectionStart) + text + box.value.slice(box.selectionEnd);
        var lines = 0;
        for (var i = text.indexOf("\n"); i >= 0 && lines <= HOLD_LINES; i = text.indexOf("\n", i + 1)) lines += 1;
        if (next.length > HOLD || lines > HOLD_LINES) {
          event.preventDefault();
          hold(next);
        }
      });
      box.addEventListener("input", function () {
        if (box.value.length > HOLD) { hold(box.value); return; }
        schedule();
      });
      clearButton.addEventListener("click", release);
      picker.addEventListener("change", function () {
        state.record = Number(picker.value);
        state.pinned = null;
        run();
      });

      function setText(text) {
        if (text.length > HOLD) { hold(text); return; }
        if (state.heldText !== null) { state.heldText = null; held.hidden = true; box.hidden = false; }
        box.value = text;
        state.record = 0;
        run();
      }
      var seed = 1;
      function random(n) {
        var out = new Array(n);
        for (var i = 0; i < n; i++) {
          seed = (seed * 1103515245 + 12345) % 2147483648;
          out[i] = "ACGT"[Math.floor(seed / 2147483648 * 4)];
        }
        return out.join("");
      }
      exampleButton.addEventListener("click", function () { setText(data.example); });
      randomButton.addEventListener("click", function () { setText(random(10000)); });
      hugeButton.addEventListener("click", function () { setText(random(1000000)); });

      function windowAt(event, canvas) {
        var r = state.result;
        if (!r || !r.prediction.windows) return null;
        var box_ = canvas.getBoundingClientRect(), L = layout(box_.width);
        var x = (event.clientX - box_.left - L.gutter) / L.plot;
        if (x < 0 || x > 1) return null;
        var n = canvas === predCanvas ? r.prediction.windows : r.maps[0].scores.length;
        return Math.max(0, Math.min(r.prediction.windows - 1, Math.floor(x * n)));
      }
      [predCanvas, mapCanvas].forEach(function (canvas) {
        canvas.addEventListener("pointermove", function (event) {
          var w = windowAt(event, canvas);
          if (w === state.hover) return;
          state.hover = w;
          draw();
        });
        canvas.addEventListener("pointerleave", function () { state.hover = null; draw(); });
        canvas.addEventListener("click", function (event) {
          var w = windowAt(event, canvas);
          if (w !== null) { state.pinned = w; state.hover = null; draw(); }
        });
      });
      predCanvas.addEventListener("keydown", function (event) {
        var r = state.result;
        if (!r || !r.prediction.windows) return;
        var n = r.prediction.windows, now = selectedWindow();
        var moves = {ArrowLeft: -1, ArrowDown: -1, ArrowRight: 1, ArrowUp: 1, PageDown: -Math.ceil(n / 20),
                     PageUp: Math.ceil(n / 20)};
        if (event.key in moves) now += moves[event.key];
        else if (event.key === "Home") now = 0;
        else if (event.key === "End") now = n - 1;
        else return;
        event.preventDefault();
        state.pinned = Math.max(0, Math.min(n - 1, now));
        state.hover = null;
        draw();
      });

      box.value = data.example;
      run();

      /* For tests and the benchmark. */
      api.motifScores = function (text) {
        return computeNow(text, 0).maps.map(function (m) { return Array.prototype.slice.call(m.scores); });
      };
      api.motifShown = function () {  // what the page shows now, as plain arrays
        var r = state.result;
        computeIsm();
        return {
          record: r.record, names: r.records.map(function (x) { return x.name; }),
          sequence: Array.prototype.map.call(r.codes, function (c) { return BASES[c]; }).join(""),
          maps: r.maps.map(function (m) { return Array.prototype.slice.call(m.scores); }),
          logp: Array.prototype.slice.call(r.prediction.logp), windows: r.prediction.windows,
          span: r.prediction.length, selected: selectedWindow(),
          ism: state.ism ? {window: state.ism.window, klass: state.ism.klass, length: state.ism.length,
                            delta: Array.prototype.slice.call(state.ism.delta)} : null,
          scorable: r.scorable,
        };
      };
      api.motifSelect = function (w) { state.pinned = w; state.hover = null; draw(); };
      return {redraw: draw};
    });
  }

  api.register("motif-scanner", start);
})();
