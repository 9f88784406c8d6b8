// The dibao-audit caseworker console: one page, routed by the URL's hash,
// talking to dibao-server's JSON API (/api/v1/<Service>/<Method>, protobuf's
// JSON mapping of the gRPC messages). Everything shown is built with DOM
// calls, never from HTML strings, so data can never become markup.
'use strict';

const state = {
  lang: localStorage.getItem('dibao.lang') || 'zh',
  session: null,   // {userId, userName, csrfToken}
  selected: 0,     // highlighted row on the queue page
  charts: [],
};

// ---------- text ----------
function t(key) {
  const own = window.I18N[state.lang] || {};
  if (key in own) return own[key];
  if (key in window.I18N.en) return window.I18N.en[key];
  return key;
}
// An enum value or rule code as words: translated when known, else
// "FLAG_STATE_NEEDS_VISIT" -> "Needs visit".
function label(value) {
  if (value === undefined || value === null || value === '') return '';
  const own = window.I18N[state.lang] || {};
  if (value in own) return own[value];
  if (value in window.I18N.en) return window.I18N.en[value];
  const words = String(value)
    .replace(/^(FLAG_STATE|SEVERITY|DISMISS_REASON|REPORTED_STATUS|AGE_BAND|SEX|HOUSEHOLD_STATUS|RECOMMENDATION_KIND|RECOMMENDATION_STATE|AGENCY|FEED_KIND|CATEGORY|AUDIT_ACTION|BATCH_MODE)_/, '')
    .toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
function yuan(fen) {
  const n = Number(fen || 0);
  const sign = n < 0 ? '-' : '';
  const abs = Math.abs(n);
  return `${sign}¥${Math.floor(abs / 100).toLocaleString('en-US')}.${String(abs % 100).padStart(2, '0')}`;
}
function day(d) {
  if (!d || !d.year) return '';
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}
function stamp(ts) {
  if (!ts) return '';
  const d = new Date(ts);
  if (isNaN(d)) return ts;
  // The bureau's time, UTC+8.
  const local = new Date(d.getTime() + 8 * 3600 * 1000);
  return local.toISOString().slice(0, 16).replace('T', ' ');
}
function percentBp(bp) { return `${(Number(bp || 0) / 100).toFixed(2)}%`; }

// ---------- DOM ----------
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}
function table(headers, rows, attrs) {
  return h('table', attrs || {},
    h('thead', {}, h('tr', {}, headers.map((x) => h('th', {}, x)))),
    h('tbody', {}, rows));
}
function section(title, ...body) {
  return h('section', { class: 'card' }, h('h2', {}, title), ...body);
}
function main() { return document.getElementById('app'); }
function show(...nodes) {
  for (const c of state.charts) c.destroy();
  state.charts = [];
  main().replaceChildren(...nodes);
}
function notice(text, kind) {
  const box = document.getElementById('notice');
  box.textContent = text;
  box.className = kind || 'error';
  box.hidden = !text;
}

// ---------- API ----------
class ApiError extends Error {
  constructor(code, message) { super(message); this.code = code; }
}
async function api(path, body) {
  const res = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': state.session ? state.session.csrfToken : '' },
    body: JSON.stringify(body || {}),
  });
  let data = {};
  try { data = await res.json(); } catch (e) { data = { code: 'UNKNOWN', message: res.statusText }; }
  if (!res.ok) {
    if (res.status === 401 && path.startsWith('/api/v1/')) {
      state.session = null;
      renderLogin(t('sessionEnded'));
    }
    throw new ApiError(data.code, data.message);
  }
  return data;
}
function call(service, method, body) { return api(`/api/v1/${service}/${method}`, body); }

// ---------- routing ----------
function route() {
  const hash = location.hash.replace(/^#/, '') || '/queue';
  const [path, query] = hash.split('?');
  const params = new URLSearchParams(query || '');
  const parts = path.split('/').filter(Boolean);
  return { page: parts[0] || 'queue', arg: parts[1] ? decodeURIComponent(parts[1]) : '', params };
}
function go(hash) { if (location.hash === hash) render(); else location.hash = hash; }

async function render() {
  notice('');
  renderChrome();
  if (!state.session) return renderLogin();
  const r = route();
  const pages = { queue: renderQueue, flag: renderFlag, recs: renderRecommendations, reports: renderReports, posting: renderPosting, feeds: renderFeeds };
  const page = pages[r.page] || renderQueue;
  document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('active', a.dataset.page === r.page));
  show(h('p', { class: 'muted' }, t('loading')));
  try {
    await page(r);
  } catch (e) {
    if (e instanceof ApiError && e.code === 'UNAUTHENTICATED') return;
    show(h('p', { class: 'muted' }, ''));
    notice(`${e.code || 'ERROR'}: ${e.message}`);
  }
}

