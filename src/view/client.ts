/**
 * The explorer page's script (plain browser JavaScript, inlined into the page). It builds the
 * controls from the file's labels, asks for the chart of the current choice (live: from the
 * server's `plot()`; static: from the charts the page carries) and draws it with vega-embed;
 * live, it re-reads the state and redraws when the server says the file changed.
 */

/** The script, as text. */
export const VIEW_CLIENT_SCRIPT = String.raw`
(() => {
  'use strict';
  const boot = JSON.parse(document.getElementById('boot').textContent);
  const live = boot.mode === 'live';
  const $ = (id) => document.getElementById(id);
  const ENC = ['y', 'x', 'color', 'column', 'row'];
  const STATES = ['missing', 'present', 'failed', 'stale'];
  let state = boot.state;
  const choice = { y: null, x: '', color: '', column: '', row: '', pos: {} };
  let drawn = 0;
  let asked = 0;

  function dimInfo(name) { return state.dims.find((d) => d.name === name); }
  function fileDims() { return state.dims.filter((d) => !d.internal); }
  function varInfo(name) { return state.vars.find((v) => v.name === name); }
  function dimsFor(y) {
    const v = varInfo(y);
    const inner = v ? v.dims.map(dimInfo).filter(Boolean) : [];
    return [...inner, ...fileDims()];
  }

  function option(select, value, text) {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = text;
    select.appendChild(o);
  }

  function fillSelect(key, values, allowNone) {
    const select = $('enc-' + key);
    select.textContent = '';
    if (allowNone) option(select, '', '—');
    for (const v of values) option(select, v, v);
    if (![...select.options].some((o) => o.value === choice[key])) choice[key] = allowNone ? '' : (values[0] || '');
    select.value = choice[key];
    select.disabled = !live && key !== 'y';
  }

  function buildControls() {
    const vars = state.vars.filter((v) => v.numeric && (state.kind === 'samples' ? !state.dims.some((d) => d.name === v.name) : true)).map((v) => v.name);
    const previous = choice.y;
    fillSelect('y', vars, false);
    if (choice.y !== previous || choice.x === '' && !live) applyDefaults();
    const names = state.kind === 'samples' ? state.vars.map((v) => v.name).filter((n) => n !== choice.y) : dimsFor(choice.y).map((d) => d.name);
    fillSelect('x', names, false);
    for (const k of ['color', 'column', 'row']) fillSelect(k, names.filter((n) => n !== choice.x), true);
    buildSliders();
  }

  function applyDefaults() {
    const d = (state.defaults || {})[choice.y];
    if (!d) return;
    choice.x = d.x || '';
    choice.color = d.color || '';
    choice.column = '';
    choice.row = '';
  }

  function fixedDims() {
    if (state.kind !== 'dataset') return [];
    const used = new Set([choice.x, choice.color, choice.column, choice.row]);
    return dimsFor(choice.y).filter((d) => !used.has(d.name) && d.labels.length > 0);
  }

  function buildSliders() {
    const box = $('sliders');
    box.textContent = '';
    const fixed = fixedDims();
    if (fixed.length === 0) box.textContent = 'none: every dim is on the chart';
    for (const d of fixed) {
      const at = Math.min(choice.pos[d.name] ?? 0, d.labels.length - 1);
      choice.pos[d.name] = at;
      const row = document.createElement('div');
      row.className = 'slider';
      const label = document.createElement('label');
      const value = document.createElement('span');
      value.className = 'value';
      value.dataset.dim = d.name;
      value.textContent = d.labels[at];
      label.append(d.name + ' = ', value);
      let input;
      if (d.numeric && d.labels.length > 1) {
        input = document.createElement('input');
        input.type = 'range';
        input.min = '0';
        input.max = String(d.labels.length - 1);
        input.step = '1';
        input.value = String(at);
      } else {
        input = document.createElement('select');
        d.labels.forEach((l, i) => option(input, String(i), l));
        input.value = String(at);
      }
      input.id = 'dim-' + d.name;
      input.dataset.dim = d.name;
      input.addEventListener('input', () => {
        choice.pos[d.name] = Number(input.value);
        value.textContent = d.labels[choice.pos[d.name]];
        drawCoverage();
        safely(draw());
      });
      row.append(label, input);
      box.appendChild(row);
    }
  }

  function request() {
    const sel = {};
    for (const d of fixedDims()) sel[d.name] = choice.pos[d.name];
    return { y: choice.y, x: choice.x || null, color: choice.color || null, column: choice.column || null, row: choice.row || null, sel };
  }

  function keyOf(r) {
    const sel = Object.keys(r.sel).sort().map((k) => [k, r.sel[k]]);
    return JSON.stringify([r.y, r.x || '', r.color || '', r.column || '', r.row || '', sel]);
  }

  function message(text) { $('message').textContent = text || ''; }
  function safely(promise) { promise.catch((err) => message('Could not draw: ' + (err && err.message ? err.message : String(err)))); }

  async function draw() {
    if (!choice.y) { message('The file has no numeric variable to draw.'); return; }
    const ticket = ++asked;
    const req = request();
    let spec;
    if (live) {
      const res = await fetch('api/chart', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(req) });
      const out = await res.json();
      if (ticket !== asked) return;
      if (out.error) { message(out.error.message + (out.error.code ? ' [' + out.error.code + ']' : '')); return; }
      spec = out.spec;
    } else {
      spec = boot.specs[keyOf(req)];
      const failed = (boot.errors || {})[keyOf(req)];
      if (failed) { message(failed); return; }
      if (!spec) { message('This static report holds each variable with its default axes; run harvestry view on the file to change them.'); return; }
    }
    const result = await vegaEmbed('#chart', spec, { actions: false, renderer: 'svg' });
    if (ticket !== asked) { result.finalize(); return; }
    if (window.__harvestryResult) window.__harvestryResult.finalize();
    window.__harvestryResult = result;
    window.__harvestryView = result.view;
    message(state.error ? 'The file could not be read just now: ' + state.error : '');
    drawn++;
    document.body.dataset.draws = String(drawn);
    document.body.dataset.version = String(state.version);
  }

  function drawCoverage() {
    const box = $('coverage');
    const counts = $('coverage-counts');
    box.textContent = '';
    const cov = state.coverage;
    if (!cov) { counts.textContent = state.kind === 'samples' ? 'a sample table: no grid' : 'no grid to show for this file'; return; }
    const total = cov.cells.length;
    counts.innerHTML = '';
    counts.className = 'key';
    for (const s of ['present', 'missing', 'failed', 'stale']) {
      const item = document.createElement('span');
      item.className = 'item';
      const sw = document.createElement('span');
      sw.className = s;
      item.append(sw, s + ' ' + cov.counts[s]);
      counts.append(item);
    }
    counts.dataset.present = String(cov.counts.present);
    counts.dataset.total = String(total);
    if (cov.dims.length === 0) return;
    const strides = [];
    let s = 1;
    for (let k = cov.dims.length - 1; k >= 0; k--) { strides[k] = s; s *= Math.max(cov.sizes[k], 1); }
    const rowsDim = cov.dims.length >= 2 ? 0 : -1;
    const colsDim = cov.dims.length >= 2 ? 1 : 0;
    let base = 0;
    const fixedText = [];
    cov.dims.forEach((name, k) => {
      if (k === rowsDim || k === colsDim) return;
      const at = Math.min(choice.pos[name] ?? 0, cov.sizes[k] - 1);
      base += at * strides[k];
      fixedText.push(name + ' = ' + dimInfo(name).labels[at]);
    });
    const colInfo = dimInfo(cov.dims[colsDim]);
    const rowInfo = rowsDim >= 0 ? dimInfo(cov.dims[rowsDim]) : null;
    const cellAt = (i, j) => STATES[Number(cov.cells[base + (rowInfo ? i * strides[rowsDim] : 0) + j * strides[colsDim]])];
    if ((rowInfo ? cov.sizes[rowsDim] : 1) * cov.sizes[colsDim] > 2500) {
      drawCoverageCanvas(box, rowInfo, colInfo, rowInfo ? cov.sizes[rowsDim] : 1, cov.sizes[colsDim], cellAt);
      noteFixed(box, fixedText);
      return;
    }
    const table = document.createElement('table');
    const caption = document.createElement('div');
    caption.className = 'axes';
    caption.textContent = (rowInfo ? 'rows: ' + rowInfo.name + ' · ' : '') + 'columns: ' + colInfo.name;
    box.appendChild(caption);
    if (cov.sizes[colsDim] <= 24) {
      const head = document.createElement('tr');
      head.appendChild(document.createElement('th'));
      for (const l of colInfo.labels) {
        const th = document.createElement('th');
        th.className = 'col';
        th.textContent = l;
        head.appendChild(th);
      }
      table.appendChild(head);
    }
    const nRows = rowInfo ? cov.sizes[rowsDim] : 1;
    for (let i = 0; i < nRows; i++) {
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      th.textContent = rowInfo ? rowInfo.labels[i] : '';
      tr.appendChild(th);
      for (let j = 0; j < cov.sizes[colsDim]; j++) {
        const st = cellAt(i, j);
        const td = document.createElement('td');
        td.className = st;
        td.title = (rowInfo ? rowInfo.name + ' = ' + rowInfo.labels[i] + ', ' : '') + colInfo.name + ' = ' + colInfo.labels[j] + ': ' + st;
        tr.appendChild(td);
      }
      table.appendChild(tr);
    }
    box.appendChild(table);
    noteFixed(box, fixedText);
  }

  function noteFixed(box, fixedText) {
    if (fixedText.length === 0) return;
    const p = document.createElement('div');
    p.textContent = 'at ' + fixedText.join(', ');
    box.appendChild(p);
  }

  // big grids: one canvas, a few pixels a cell, the cell under the pointer in its title
  function drawCoverageCanvas(box, rowInfo, colInfo, nRows, nCols, cellAt) {
    const px = Math.max(1, Math.floor(280 / Math.max(nRows, nCols)));
    const canvas = document.createElement('canvas');
    canvas.id = 'coverage-canvas';
    canvas.width = nCols * px;
    canvas.height = nRows * px;
    const ctx = canvas.getContext('2d');
    const COLOURS = { present: '#2b8a3e', missing: '#e9ecef', failed: '#c92a2a', stale: '#e8a317' };
    for (let i = 0; i < nRows; i++) {
      for (let j = 0; j < nCols; j++) {
        ctx.fillStyle = COLOURS[cellAt(i, j)];
        ctx.fillRect(j * px, i * px, px, px);
      }
    }
    canvas.addEventListener('mousemove', (e) => {
      const j = Math.min(nCols - 1, Math.floor(e.offsetX / px));
      const i = Math.min(nRows - 1, Math.floor(e.offsetY / px));
      canvas.title = (rowInfo ? rowInfo.name + ' = ' + rowInfo.labels[i] + ', ' : '') + colInfo.name + ' = ' + colInfo.labels[j] + ': ' + cellAt(i, j);
    });
    box.appendChild(canvas);
  }

  function drawHeader() {
    $('file').textContent = state.path;
    $('summary').textContent = state.rows + ' rows · ' + state.kind + (live ? '' : ' · static report');
  }

  async function refresh() {
    if (live) state = await (await fetch('api/state')).json();
    drawHeader();
    buildControls();
    drawCoverage();
    await draw();
  }

  for (const key of ENC) {
    $('enc-' + key).addEventListener('change', (e) => {
      choice[key] = e.target.value;
      if (key === 'y') applyDefaults();
      buildControls();
      drawCoverage();
      safely(draw());
    });
  }

  if (live) {
    const events = new EventSource('events');
    events.addEventListener('change', () => {
      $('live').textContent = 'updated ' + new Date().toLocaleTimeString();
      safely(refresh());
    });
    events.addEventListener('hello', () => { $('live').textContent = 'live'; });
    events.onerror = () => { $('live').textContent = 'not connected'; };
  }
  safely(refresh());
})();
`;
