// hypsim inspector page: plain JavaScript, no framework, nothing loaded from elsewhere.
// The server computed every step (GET /api/session); a live run streams more over /ws. Frames index
// interned tables (state names, CPU/actor views, memories), so a step is a few array lookups and only
// what changed is redrawn; the timeline is virtualised (only the visible rows exist).
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ESC[c]);
  const ROW_H = 20;

  const S = {
    info: null,
    tables: { states: [], views: [], mems: [] },
    frames: [],
    done: false,
    violation: null,
    cur: -1,
    playing: false,
    timer: null,
    rows: [],
    rowStart: [],
    actorIndex: new Map(),
    cpuActors: [],
    otherActors: [],
  };

  // ---------------------------------------------------------------- statecharts
  let charts = [];
  function setupCharts() {
    const box = $('charts');
    box.innerHTML = S.info.charts
      .map((c, i) => `<div class="chart-box" data-chart="${i}"><h3>${esc(c.name)} — ${esc(c.actors.join(', '))}</h3>${c.svg}</div>`)
      .join('');
    charts = S.info.charts.map((c, i) => {
      const el = box.querySelector(`[data-chart="${i}"] svg`);
      const states = new Map();
      el.querySelectorAll('g.st').forEach((g) => {
        const rect = g.querySelector('rect');
        states.set(g.dataset.path, { g, who: g.querySelector('.who'), leaf: g.classList.contains('leaf'), w: Number(rect.getAttribute('width')) });
      });
      const edges = [...el.querySelectorAll('g.edge')].map((g) => ({ g, event: g.dataset.event, source: g.dataset.source, target: g.dataset.target }));
      const actors = S.info.actors.map((a, k) => (a.chart === i ? k : -1)).filter((k) => k >= 0);
      return { el, states, edges, actors, occ: new Map(), inside: new Set(), fired: [] };
    });
  }

  function label(ids, w) {
    if (!ids.length) return '';
    const m = ids.map((id) => /^([a-z]+)(\d+)$/i.exec(id));
    const text = ids.length > 1 && m.every((x) => x && x[1] === m[0][1]) ? `${m[0][1]} ${m.map((x) => x[2]).join(',')}` : ids.join(' ');
    const max = Math.max(4, Math.floor((w - 14) / 6.3));
    return text.length > max ? text.slice(0, max - 1) + '…' : text;
  }

  const within = (path, anc) => anc === '' || path === anc || path.startsWith(anc + '.');

  function renderCharts(f, prev) {
    for (const c of charts) {
      const occ = new Map();
      for (const a of c.actors) {
        for (const p of S.tables.states[f.s[a]].split(',')) {
          if (!occ.has(p)) occ.set(p, []);
          occ.get(p).push(S.info.actors[a].id);
        }
      }
      const inside = new Set();
      for (const p of occ.keys()) {
        const parts = p.split('.');
        for (let k = 1; k < parts.length; k++) inside.add(parts.slice(0, k).join('.'));
      }
      for (const p of new Set([...c.occ.keys(), ...occ.keys()])) {
        const st = c.states.get(p);
        if (!st) continue;
        const ids = occ.get(p) || [];
        st.g.classList.toggle('on', ids.length > 0);
        if (st.who) st.who.textContent = label(ids, st.w);
      }
      for (const p of c.inside) if (!inside.has(p)) c.states.get(p)?.g.classList.remove('in');
      for (const p of inside) c.states.get(p)?.g.classList.add('in');
      c.occ = occ;
      c.inside = inside;
      for (const e of c.fired) e.g.classList.remove('fired');
      c.fired = [];
    }
    // The transitions this step took.
    if (!prev) return;
    for (const d of f.d) {
      const a = S.actorIndex.get(d.to);
      if (a === undefined) continue;
      const c = charts[S.info.actors[a].chart];
      const before = S.tables.states[prev.s[a]].split(',');
      const after = S.tables.states[f.s[a]].split(',');
      for (const e of c.edges) {
        if (e.event !== d.event) continue;
        if (!before.some((p) => within(p, e.source))) continue;
        if (!after.some((p) => within(p, e.target))) continue;
        e.g.classList.add('fired');
        c.fired.push(e);
      }
    }
  }

  // ---------------------------------------------------------------- CPUs
  // One block per CPU (a grid row: registers, then its TLB; a fault line when it is stuck). Blocks off
  // screen skip layout (content-visibility), and a block is redrawn only when its state or view changed.
  const cpuRows = new Map();
  function setupCpus() {
    const p = S.info.profile;
    $('cpu-head').innerHTML = ['CPU', 'state', 'online', p.httbr, `${p.hsctlr}.M`, 'pc', p.hvbar, p.hsp, 'TLB (VA → PA)'].map((h) => `<span>${esc(h)}</span>`).join('');
    const box = $('cpus');
    box.innerHTML = '';
    box.classList.toggle('many', S.cpuActors.length > 4);
    for (const a of S.cpuActors) {
      const el = document.createElement('div');
      el.className = 'cpu';
      el.dataset.cpu = S.info.actors[a].id;
      box.appendChild(el);
      cpuRows.set(a, { el, key: '' });
    }
    $('cpus-panel').hidden = S.cpuActors.length === 0;
  }

  function tlbEntry(e, v) {
    const why = e.stale ? ` <b class="mark">STALE</b><span class="why">${esc(v.httbr || 'no pgd')} now gives ${esc(e.walk)}</span>` : '';
    return `<span class="tlb-entry${e.stale ? ' stale' : ''}" data-va="${e.va}" data-pa="${e.pa}" title="${esc(`VA ${e.va} → PA ${e.pa} (${e.page}); a walk now gives ${e.walk}`)}">${e.va} → ${e.pa} (${esc(e.page)})${why}</span>`;
  }

  function renderCpus(f, prev) {
    for (const [a, row] of cpuRows) {
      const key = `${f.s[a]}|${f.c[a]}`;
      const acted = !!prev && f.d.some((d) => d.to === S.info.actors[a].id);
      if (row.el.classList.contains('changed') !== acted) row.el.classList.toggle('changed', acted);
      if (key === row.key) continue;
      row.key = key;
      const v = S.tables.views[f.c[a]];
      const state = S.tables.states[f.s[a]];
      const id = S.info.actors[a].id;
      const off = (t) => `<span class="off">${t}</span>`;
      row.el.classList.toggle('fault', !!v.fault);
      row.el.innerHTML =
        `<span class="id">${esc(id)}</span>` +
        `<span class="state"><span class="st-name">${esc(state)}</span></span>` +
        `<span class="online">${v.online ? 'yes' : off('no')}</span>` +
        `<span class="httbr">${v.httbr ? esc(v.httbr) : off('—')}</span>` +
        `<span class="mmu">${v.mmu ? '1' : off('0')}</span>` +
        `<span class="pc">${v.pc ? esc(v.pc) : off('kernel')}</span>` +
        `<span class="hvbar">${esc(v.hvbar)}</span>` +
        `<span class="hsp">${esc(v.hsp)}</span>` +
        `<span class="tlb">${v.tlb.length ? v.tlb.map((e) => tlbEntry(e, v)).join('') : '<span class="empty">empty</span>'}</span>` +
        (v.fault ? `<span class="fault-text">✗ ${esc(v.fault.invariant)}: ${esc(v.fault.text)}</span>` : '');
    }
  }

  // ---------------------------------------------------------------- memory
  let memShown = '';
  function renderMem(f, prev) {
    const key = `${f.m}|${prev ? prev.m : ''}`;
    if (key !== memShown) {
      memShown = key;
      const m = S.tables.mems[f.m];
      const pm = prev ? S.tables.mems[prev.m] : null;
      $('flags').innerHTML = Object.entries(m.flags)
        .map(([k, v]) => `<span class="flag${v ? ' set' : ''}" data-flag="${esc(k)}">${esc(k)} = ${v ? 'true' : 'false'}</span>`)
        .join('');
      $('pgds').innerHTML = m.pgds
        .map((p) => {
          const old = pm ? pm.pgds.find((q) => q.key === p.key) : null;
          const had = new Set(old ? old.entries.map((e) => `${e.va}>${e.pa}`) : []);
          const rows = p.entries
            .map((e) => `<tr data-pgd="${p.key}" data-va="${e.va}" class="${old && !had.has(`${e.va}>${e.pa}`) ? 'changed' : ''}"><td>${e.va}</td><td>${e.pa}</td><td>${esc(e.page)}</td></tr>`)
            .join('');
          return `<div class="pgd" data-pgd="${p.key}"><h3>${esc(p.name)}${p.freed ? ' <span class="freed">freed (kfree)</span>' : ''}</h3><table><thead><tr><th>VA</th><th>PA</th><th>page</th></tr></thead><tbody>${rows || '<tr><td colspan="3" class="empty">no mappings</td></tr>'}</tbody></table></div>`;
        })
        .join('');
    }
  }

  let usedEls = [];
  function renderUsed(f) {
    for (const el of usedEls) el.classList.remove('used');
    usedEls = [];
    const u = f.used;
    if (!u) return;
    const sel = u.via === 'tlb' ? `#cpus .cpu[data-cpu="${u.cpu}"] .tlb-entry[data-va="${u.va}"]` : `#pgds tr[data-pgd="${u.pgd}"][data-va="${u.va}"]`;
    document.querySelectorAll(sel).forEach((el) => {
      el.classList.add('used');
      usedEls.push(el);
    });
  }

  // ---------------------------------------------------------------- others, invariants, step detail
  const otherRows = new Map();
  function setupOthers() {
    const body = $('others').tBodies[0];
    body.innerHTML = '';
    for (const a of S.otherActors) {
      const tr = document.createElement('tr');
      tr.dataset.actor = S.info.actors[a].id;
      body.appendChild(tr);
      otherRows.set(a, { tr, key: '' });
    }
  }
  function renderOthers(f) {
    for (const [a, row] of otherRows) {
      const key = `${f.s[a]}|${f.c[a]}`;
      if (key === row.key) continue;
      row.key = key;
      const v = S.tables.views[f.c[a]];
      row.tr.innerHTML = `<td class="id">${esc(S.info.actors[a].id)}</td><td class="state">${esc(S.tables.states[f.s[a]])}</td><td class="ctx">${esc(v.text || '')}</td>`;
    }
  }

  function setupInvariants() {
    $('invariants').innerHTML = S.info.invariants
      .map((i) => `<li data-invariant="${esc(i.id)}"><code>${esc(i.id)}</code> — ${esc(i.description)}<span class="msg"></span></li>`)
      .join('');
  }
  function renderInvariants() {
    const v = S.violation;
    for (const li of $('invariants').children) {
      const mine = !!v && li.dataset.invariant === v.invariant;
      const now = mine && S.cur === v.step;
      li.classList.toggle('violated', now);
      li.classList.toggle('broken-later', mine && S.cur < v.step);
      li.querySelector('.msg').textContent = now ? `broken at step ${v.step}${v.actor ? ` by ${v.actor}` : ''}: ${v.message}` : '';
    }
    const alert = $('alert');
    if (v && S.cur === v.step) {
      alert.hidden = false;
      alert.textContent = `✗ ${v.invariant} — broken at step ${v.step}${v.actor ? ` by ${v.actor}` : ''}: ${v.message}`;
    } else alert.hidden = true;
  }

  function renderStep(f) {
    const n = S.frames.length - 1;
    if (f.step === 0) {
      $('step-title').textContent = 'Initial state';
      $('step-detail').innerHTML = '<div class="line empty">before the first step: every CPU in the kernel, HYP is the stub</div>';
      return;
    }
    const d0 = f.d[0];
    $('step-title').textContent = `Step ${f.step} of ${n} — ${d0.to} ${d0.event}${d0.from !== d0.to ? ` (from ${d0.from})` : ''}`;
    const bad = S.violation && S.violation.step === f.step;
    const lines = f.l.length ? f.l : f.d.map((d) => ({ actor: d.to, from: d.from, event: d.event, text: JSON.stringify(d.payload) }));
    $('step-detail').innerHTML = lines
      .map(
        (l, k) =>
          `<div class="line${bad && k === lines.length - 1 ? ' bad' : ''}"><span class="who">${esc(l.actor)}</span> <span class="ev">${esc(l.event)}</span>${l.from !== l.actor ? ` <span class="off">from ${esc(l.from)}</span>` : ''} — ${esc(l.text)}${l.cite ? `<div class="cite">${esc(l.cite)}</div>` : ''}</div>`,
      )
      .join('');
  }

  // ---------------------------------------------------------------- timeline (virtualised)
  function addRows(from) {
    for (let i = Math.max(1, from); i < S.frames.length; i++) {
      const f = S.frames[i];
      S.rowStart[i] = S.rows.length;
      const lines = f.l.length ? f.l : f.d.map((d) => ({ actor: d.to, from: d.from, event: d.event, text: '' }));
      lines.forEach((l, k) => S.rows.push({ frame: i, first: k === 0, last: k === lines.length - 1, l }));
    }
    $('tl-spacer').style.height = `${S.rows.length * ROW_H}px`;
  }

  function setupTimeline() {
    const n = S.info.actors.length;
    const short = (id) => (id === 'kernel' ? 'k' : id === 'hotplug' ? 'h' : id.replace(/^cpu/, 'c').replace(/^vm/, 'v'));
    $('tl-head').innerHTML = `<span>step</span><span class="lanes">${S.info.actors.map((a) => `<i title="${esc(a.id)}">${esc(short(a.id))}</i>`).join('')}</span><span>actor</span><span>event</span><span>what happened</span>`;
    document.documentElement.style.setProperty('--lanes', `${n * 2 + 1}ch`);
    const tl = $('timeline');
    let pending = false;
    tl.addEventListener('scroll', () => {
      scrollTop = tl.scrollTop;
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        renderRows();
      });
    });
    tl.addEventListener('click', (e) => {
      const row = e.target.closest('.tl-row');
      if (row) goto(Number(row.dataset.frame));
    });
  }

  // Row elements exist only for the visible rows, and are kept while they stay visible: stepping
  // moves a class, scrolling adds and removes a few rows. The scroll offset is tracked here, so that
  // stepping never has to ask the browser for layout.
  const pool = new Map();
  let scrollTop = 0;
  const TL_H = 280;

  function rowHtml(r) {
    const row = S.rows[r];
    const f = S.frames[row.frame];
    const l = row.l;
    const v = S.violation;
    const broke = v && v.step === f.step && row.last;
    // One text run, two characters a lane: only the acting (and sending) lanes are elements.
    let lanes = '';
    let dots = '';
    for (const a of S.info.actors) {
      const mark = a.id === l.actor ? `<b class="${broke ? 'bad' : 'act'}">${broke ? '✗' : '●'}</b>` : a.id === l.from && l.from !== l.actor ? '<b class="snd">→</b>' : null;
      if (mark) {
        lanes += dots + mark + ' ';
        dots = '';
      } else dots += '· ';
    }
    lanes += dots;
    return `<span>${row.first ? f.step : ''}</span><span class="lanes">${lanes}</span><span>${esc(l.actor)}</span><span>${esc(l.event)}</span><span title="${esc(l.text)}">${esc(l.text)}${broke ? ` ✗ ${esc(v.invariant)}` : ''}</span>`;
  }

  function renderRows(force) {
    const first = Math.max(0, Math.floor(scrollTop / ROW_H) - 4);
    const end = Math.min(S.rows.length, first + Math.ceil(TL_H / ROW_H) + 8);
    const box = $('tl-rows');
    for (const [r, el] of pool) {
      if (r < first || r >= end || force) {
        el.remove();
        pool.delete(r);
      }
    }
    const v = S.violation;
    for (let r = first; r < end; r++) {
      let el = pool.get(r);
      const row = S.rows[r];
      const f = S.frames[row.frame];
      if (!el) {
        el = document.createElement('div');
        el.dataset.frame = String(row.frame);
        el.dataset.step = String(f.step);
        el.style.top = `${r * ROW_H}px`;
        el.innerHTML = rowHtml(r);
        box.appendChild(el);
        pool.set(r, el);
      }
      const cls = `tl-row${row.frame === S.cur ? ' cur' : ''}${v && v.step === f.step ? ' violation' : ''}`;
      if (el.className !== cls) el.className = cls;
    }
  }

  function ensureRowVisible(i) {
    const tl = $('timeline');
    const r = i === 0 ? 0 : S.rowStart[i];
    if (r === undefined) return;
    const top = r * ROW_H;
    if (top < scrollTop || top > scrollTop + TL_H - 2 * ROW_H) {
      scrollTop = Math.max(0, Math.min(S.rows.length * ROW_H - TL_H, top - TL_H / 3));
      tl.scrollTop = scrollTop;
    }
  }

  // ---------------------------------------------------------------- stepping
  function goto(i) {
    const last = S.frames.length - 1;
    i = Math.max(0, Math.min(last, Math.round(Number(i)) || 0));
    if (i === S.cur) return;
    const prev = i > 0 ? S.frames[i - 1] : null;
    S.cur = i;
    const f = S.frames[i];
    $('scrub').value = String(i);
    $('stepno').textContent = `step ${i} / ${last}`;
    renderCharts(f, prev);
    renderCpus(f, prev);
    renderMem(f, prev);
    renderUsed(f);
    renderOthers(f);
    renderInvariants();
    renderStep(f);
    ensureRowVisible(i);
    renderRows();
  }

  function setPlaying(on) {
    S.playing = on;
    clearInterval(S.timer);
    S.timer = null;
    $('play').textContent = on ? '❚❚ pause' : '▶ play';
    $('play').classList.toggle('playing', on);
    $('play').setAttribute('aria-label', on ? 'pause' : 'play');
    if (!on) return;
    if (S.cur >= S.frames.length - 1 && S.done) goto(0);
    S.timer = setInterval(() => {
      if (S.cur < S.frames.length - 1) goto(S.cur + 1);
      else if (S.done) setPlaying(false);
    }, 1000 / Number($('speed').value));
  }

  function renderVerdict() {
    const el = $('verdict');
    const v = S.violation;
    const n = S.frames.length - 1;
    if (v) {
      el.className = 'bad';
      el.textContent = `✗ ${v.invariant} at step ${v.step}`;
    } else if (S.done) {
      el.className = 'good';
      el.textContent = `✓ no invariant broken (${n} steps)`;
    } else {
      el.className = 'running';
      el.textContent = `live: ${n} steps so far`;
    }
    $('to-violation').hidden = !v;
    $('live').textContent = S.info.mode === 'live' ? (S.done ? 'live run ended' : '● live') : '';
    $('scrub').max = String(n);
    $('stepno').textContent = `step ${Math.max(0, S.cur)} / ${n}`;
  }

  // ---------------------------------------------------------------- data
  function append(b) {
    const t = S.tables;
    if (b.from.states !== t.states.length || b.from.views !== t.views.length || b.from.mems !== t.mems.length || b.from.frames !== S.frames.length) {
      location.reload();
      return;
    }
    t.states.push(...b.states);
    t.views.push(...b.views);
    t.mems.push(...b.mems);
    const wasLast = S.cur === S.frames.length - 1;
    const from = S.frames.length;
    S.frames.push(...b.frames);
    S.done = b.done;
    S.violation = b.violation;
    addRows(from);
    renderVerdict();
    if (wasLast || S.playing) goto(S.frames.length - 1);
    else {
      renderInvariants();
      renderRows(true);
    }
  }

  function connect() {
    const ws = new WebSocket(`ws://${location.host}/ws`);
    ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', have: { frames: S.frames.length, states: S.tables.states.length, views: S.tables.views.length, mems: S.tables.mems.length } }));
    ws.onmessage = (m) => {
      const b = JSON.parse(m.data);
      if (b.type === 'batch') append(b);
      if (S.done) ws.close();
    };
    ws.onclose = () => {
      if (!S.done) $('live').textContent = 'disconnected';
    };
  }

  async function start() {
    const res = await fetch('/api/session', { cache: 'no-store' });
    const data = await res.json();
    S.info = data.static;
    S.tables = data.tables;
    S.frames = data.frames;
    S.done = data.done;
    S.violation = data.violation;
    S.info.actors.forEach((a, i) => {
      S.actorIndex.set(a.id, i);
      if (a.kind === 'cpu') S.cpuActors.push(i);
      else S.otherActors.push(i);
    });
    document.title = `hypsim inspector — ${S.info.title}`;
    $('title').textContent = S.info.title;
    $('source').textContent = S.info.source;
    setupCharts();
    setupCpus();
    setupOthers();
    setupInvariants();
    setupTimeline();
    addRows(1);
    renderVerdict();
    const hash = /^#(\d+)$/.exec(location.hash);
    goto(hash ? Number(hash[1]) : S.info.mode === 'live' ? S.frames.length - 1 : 0);
    if (!S.done) connect();
    document.body.dataset.ready = 'true';
  }

  // ---------------------------------------------------------------- controls
  $('first').onclick = () => goto(0);
  $('prev').onclick = () => goto(S.cur - 1);
  $('next').onclick = () => goto(S.cur + 1);
  $('last').onclick = () => goto(S.frames.length - 1);
  $('play').onclick = () => setPlaying(!S.playing);
  $('speed').onchange = () => S.playing && setPlaying(true);
  $('to-violation').onclick = () => S.violation && goto(S.violation.step);
  $('scrub').addEventListener('input', (e) => goto(e.target.value));
  document.addEventListener('keydown', (e) => {
    const t = e.target;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA')) return;
    if (e.key === 'ArrowRight') goto(S.cur + 1);
    else if (e.key === 'ArrowLeft') goto(S.cur - 1);
    else if (e.key === 'Home') goto(0);
    else if (e.key === 'End') goto(S.frames.length - 1);
    else if (e.key === ' ') setPlaying(!S.playing);
    else if (e.key === 'v' && S.violation) goto(S.violation.step);
    else return;
    e.preventDefault();
  });

  // For tests and the console.
  window.hypsimInspector = {
    goto,
    get step() {
      return S.cur;
    },
    get steps() {
      return S.frames.length - 1;
    },
    get done() {
      return S.done;
    },
    get violation() {
      return S.violation;
    },
  };

  start().catch((e) => {
    $('title').textContent = `could not load the session: ${e}`;
  });
})();