function renderChrome() {
  document.title = t('title');
  document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : 'en';
  const links = [['queue', t('queue')], ['recs', t('recommendations')], ['reports', t('reports')], ['posting', t('posting')], ['feeds', t('feeds')]];
  const header = document.getElementById('top');
  header.replaceChildren(
    h('span', { class: 'brand' }, t('title')),
    state.session ? h('nav', {}, links.map(([p, text]) => h('a', { href: `#/${p}`, 'data-page': p }, text))) : h('nav', {}),
    h('span', { class: 'who' },
      state.session ? `${state.session.userName || state.session.userId} (${state.session.userId}${state.session.role ? ` · ${state.session.role}` : ''}${state.session.jurisdiction ? ` · ${state.session.jurisdiction}` : ''})` : ''),
    h('button', { type: 'button', id: 'lang', onclick: () => { state.lang = state.lang === 'zh' ? 'en' : 'zh'; localStorage.setItem('dibao.lang', state.lang); render(); } }, t('lang')),
    state.session ? h('button', { type: 'button', id: 'signout', onclick: signOut }, t('signOut')) : '');
}

// ---------- sign in ----------
function renderLogin(message) {
  renderChrome();
  const id = h('input', { id: 'user', name: 'user', autocomplete: 'username', required: true });
  const pw = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const form = h('form', { class: 'card login', onsubmit: async (ev) => {
    ev.preventDefault();
    try {
      state.session = await api('/api/session', { id: id.value.trim(), password: pw.value });
      pw.value = '';
      if (!location.hash || location.hash === '#/login') location.hash = '#/queue';
      render();
    } catch (e) {
      notice(`${t('signInFailed')}: ${e.message}`);
    }
  } },
  h('h2', {}, t('signIn')), h('p', { class: 'muted' }, t('loginHint')),
  h('label', {}, t('userId'), id), h('label', {}, t('password'), pw),
  h('button', { type: 'submit', id: 'signin' }, t('signIn')));
  show(form);
  if (message) notice(message);
  id.focus();
}
async function signOut() {
  try { await api('/api/session/end', {}); } catch (e) { /* signed out anyway */ }
  state.session = null;
  render();
}

// ---------- queue ----------
const SORTS = ['QUEUE_ORDER_PRIORITY', 'QUEUE_ORDER_OVERPAYMENT', 'QUEUE_ORDER_AGE', 'QUEUE_ORDER_SEVERITY', 'QUEUE_ORDER_FLAG_ID'];
const STATES = ['FLAG_STATE_OPEN', 'FLAG_STATE_NEEDS_VISIT', 'FLAG_STATE_CONFIRMED', 'FLAG_STATE_DISMISSED', 'FLAG_STATE_AUTO_RESOLVED'];
const SEVERITIES = ['SEVERITY_INFO', 'SEVERITY_LOW', 'SEVERITY_MEDIUM', 'SEVERITY_HIGH'];

function queueHash(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return `#/queue${s ? `?${s}` : ''}`;
}

