/* The motif scanner's arithmetic (docs/cnn.md), shared by the page and its Web Worker.
 *
 * Everything the scanner shows is computed here from the exported weights of
 * the trained lensbook.models.cnn.MotifCNN, as PyTorch computes it:
 *
 *   scan     MotifCNN.scan: each filter on both strands, the larger score, ReLU
 *   predict  MotifCNN.forward on every window of the trained length: the global
 *            max pool of the feature maps, the linear read-out, log-softmax
 *   ism      in-silico mutagenesis of one window: the change in log P(class)
 *            when each base becomes A, C, G or T (lensbook.experiments.cnn._ism)
 *
 * parse() reads what a reader pastes: FASTA records (each scanned on its own),
 * lower case as upper case, U as T (RNA), N as an all-zero column; anything
 * else is flagged and read as N. Positions count Unicode code points, so an
 * emoji is one position, not two.
 *
 * Works as a page script (window.lensbookMotifCore) and in a worker (self).
 */
(function (scope) {
  "use strict";

  // A C G T N, then U read as T; lower case the same
  var CODES = {A: 0, C: 1, G: 2, T: 3, N: 4, U: 3, a: 0, c: 1, g: 2, t: 3, n: 4, u: 3};
  var KEEP = 12;  // flagged characters kept by position, per record

  function record(name) {
    return {name: name, start: 0, length: 0, lower: 0, rna: 0, informative: 0, bad: [], badCount: 0};
  }

  /* Records of `text`: {records: [{name, codes, length, lower, rna, informative, bad, badCount}], characters}. */
  function parse(text) {
    var buffer = new Uint8Array(text.length);
    var n = 0, records = [], current = null, characters = 0;
    var lineStart = true, header = false, name = "";
    function close() {
      if (!current) return;
      current.codes = buffer.subarray(current.start, n);
      current.length = n - current.start;
      records.push(current);
      current = null;
    }
    for (var i = 0; i < text.length; i++) {
      var unit = text.charCodeAt(i), ch = text[i];
      if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
        var next = text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) { ch = text.slice(i, i + 2); i += 1; }
      }
      characters += 1;
      if (ch === "\n" || ch === "\r") {
        if (header) { current = record(name.trim() || "record " + (records.length + 1)); current.start = n; }
        header = false; lineStart = true;
        continue;
      }
      if (header) { name += ch; continue; }
      if (lineStart && ch === ">") { close(); header = true; name = ""; lineStart = false; continue; }
      lineStart = false;
      if (ch === " " || ch === "\t") continue;
      if (!current) { current = record(records.length ? "record " + (records.length + 1) : "your sequence"); current.start = n; }
      var code = CODES[ch];
      var position = n - current.start + 1;
      if (code === undefined) {
        current.badCount += 1;
        if (current.bad.length < KEEP) current.bad.push({character: ch, position: position});
        code = 4;
      } else {
        if (ch === "U" || ch === "u") current.rna += 1;
        if (ch >= "a") current.lower += 1;
        if (code < 4) current.informative += 1;
      }
      buffer[n++] = code;
    }
    if (header) { current = record(name.trim() || "record " + (records.length + 1)); current.start = n; }
    close();
    return {records: records, characters: characters};
  }

  /* Per filter, tables of the weight of code c (A, C, G, T, N = 0) at column j, both strands. */
  function tables(data) {
    var w = data.width;
    return data.filters.map(function (filter) {
      var forward = new Float64Array(5 * w), reverse = new Float64Array(5 * w), best = filter.bias;
      for (var j = 0; j < w; j++) {
        var top = 0;
        for (var b = 0; b < 4; b++) {
          forward[b * w + j] = filter.weight[b][j];
          // the reverse-complemented filter, weight.flip(1, 2): base b at column j reads row 3 - b, column w - 1 - j
          reverse[b * w + j] = filter.weight[3 - b][w - 1 - j];
          if (b === 0 || filter.weight[b][j] > top) top = filter.weight[b][j];
        }
        best += top;
      }
      return {forward: forward, reverse: reverse, bias: filter.bias, ceiling: best};
    });
  }

  /* Feature maps: per filter, ReLU(max(forward, reverse)) at each window start, and the strand (1 = reverse). */
  function scan(codes, filters, width, progress) {
    var windows = Math.max(0, codes.length - width + 1);
    return filters.map(function (filter, index) {
      var scores = new Float32Array(windows), strand = new Uint8Array(windows);
      var forward = filter.forward, reverse = filter.reverse, bias = filter.bias;
      for (var i = 0; i < windows; i++) {
        var f = bias, r = bias;
        for (var j = 0; j < width; j++) {
          var k = codes[i + j] * width + j;
          f += forward[k];
          r += reverse[k];
        }
        var m = f >= r ? f : r;
        scores[i] = m > 0 ? m : 0;
        strand[i] = f >= r ? 0 : 1;
        if (progress && (i & 0xffff) === 0xffff) progress(index, i, windows);
      }
      return {scores: scores, strand: strand};
    });
  }

  function logSoftmax(logits) {
    var top = -Infinity, total = 0, out = new Array(logits.length);
    for (var c = 0; c < logits.length; c++) if (logits[c] > top) top = logits[c];
    for (var c2 = 0; c2 < logits.length; c2++) total += Math.exp(logits[c2] - top);
    var log = top + Math.log(total);
    for (var c3 = 0; c3 < logits.length; c3++) out[c3] = logits[c3] - log;
    return out;
  }

  /* log P(class) of pooled filter scores: head(pooled), then log-softmax. */
  function classify(head, pooled) {
    return logSoftmax(head.weight.map(function (row, c) {
      var s = head.bias[c];
      for (var f = 0; f < row.length; f++) s += row[f] * pooled[f];
      return s;
    }));
  }

  /* The model on every window of `length` bases (one window if the record is shorter):
   * {windows, length, logp: Float32Array (windows * classes), classes}. */
  function predict(maps, head, length, width) {
    var F = maps.length, positions = maps.length ? maps[0].scores.length : 0;
    var classes = head.bias.length;
    if (!positions) return {windows: 0, length: 0, logp: new Float32Array(0), classes: classes};
    var span = Math.min(positions, length - width + 1);   // feature-map positions inside one window
    var windows = positions - span + 1;
    var pooled = new Float64Array(F * windows);
    var queue = new Int32Array(positions);
    for (var f = 0; f < F; f++) {  // sliding-window maximum (a monotone queue), O(positions)
      var s = maps[f].scores, head_ = 0, tail = 0;
      for (var i = 0; i < positions; i++) {
        while (tail > head_ && s[queue[tail - 1]] <= s[i]) tail -= 1;
        queue[tail++] = i;
        if (queue[head_] <= i - span) head_ += 1;
        if (i >= span - 1) pooled[(i - span + 1) * F + f] = s[queue[head_]];
      }
    }
    var logp = new Float32Array(windows * classes), row = new Array(F);
    for (var w = 0; w < windows; w++) {
      for (var f2 = 0; f2 < F; f2++) row[f2] = pooled[w * F + f2];
      var out = classify(head, row);
      for (var c = 0; c < classes; c++) logp[w * classes + c] = out[c];
    }
    return {windows: windows, length: span + width - 1, logp: logp, classes: classes};
  }

  /* In-silico mutagenesis of codes[start, start + length): the change of log P(klass) for every
   * single-base substitution, as a Float64Array (4 * length), row b = the base becomes A, C, G or T. */
  function ism(codes, start, length, filters, head, width, klass) {
    var F = filters.length, positions = length - width + 1;
    var fwd = [], rev = [], prefix = [], suffix = [], pooled = new Array(F);
    for (var f = 0; f < F; f++) {
      var t = filters[f], a = new Float64Array(positions), r = new Float64Array(positions);
      for (var i = 0; i < positions; i++) {
        var x = t.bias, y = t.bias;
        for (var j = 0; j < width; j++) {
          var k = codes[start + i + j] * width + j;
          x += t.forward[k];
          y += t.reverse[k];
        }
        a[i] = x; r[i] = y;
      }
      var pre = new Float64Array(positions + 1), suf = new Float64Array(positions + 1);
      pre[0] = 0;  // ReLU: a max over no window is 0
      for (var p = 0; p < positions; p++) pre[p + 1] = Math.max(pre[p], a[p], r[p]);
      suf[positions] = 0;
      for (var q = positions - 1; q >= 0; q--) suf[q] = Math.max(suf[q + 1], a[q], r[q]);
      fwd.push(a); rev.push(r); prefix.push(pre); suffix.push(suf);
      pooled[f] = pre[positions];
    }
    var base = classify(head, pooled)[klass];
    var out = new Float64Array(4 * length), changed = new Array(F);
    for (var pos = 0; pos < length; pos++) {
      var ref = codes[start + pos];
      var lo = Math.max(0, pos - width + 1), hi = Math.min(positions - 1, pos);
      for (var b = 0; b < 4; b++) {
        if (b === ref) continue;
        for (var f2 = 0; f2 < F; f2++) {
          var tb = filters[f2], best = Math.max(prefix[f2][lo], suffix[f2][hi + 1]);
          for (var w = lo; w <= hi; w++) {
            var col = pos - w;
            var s1 = fwd[f2][w] - tb.forward[ref * width + col] + tb.forward[b * width + col];
            var s2 = rev[f2][w] - tb.reverse[ref * width + col] + tb.reverse[b * width + col];
            if (s1 > best) best = s1;
            if (s2 > best) best = s2;
          }
          changed[f2] = best;
        }
        out[b * length + pos] = classify(head, changed)[klass] - base;
      }
    }
    return out;
  }

  /* Each filter's strongest window: {score, start, reverse}. */
  function best(maps) {
    return maps.map(function (map) {
      var top = -1, at = -1;
      for (var i = 0; i < map.scores.length; i++) if (map.scores[i] > top) { top = map.scores[i]; at = i; }
      return {score: Math.max(top, 0), start: at, reverse: at >= 0 && map.strand[at] === 1};
    });
  }

  scope.lensbookMotifCore = {parse: parse, tables: tables, scan: scan, predict: predict, ism: ism, best: best,
                             classify: classify, KEEP: KEEP};
})(typeof self !== "undefined" ? self : window);
