// The search page. Its whole state lives in the URL query string, so a search
// can be bookmarked, shared, and walked with back and forward.
'use strict';

const PAGE = 20;
// Filter parameters of /api/search, and the facet each one comes from.
const FILTERS = [
  ['speaker', 'speaker', 'Speaker'],
  ['agenda', 'agenda_item', 'Agenda item'],
  ['topic', 'topic', 'Topic'],
  ['doc', 'document', 'Document'],
  ['year', 'year', 'Year'],
  ['sdg', 'sdg', 'Sustainable Development Goal'],
  ['body', 'body', 'Body'],
  ['meeting', 'meeting', 'Meeting'],
  ['subject', 'subject', 'About (State)'],
  ['vote', 'vote', 'Vote'],
  ['from', null, 'From'],
  ['to', null, 'To'],
];
// Speakers a split timeline draws.
const SPLIT_SPEAKERS = 5;
// Facet values shown before "Show more".
const FACET_SHOWN = 10;
// Values asked per facet: enough for every State of the UN General Debate.
const FACET_LIMIT = 300;
// Parameters a timeline leaves out: it shows every step, the chosen ones marked.
const STEP_PARAMS = ['year', 'from', 'to'];
const MODES = ['hybrid', 'keyword', 'semantic'];
const LABEL = Object.fromEntries(FILTERS.map(([param, , label]) => [param, label]));

let generation = 0;

function stateFromUrl() {
  const params = new URLSearchParams(location.search);
  const state = {
    q: params.get('q') || '',
    sort: params.get('sort') === 'date' ? 'date' : 'relevance',
    mode: MODES.includes(params.get('mode')) ? params.get('mode') : 'hybrid',
    split: params.get('split') === 'speakers',
    literal: params.get('literal') === 'true',
    offset: 0,
    filters: [],
  };
  const offset = parseInt(params.get('offset') || '0', 10);
  if (offset > 0) state.offset = offset;
  for (const [param] of FILTERS) {
    for (const value of params.getAll(param)) {
      if (value) state.filters.push([param, value]);
    }
  }
  return state;
}

function queryString(state) {
  const params = new URLSearchParams();
  if (state.q) params.set('q', state.q);
  for (const [param, value] of state.filters) params.append(param, value);
  if (state.sort !== 'relevance') params.set('sort', state.sort);
  if (state.mode !== 'hybrid') params.set('mode', state.mode);
  if (state.split) params.set('split', 'speakers');
  if (state.literal) params.set('literal', 'true');
  if (state.offset) params.set('offset', String(state.offset));
  return params.toString();
}

function go(state) {
  const qs = queryString(state);
  history.pushState(null, '', qs ? '/?' + qs : '/');
  show(state);
}

function isEmpty(state) {
  return !state.q.trim() && state.filters.length === 0;
}

async function show(state) {
  document.getElementById('q').value = state.q;
  document.getElementById('sort').value = state.sort;
  document.getElementById('mode').value = state.mode;
  renderFilters(state);
  const status = document.getElementById('status');
  if (isEmpty(state)) {
    document.getElementById('hits').innerHTML = '';
    document.getElementById('facets').innerHTML = '';
    document.getElementById('pager').innerHTML = '';
    document.title = 'rapporteur';
    return;
  }
  document.title = (state.q || 'Filtered') + ' · rapporteur';
  const mine = ++generation;
  status.textContent = 'Searching…';
  const params = new URLSearchParams(queryString(state));
  params.delete('split'); // the page's own: how the timeline is drawn
  params.set('limit', String(PAGE));
  params.set('facet_limit', String(FACET_LIMIT));
  let response;
  try {
    response = await getJson('/api/search?' + params.toString());
  } catch (e) {
    if (mine !== generation) return;
    status.textContent = e.message;
    status.classList.add('error');
    document.getElementById('hits').innerHTML = '';
    document.getElementById('pager').innerHTML = '';
    return;
  }
  if (mine !== generation) return; // a newer search has started
  status.classList.remove('error');
  status.innerHTML = summary(response, state);
  document.getElementById('hits').innerHTML = response.hits.map(renderHit).join('');
  document.getElementById('facets').innerHTML = renderFacets(response.facets, state);
  renderPager(response, state);
  showTimeline(state, mine);
}

