// The compare page: /compare?q=...&speaker=A&speaker=B shows each speaker's
// counts over time in one chart, their distinctive words and their most
// representative statements, side by side.
'use strict';

let comparison = null;

function wanted() {
  const params = new URLSearchParams(location.search);
  const speakers = params.getAll('speaker').filter(Boolean);
  return { q: params.get('q') || '', speakers, scale: params.get('scale') === 'rate' ? 'rate' : 'count' };
}

function urlOf(state) {
  const params = new URLSearchParams();
  params.set('q', state.q);
  for (const s of state.speakers) params.append('speaker', s);
  if (state.scale === 'rate') params.set('scale', 'rate');
  return '/compare?' + params.toString();
}

function drawChart(state) {
  const box = document.getElementById('timeline');
  if (!comparison || comparison.buckets.length < 2) {
    box.innerHTML = '';
    return;
  }
  const series = comparison.speakers.map(s => ({
    name: s.speaker,
    total: s.paragraphs,
    counts: s.counts,
    values: state.scale === 'rate' ? s.rates : s.counts,
  }));
  box.innerHTML = '<h2 class="timeline-head">' + (state.scale === 'rate' ? 'Per 10,000 of their paragraphs' : 'Matching paragraphs') +
    ' by ' + esc(comparison.by) + '</h2>' + legendHtml(series) + chartSvg(comparison.buckets, series, [], box.clientWidth || box.parentElement.clientWidth);
  box.buckets = comparison.buckets;
}

function renderSpeaker(s) {
  const terms = s.distinctive.length
    ? '<table class="terms"><thead><tr><th>Distinctive</th><th class="num">z</th><th class="num">' + esc(s.speaker) +
      '</th><th class="num">Others</th></tr></thead><tbody>' +
      s.distinctive.map(t => '<tr><td>' + esc(t.term) + '</td><td class="num">' + esc(t.z.toFixed(1)) + '</td><td class="num">' +
        esc(t.speaker_count) + '</td><td class="num">' + esc(t.others_count) + '</td></tr>').join('') + '</tbody></table>'
    : '<p class="meta">Too few statements for distinctive words.</p>';
  const top = s.top.map(hit => {
    const st = hit.statements[0] || { text: hit.text, highlights: [] };
    return '<blockquote class="statement" data-id="' + esc(hit.id) + '">' + highlight(st.text, st.highlights) +
      citationHtml(hit.citation, hit.url) + ' <a href="' + esc(permalink(hit.document, hit.paragraph)) + '">¶</a></blockquote>';
  }).join('');
  return '<section class="compared" data-speaker="' + esc(s.speaker) + '"><h2>' + esc(s.speaker) + '</h2>' +
    '<p class="meta"><span class="statements">' + esc(s.statements) + '</span> statements in ' + esc(s.paragraphs) + ' paragraphs</p>' +
    terms + top + '</section>';
}

async function show(state) {
  document.getElementById('q').value = state.q;
  document.getElementById('speakers').value = state.speakers.join(', ');
  document.getElementById('scale').value = state.scale;
  const status = document.getElementById('status');
  if (!state.q.trim() || state.speakers.length < 2) return;
  document.title = state.q + ': ' + state.speakers.join(' and ') + ' · rapporteur';
  status.textContent = 'Comparing…';
  const params = new URLSearchParams();
  params.set('q', state.q);
  for (const s of state.speakers) params.append('speaker', s);
  params.set('per', '10000');
  try {
    comparison = await getJson('/api/compare?' + params.toString());
  } catch (e) {
    status.textContent = e.message;
    status.classList.add('error');
    return;
  }
  status.classList.remove('error');
  status.innerHTML = 'What ' + esc(comparison.speakers.map(s => s.speaker).join(', ')) + ' said on <b>' + esc(comparison.query) +
    '</b> <span class="took">(' + esc(comparison.took_ms.toFixed(0)) + ' ms)</span> · <a href="/?q=' + encodeURIComponent(state.q) + '">All hits</a>';
  drawChart(state);
  document.getElementById('speakers-grid').innerHTML = comparison.speakers.map(renderSpeaker).join('');
}

document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('compare').addEventListener('submit', event => {
    event.preventDefault();
    const state = {
      q: document.getElementById('q').value,
      speakers: document.getElementById('speakers').value.split(',').map(s => s.trim()).filter(Boolean),
      scale: document.getElementById('scale').value,
    };
    history.pushState(null, '', urlOf(state));
    show(state);
  });
  document.getElementById('scale').addEventListener('change', () => {
    const state = wanted();
    state.scale = document.getElementById('scale').value;
    history.replaceState(null, '', urlOf(state));
    drawChart(state);
  });
  // A step of the chart opens the search of that year or meeting.
  wireSteps(document.getElementById('timeline'), bucket => {
    const state = wanted();
    const params = new URLSearchParams();
    params.set('q', state.q);
    for (const [p, v] of Object.entries(bucket.filter)) params.set(p, v);
    location.href = '/?' + params.toString();
  });
  document.getElementById('speakers-grid').addEventListener('click', event => {
    const button = event.target.closest('button.copy-cite');
    if (button) copyCitation(button);
  });
  window.addEventListener('popstate', () => show(wanted()));
  show(wanted());
});
