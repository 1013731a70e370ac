// hypsim inspector page: plain JavaScript, no framework, nothing loaded from elsewhere.
// The server computed every step (GET /api/session); a live run streams more over /ws. Frames index
// interned tables (state names, CPU/actor views, memories), so a step is a few array lookups and only
// what changed is redrawn; the timeline is virtualised (only the visible rows exist).

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
    // Per frame, per CPU actor: TLB entry key 'va>pa' → the step it was filled at.
    fills: [],
    // 'actor|key|fill' → what became of that TLB entry: { hit: step it was hit while stale, end: step it left }.
    fates: new Map(),
    // Bumped when frames arrive (a stale entry's fate may be known now).
    epoch: 0,
    // Timeline rows the filter lets through (null: all).
    vis: null,
    query: '',
    view: 'timeline',
    showPerCpu: false,
  };

  // ---------------------------------------------------------------- statecharts
  let charts = [];
  const cpuFirst = (i) => (S.info.charts[i].actors.some((id) => /^cpu\d+$/.test(id)) ? 0 : 1);
  function setupCharts() {
    const box = $('charts');
    // The CPU chart first: it is the one a violation is about.
    const order = S.info.charts.map((_c, i) => i).sort((a, b) => cpuFirst(a) - cpuFirst(b) || a - b);
    const names = (c) => (c.actors.length > 6 ? `${c.actors[0]} … ${c.actors[c.actors.length - 1]} (${c.actors.length})` : c.actors.join(', '));
    const hidden = (c) => (c.hidden.length ? `<p class="hidden-states">not drawn (${esc(c.hiddenWhy)}): ${c.hidden.map(esc).join(', ')}</p>` : '');
    box.innerHTML = order
      .map((i) => S.info.charts[i])
      .map(
        (c) =>
          `<div class="chart-box" data-chart="${S.info.charts.indexOf(c)}"><h3>${esc(c.name)} — ${esc(names(c))}</h3>` +
          `${c.svg}${hidden(c)}<p class="unshown" hidden></p></div>`,
      )
      .join('');
    charts = S.info.charts.map((_c, i) => {
      const el = box.querySelector(`[data-chart="${i}"] svg`);
      const states = new Map();
      el.querySelectorAll('g.st').forEach((g) => {
        const rect = g.querySelector('rect');
        states.set(g.dataset.path, { g, who: g.querySelector('.who'), leaf: g.classList.contains('leaf'), w: Number(rect.getAttribute('width')) });
      });
      const edges = [...el.querySelectorAll('g.edge')].map((g) => ({ g, event: g.dataset.event, source: g.dataset.source, target: g.dataset.target }));
      const actors = S.info.actors.map((a, k) => (a.chart === i ? k : -1)).filter((k) => k >= 0);
      const unshown = box.querySelector(`[data-chart="${i}"] .unshown`);
      return { el, states, edges, actors, occ: new Map(), inside: new Set(), fired: [], unshown };
    });
  }

  function label(ids, w) {
    if (!ids.length) return '';
    const m = ids.map((id) => /^([a-z]+)(\d+)$/i.exec(id));
    const text = ids.length > 1 && m.every((x) => x && x[1] === m[0][1]) ? `${m[0][1]} ${m.map((x) => x[2]).join(',')}` : ids.join(' ');
    const max = Math.max(4, Math.floor((w - 14) / 6.3));
    return text.length > max ? `${text.slice(0, max - 1)}…` : text;
  }

  const within = (path, anc) => anc === '' || path === anc || path.startsWith(`${anc}.`);

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
      // A state the diagram left out must never be silently missing: say who is there.
      const missing = [...occ.keys()].filter((p) => !c.states.has(p));
      c.unshown.hidden = missing.length === 0;
      if (missing.length) c.unshown.textContent = `in a state not drawn: ${missing.map((p) => `${occ.get(p).join(',')} in ${p}`).join('; ')}`;
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
  // One block per CPU (registers on a line, its TLB under them; a fault line when it is stuck). Blocks off
  // screen skip layout (content-visibility), and a block is redrawn only when its state, its view or the
  // previous step's (what "changed" is measured against) differ from what is drawn.
  const cpuRows = new Map();
  const REGS = ['online', 'httbr', 'mmu', 'pc', 'hvbar', 'hsp'];
  function setupCpus() {
    const p = S.info.profile;
    $('cpu-head').innerHTML = ['CPU', 'state', 'online', p.httbr, `${p.hsctlr}.M`, 'pc', p.hvbar, p.hsp].map((h) => `<span>${esc(h)}</span>`).join('');
    const box = $('cpus');
    box.innerHTML = '';
    const many = S.cpuActors.length > 6;
    box.classList.toggle('many', many);
    const seen = many
      ? new IntersectionObserver(
          (list) => {
            for (const it of list) {
              const row = cpuRows.get(Number(it.target.dataset.actor));
              row.visible = it.isIntersecting;
              if (row.visible && S.cur >= 0) renderCpu(Number(it.target.dataset.actor), row, S.frames[S.cur], S.cur > 0 ? S.frames[S.cur - 1] : null);
            }
          },
          { root: box, rootMargin: '40px 0px' },
        )
      : null;
    for (const a of S.cpuActors) {
      const el = document.createElement('div');
      el.className = 'cpu';
      el.dataset.cpu = S.info.actors[a].id;
      el.dataset.actor = String(a);
      const spans = ['state', ...REGS, 'tlb', 'fault-text'].map((k) => `<span class="${k}"></span>`).join('');
      el.innerHTML = `<span class="id">${esc(S.info.actors[a].id)}</span>${spans}`;
      const parts = {};
      for (const k of ['state', ...REGS, 'tlb']) parts[k] = el.querySelector(`.${k}`);
      parts.fault = el.querySelector('.fault-text');
      box.appendChild(el);
      cpuRows.set(a, { el, parts, key: '', tlbKey: '', visible: !many });
      if (seen) seen.observe(el);
    }
    $('cpus-panel').hidden = S.cpuActors.length === 0;
  }

  const entryKey = (e) => `${e.va}>${e.pa}`;

  // Fill steps, computed as frames arrive: an entry keeps the step it appeared at while it stays cached.
  function addFills(from) {
    for (let i = from; i < S.frames.length; i++) {
      const f = S.frames[i];
      const prevF = i > 0 ? S.frames[i - 1] : null;
      const row = new Map();
      for (const a of S.cpuActors) {
        const before = prevF ? S.fills[i - 1].get(a) : null;
        if (prevF && prevF.c[a] === f.c[a]) {
          row.set(a, before);
          continue;
        }
        const m = new Map();
        for (const e of S.tables.views[f.c[a]].tlb) {
          const k = entryKey(e);
          m.set(k, before?.has(k) ? before.get(k) : i);
        }
        row.set(a, m);
      }
      S.fills[i] = row;
    }
  }

  // What becomes of a stale entry: the first step that hits it while stale (a wrong translation), or the
  // step it leaves the TLB (a TLBI closing the window), or neither up to the last step known.
  function fate(a, e, fill) {
    const key = `${a}|${entryKey(e)}|${fill}`;
    let r = S.fates.get(key);
    if (r) return r;
    const id = S.info.actors[a].id;
    const k = entryKey(e);
    r = { hit: null, end: null, by: '' };
    for (let j = fill + 1; j < S.frames.length; j++) {
      const f = S.frames[j];
      const u = f.used;
      if (u && u.cpu === id && u.via === 'tlb' && u.va === e.va) {
        const was = S.tables.views[S.frames[j - 1].c[a]].tlb.find((x) => entryKey(x) === k);
        if (was?.stale) {
          r.hit = j;
          break;
        }
      }
      if (S.fills[j].get(a).get(k) !== fill) {
        r.end = j;
        r.by = f.d.map((d) => (d.to === id ? d.event : '')).filter(Boolean)[0] || f.d[0].event;
        break;
      }
    }
    S.fates.set(key, r);
    return r;
  }

  function tlbEntry(a, e, v, i, isNew) {
    const fill = S.fills[i].get(a).get(entryKey(e));
    const link = `<a class="filled" href="#${fill}" title="filled at step ${fill}: go there">@${fill}</a>`;
    let kind = '';
    let why = '';
    if (e.stale) {
      const r = fate(a, e, fill);
      const v2 = S.violation;
      if (r.hit !== null) {
        kind = ' breaks';
        const inv = v2 && v2.step === r.hit ? ` → ${esc(v2.invariant)}` : '';
        why = `<span class="fate">hit while stale at <a href="#${r.hit}">step ${r.hit}</a>${inv}</span>`;
      } else if (r.end !== null) {
        kind = ' window';
        why = `<span class="fate">stale window: left the TLB at <a href="#${r.end}">step ${r.end}</a> (${esc(r.by)}) before any hit</span>`;
      } else {
        kind = ' latent';
        why = `<span class="fate">${S.done ? 'never hit while stale in this trace' : 'not hit while stale so far'}</span>`;
      }
      why = ` <b class="mark">STALE</b><span class="why">${esc(v.httbr || 'no pgd')} now gives ${esc(e.walk)}</span>${why}`;
    }
    const cls = `tlb-entry${e.stale ? ` stale${kind}` : ''}${isNew ? ' new' : ''}`;
    const title = `VA ${e.va} → PA ${e.pa} (${e.page}), filled at step ${fill}; a walk now gives ${e.walk}`;
    const attrs = `class="${cls}" data-va="${e.va}" data-pa="${e.pa}" data-filled="${fill}" title="${esc(title)}"`;
    return `<span ${attrs}>${e.va} → ${e.pa} (${esc(e.page)})${link}${why}</span>`;
  }

  function renderCpus(f, prev) {
    for (const [a, row] of cpuRows) {
      const acted = !!prev && f.d.some((d) => d.to === S.info.actors[a].id);
      if (row.el.classList.contains('changed') !== acted) row.el.classList.toggle('changed', acted);
      renderCpu(a, row, f, prev);
    }
  }

  // Registers are set field by field; the TLB (the costly part) only while the block is in sight: with
  // many CPUs, a block scrolled out of view is drawn when it comes back (the observer in setupCpus).
  function renderCpu(a, row, f, prev) {
    const key = `${f.s[a]}|${f.c[a]}|${prev ? `${prev.s[a]}|${prev.c[a]}` : ''}|${S.epoch}`;
    const v = S.tables.views[f.c[a]];
    const pv = prev ? S.tables.views[prev.c[a]] : null;
    if (key !== row.key) {
      row.key = key;
      row.tlbKey = '';
      const p = row.parts;
      // A field is written only when its text or its mark differs (most do not, from one step to the next).
      const set = (el, html, changed) => {
        if (el.$html !== html) {
          el.$html = html;
          el.innerHTML = html;
        }
        if (el.$chg !== changed) {
          el.$chg = changed;
          el.classList.toggle('chg', changed);
        }
      };
      const off = (t) => `<span class="off">${t}</span>`;
      const chg = (r) => !!pv && pv[r] !== v[r];
      set(p.state, `<span class="st-name">${esc(S.tables.states[f.s[a]])}</span>`, !!prev && prev.s[a] !== f.s[a]);
      set(p.online, v.online ? 'yes' : off('no'), chg('online'));
      set(p.httbr, v.httbr ? esc(v.httbr) : off('—'), chg('httbr'));
      set(p.mmu, v.mmu ? '1' : off('0'), chg('mmu'));
      set(p.pc, v.pc ? esc(v.pc) : off('kernel'), chg('pc'));
      set(p.hvbar, esc(v.hvbar), chg('hvbar'));
      set(p.hsp, esc(v.hsp), chg('hsp'));
      row.el.classList.toggle('fault', !!v.fault);
      if (p.fault.hidden !== !v.fault) p.fault.hidden = !v.fault;
      if (v.fault || p.fault.textContent) p.fault.textContent = v.fault ? `✗ ${v.fault.invariant}: ${v.fault.text}` : '';
    }
    if (!row.visible || row.tlbKey === key) return;
    row.tlbKey = key;
    const i = S.cur;
    const had = new Set(pv ? pv.tlb.map(entryKey) : []);
    const has = new Set(v.tlb.map(entryKey));
    const gone = pv ? pv.tlb.filter((e) => !has.has(entryKey(e))) : [];
    const isNew = (e) => !!pv && !had.has(entryKey(e));
    // A long TLB (every VA tracked) folds: stale, new and used entries always show, then the first few.
    const u = f.used && f.used.via === 'tlb' && f.used.cpu === S.info.actors[a].id ? f.used.va : null;
    let shown = v.tlb;
    if (!row.allTlb && v.tlb.length > TLB_FOLD) {
      let room = TLB_FOLD - v.tlb.filter((e) => e.stale || isNew(e) || e.va === u).length;
      shown = v.tlb.filter((e) => e.stale || isNew(e) || e.va === u || room-- > 0);
    }
    const label = row.allTlb ? 'fold' : `+${v.tlb.length - shown.length} more`;
    const more = v.tlb.length > TLB_FOLD ? `<button class="tlb-more" data-actor="${a}">${label}</button>` : '';
    const entries =
      shown.map((e) => tlbEntry(a, e, v, i, isNew(e))).join('') +
      gone.map((e) => `<span class="tlb-gone" title="invalidated at this step">${e.va} → ${e.pa}</span>`).join('') +
      more;
    row.parts.tlb.innerHTML = entries || '<span class="empty">TLB empty</span>';
  }
  const TLB_FOLD = 8;
  $('cpus').addEventListener('click', (ev) => {
    const b = ev.target.closest('button.tlb-more');
    if (!b) return;
    const a = Number(b.dataset.actor);
    const row = cpuRows.get(a);
    row.allTlb = !row.allTlb;
    row.tlbKey = '';
    // Clicked, so on screen (the observer may not have said so yet).
    row.visible = true;
    const f = S.frames[S.cur];
    renderCpu(a, row, f, S.cur > 0 ? S.frames[S.cur - 1] : null);
    renderUsed(f);
  });

  // Many CPUs: the list scrolls by itself to the CPU that acts at this step (the page does not move).
  let followPending = false;
  function followCpu() {
    if (followPending) return;
    followPending = true;
    // After the frame's layout, once per animation frame (reading offsets mid-step would force a layout).
    requestAnimationFrame(() => {
      followPending = false;
      followNow(S.frames[S.cur]);
    });
  }
  function followNow(f) {
    const box = $('cpus');
    if (!box.classList.contains('many') || !f.d.length) return;
    const a = S.actorIndex.get(f.d[0].to);
    const row = a === undefined ? null : cpuRows.get(a);
    if (!row) return;
    const top = row.el.offsetTop - box.offsetTop;
    if (top < box.scrollTop || top + row.el.offsetHeight > box.scrollTop + box.clientHeight) box.scrollTop = Math.max(0, top - 40);
  }

  // ---------------------------------------------------------------- memory
  // Entries added at this step are marked, removed ones struck through. Per-CPU mappings (a stack and a
  // host context per CPU) fold into one line when there are many, unless they changed or were used now.
  let memShown = '';
  const PER_CPU = /\bcpu\d+$/;
  const FOLD_OVER = 8;
  function pgdRows(p, old, f) {
    const key = (e) => `${e.va}>${e.pa}`;
    const had = new Set(old ? old.entries.map(key) : []);
    const has = new Set(p.entries.map(key));
    const usedVa = f.used && f.used.via === 'walk' && f.used.pgd === p.key ? f.used.va : null;
    const perCpu = p.entries.filter((e) => PER_CPU.test(e.page));
    const fold = !S.showPerCpu && perCpu.length > FOLD_OVER;
    const row = (e, cls) => `<tr data-pgd="${p.key}" data-va="${e.va}" class="${cls}"><td>${e.va}</td><td>${e.pa}</td><td>${esc(e.page)}</td></tr>`;
    let folded = 0;
    const rows = [];
    for (const e of p.entries) {
      const added = !!old && !had.has(key(e));
      if (fold && PER_CPU.test(e.page) && !added && e.va !== usedVa) {
        folded++;
        continue;
      }
      rows.push(row(e, added ? 'changed' : ''));
    }
    for (const e of old ? old.entries : []) if (!has.has(key(e))) rows.push(row(e, 'removed'));
    if (folded) {
      const kinds = [...new Set(perCpu.map((e) => e.page.replace(PER_CPU, '').trim()))].join(', ');
      rows.push(`<tr class="group"><td colspan="3">${folded} more per-CPU mappings (${esc(kinds)}) <button data-act="per-cpu">show</button></td></tr>`);
    } else if (S.showPerCpu && perCpu.length > FOLD_OVER) {
      rows.push('<tr class="group"><td colspan="3"><button data-act="per-cpu">fold the per-CPU mappings</button></td></tr>');
    }
    return rows.join('');
  }

  function renderMem(f, prev) {
    const key = `${f.m}|${prev ? prev.m : ''}|${f.used ? f.used.va : ''}|${S.showPerCpu}`;
    if (key === memShown) return;
    memShown = key;
    const m = S.tables.mems[f.m];
    const pm = prev ? S.tables.mems[prev.m] : null;
    $('flags').innerHTML = Object.entries(m.flags)
      .map(([k, v]) => {
        const cls = `flag${v ? ' set' : ''}${pm && pm.flags[k] !== v ? ' chg' : ''}`;
        return `<span class="${cls}" data-flag="${esc(k)}">${esc(k)} = ${v ? 'true' : 'false'}</span>`;
      })
      .join('');
    $('pgds').innerHTML = m.pgds
      .map((p) => {
        const old = pm ? pm.pgds.find((q) => q.key === p.key) : null;
        const rows = pgdRows(p, old, f);
        const freed = p.freed ? ` <span class="freed">freed (kfree)</span>` : '';
        const body = rows || '<tr><td colspan="3" class="empty">no mappings</td></tr>';
        const head = '<thead><tr><th>VA</th><th>PA</th><th>page</th></tr></thead>';
        return `<div class="pgd" data-pgd="${p.key}"><h3>${esc(p.name)}${freed}</h3><table>${head}<tbody>${body}</tbody></table></div>`;
      })
      .join('');
  }
  $('pgds').addEventListener('click', (e) => {
    if (!e.target.closest('button[data-act="per-cpu"]')) return;
    S.showPerCpu = !S.showPerCpu;
    const f = S.frames[S.cur];
    renderMem(f, S.cur > 0 ? S.frames[S.cur - 1] : null);
    renderUsed(f);
  });

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
  function renderOthers(f, prev) {
    for (const [a, row] of otherRows) {
      const changed = !!prev && (prev.s[a] !== f.s[a] || prev.c[a] !== f.c[a]);
      if (row.tr.classList.contains('changed') !== changed) row.tr.classList.toggle('changed', changed);
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

  // ---------------------------------------------------------------- timeline (virtualised) and filter
  function addRows(from) {
    for (let i = Math.max(1, from); i < S.frames.length; i++) {
      const f = S.frames[i];
      S.rowStart[i] = S.rows.length;
      const lines = f.l.length ? f.l : f.d.map((d) => ({ actor: d.to, from: d.from, event: d.event, text: '' }));
      lines.forEach((l, k) => {
        const hay = `${f.step} ${l.actor} ${l.from} ${l.event} ${l.text}`.toLowerCase();
        S.rows.push({ frame: i, first: k === 0, last: k === lines.length - 1, l, hay });
      });
    }
    applyFilter();
  }

  // The filter: every word must occur in the row (step, actor, sender, event, text); case does not matter.
  function applyFilter() {
    const words = S.query.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) S.vis = null;
    else {
      S.vis = [];
      for (let r = 0; r < S.rows.length; r++) if (words.every((w) => S.rows[r].hay.includes(w))) S.vis.push(r);
    }
    const n = visCount();
    $('filter-count').textContent = S.vis ? `${n} of ${S.rows.length} events` : '';
    $('tl-spacer').style.height = `${n * ROW_H}px`;
  }
  const visCount = () => (S.vis ? S.vis.length : S.rows.length);
  const visRow = (p) => (S.vis ? S.vis[p] : p);
  // The first visible position at or after frame i's first row.
  function posOf(i) {
    const r = i === 0 ? 0 : S.rowStart[i];
    if (r === undefined) return -1;
    if (!S.vis) return r;
    let lo = 0;
    let hi = S.vis.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (S.vis[mid] < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  function setupTimeline() {
    const n = S.info.actors.length;
    const heads = S.info.actors.map((a) => `<i title="${esc(a.id)}">${esc(a.id)}</i>`).join('');
    $('tl-head').innerHTML = `<span>step</span><span class="lanes">${heads}</span><span>actor</span><span>event</span><span>what happened</span>`;
    // Many lanes are drawn in a smaller font (9px against the row's 12px): the column shrinks with it.
    const many = n > 24;
    document.documentElement.style.setProperty('--lanes', `${((n * 2 + 1) * (many ? 0.75 : 1)).toFixed(1)}ch`);
    $('timeline-panel').classList.toggle('many', many);
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
    let typing = null;
    $('filter').addEventListener('input', (e) => {
      clearTimeout(typing);
      typing = setTimeout(() => {
        S.query = e.target.value;
        applyFilter();
        scrollTop = 0;
        ensureRowVisible(S.cur, true);
        renderRows(true);
        renderSequence(true);
      }, 120);
    });
    $('tab-timeline').onclick = () => showView('timeline');
    $('tab-sequence').onclick = () => showView('sequence');
  }

  function showView(v) {
    S.view = v;
    for (const t of ['timeline', 'sequence']) {
      $(`tab-${t}`).classList.toggle('on', t === v);
      $(`tab-${t}`).setAttribute('aria-selected', String(t === v));
      $(`${t}-view`).hidden = t !== v;
    }
    if (v === 'sequence') renderSequence(true);
    else {
      ensureRowVisible(S.cur, true);
      renderRows(true);
    }
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
      const mark =
        a.id === l.actor
          ? `<b class="${broke ? 'bad' : 'act'}">${broke ? '✗' : '●'}</b>`
          : a.id === l.from && l.from !== l.actor
            ? '<b class="snd">→</b>'
            : null;
      if (mark) {
        lanes += `${dots + mark} `;
        dots = '';
      } else dots += '· ';
    }
    lanes += dots;
    const what = `<span title="${esc(l.text)}">${esc(l.text)}${broke ? ` ✗ ${esc(v.invariant)}` : ''}</span>`;
    return `<span>${row.first || S.vis ? f.step : ''}</span><span class="lanes">${lanes}</span><span>${esc(l.actor)}</span><span>${esc(l.event)}</span>${what}`;
  }

  function renderRows(force) {
    if (S.view !== 'timeline') return;
    const first = Math.max(0, Math.floor(scrollTop / ROW_H) - 4);
    const end = Math.min(visCount(), first + Math.ceil(TL_H / ROW_H) + 8);
    const box = $('tl-rows');
    for (const [p, el] of pool) {
      if (p < first || p >= end || force) {
        el.remove();
        pool.delete(p);
      }
    }
    const v = S.violation;
    for (let p = first; p < end; p++) {
      let el = pool.get(p);
      const r = visRow(p);
      const row = S.rows[r];
      const f = S.frames[row.frame];
      if (!el) {
        el = document.createElement('div');
        el.dataset.frame = String(row.frame);
        el.dataset.step = String(f.step);
        el.style.top = `${p * ROW_H}px`;
        el.innerHTML = rowHtml(r);
        box.appendChild(el);
        pool.set(p, el);
      }
      const cls = `tl-row${row.frame === S.cur ? ' cur' : ''}${v && v.step === f.step ? ' violation' : ''}`;
      if (el.className !== cls) el.className = cls;
    }
  }

  function ensureRowVisible(i, force) {
    if (S.view !== 'timeline') return;
    const tl = $('timeline');
    const p = posOf(i);
    if (p < 0) return;
    const top = p * ROW_H;
    if (force || top < scrollTop || top > scrollTop + TL_H - 2 * ROW_H) {
      scrollTop = Math.max(0, Math.min(visCount() * ROW_H - TL_H, top - TL_H / 3));
      tl.scrollTop = scrollTop;
    }
  }

  // ---------------------------------------------------------------- sequence view
  // Like a sequence diagram: a lane per actor (those acting in the rows shown), a message per delivery
  // from the sender's lane to the receiver's, an actor's own step as a dot on its lane. It shows the
  // (filtered) events around the current step; clicking a message goes to its step.
  const SEQ_ROWS = 36;
  const SEQ_H = 22;
  let seqShown = '';
  function renderSequence(force) {
    if (S.view !== 'sequence') return;
    const n = visCount();
    const at = Math.max(0, posOf(S.cur));
    const from = Math.max(0, Math.min(at - Math.floor(SEQ_ROWS / 3), n - SEQ_ROWS));
    const to = Math.min(n, from + SEQ_ROWS);
    const key = `${S.cur}|${from}|${to}|${n}`;
    if (!force && key === seqShown) return;
    seqShown = key;
    const rows = [];
    for (let p = from; p < to; p++) rows.push(S.rows[visRow(p)]);
    const used = new Set();
    for (const r of rows) used.add(r.l.actor).add(r.l.from);
    const lanes = S.info.actors.filter((a) => used.has(a.id)).map((a) => a.id);
    const width = Math.max(600, $('timeline-panel').clientWidth - 30);
    const left = 56;
    const laneW = Math.max(70, Math.min(180, (width - left - 40) / Math.max(1, lanes.length)));
    const x = (id) => left + laneW * (lanes.indexOf(id) + 0.5);
    const top = 34;
    const h = top + rows.length * SEQ_H + 24;
    const svgW = Math.max(width, left + laneW * lanes.length + 20);
    const out = [];
    for (const id of lanes) {
      const name = `<text x="${x(id)}" y="16" text-anchor="middle">${esc(id)}</text>`;
      out.push(`<g class="lane" data-actor="${esc(id)}">${name}<line x1="${x(id)}" y1="22" x2="${x(id)}" y2="${h - 10}"/></g>`);
    }
    const v = S.violation;
    rows.forEach((r, k) => {
      const f = S.frames[r.frame];
      const y = top + k * SEQ_H + SEQ_H / 2;
      const bad = v && v.step === f.step && r.last;
      const cls = `msg${r.frame === S.cur ? ' cur' : ''}${bad ? ' violation' : ''}`;
      const label = `${r.l.event}${bad ? ` ✗ ${v.invariant}` : ''}`;
      let shape;
      if (r.l.from !== r.l.actor && lanes.includes(r.l.from)) {
        const x1 = x(r.l.from);
        const x2 = x(r.l.actor);
        const dir = x2 > x1 ? -1 : 1;
        shape =
          `<line x1="${x1}" y1="${y}" x2="${x2}" y2="${y}"/><path d="M${x2 + 7 * dir},${y - 4} L${x2},${y} L${x2 + 7 * dir},${y + 4}"/>` +
          `<text x="${(x1 + x2) / 2}" y="${y - 4}" text-anchor="middle">${esc(label)}</text>`;
      } else shape = `<circle cx="${x(r.l.actor)}" cy="${y}" r="4"/><text x="${x(r.l.actor) + 8}" y="${y + 4}">${esc(label)}</text>`;
      const tip = `step ${f.step}: ${r.l.from !== r.l.actor ? `${r.l.from} → ` : ''}${r.l.actor} ${r.l.event} — ${r.l.text}`;
      const who = `data-from="${esc(r.l.from)}" data-to="${esc(r.l.actor)}" data-event="${esc(r.l.event)}"`;
      const attrs = `class="${cls}" data-frame="${r.frame}" data-step="${f.step}" ${who}`;
      const bg = `<rect class="bg" x="0" y="${y - SEQ_H / 2}" width="${svgW}" height="${SEQ_H}"/>`;
      out.push(`<g ${attrs}><title>${esc(tip)}</title>${bg}<text class="n" x="6" y="${y + 4}">${r.first || S.vis ? f.step : ''}</text>${shape}</g>`);
    });
    const more = n > to ? `<text class="more" x="6" y="${h - 4}">${n - to} more events after these; step on or filter to see them</text>` : '';
    $('sequence').innerHTML = `<svg width="${svgW}" height="${h}" viewBox="0 0 ${svgW} ${h}">${out.join('')}${more}</svg>`;
  }
  $('sequence').addEventListener('click', (e) => {
    const g = e.target.closest('g.msg');
    if (g) goto(Number(g.dataset.frame));
  });

  // ---------------------------------------------------------------- the URL follows the step
  // Replaced a moment after the last move (browsers throttle history updates; a scrub makes hundreds).
  let hashTimer = null;
  function followHash(i) {
    clearTimeout(hashTimer);
    hashTimer = setTimeout(() => {
      if (location.hash !== `#${i}`) history.replaceState(null, '', `#${i}`);
    }, 150);
  }
  const hashStep = () => {
    const m = /^#(\d+)$/.exec(location.hash);
    return m ? Number(m[1]) : null;
  };
  window.addEventListener('hashchange', () => {
    const i = hashStep();
    if (i !== null && S.frames.length) goto(i);
  });

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
    followCpu();
    renderMem(f, prev);
    renderUsed(f);
    renderOthers(f, prev);
    renderInvariants();
    renderStep(f);
    ensureRowVisible(i);
    renderRows();
    renderSequence();
    followHash(i);
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
    S.timer = setInterval(
      () => {
        if (S.cur < S.frames.length - 1) goto(S.cur + 1);
        else if (S.done) setPlaying(false);
      },
      1000 / Number($('speed').value),
    );
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
    addFills(from);
    S.fates.clear();
    S.epoch++;
    addRows(from);
    renderVerdict();
    if (wasLast || S.playing) goto(S.frames.length - 1);
    else {
      renderInvariants();
      renderRows(true);
      // Fates may be known now: redraw the CPUs of the current step.
      renderCpus(S.frames[S.cur], S.cur > 0 ? S.frames[S.cur - 1] : null);
    }
  }

  function connect() {
    const ws = new WebSocket(`ws://${location.host}/ws`);
    ws.onopen = () =>
      ws.send(
        JSON.stringify({
          type: 'hello',
          have: { frames: S.frames.length, states: S.tables.states.length, views: S.tables.views.length, mems: S.tables.mems.length },
        }),
      );
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
      // A CPU of the HYP model (registers, TLB); a user's machine named cpu0 is drawn as any other actor.
      if (a.kind === 'cpu' && S.tables.views[S.frames[0].c[i]].kind === 'cpu') S.cpuActors.push(i);
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
    addFills(0);
    addRows(1);
    renderVerdict();
    const hash = hashStep();
    goto(hash !== null ? hash : S.info.mode === 'live' ? S.frames.length - 1 : 0);
    if (!S.done) connect();
    document.body.dataset.ready = 'true';
  }

  // ---------------------------------------------------------------- controls
  $('zoom').onclick = () => {
    const full = $('charts').classList.toggle('full');
    $('zoom').textContent = full ? 'fit' : 'full size';
  };
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
