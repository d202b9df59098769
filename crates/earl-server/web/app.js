// earl analyst page. Plain JavaScript, no dependencies, no network beyond this server.
// Safety rule: data from the server or the user is only ever inserted as text (textContent,
// createTextNode, setAttribute on SVG geometry); never parsed as HTML.
'use strict';

(() => {
  const TOKEN_KEY = 'earl.token';
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const $ = (id) => document.getElementById(id);

  // ---------- DOM helpers ----------

  /** Creates an element; `props.text` sets text, `on*` add listeners, other props are attributes. */
  function h(tag, props, ...kids) {
    const e = document.createElement(tag);
    setProps(e, props);
    append(e, kids);
    return e;
  }

  /** Same for SVG elements. */
  function s(tag, props, ...kids) {
    const e = document.createElementNS(SVG_NS, tag);
    setProps(e, props);
    append(e, kids);
    return e;
  }

  function setProps(e, props) {
    for (const [k, v] of Object.entries(props || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'text') e.textContent = String(v);
      else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, String(v));
    }
  }

  function append(e, kids) {
    for (const k of kids.flat(Infinity)) {
      if (k === null || k === undefined || k === false) continue;
      e.append(k instanceof Node ? k : document.createTextNode(String(k)));
    }
  }

  function badge(text, cls) {
    return h('span', { class: 'badge' + (cls ? ' ' + cls : '') }, text);
  }

  function fmtNum(v, digits) {
    if (typeof v !== 'number' || !isFinite(v)) return v === null || v === undefined ? '—' : String(v);
    return digits === undefined ? v.toLocaleString('en-US', { maximumFractionDigits: 2 }) : v.toFixed(digits);
  }

  /** A readable one-line form of any JSON value. */
  function fmtValue(v) {
    if (v === null || v === undefined) return '—';
    if (Array.isArray(v)) return v.map(fmtValue).join('; ');
    if (typeof v === 'object') {
      if (typeof v.name === 'string' && Object.keys(v).length <= 3) return v.name;
      return Object.entries(v)
        .filter(([, x]) => x !== null && x !== undefined && typeof x !== 'object')
        .map(([, x]) => String(x))
        .join(' — ');
    }
    if (typeof v === 'boolean') return v ? 'yes' : 'no';
    return String(v);
  }

  function details(rows) {
    const dl = h('dl', { class: 'details' });
    for (const [label, value] of rows) {
      if (value === null || value === undefined || value === '' ||
          (Array.isArray(value) && value.length === 0)) continue;
      dl.append(h('dt', null, label), h('dd', null, value instanceof Node ? value : fmtValue(value)));
    }
    return dl;
  }

  function jsonBlock(value) {
    return h('pre', { class: 'json' }, JSON.stringify(value, null, 2));
  }

  // ---------- status and API ----------

  function status(message, isError) {
    const p = $('status');
    p.textContent = message || '';
    p.className = 'status' + (isError ? ' error' : '');
  }

  class ApiError extends Error {
    constructor(status, body) {
      const err = (body && body.error) || {};
      super(err.message || ('HTTP ' + status));
      this.status = status;
      this.code = err.code;
      this.field = err.field;
    }
  }

  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = 'Bearer ' + token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const resp = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = null;
    try { data = await resp.json(); } catch (_) { data = null; }
    if (!resp.ok) throw new ApiError(resp.status, data);
    return data;
  }

  function showError(err) {
    let msg = err.message || String(err);
    if (err.field && !msg.includes(err.field)) msg += ' (field: ' + err.field + ')';
    if (err.status === 401) msg += ' — enter a valid API token above.';
    if (err.status === 403) msg += ' — this token lacks the scope for that action.';
    status(msg, true);
  }

  async function run(button, what, fn) {
    button.disabled = true;
    status(what + '…');
    try {
      await fn();
      status('');
    } catch (err) {
      showError(err);
    } finally {
      button.disabled = false;
    }
  }

  function today() {
    return new Date().toISOString().slice(0, 10);
  }

  // ---------- token and tabs ----------

  function initToken() {
    const input = $('token');
    const stateEl = $('token-state');
    const show = () => {
      stateEl.textContent = sessionStorage.getItem(TOKEN_KEY) ? 'token set for this tab' : 'no token';
    };
    $('token-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const t = input.value.trim();
      if (t) sessionStorage.setItem(TOKEN_KEY, t); else sessionStorage.removeItem(TOKEN_KEY);
      input.value = '';
      show();
      loadCatalog();
    });
    show();
  }

  const shown = new Set();
  function showTab(name) {
    for (const b of document.querySelectorAll('#tabs button')) {
      b.setAttribute('aria-selected', String(b.dataset.tab === name));
    }
    for (const sec of document.querySelectorAll('section.tab')) sec.hidden = sec.id !== 'tab-' + name;
    if (!shown.has(name)) {
      shown.add(name);
      if (name === 'chips') $('chips-form').requestSubmit();
      if (name === 'history') $('history-form').requestSubmit();
      if (name === 'check') loadCatalog();
    }
  }

  // ---------- screening ----------

  function alignmentTable(ex) {
    const aligned = (ex && ex.aligned) || [];
    if (!aligned.length) return null;
    const table = h('table', { class: 'alignment' },
      h('thead', null, h('tr', null,
        h('th', null, 'query token'), h('th', null, 'list token'), h('th', null, 'how'),
        h('th', { class: 'num' }, 'similarity'), h('th', null, 'role'), h('th', { class: 'num' }, 'weight'))));
    const body = h('tbody');
    for (const p of aligned) {
      body.append(h('tr', null,
        h('td', null, p.query), h('td', null, p.list, p.forms ? ' (' + p.forms + ')' : ''),
        h('td', null, String(p.how || '').replace(/_/g, ' '), p.moved ? ' (moved)' : ''),
        h('td', { class: 'num' }, fmtNum(p.similarity, 3)), h('td', null, p.role),
        h('td', { class: 'num' }, fmtNum(p.weight, 2))));
    }
    table.append(body);
    return table;
  }

  function tokens(list) {
    return (list || []).map((u) => u.token + ' (' + u.role + ')').join(', ');
  }

  function renderHit(hit) {
    const e = hit.entry || {};
    const ex = hit.explanation || {};
    const card = h('article', { class: 'card hit ' + (hit.alert ? 'alert' : 'clear') });
    card.append(
      h('h3', { class: 'hit-name' }, hit.name || e.name || '(unnamed entry)'),
      h('div', null,
        badge(hit.alert ? 'ALERT' : 'below alert threshold', hit.alert ? 'alert' : ''),
        badge(hit.list), badge('score ' + fmtNum(hit.score, 3))),
      h('p', null, 'Matched name: ', h('strong', { class: 'matched' }, hit.matched_name),
        ex.matched_via ? h('span', { class: 'muted' }, ' via ' + ex.matched_via) : null));
    let source = null;
    if (typeof e.source_url === 'string' && /^https?:\/\//.test(e.source_url)) {
      source = h('a', { href: e.source_url, rel: 'noopener noreferrer', target: '_blank' }, e.source_url);
    }
    card.append(details([
      ['List', hit.list],
      ['Entry id', hit.id],
      ['Type', e.entity_type],
      ['Country', e.country],
      ['Aliases', (e.aliases || []).map(fmtValue)],
      ['Addresses', e.addresses],
      ['Programs', e.programs],
      ['Listed on', e.listed_on],
      ['Delisted on', e.delisted_on],
      ['License requirement', e.license_requirement],
      ['License review policy', e.license_policy],
      ['Federal Register', (e.federal_register || []).map(fmtValue)],
      ['Footnotes', e.footnotes],
      ['Related', (e.related || []).map(fmtValue)],
      ['Remarks', e.remarks],
      ['Source', source],
    ]));
    const why = h('details', { class: 'why' }, h('summary', null, 'Why this matched'));
    why.append(details([
      ['Query (normalised)', ex.query_normalized],
      ['List name (normalised)', ex.list_normalized],
      ['Coverage', ex.query_coverage !== undefined
        ? 'query ' + fmtNum(ex.query_coverage, 2) + ', list ' + fmtNum(ex.list_coverage, 2) : null],
      ['Unmatched in query', tokens(ex.unmatched_query)],
      ['Unmatched in list name', tokens(ex.unmatched_list)],
      ['Legal forms', ex.legal_form ? fmtValue(ex.legal_form.query) + ' / ' + fmtValue(ex.legal_form.list) +
        ' (×' + fmtNum(ex.legal_form.factor, 2) + ')' : null],
      ['Country', ex.country ? ex.country.verdict + ' (' + fmtNum(ex.country.score_before, 3) + ' → ' +
        fmtNum(ex.country.score_after, 3) + ')' : null],
    ]));
    const table = alignmentTable(ex);
    if (table) why.append(table);
    why.open = Boolean(hit.alert);
    card.append(why);
    return card;
  }

  function renderScreen(data) {
    const box = $('screen-results');
    box.replaceChildren();
    const hits = data.hits || [];
    const alerts = hits.filter((x) => x.alert).length;
    box.append(h('p', { id: 'screen-summary' },
      hits.length + ' hit' + (hits.length === 1 ? '' : 's') + ' (' + alerts + ' alert' + (alerts === 1 ? '' : 's') +
      ') for “', h('strong', { class: 'query' }, data.query), '”',
      h('span', { class: 'muted' }, ' · decision ' + (data.decision_id || '—'))));
    if (!hits.length) box.append(h('p', { class: 'card clear' }, 'No list entry resembles this name.'));
    for (const hit of hits) box.append(renderHit(hit));
  }

  function initScreen() {
    $('screen-date').value = today();
    $('screen-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const params = new URLSearchParams();
      params.set('name', $('screen-name').value);
      for (const [key, id] of [['country', 'screen-country'], ['date', 'screen-date'], ['limit', 'screen-limit']]) {
        const v = $(id).value.trim();
        if (v) params.set(key, v);
      }
      run($('screen-submit'), 'Screening', async () => {
        renderScreen(await api('GET', '/v1/screen?' + params.toString()));
      });
    });
  }

  // ---------- transaction check ----------

  let catalog = null;
  async function loadCatalog() {
    if (catalog || !sessionStorage.getItem(TOKEN_KEY)) return;
    try {
      const data = await api('GET', '/v1/chips?date=' + today());
      catalog = data.chips || [];
      for (const sel of document.querySelectorAll('select.item-chip')) fillChips(sel);
    } catch (err) {
      showError(err);
    }
  }

  function fillChips(select) {
    if (!catalog || select.options.length > 1) return;
    for (const c of catalog) select.append(h('option', { value: c.id }, c.name));
  }

  function addRow(templateId, containerId) {
    const node = $(templateId).content.firstElementChild.cloneNode(true);
    node.querySelector('.remove').addEventListener('click', () => node.remove());
    const sel = node.querySelector('select.item-chip');
    if (sel) fillChips(sel);
    $(containerId).append(node);
    return node;
  }

  function val(root, sel) {
    const e = root.querySelector(sel);
    return e ? e.value.trim() : '';
  }

  function buildTransaction() {
    const tx = { date: $('tx-date').value, destination: $('tx-destination').value.trim().toUpperCase() };
    const exporter = {};
    for (const [key, id] of [['name', 'tx-exporter-name'], ['country', 'tx-exporter-country'],
      ['headquarters', 'tx-exporter-hq'], ['kind', 'tx-exporter-kind']]) {
      const v = $(id).value.trim();
      if (v) exporter[key] = key === 'country' || key === 'headquarters' ? v.toUpperCase() : v;
    }
    if (Object.keys(exporter).length) tx.exporter = exporter;
    tx.items = [];
    document.querySelectorAll('#tx-items .item').forEach((row, i) => {
      const item = {};
      const chip = val(row, '.item-chip');
      const eccn = val(row, '.item-eccn');
      const spec = val(row, '.item-spec');
      if (chip) item.product = chip;
      if (eccn) item.eccn = eccn;
      if (spec) {
        try { item.chip = JSON.parse(spec); } catch (err) {
          throw new Error('items[' + i + '] custom spec is not valid JSON: ' + err.message);
        }
      }
      if (Object.keys(item).length) tx.items.push(item);
    });
    tx.parties = [];
    document.querySelectorAll('#tx-parties .party').forEach((row) => {
      const name = val(row, '.party-name');
      if (!name) return;
      const party = { role: val(row, '.party-role'), name };
      const country = val(row, '.party-country').toUpperCase();
      const hq = val(row, '.party-hq').toUpperCase();
      if (country) party.country = country;
      if (hq) party.headquarters = hq;
      tx.parties.push(party);
    });
    tx.end_uses = [...document.querySelectorAll('input[name="end_use"]:checked')].map((c) => c.value);
    return tx;
  }

  const VERDICTS = {
    license_required: 'License required',
    no_license_required: 'No license required',
    license_exception: 'License exception available',
    needs_information: 'Needs information',
  };

  function renderReason(r) {
    return h('li', { class: 'reason' },
      badge(String(r.effect || '').replace(/_/g, ' ')),
      r.verified ? badge('verified', 'ok') : badge('unverified (' + (r.evidence || '?') + ')', 'unverified'),
      ' ', r.explanation, ' ',
      h('span', { class: 'citation' }, r.citation), r.source ? h('span', { class: 'muted' }, ' · ' + r.source) : null,
      r.item !== null && r.item !== undefined ? h('span', { class: 'muted' }, ' · item ' + r.item) : null,
      r.party !== null && r.party !== undefined ? h('span', { class: 'muted' }, ' · party ' + r.party) : null,
      r.facts && Object.keys(r.facts).length
        ? h('details', null, h('summary', null, 'facts (' + r.rule + ')'), jsonBlock(r.facts)) : null);
  }

  function genericTable(rows) {
    if (!rows || !rows.length) return null;
    const keys = [];
    for (const r of rows) {
      for (const [k, v] of Object.entries(r)) {
        // Scalars only: nested arithmetic (TPP terms, steps) stays in the JSON view.
        if (!keys.includes(k) && (v === null || typeof v !== 'object')) keys.push(k);
      }
    }
    return h('table', { class: 'wide' },
      h('thead', null, h('tr', null, keys.map((k) => h('th', null, k.replace(/_/g, ' '))))),
      h('tbody', null, rows.map((r) => h('tr', null, keys.map((k) => h('td', null, fmtValue(r[k])))))));
  }

  function renderCheck(d) {
    const box = $('check-result');
    box.replaceChildren();
    const card = h('article', { class: 'card determination' });
    card.append(h('p', { class: 'verdict ' + d.verdict, id: 'verdict' }, VERDICTS[d.verdict] || d.verdict));
    card.append(details([
      ['License exception', d.license_exception || (d.license_exceptions && d.license_exceptions.length ? d.license_exceptions : null)],
      ['Notification', d.notification_required ? 'required' + (d.notification_days ? ' (' + d.notification_days + ' days before export)' : '') : 'not required'],
      ['Review policy', d.review_policy],
      ['Date / destination', (d.date || '') + ' → ' + (d.destination || '')],
      ['Decision id', d.decision_id],
      ['Rule data', d.data ? d.data.rules_version : null],
    ]));
    const missing = [...(d.missing || []), ...(d.missing_facts || []).map(fmtValue)];
    if (missing.length) {
      card.append(h('h3', null, 'Missing facts'), h('ul', { class: 'missing' }, missing.map((m) => h('li', null, m))));
    }
    card.append(h('h3', null, 'Reasons'), h('ul', { class: 'reasons' }, (d.reasons || []).map(renderReason)));
    const items = genericTable(d.items);
    if (items) card.append(h('h3', null, 'Items'), items);
    const parties = genericTable(d.parties);
    if (parties) card.append(h('h3', null, 'Parties'), parties);
    card.append(h('details', null, h('summary', null, 'Full answer (JSON)'), jsonBlock(d)));
    box.append(card);
  }

  function initCheck() {
    $('tx-date').value = today();
    $('tx-destination').value = 'CN';
    $('tx-add-item').addEventListener('click', () => addRow('item-row', 'tx-items'));
    $('tx-add-party').addEventListener('click', () => addRow('party-row', 'tx-parties'));
    addRow('item-row', 'tx-items');
    addRow('party-row', 'tx-parties');
    $('check-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      run($('check-submit'), 'Checking', async () => {
        let tx;
        if ($('tx-use-json').checked) {
          try { tx = JSON.parse($('tx-json').value); } catch (err) {
            throw new Error('the request JSON is not valid: ' + err.message);
          }
        } else {
          tx = buildTransaction();
          $('tx-json').value = JSON.stringify(tx, null, 2);
        }
        renderCheck(await api('POST', '/v1/check', tx));
      });
    });
  }

  // ---------- chip chart ----------

  const CHART = { w: 860, h: 520, left: 70, right: 20, top: 20, bottom: 56 };

  function logScale(min, max, a, b) {
    const l0 = Math.log10(min);
    const l1 = Math.log10(max);
    return (v) => a + (Math.log10(Math.min(Math.max(v, min), max)) - l0) / (l1 - l0) * (b - a);
  }

  function rectPath(x, y, x0, x1, y0, y1) {
    const X0 = x(x0), X1 = x(x1), Y0 = y(y0), Y1 = y(y1);
    return 'M' + X0 + ' ' + Y0 + 'H' + X1 + 'V' + Y1 + 'H' + X0 + 'Z';
  }

  function drawChart(data) {
    const box = $('chips-chart');
    box.replaceChildren();
    const t = data.thresholds;
    const chips = (data.chips || []).filter((c) => c.tpp > 0 && c.performance_density > 0);
    const xmin = 100, xmax = 100000, ymin = 0.1, ymax = 100;
    const x = logScale(xmin, xmax, CHART.left, CHART.w - CHART.right);
    const y = logScale(ymin, ymax, CHART.h - CHART.bottom, CHART.top);
    const svg = s('svg', {
      viewBox: '0 0 ' + CHART.w + ' ' + CHART.h, width: CHART.w, height: CHART.h, id: 'chips-svg',
      role: 'img', 'aria-label': 'TPP against performance density with 3A090 regions on ' + data.date,
    });
    svg.append(s('title', null, '3A090 regions on ' + data.date));
    // Grid and ticks at powers of ten.
    for (let v = xmin; v <= xmax; v *= 10) {
      svg.append(s('line', { class: 'grid', x1: x(v), x2: x(v), y1: CHART.top, y2: CHART.h - CHART.bottom }));
      svg.append(s('text', { class: 'tick', x: x(v), y: CHART.h - CHART.bottom + 16, 'text-anchor': 'middle' }, fmtNum(v)));
    }
    for (let v = ymin; v <= ymax * 1.0001; v *= 10) {
      svg.append(s('line', { class: 'grid', x1: CHART.left, x2: CHART.w - CHART.right, y1: y(v), y2: y(v) }));
      svg.append(s('text', { class: 'tick', x: CHART.left - 6, y: y(v) + 4, 'text-anchor': 'end' }, String(+v.toPrecision(2))));
    }
    // Regions.
    const legend = $('chips-legend');
    legend.replaceChildren();
    legend.className = 'legend';
    if (!t) {
      legend.append(h('span', null, 'No 3A090 thresholds in force on ' + data.date + '.'));
    } else if (t.scheme === 'tpp_io') {
      svg.append(s('path', { class: 'region-2022', d: rectPath(x, y, t.tpp_a, xmax, ymin, ymax) }));
      svg.append(s('text', { class: 'region-label', x: x(t.tpp_a) + 6, y: CHART.top + 16 }, '3A090 (2022 rule)'));
      legend.append(h('span', null, h('i', { class: 'swatch region-2022' }),
        '2022 rule: TPP ≥ ' + fmtNum(t.tpp_a) + (t.io_gbps ? ' and I/O ≥ ' + fmtNum(t.io_gbps) + ' GB/s (I/O not on this chart)' : '')));
    } else {
      let a = rectPath(x, y, t.tpp_a, xmax, ymin, ymax);
      if (t.tpp_a2 && t.pd_a2) a += rectPath(x, y, t.tpp_a2, t.tpp_a, t.pd_a2, ymax);
      svg.append(s('path', { class: 'region-a', d: a }));
      let b = '';
      if (t.tpp_b1 && t.pd_b1 && t.pd_a2) b += rectPath(x, y, t.tpp_b1, t.tpp_a, t.pd_b1, t.pd_a2);
      if (t.tpp_b2 && t.pd_b2 && t.pd_a2) b += rectPath(x, y, t.tpp_b2, t.tpp_a, t.pd_b2, t.pd_a2);
      if (b) svg.append(s('path', { class: 'region-b', d: b }));
      svg.append(s('text', { class: 'region-label', x: x(t.tpp_a) + 6, y: CHART.top + 16 }, '3A090.a'));
      if (b) svg.append(s('text', { class: 'region-label', x: x(t.tpp_b1) + 4, y: y(t.pd_b1) - 5 }, '3A090.b'));
      legend.append(
        h('span', null, h('i', { class: 'swatch region-a' }), '3A090.a: TPP ≥ ' + fmtNum(t.tpp_a) +
          (t.tpp_a2 ? ', or TPP ≥ ' + fmtNum(t.tpp_a2) + ' and PD ≥ ' + t.pd_a2 : '')),
        h('span', null, h('i', { class: 'swatch region-b' }), '3A090.b: below .a, TPP ≥ ' + fmtNum(t.tpp_b1) +
          ' and PD ≥ ' + t.pd_b1 + ', or TPP ≥ ' + fmtNum(t.tpp_b2) + ' and PD ≥ ' + t.pd_b2));
    }
    if (t) legend.append(h('span', { class: 'citation' }, t.citation + ' · ' + t.source));
    // Axes.
    svg.append(s('line', { class: 'axis', x1: CHART.left, x2: CHART.w - CHART.right, y1: CHART.h - CHART.bottom, y2: CHART.h - CHART.bottom }));
    svg.append(s('line', { class: 'axis', x1: CHART.left, x2: CHART.left, y1: CHART.top, y2: CHART.h - CHART.bottom }));
    svg.append(s('text', { class: 'tick', x: (CHART.left + CHART.w) / 2, y: CHART.h - 12, 'text-anchor': 'middle' },
      'Total processing performance (TPP, log scale)'));
    svg.append(s('text', { class: 'tick', x: 16, y: (CHART.top + CHART.h - CHART.bottom) / 2, 'text-anchor': 'middle',
      transform: 'rotate(-90 16 ' + (CHART.top + CHART.h - CHART.bottom) / 2 + ')' }, 'Performance density (TPP / mm², log scale)'));
    // Chips, labels alternating above and below to limit overlap.
    chips.sort((p, q) => p.tpp - q.tpp).forEach((c, i) => {
      const cx = x(c.tpp), cy = y(c.performance_density);
      const controlled = String(c.eccn || '').startsWith('3A090');
      const g = s('g', { class: 'chip-point', 'data-id': c.id });
      g.append(s('title', null, c.name + ': TPP ' + fmtNum(c.tpp) + ', PD ' + fmtNum(c.performance_density, 2) + ', ' + c.eccn));
      g.append(s('circle', { class: 'chip' + (controlled ? ' controlled' : ''), cx, cy, r: 5 }));
      g.append(s('text', { class: 'label', x: cx + 7, y: cy + (i % 2 ? 13 : -6) }, c.name));
      svg.append(g);
    });
    box.append(svg);

    const rows = (data.chips || []).map((c) => h('tr', null,
      h('td', null, c.name), h('td', null, c.eccn), h('td', { class: 'num' }, fmtNum(c.tpp)),
      h('td', { class: 'num' }, fmtNum(c.performance_density, 2)),
      h('td', null, VERDICTS[c.verdict] || c.verdict), h('td', null, c.license_exception || '—'),
      h('td', null, c.verified ? 'yes' : 'no')));
    $('chips-table').replaceChildren(h('table', null,
      h('thead', null, h('tr', null, ['Chip', 'ECCN', 'TPP', 'PD', 'China (HQ end user)', 'Exception', 'Verified facts']
        .map((k) => h('th', null, k)))),
      h('tbody', null, rows)));
  }

  function initChips() {
    $('chips-date').value = today();
    $('chips-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const date = $('chips-date').value || today();
      run($('chips-submit'), 'Loading chips', async () => {
        drawChart(await api('GET', '/v1/chips?date=' + encodeURIComponent(date)));
      });
    });
  }

  // ---------- history ----------

  function summary(r) {
    const o = r.output || {};
    if (r.kind === 'check') return VERDICTS[o.verdict] || o.verdict || '';
    if (r.kind === 'screen') {
      if (o.results) return o.results.length + ' names';
      return (o.query || '') + ': ' + (o.hits || []).length + ' hits' + ((o.hits || []).some((x) => x.alert) ? ' (alert)' : '');
    }
    if (r.kind === 'screen_batch') return (o.queries || 0) + ' queries, ' + (o.alerts || 0) + ' alerts';
    if (r.kind === 'classify') return o.eccn || '';
    return '';
  }

  function initHistory() {
    $('history-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const params = new URLSearchParams({ limit: $('history-limit').value || '50' });
      if ($('history-kind').value) params.set('kind', $('history-kind').value);
      run($('history-submit'), 'Loading history', async () => {
        const page = await api('GET', '/v1/decisions?' + params.toString());
        const body = h('tbody');
        for (const r of page.decisions || []) {
          const tr = h('tr', { class: 'clickable', tabindex: 0 },
            h('td', { class: 'num' }, r.seq), h('td', null, r.created_at), h('td', null, r.kind),
            h('td', null, r.caller), h('td', null, summary(r)), h('td', { class: 'citation' }, r.id));
          const open = () => showRecord(r.id);
          tr.addEventListener('click', open);
          tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') open(); });
          body.append(tr);
        }
        $('history-table').replaceChildren(h('table', null,
          h('thead', null, h('tr', null, ['#', 'time (UTC)', 'kind', 'caller', 'summary', 'id'].map((k) => h('th', null, k)))),
          body));
      });
    });
  }

  async function showRecord(id) {
    try {
      const r = await api('GET', '/v1/decisions/' + encodeURIComponent(id));
      $('history-detail').replaceChildren(h('article', { class: 'card' },
        h('h3', null, r.kind + ' #' + r.seq + ' · ' + r.created_at),
        details([['Caller', r.caller], ['Rule data', r.rules_version], ['Engine', r.engine_version],
          ['Lists', (r.lists || []).map((l) => l.list + ' ' + l.as_of)], ['Hash', r.hash], ['Previous hash', r.prev_hash]]),
        h('h3', null, 'Input'), jsonBlock(r.input), h('h3', null, 'Output'), jsonBlock(r.output)));
    } catch (err) {
      showError(err);
    }
  }

  // ---------- start ----------

  document.addEventListener('DOMContentLoaded', () => {
    for (const b of document.querySelectorAll('#tabs button')) {
      b.addEventListener('click', () => showTab(b.dataset.tab));
    }
    initToken();
    initScreen();
    initCheck();
    initChips();
    initHistory();
    loadCatalog();
  });
})();