async function renderQueue(r) {
  const p = Object.fromEntries(r.params.entries());
  const filter = {
    street: p.street || '', community: p.community || '', rule: p.rule || '',
    states: p.state ? [p.state] : [], minSeverity: p.severity || 'SEVERITY_UNSPECIFIED',
    minAgeDays: Number(p.minAge || 0), assignee: p.assignee || '',
  };
  const data = await call('ReviewService', 'ListQueue', { filter, pageSize: 25, pageToken: p.page || '', order: p.sort || 'QUEUE_ORDER_PRIORITY' });
  // The page's flags, for "next flag" on a case.
  sessionStorage.setItem('dibao.queue', JSON.stringify({ hash: location.hash, ids: data.items.map((i) => i.flag.flagId) }));
  state.selected = 0;

  const field = (name, text, input) => h('label', {}, text, input);
  const street = h('input', { name: 'street', value: p.street || '' });
  const community = h('input', { name: 'community', value: p.community || '' });
  const rule = h('select', { name: 'rule' }, h('option', { value: '' }, t('any')),
    data.byRule.map((c) => h('option', { value: c.key, selected: c.key === p.rule }, label(c.key))));
  const st = h('select', { name: 'state' }, h('option', { value: '' }, `${label('FLAG_STATE_OPEN')} + ${label('FLAG_STATE_NEEDS_VISIT')}`),
    STATES.map((s) => h('option', { value: s, selected: s === p.state }, label(s))));
  const sev = h('select', { name: 'severity' }, h('option', { value: '' }, t('any')),
    SEVERITIES.map((s) => h('option', { value: s, selected: s === p.severity }, `≥ ${label(s)}`)));
  const minAge = h('input', { name: 'minAge', type: 'number', min: 0, value: p.minAge || '' });
  const assignee = h('input', { name: 'assignee', value: p.assignee || '', placeholder: `- = ${t('unclaimed')}` });
  const sort = h('select', { name: 'sort' }, SORTS.map((s) => h('option', { value: s, selected: s === (p.sort || SORTS[0]) }, t(s))));
  const filters = h('form', { class: 'filters', onsubmit: (ev) => {
    ev.preventDefault();
    go(queueHash({ street: street.value.trim(), community: community.value.trim(), rule: rule.value, state: st.value, severity: sev.value, minAge: minAge.value, assignee: assignee.value.trim(), sort: sort.value }));
  } },
  field('street', t('street'), street), field('community', t('community'), community), field('rule', t('rule'), rule),
  field('state', t('state'), st), field('severity', t('severity'), sev), field('minAge', t('minAge'), minAge),
  field('assignee', t('assignee'), assignee), field('sort', t('sort'), sort),
  h('button', { type: 'submit' }, t('apply')), h('a', { href: '#/queue', class: 'button' }, t('clear')));

  const facet = (title, counts, key) => h('div', { class: 'facet' }, h('strong', {}, title),
    counts.map((c) => {
      const v = key === 'state' ? `FLAG_STATE_${c.key}` : c.key;
      return h('a', { href: queueHash({ ...p, page: '', [key]: v }), class: `chip${p[key] === v ? ' on' : ''}` }, `${label(v)} ${c.count}`);
    }));

  const rows = data.items.map((item, i) => {
    const f = item.flag;
    return h('tr', { class: i === 0 ? 'selected' : '', 'data-flag': f.flagId, onclick: () => go(`#/flag/${encodeURIComponent(f.flagId)}`) },
      h('td', { class: 'num' }, item.priority),
      h('td', {}, h('a', { href: `#/flag/${encodeURIComponent(f.flagId)}` }, f.flagId)),
      h('td', {}, label(f.finding.rule)),
      h('td', { class: `sev ${f.finding.severity}` }, label(f.finding.severity)),
      h('td', {}, f.householdId),
      h('td', {}, `${f.street} / ${f.community}`),
      h('td', { class: 'num' }, yuan(f.finding.estMonthlyOverpaymentFen)),
      h('td', { class: 'num' }, item.ageDays),
      h('td', {}, label(f.state)),
      h('td', {}, f.assignee || '—'));
  });
  const paging = h('div', { class: 'paging' },
    p.page ? h('a', { class: 'button', href: queueHash({ ...p, page: '' }) }, t('first')) : '',
    data.nextPageToken ? h('a', { class: 'button', id: 'next-page', href: queueHash({ ...p, page: data.nextPageToken }) }, t('next')) : '');
  show(
    section(t('queue'),
      filters,
      h('p', { class: 'summary' }, `${t('total')}: ${data.total} · ${t('atStake')}: ${yuan(data.totalOverpaymentFen)}`),
      h('div', { class: 'facets' }, facet(t('byRule'), data.byRule, 'rule'), facet(t('byState'), data.byState, 'state')),
      data.items.length ? table([t('priority'), t('flag'), t('rule'), t('severity'), t('household'), `${t('street')} / ${t('community')}`, t('overpayment'), t('ageDays'), t('state'), t('assignee')], rows, { id: 'queue', class: 'rows' }) : h('p', {}, t('nothing')),
      paging,
      h('p', { class: 'muted small' }, `${t('formula')}: ${data.priorityFormula}`),
      h('p', { class: 'muted small' }, t('shortcuts'))));
}

// ---------- one flag ----------
function factValues(record) {
  if (!record) return '';
  const skip = new Set(['idNumber', 'name', 'idNumberOriginal', 'sourceLine']);
  const parts = [];
  for (const [k, v] of Object.entries(record)) {
    if (skip.has(k)) continue;
    if (v && typeof v === 'object') {
      for (const [k2, v2] of Object.entries(v)) {
        let text = v2;
        if (v2 && typeof v2 === 'object' && 'year' in v2) text = 'day' in v2 ? day(v2) : `${v2.year}-${String(v2.month).padStart(2, '0')}`;
        else if (/Fen$/.test(k2)) text = yuan(v2);
        else if (typeof v2 === 'string' && /^[A-Z_]+$/.test(v2)) text = label(v2);
        if (text === '' || text === '0' || text === 0 || text === false) continue;
        parts.push(`${k2}: ${text}`);
      }
    }
  }
  return parts.join('; ');
}

