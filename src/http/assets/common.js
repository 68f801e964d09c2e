// Helpers shared by the search page and the permalink page.
'use strict';

// Every piece of data goes through esc() before it becomes HTML.
function esc(value) {
  return String(value == null ? '' : value)
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

// The API gives highlights as byte ranges into the UTF-8 text; JS strings are
// UTF-16, so slice the encoded bytes and decode each piece.
function highlight(text, ranges) {
  const bytes = new TextEncoder().encode(text);
  const decoder = new TextDecoder();
  const sorted = (ranges || [])
    .map(r => [Math.max(0, Math.min(r[0], bytes.length)), Math.max(0, Math.min(r[1], bytes.length))])
    .filter(r => r[1] > r[0])
    .sort((a, b) => a[0] - b[0]);
  let out = '';
  let pos = 0;
  for (const [start, end] of sorted) {
    if (start < pos) continue; // overlapping range: the first one wins
    out += esc(decoder.decode(bytes.subarray(pos, start)));
    out += '<mark>' + esc(decoder.decode(bytes.subarray(start, end))) + '</mark>';
    pos = end;
  }
  return out + esc(decoder.decode(bytes.subarray(pos)));
}

// Document ids may contain slashes (A/HRC/8/44): keep them as path separators.
function pathOf(docId) {
  return String(docId).split('/').map(encodeURIComponent).join('/');
}

function permalink(docId, number) {
  return '/p/' + pathOf(docId) + '/' + encodeURIComponent(number);
}

// GET JSON; an API error becomes an Error with the API's message.
async function getJson(url) {
  let response;
  try {
    response = await fetch(url, { headers: { Accept: 'application/json' } });
  } catch (e) {
    throw new Error('cannot reach the server');
  }
  let body = null;
  try {
    body = await response.json();
  } catch (e) {
    body = null;
  }
  if (!response.ok) {
    const message = body && body.error ? body.error.message : response.status + ' ' + response.statusText;
    const error = new Error(message);
    error.status = response.status;
    throw error;
  }
  return body;
}

function meta(parts) {
  return parts.filter(p => p != null && p !== '').map(esc).join(' · ');
}

// "Mr. Delattre (France), in French" in a verbatim record; else the speaker.
function speakerLabel(statement) {
  if (statement.joint && statement.joint.length) return statement.joint.map(s => s.name).join(', ');
  const speaker = statement.speaker || '';
  if (!statement.person) return speaker;
  const label = statement.person + (speaker ? ' (' + speaker + ')' : '');
  return statement.language ? label + ', in ' + statement.language : label;
}

// A recorded vote: what was voted on, the result and who voted how.
function renderVote(vote) {
  if (!vote) return '';
  const list = (name, states) => '<dt>' + esc(name) + ' (' + states.length + ')</dt><dd>' +
    (states.length ? esc(states.join(', ')) : 'none') + '</dd>';
  const head = [vote.subject, vote.result, vote.resolution ? 'resolution ' + vote.resolution : null];
  return '<div class="vote"><div class="vote-head">Vote: ' + meta(head) + '</div><dl>' +
    list('In favour', vote.in_favour) + list('Against', vote.against) +
    list('Abstaining', vote.abstaining) + '</dl></div>';
}