// The timeline of the same search above its hits: every step, the steps
// filtered on marked; one series for everyone and one per speaker filter.
async function showTimeline(state, mine) {
  const box = document.getElementById('timeline');
  if (!state.q.trim()) {
    box.innerHTML = '';
    return;
  }
  const params = new URLSearchParams();
  params.set('q', state.q);
  for (const [param, value] of state.filters) {
    if (!STEP_PARAMS.includes(param)) params.append(param, value);
  }
  params.set('per', '10000');
  const chosen = state.filters.some(([p]) => p === 'speaker');
  if (state.split && !chosen) params.set('top', String(SPLIT_SPEAKERS));
  let timeline;
  try {
    timeline = await getJson('/api/timeline?' + params.toString());
  } catch (e) {
    if (mine === generation) box.innerHTML = '';
    return;
  }
  if (mine !== generation) return;
  if (timeline.buckets.length < 2) {
    box.innerHTML = '';
    return;
  }
  const selected = timeline.buckets
    .map((b, i) => (Object.entries(b.filter).every(([p, v]) => state.filters.some(([fp, fv]) => fp === p && fv === v)) ? i : -1))
    .filter(i => i >= 0);
  // Split by speaker: their lines alone, everyone's would dwarf them.
  const drawn = state.split && timeline.series.length > 1 ? timeline.series.slice(1) : timeline.series;
  const series = drawn.map(s => ({ name: s.name, total: s.total, values: s.counts, counts: s.counts }));
  const toggle = chosen ? '' : '<button type="button" class="split" aria-pressed="' + state.split + '">' +
    (state.split ? 'All speakers together' : 'Split by the top ' + SPLIT_SPEAKERS + ' speakers') + '</button>';
  box.innerHTML = '<h2 class="timeline-head">Matching paragraphs by ' + esc(timeline.by) + '</h2>' + toggle + legendHtml(series) +
    chartSvg(timeline.buckets, series, selected, box.clientWidth || box.parentElement.clientWidth);
  box.buckets = timeline.buckets;
}

// A step of the timeline clicked: the search narrowed to that year or meeting.
function narrowToStep(bucket) {
  const state = stateFromUrl();
  state.q = document.getElementById('q').value;
  state.filters = state.filters.filter(([p]) => !STEP_PARAMS.includes(p));
  for (const [param, value] of Object.entries(bucket.filter)) state.filters.push([param, value]);
  state.offset = 0;
  go(state);
}

function summary(response, state) {
  const i = response.interpreted;
  const understood = [];
  if (i.text) understood.push('words <b>' + esc(i.text) + '</b>');
  if (i.speakers.length) understood.push('said by <b>' + esc(i.speakers.join(', ')) + '</b>');
  if (i.agenda.length) understood.push('agenda item <b>' + esc(i.agenda.join(', ')) + '</b>');
  if (i.topics.length) understood.push('topic <b>' + esc(i.topics.join(', ')) + '</b>');
  if (i.documents.length) understood.push('in <b>' + esc(i.documents.join(', ')) + '</b>');
  if (i.years.length) understood.push('year <b>' + esc(i.years.join(', ')) + '</b>');
  if (i.sdgs && i.sdgs.length) understood.push('SDG <b>' + esc(i.sdgs.join(', ')) + '</b>');
  if (i.votes && i.votes.length) understood.push('votes of <b>' + esc(i.votes.join(', ')) + '</b>');
  if (i.agents && i.agents.length) understood.push('about <b>' + esc(i.agents.join(', ')) + '</b>');
  if (i.from || i.to) understood.push('dated <b>' + esc((i.from || '…') + ' to ' + (i.to || '…')) + '</b>');
  const n = response.total;
  let text = n === 0 ? 'No paragraphs found' : n === 1 ? '1 paragraph' : n.toLocaleString('en') + ' paragraphs';
  if (n > 0 && state.offset) text += ', from ' + (state.offset + 1);
  if (understood.length) text += ' for ' + understood.join(', ');
  let notice = response.notice ? '<br><span class="notice">' + esc(response.notice) + '</span>' : '';
  // The same search from its first page, with the thesaurus's terms or without.
  const literalHref = literal => '/?' + queryString({ ...state, literal, offset: 0 });
  if (i.also_searched && i.also_searched.length) {
    // The thesaurus added the records' own terms: say which, and offer the words alone.
    notice += '<br><span class="notice">Also searched for the records\' terms <b>' + esc(i.also_searched.join(', ')) +
      '</b>. <a href="' + esc(literalHref(true)) + '">Search your words alone</a></span>';
  } else if (state.literal && response.mode !== 'keyword') {
    notice += '<br><span class="notice">Your words alone. <a href="' + esc(literalHref(false)) +
      '">Also search the records\' terms for them</a></span>';
  }
  return text + ' <span class="took">(' + esc(response.mode) + ', ' + esc(response.took_ms.toFixed(0)) + ' ms)</span>' +
    compareLink(response, state) + feedLink(state) + notice;
}