async function renderFlag(r) {
  const c = await call('ReviewService', 'GetCase', { flagId: r.arg });
  const f = c.item.flag;
  const hh = c.household || {};
  const fnd = f.finding;
  const act = async (method, body) => {
    try {
      await call('ReviewService', method, { flagId: f.flagId, expectedVersion: f.version, ...body });
      notice(t('saved'), 'ok');
      await renderFlag(r);
      notice(t('saved'), 'ok');
    } catch (e) {
      notice(`${e.code}: ${e.message}`);
    }
  };
  const note = h('textarea', { id: 'note', rows: 2, placeholder: t('note') });
  const reason = h('select', { id: 'reason' }, ['DISMISS_REASON_PARTNER_DATA_WRONG', 'DISMISS_REASON_ALREADY_DECLARED', 'DISMISS_REASON_WRONG_PERSON', 'DISMISS_REASON_POLICY_EXCEPTION', 'DISMISS_REASON_OTHER'].map((x) => h('option', { value: x }, label(x))));
  const open = f.state === 'FLAG_STATE_OPEN';
  const visit = f.state === 'FLAG_STATE_NEEDS_VISIT';
  const decide = (decision) => act('Decide', { decision, reason: decision === 'FLAG_STATE_DISMISSED' ? reason.value : 'DISMISS_REASON_UNSPECIFIED', note: note.value });
  const recordVisit = (result) => act('RecordVisit', { result, reason: result === 'FLAG_STATE_DISMISSED' ? reason.value : 'DISMISS_REASON_UNSPECIFIED', note: note.value });
  const actions = h('div', { class: 'actions', id: 'actions' },
    h('button', { type: 'button', id: 'claim', onclick: () => act('Claim', {}), disabled: !(open || visit) || f.assignee === state.session.userId }, t('claim')),
    open ? [
      h('button', { type: 'button', id: 'confirm', class: 'primary', onclick: () => decide('FLAG_STATE_CONFIRMED') }, `${t('confirm')} (c)`),
      h('button', { type: 'button', id: 'dismiss', onclick: () => decide('FLAG_STATE_DISMISSED') }, `${t('dismiss')} (d)`),
      h('button', { type: 'button', id: 'needs-visit', onclick: () => decide('FLAG_STATE_NEEDS_VISIT') }, t('needsVisit')),
    ] : '',
    visit ? [
      h('button', { type: 'button', id: 'confirm', class: 'primary', onclick: () => recordVisit('FLAG_STATE_CONFIRMED') }, `${t('visitConfirm')} (c)`),
      h('button', { type: 'button', id: 'dismiss', onclick: () => recordVisit('FLAG_STATE_DISMISSED') }, `${t('visitDismiss')} (d)`),
    ] : '',
    h('button', { type: 'button', id: 'comment', onclick: () => act('Comment', { text: note.value }) }, t('comment')),
    h('button', { type: 'button', id: 'next-flag', onclick: nextFlag }, `${t('nextFlag')} (n)`));

  const members = (hh.members || []).map((m) => h('tr', { class: m.idNumber === fnd.idNumber ? 'hit' : '' },
    h('td', {}, m.name), h('td', { class: 'mono' }, m.idNumber), h('td', {}, label(m.sex)), h('td', {}, day(m.birthDate)),
    h('td', {}, m.relation), h('td', {}, label(m.reportedStatus)), h('td', { class: 'num' }, yuan(m.reportedMonthlyIncomeFen)),
    h('td', {}, m.disabled ? '✓' : ''), h('td', {}, m.ableToWork ? '✓' : '')));
  const evidence = h('div', { class: 'evidence' },
    h('div', {}, h('h3', {}, t('reported')), table([t('field'), t('value')], fnd.reported.map((x) => h('tr', {}, h('td', {}, x.field), h('td', {}, x.value))))),
    h('div', {}, h('h3', {}, t('partner')), table([t('agency'), t('kind'), t('batch'), t('validFrom'), t('validTo'), t('values')],
      fnd.facts.map((x) => h('tr', {}, h('td', {}, label(x.agency)), h('td', {}, label(x.kind)), h('td', { class: 'mono' }, x.batchId), h('td', {}, day(x.validFrom)), h('td', {}, day(x.validTo)), h('td', {}, factValues(x.record)))))));
  const a = c.assessment;
  // Reads of the case (PERSONAL_DATA_READ, and DETAILS_VIEWED before the
  // server recorded them) are on the trail too; they are
  // folded away unless asked for, so the decisions stay readable.
  const showReads = r.params.get('reads') === '1';
  const isRead = (e) => e.action === 'AUDIT_ACTION_DETAILS_VIEWED' || e.action === 'AUDIT_ACTION_PERSONAL_DATA_READ' || e.action === 'AUDIT_ACTION_BULK_EXPORT';
  const reads = (c.history || []).filter(isRead).length;
  const history = (c.history || []).filter((e) => showReads || !isRead(e)).map((e) => h('tr', {}, h('td', { class: 'num' }, e.seq), h('td', {}, stamp(e.at)), h('td', {}, e.actor), h('td', {}, label(e.action)), h('td', {}, e.flagId || e.recommendationId || ''), h('td', {}, e.detail)));
  const decisions = (f.decisions || []).map((d) => h('li', {}, `${stamp(d.at)} ${d.by}: ${label(d.state)}${d.reason && d.reason !== 'DISMISS_REASON_UNSPECIFIED' ? ` (${label(d.reason)})` : ''} — ${d.note}`));
  const comments = (f.comments || []).map((d) => h('li', {}, `${stamp(d.at)} ${d.by}: ${d.text}`));
  // The flag keeps its identity while amounts move: each evidence version
  // with the batches it came from.
  const versions = (f.evidence || []).length > 1 ? table([t('seenFrom'), t('batch'), t('overpayment'), t('summaryCol')],
    f.evidence.map((v) => h('tr', {}, h('td', {}, day(v.seenFrom)), h('td', {}, (v.batchIds || []).join(' ')),
      h('td', { class: 'num' }, yuan(v.estMonthlyOverpaymentFen)), h('td', {}, v.summary))), { id: 'evidence-versions' }) : '';

  show(
    section(`${t('flag')} ${f.flagId} · ${label(fnd.rule)}`,
      h('p', { class: 'summary', id: 'flag-summary', 'data-household': f.householdId }, fnd.summary),
      f.reopenedReason ? h('p', { id: 'reopened-reason' }, f.reopenedReason) : '',
      f.resolvedReason ? h('p', { id: 'resolved-reason' }, `${day(f.resolvedOn)}: ${f.resolvedReason}`) : '',
      h('dl', { class: 'facts' },
        h('dt', {}, t('state')), h('dd', { id: 'flag-state' }, label(f.state)),
        h('dt', {}, t('severity')), h('dd', {}, label(fnd.severity)),
        h('dt', {}, t('priority')), h('dd', {}, c.item.priority),
        h('dt', {}, t('overpayment')), h('dd', {}, yuan(fnd.estMonthlyOverpaymentFen)),
        h('dt', {}, t('ageDays')), h('dd', {}, c.item.ageDays),
        h('dt', {}, t('assignee')), h('dd', {}, f.assignee || '—'),
        h('dt', {}, t('version')), h('dd', {}, f.version)),
      (open || visit) ? h('div', { class: 'decide' }, h('label', {}, t('reason'), reason), note) : '',
      actions,
      decisions.length ? [h('h3', {}, t('decisions')), h('ul', {}, decisions)] : '',
      comments.length ? [h('h3', {}, t('comments')), h('ul', {}, comments)] : ''),
    section(t('evidence'), evidence,
      fnd.overpaymentExplanation.length ? [h('h3', {}, t('overpaymentWhy')), h('pre', {}, fnd.overpaymentExplanation.join('\n'))] : '',
      versions ? [h('h3', {}, t('evidenceVersions')), versions] : ''),
    section(`${t('household')} ${hh.householdId || f.householdId}`,
      h('dl', { class: 'facts' },
        h('dt', {}, `${t('street')} / ${t('community')}`), h('dd', {}, `${hh.street} / ${hh.community}`),
        h('dt', {}, t('address')), h('dd', {}, hh.registeredAddress),
        h('dt', {}, t('residence')), h('dd', {}, hh.residenceAddress || '—'),
        h('dt', {}, t('status')), h('dd', {}, label(hh.status)),
        h('dt', {}, t('benefit')), h('dd', {}, yuan(hh.monthlyBenefitFen)),
        h('dt', {}, t('since')), h('dd', {}, day(hh.benefitStartDate)),
        h('dt', {}, t('categories')), h('dd', {}, (hh.categories || []).map(label).join('、') || '—')),
      h('h3', {}, t('members')),
      table([t('name'), t('idNumber'), t('sex'), t('birthDate'), t('relation'), t('reportedStatus'), t('reportedIncome'), t('disabled'), t('ableToWork')], members)),
    section(t('arithmetic'), a ? h('pre', { id: 'arithmetic' }, a.explanation.join('\n')) : h('p', {}, c.assessmentProblem)),
    c.otherFlags.length ? section(t('otherFlags'), h('ul', {}, c.otherFlags.map((o) => h('li', {}, h('a', { href: `#/flag/${encodeURIComponent(o.flagId)}` }, o.flagId), ` ${label(o.finding.rule)} · ${label(o.state)}`)))) : '',
    section(t('history'), table(['#', t('at'), t('by'), t('action'), t('flag'), t('detail')], history, { id: 'history' }),
      h('p', { class: 'muted small' }, h('a', { id: 'toggle-reads', href: `#/flag/${encodeURIComponent(f.flagId)}${showReads ? '' : '?reads=1'}` },
        `${showReads ? t('hideReads') : t('showReads')} (${reads})`))));
}

