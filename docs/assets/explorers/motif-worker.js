/* The motif scanner's Web Worker (docs/cnn.md): parses and scans large pastes off the page's thread.
 *
 * Message in:  {data (the exported weights), text, record (index to scan)}
 * Messages out: {type: "progress", done (0-1)}, then {type: "result", ...} with the
 * parsed records (without their bases) and, for the chosen record, its codes,
 * feature maps, strands and per-window log-probabilities (transferred, not copied).
 */
/* global importScripts, lensbookMotifCore */
importScripts("motif-core.js");

var cached = null;

self.onmessage = function (event) {
  var message = event.data, core = lensbookMotifCore;
  if (!cached || cached.data !== message.data) cached = {data: message.data, filters: core.tables(message.data)};
  var data = message.data, filters = cached.filters, last = 0;
  var parsed = core.parse(message.text);
  self.postMessage({type: "progress", done: 0.05});
  var index = Math.min(message.record || 0, Math.max(0, parsed.records.length - 1));
  var chosen = parsed.records[index];
  var codes = chosen ? chosen.codes.slice() : new Uint8Array(0);
  var maps = core.scan(codes, filters, data.width, function (f, i, n) {
    var done = 0.05 + 0.85 * (f + i / n) / filters.length, now = Date.now();
    if (now - last > 50) { last = now; self.postMessage({type: "progress", done: done}); }
  });
  var prediction = core.predict(maps, data.head, data.trained_length, data.width);
  var records = parsed.records.map(function (r) {
    return {name: r.name, length: r.length, lower: r.lower, rna: r.rna, informative: r.informative,
            bad: r.bad, badCount: r.badCount};
  });
  var transfer = [codes.buffer, prediction.logp.buffer];
  maps.forEach(function (m) { transfer.push(m.scores.buffer, m.strand.buffer); });
  self.postMessage({type: "result", id: message.id, records: records, characters: parsed.characters, record: index,
                    codes: codes, maps: maps, prediction: prediction}, transfer);
};