// "Compare Japan and China": the two speakers who said it the most, or those filtered on.
function compareLink(response, state) {
  if (!state.q.trim()) return '';
  const chosen = state.filters.filter(([p]) => p === 'speaker').map(([, v]) => v);
  const names = chosen.length >= 2 ? chosen : (response.facets.speaker || []).slice(0, 2).map(c => c.value);
  if (names.length < 2) return '';
  const params = new URLSearchParams();
  params.set('q', state.q);
  for (const name of names) params.append('speaker', name);
  return ' <a class="compare-link" href="/compare?' + esc(params.toString()) + '">Compare ' + esc(names.join(' and ')) + '</a>';
}

function feedLink(state) {
  const params = new URLSearchParams(queryString(state));
  params.delete('offset');
  params.delete('sort');
  return ' <a class="feed-link" href="/api/search.atom?' + esc(params.toString()) + '" type="application/atom+xml">Feed</a>';
}

function renderHit(hit) {
  const agenda = hit.agenda_item ? 'Agenda item ' + hit.agenda_item + (hit.agenda_title ? ': ' + hit.agenda_title : '') : '';
  const statements = hit.statements.map(s => {
    const who = speakerLabel(s);
    return '<blockquote class="statement">' + (who ? '<span class="speaker">' + esc(who) + '</span> ' : '') +
      highlight(s.text, s.highlights) + '</blockquote>';
  }).join('');
  return '<li class="hit" data-id="' + esc(hit.id) + '">' +
    '<div class="hit-head"><a class="permalink" href="' + esc(permalink(hit.document, hit.paragraph)) + '">' +
    esc(hit.document) + ' ¶' + esc(hit.paragraph) + '</a>' +
    '<span class="meta">' + meta([hit.meeting, hit.date]) + '</span></div>' +
    (agenda ? '<div class="agenda">' + esc(agenda) + '</div>' : '') +
    (hit.speakers.length ? '<div class="speakers">Speakers: ' + esc(hit.speakers.join(', ')) + '</div>' : '') +
    statements + citationHtml(hit.citation, hit.url) + '</li>';
}

// Each facet: the values chosen first (a click removes them), then the most
// frequent (years in chronological order), a search box where there are
// more than fit, and "Show more".
function renderFacets(facets, state) {
  let out = '';
  for (const [param, key, label] of FILTERS) {
    if (!key) continue;
    const chosen = state.filters.filter(([p]) => p === param).map(([, v]) => v);
    let counts = (facets[key] || []).filter(c => !chosen.includes(c.value));
    if (param === 'year') counts = counts.slice().sort((a, b) => a.value.localeCompare(b.value));
    if (!counts.length && !chosen.length) continue;
    const button = (value, count, i, selected) => '<li' + (i >= FACET_SHOWN && !selected ? ' class="more" hidden' : '') + '>' +
      '<button type="button" data-facet="' + esc(param) + '" data-value="' + esc(value) + '"' +
      (selected ? ' class="selected" data-selected="yes" aria-pressed="true" title="Remove this filter"' : '') + '>' +
      '<span class="value">' + esc(value) + '</span> <span class="count">' + (selected ? '×' : esc(count)) + '</span></button></li>';
    const chosenCount = value => ((facets[key] || []).find(c => c.value === value) || {}).count;
    out += '<section class="facet" data-name="' + esc(param) + '"><h2>' + esc(label) + '</h2>' +
      (counts.length > FACET_SHOWN ? '<input type="search" class="facet-search" aria-label="Find a ' + esc(label.toLowerCase()) + '" placeholder="Find…">' : '') +
      '<ul>' + chosen.map(v => button(v, chosenCount(v), 0, true)).join('') +
      counts.map((c, i) => button(c.value, c.count, i, false)).join('') + '</ul>' +
      (counts.length > FACET_SHOWN ? '<button type="button" class="show-more" aria-expanded="false">Show all ' + counts.length + '</button>' : '') +
      '</section>';
  }
  return out;
}