function nextFlag() {
  let saved = {};
  try { saved = JSON.parse(sessionStorage.getItem('dibao.queue') || '{}'); } catch (e) { saved = {}; }
  const ids = saved.ids || [];
  const current = route().arg;
  const i = ids.indexOf(current);
  if (i >= 0 && i + 1 < ids.length) return go(`#/flag/${encodeURIComponent(ids[i + 1])}`);
  go(saved.hash || '#/queue');
}

// ---------- recommendations ----------
// A listing as a spreadsheet file: the server renders every page with the
// same columns and CSV writer as dibaoctl (cells cannot start formulas).
async function downloadCsv(service, method, body, filename) {
  const res = await fetch(`/api/v1/${service}/${method}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'text/csv', 'X-CSRF-Token': state.session ? state.session.csrfToken : '' },
    body: JSON.stringify(body || {}),
  });
  if (!res.ok) {
    let data = {};
    try { data = await res.json(); } catch (e) { data = { code: 'UNKNOWN', message: res.statusText }; }
    throw new ApiError(data.code, data.message);
  }
  const link = h('a', { href: URL.createObjectURL(await res.blob()), download: filename });
  document.body.append(link);
  link.click();
  link.remove();
}
async function renderRecommendations(r) {
  const st = r.params.get('state') || 'RECOMMENDATION_STATE_PROPOSED';
  const data = await call('RecommendationService', 'ListRecommendations', { state: st, pageSize: 500 });
  const recs = data.recommendations;
  const exportCsv = async () => {
    try {
      await downloadCsv('RecommendationService', 'ListRecommendations', { state: st },
        `recommendations-${st.replace('RECOMMENDATION_STATE_', '').toLowerCase()}.csv`);
    } catch (e) { notice(`${e.code}: ${e.message}`); }
  };
  const decide = async (method, x, noteEl, reject) => {
    try {
      await call('RecommendationService', method, { recommendationId: x.recommendationId, note: noteEl.value, reject: !!reject });
      await renderRecommendations(r);
      notice(t('saved'), 'ok');
    } catch (e) { notice(`${e.code}: ${e.message}`); }
  };
  const generate = async () => {
    try {
      const g = await call('RecommendationService', 'GenerateRecommendations', {});
      await renderRecommendations(r);
      notice(`${t('generated')}: ${g.made.length} · ${t('waiting')}: ${g.waiting.length}`, 'ok');
    } catch (e) { notice(`${e.code}: ${e.message}`); }
  };
  const cards = recs.map((x) => {
    const note = h('input', { class: 'rec-note', placeholder: t('note') });
    return h('article', { class: 'card rec', 'data-rec': x.recommendationId },
      h('h3', {}, `${x.recommendationId} · ${label(x.kind)} · ${x.householdId} · ${label(x.state)}`),
      h('p', {}, `${x.street} / ${x.community} · ${t('current')} ${yuan(x.currentBenefitFen)} → ${t('newAmount')} ${yuan(x.newBenefitFen)} · ${t('effective')} ${day(x.effective)} (${t('notice')} ${x.noticeDays})`),
      x.flagIds.length ? h('p', {}, `${t('flags')}: `, x.flagIds.map((id) => [h('a', { href: `#/flag/${encodeURIComponent(id)}` }, id), ' '])) : '',
      h('details', {}, h('summary', {}, t('evidence')), h('pre', {}, x.evidence.join('\n'))),
      h('details', {}, h('summary', {}, t('arithmetic')), h('pre', {}, x.arithmetic.join('\n'))),
      (x.stages || []).length
        ? h('ol', { class: 'stages muted' }, x.stages.map((d) => h('li', {}, `${label(d.stage)} · ${d.passed ? t('passed') : t('rejected')} · ${d.by} ${stamp(d.at)}: ${d.note}`)))
        : (x.decidedBy ? h('p', { class: 'muted' }, `${x.decidedBy} ${stamp(x.decidedAt)}: ${x.decisionNote}`) : ''),
      stageActions(x, note));
  });
  // 一评两审: each state waits for one role's stage; the server decides
  // whether this user may act, the page only offers what the role does.
  function stageActions(x, note) {
    const role = state.session.role || '';
    const step = {
      RECOMMENDATION_STATE_PROPOSED: ['community worker', 'EvaluateRecommendation', 'EvaluateRecommendation', true, 'evaluate'],
      RECOMMENDATION_STATE_EVALUATED: ['street reviewer', 'ReviewRecommendation', 'ReviewRecommendation', true, 'review'],
      RECOMMENDATION_STATE_REVIEWED: ['district approver', 'ApproveRecommendation', 'RejectRecommendation', false, 'approve'],
    }[x.state];
    if (!step || (role && role !== step[0])) return '';
    const [, pass, refuse, staged, verb] = step;
    return h('div', { class: 'actions' }, note,
      h('button', { type: 'button', class: `primary ${verb}`, onclick: () => decide(pass, x, note, false) }, t(verb)),
      h('button', { type: 'button', class: 'reject', onclick: () => decide(refuse, x, note, staged) }, t('reject')));
  }
  const states = ['RECOMMENDATION_STATE_PROPOSED', 'RECOMMENDATION_STATE_EVALUATED', 'RECOMMENDATION_STATE_REVIEWED', 'RECOMMENDATION_STATE_APPROVED', 'RECOMMENDATION_STATE_REJECTED', 'RECOMMENDATION_STATE_SUPERSEDED'];
  show(section(t('recommendations'),
    h('div', { class: 'facets' }, states.map((s) => h('a', { class: `chip${s === st ? ' on' : ''}`, href: `#/recs?state=${s}` }, label(s)))),
    h('div', { class: 'actions' },
      h('button', { type: 'button', id: 'generate', onclick: generate }, t('generated')),
      h('button', { type: 'button', id: 'export-csv', onclick: exportCsv }, t('exportCsv'))),
    cards.length ? cards : h('p', {}, t('nothing'))));
}

