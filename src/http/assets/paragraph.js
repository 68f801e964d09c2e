// The permalink page: /p/<document id>/<number> shows that paragraph with its
// statements, between the paragraphs before and after it.
'use strict';

function renderParagraph(p, docId, current) {
  const where = [];
  if (p.section) where.push(p.section);
  if (p.subsection) where.push(p.subsection);
  if (p.agenda_item) where.push('Agenda item ' + p.agenda_item + (p.agenda_title ? ': ' + p.agenda_title : ''));
  const statements = p.statements.length
    ? p.statements.map(s => {
      const who = speakerLabel(s);
      return '<p class="statement">' + (who ? '<span class="speaker">' + esc(who) + '</span> ' : '') + esc(s.text) + '</p>';
    }).join('')
    : '<p class="statement">' + esc(p.text) + '</p>';
  const vote = renderVote(p.vote);
  const number = current
    ? '<span class="number">¶' + esc(p.number) + '</span>'
    : '<a class="number" href="' + esc(permalink(docId, p.number)) + '">¶' + esc(p.number) + '</a>';
  return '<div class="paragraph-head">' + number +
    (where.length ? '<span class="meta">' + meta(where) + '</span>' : '') +
    (p.page ? '<span class="meta">page ' + esc(p.page) + '</span>' : '') + '</div>' + statements + vote +
    (current && p.topics.length ? '<div class="topics">Topics: ' + esc(p.topics.join('; ')) + '</div>' : '');
}

async function load() {
  const status = document.getElementById('status');
  const path = location.pathname.replace(/^\/p\//, '');
  let view;
  try {
    view = await getJson('/api/paragraphs/' + path);
  } catch (e) {
    status.textContent = e.message;
    status.classList.add('error');
    return;
  }
  const d = view.document;
  const docId = d.id;
  document.title = d.id + ' ¶' + view.paragraph.number + ' · rapporteur';
  document.getElementById('document').innerHTML =
    '<h1>' + esc(d.title || d.id) + '</h1>' +
    '<p class="meta">' + meta([d.symbol || d.id, d.body, d.meeting, d.date, d.place]) + '</p>' +
    '<p class="links"><a href="/?doc=' + encodeURIComponent(docId) + '">Search this document</a>' +
    (view.paragraph.speakers.length ? ' · <a href="/?doc=' + encodeURIComponent(docId) + '&amp;speaker=' +
      encodeURIComponent(view.paragraph.speakers[0]) + '">More from ' + esc(view.paragraph.speakers[0]) + ' here</a>' : '') + '</p>';
  status.textContent = '';
  document.getElementById('paragraph').innerHTML = renderParagraph(view.paragraph, docId, true) +
    citationHtml(view.citation, view.url);
  document.getElementById('previous').innerHTML = view.previous ? renderParagraph(view.previous, docId, false) : '';
  document.getElementById('next').innerHTML = view.next ? renderParagraph(view.next, docId, false) : '';
  loadSimilar(path);
}

// What other meetings said about the same thing; absent where the index has no embeddings.
async function loadSimilar(path) {
  let similar;
  try {
    similar = await getJson('/api/similar/' + path + '?limit=5');
  } catch (e) {
    return;
  }
  if (!similar.hits.length) return;
  document.getElementById('similar').innerHTML = '<h2>Similar paragraphs in other meetings</h2><ul>' +
    similar.hits.map(h => '<li><a href="' + esc(permalink(h.document, h.paragraph)) + '">' + esc(h.document) + ' ¶' +
      esc(h.paragraph) + '</a> <span class="meta">' + meta([h.meeting, h.date]) + '</span><p>' +
      esc(h.text.length > 240 ? h.text.slice(0, 240) + '…' : h.text) + '</p></li>').join('') + '</ul>';
}

document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('paragraph').addEventListener('click', event => {
    const button = event.target.closest('button.copy-cite');
    if (button) copyCitation(button);
  });
  load();
});