// Typing in a facet's box shows the values that contain what is typed.
function filterFacet(input) {
  const section = input.closest('.facet');
  const typed = input.value.trim().toLowerCase();
  const expanded = section.querySelector('.show-more')?.getAttribute('aria-expanded') === 'true';
  section.classList.toggle('open', !!typed || expanded);
  section.querySelectorAll('li').forEach((li, i) => {
    const value = li.querySelector('.value').textContent.toLowerCase();
    const selected = !!li.querySelector('[data-selected]');
    li.hidden = typed ? !value.includes(typed) && !selected : li.classList.contains('more') && !expanded;
  });
}

function renderFilters(state) {
  const box = document.getElementById('filters');
  box.innerHTML = state.filters.map(([param, value]) =>
    '<button type="button" class="filter" data-facet="' + esc(param) + '" data-value="' + esc(value) + '" title="Remove this filter">' +
    esc(LABEL[param] || param) + ': ' + esc(value) + ' <span aria-hidden="true">×</span></button>').join('');
}

function renderPager(response, state) {
  const pager = document.getElementById('pager');
  let out = '';
  if (state.offset > 0) out += '<button type="button" data-offset="' + Math.max(0, state.offset - PAGE) + '">← Previous</button>';
  if (state.offset + PAGE < response.total && state.offset + PAGE <= 10000) {
    out += '<button type="button" data-offset="' + (state.offset + PAGE) + '">Next →</button>';
  }
  pager.innerHTML = out;
}

document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('search').addEventListener('submit', event => {
    event.preventDefault();
    const state = stateFromUrl();
    // A new question gets the thesaurus again; the words alone were for the last one.
    if (document.getElementById('q').value !== state.q) state.literal = false;
    state.q = document.getElementById('q').value;
    state.sort = document.getElementById('sort').value;
    state.mode = document.getElementById('mode').value;
    state.offset = 0;
    go(state);
  });
  document.getElementById('mode').addEventListener('change', () => {
    const state = stateFromUrl();
    state.mode = document.getElementById('mode').value;
    state.offset = 0;
    if (!isEmpty(state)) go(state);
  });
  document.getElementById('sort').addEventListener('change', () => {
    const state = stateFromUrl();
    state.sort = document.getElementById('sort').value;
    state.offset = 0;
    if (!isEmpty(state)) go(state);
  });
  document.getElementById('facets').addEventListener('click', event => {
    const more = event.target.closest('button.show-more');
    if (more) {
      const open = more.getAttribute('aria-expanded') !== 'true';
      more.setAttribute('aria-expanded', String(open));
      more.closest('.facet').classList.toggle('open', open);
      more.textContent = open ? 'Show fewer' : 'Show all ' + more.closest('.facet').querySelectorAll('li.more').length;
      more.closest('.facet').querySelectorAll('li.more').forEach(li => { li.hidden = !open; });
      return;
    }
    const button = event.target.closest('button[data-facet]');
    if (!button) return;
    const state = stateFromUrl();
    state.q = document.getElementById('q').value;
    const pair = [button.dataset.facet, button.dataset.value];
    if (button.dataset.selected) {
      state.filters = state.filters.filter(([p, v]) => !(p === pair[0] && v === pair[1]));
    } else {
      state.filters.push(pair);
    }
    state.offset = 0;
    go(state);
  });
  document.getElementById('facets').addEventListener('input', event => {
    if (event.target.matches('input.facet-search')) filterFacet(event.target);
  });
  document.getElementById('hits').addEventListener('click', event => {
    const button = event.target.closest('button.copy-cite');
    if (button) copyCitation(button);
  });
  wireSteps(document.getElementById('timeline'), narrowToStep);
  document.getElementById('timeline').addEventListener('click', event => {
    if (!event.target.closest('button.split')) return;
    const state = stateFromUrl();
    state.split = !state.split;
    const qs = queryString(state);
    history.replaceState(null, '', qs ? '/?' + qs : '/');
    showTimeline(state, generation);
  });
  document.getElementById('filters').addEventListener('click', event => {
    const button = event.target.closest('button[data-facet]');
    if (!button) return;
    const state = stateFromUrl();
    state.filters = state.filters.filter(([p, v]) => !(p === button.dataset.facet && v === button.dataset.value));
    state.offset = 0;
    go(state);
  });
  document.getElementById('pager').addEventListener('click', event => {
    const button = event.target.closest('button[data-offset]');
    if (!button) return;
    const state = stateFromUrl();
    state.offset = parseInt(button.dataset.offset, 10) || 0;
    go(state);
    window.scrollTo(0, 0);
  });
  window.addEventListener('popstate', () => show(stateFromUrl()));
  show(stateFromUrl());
});