// ---------- reports ----------
function barChart(canvas, labels, datasets) {
  if (!window.Chart) return;
  state.charts.push(new window.Chart(canvas, {
    type: 'bar',
    data: { labels, datasets },
    options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { display: datasets.length > 1 } } },
  }));
}
async function renderReports(r) {
  const area = { street: r.params.get('street') || '', community: r.params.get('community') || '' };
  const s = await call('ReportService', 'Stats', { area });
  const t1 = s.byReportedStatus;
  const t2 = s.byAgeBand;
  const c1 = h('canvas', { id: 'chart-table1', role: 'img', 'aria-label': t('table1') });
  const c2 = h('canvas', { id: 'chart-table2', role: 'img', 'aria-label': t('table2') });
  const street = h('input', { name: 'street', value: area.street });
  const community = h('input', { name: 'community', value: area.community });
  const filters = h('form', { class: 'filters', onsubmit: (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    if (street.value.trim()) q.set('street', street.value.trim());
    if (community.value.trim()) q.set('community', community.value.trim());
    go(`#/reports${q.toString() ? `?${q}` : ''}`);
  } }, h('label', {}, t('street'), street), h('label', {}, t('community'), community),
  h('button', { type: 'submit' }, t('apply')), h('a', { href: '#/reports', class: 'button' }, t('clear')));
  show(
    section(`${t('statistics')} · ${t('asOf')} ${day(s.asOf)}`, filters,
      h('p', { class: 'summary' }, `${t('households')}: ${s.households} · ${t('persons')}: ${s.persons} · ${t('outlay')}: ${yuan(s.monthlyOutlayFen)} · ${t('disabledCount')}: ${s.disabled} (${percentBp(s.disabledPercentBp)}; ${t('male')} ${s.disabledMale}, ${t('female')} ${s.disabledFemale})`)),
    section(t('table1'), h('div', { class: 'chart' }, c1),
      table([t('reportedStatus'), t('persons'), t('percent')], t1.map((x) => h('tr', {}, h('td', {}, label(x.reportedStatus)), h('td', { class: 'num' }, x.persons), h('td', { class: 'num' }, percentBp(x.percentBp)))), { id: 'table1' })),
    section(t('table2'), h('div', { class: 'chart' }, c2),
      table(['', t('male'), t('female'), t('total'), t('percent')], t2.map((x) => h('tr', {}, h('td', {}, label(x.band)), h('td', { class: 'num' }, x.male), h('td', { class: 'num' }, x.female), h('td', { class: 'num' }, x.total), h('td', { class: 'num' }, percentBp(x.percentBp)))), { id: 'table2' })));
  barChart(c1, t1.map((x) => label(x.reportedStatus)), [{ label: t('persons'), data: t1.map((x) => Number(x.persons)), backgroundColor: '#2f6db5' }]);
  barChart(c2, t2.map((x) => label(x.band)), [
    { label: t('male'), data: t2.map((x) => Number(x.male)), backgroundColor: '#2f6db5' },
    { label: t('female'), data: t2.map((x) => Number(x.female)), backgroundColor: '#c0504d' }]);
}

// ---------- posting list ----------
async function renderPosting(r) {
  // The communities first (names and counts only), then the chosen one's
  // list: a whole city's lists are too large for one answer.
  const chosen = r.params.get('c') || '';
  const index = await call('ReportService', 'PostingList', { area: {}, communitiesOnly: true });
  const keyOf = (c) => `${c.districtCode}|${c.street}|${c.community}`;
  const pick = h('select', { id: 'community', onchange: (ev) => go(`#/posting?c=${encodeURIComponent(ev.target.value)}`) },
    h('option', { value: '' }, t('chooseCommunity')),
    index.communities.map((c) => h('option', { value: keyOf(c), selected: keyOf(c) === chosen }, `${c.street} ${c.community} (${c.households})`)));
  let shown = [];
  if (chosen) {
    const [districtCode, street, community] = chosen.split('|');
    const data = await call('ReportService', 'PostingList', { area: { districtCode, street, community } });
    shown = data.communities;
  }
  show(section(t('posting'),
    h('div', { class: 'actions no-print' }, pick, h('button', { type: 'button', id: 'print', onclick: () => window.print(), disabled: !chosen }, t('print'))),
    h('p', { class: 'muted no-print' }, t('postingNote')),
    shown.map((c) => h('div', { class: 'posting' },
      h('h2', { class: 'print-title' }, `${c.street} ${c.community} · ${t('posting')}`),
      table(['#', t('headName'), t('idNumber'), t('memberCount'), t('amount')],
        c.entries.map((e, i) => h('tr', {}, h('td', { class: 'num' }, i + 1), h('td', {}, e.headNameMasked), h('td', { class: 'mono' }, e.headIdMasked), h('td', { class: 'num' }, e.members), h('td', { class: 'num' }, yuan(e.monthlyBenefitFen)))), { id: 'posting' }),
      h('p', { class: 'summary' }, `${t('households')}: ${c.households} · ${t('outlay')}: ${yuan(c.monthlyOutlayFen)}`)))));
}

// ---------- feeds ----------
async function renderFeeds(r) {
  const data = await call('FeedService', 'ListBatches', { limit: 200 });
  const receipts = data.receipts;
  const last = new Map();
  for (const x of receipts) {
    const key = `${x.header.agency}/${x.header.kind}`;
    const prev = last.get(key);
    if (!prev || Number(x.batchSeq) > Number(prev.batchSeq)) last.set(key, x);
  }
  const chosen = r.params.get('batch');
  const rec = receipts.find((x) => x.header.batchId === chosen);
  const row = (x) => h('tr', {},
    h('td', {}, label(x.header.agency)), h('td', {}, label(x.header.kind)),
    h('td', { class: 'mono' }, h('a', { href: `#/feeds?batch=${encodeURIComponent(x.header.batchId)}` }, x.header.batchId)),
    h('td', {}, day(x.header.asOf)), h('td', { class: 'num' }, x.accepted), h('td', { class: 'num' }, x.unchanged),
    h('td', { class: 'num' + (Number(x.rejected) ? ' warn' : '') }, x.rejected), h('td', { class: 'num' }, x.retired), h('td', { class: 'num' }, x.withdrawn || 0),
    h('td', {}, stamp(x.committedAt)), h('td', {}, x.committedBy));
  const heads = [t('agency'), t('kind'), t('batch'), t('asOf'), t('accepted'), t('unchanged'), t('rejected'), t('retired'), t('withdrawn'), t('committedAt'), t('by')];
  show(
    section(t('lastBatch'), table(heads, [...last.values()].map(row), { id: 'last-batches' })),
    rec ? section(`${t('rejects')} · ${rec.header.batchId}`, rec.rejections.length
      ? table([t('line'), t('field'), 'ID', t('detail')], rec.rejections.map((x) => h('tr', {}, h('td', { class: 'num' }, x.sourceLine), h('td', {}, x.field), h('td', { class: 'mono' }, x.idNumberMasked), h('td', {}, x.reason))))
      : h('p', {}, t('nothing'))) : '',
    section(t('receipts'), table(heads, receipts.map(row))));
}

// ---------- keyboard ----------
document.addEventListener('keydown', (ev) => {
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const tag = (ev.target.tagName || '').toLowerCase();
  if (tag === 'input' || tag === 'textarea' || tag === 'select') return;
  const page = route().page;
  const click = (id) => { const b = document.getElementById(id); if (b && !b.disabled) { ev.preventDefault(); b.click(); } };
  if (page === 'flag') {
    if (ev.key === 'c') click('confirm');
    else if (ev.key === 'd') click('dismiss');
    else if (ev.key === 'n') click('next-flag');
  } else if (page === 'queue') {
    const rows = [...document.querySelectorAll('#queue tbody tr')];
    if (!rows.length) return;
    if (ev.key === 'j' || ev.key === 'k') {
      ev.preventDefault();
      state.selected = Math.max(0, Math.min(rows.length - 1, state.selected + (ev.key === 'j' ? 1 : -1)));
      rows.forEach((row, i) => row.classList.toggle('selected', i === state.selected));
      rows[state.selected].scrollIntoView({ block: 'nearest' });
    } else if (ev.key === 'Enter' || ev.key === 'o') {
      ev.preventDefault();
      go(`#/flag/${encodeURIComponent(rows[state.selected].dataset.flag)}`);
    } else if (ev.key === 'n') {
      click('next-page');
    }
  }
});

// ---------- start ----------
window.addEventListener('hashchange', render);
(async () => {
  try {
    const res = await fetch('/api/session', { credentials: 'same-origin' });
    state.session = res.ok ? await res.json() : null;
  } catch (e) { state.session = null; }
  render();
})();
