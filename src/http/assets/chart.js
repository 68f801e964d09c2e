// Timelines as SVG line charts: steps (years or meetings) on the x axis, one
// line per series, every step a button that narrows the search to it.
// Colours are SVG attributes, not styles: the pages' CSP allows no inline CSS.
'use strict';

const SERIES_COLOURS = ['#1f5fa8', '#c2410c', '#15803d', '#7e22ce', '#b91c1c', '#0e7490', '#a16207', '#be185d'];

function colourOf(i) {
  return SERIES_COLOURS[i % SERIES_COLOURS.length];
}

// The text of a step's tick: a meeting is marked by its year where the year
// changes (the full name is in the step's title), a year by itself.
function tickText(bucket, previous) {
  if (!bucket.date) return bucket.label;
  return previous && previous.year === bucket.year ? '' : String(bucket.year);
}

// buckets: [{label, year, date}], series: [{name, values, counts}], selected:
// indexes of the steps in force. Returns SVG markup sized by viewBox, so it
// scales to its box (readable down to 400 px).
function chartSvg(buckets, series, selected, width) {
  const W = Math.max(320, Math.round(width || 640));
  const H = 190;
  const left = 40, right = 10, top = 10, bottom = 30;
  const plotW = W - left - right, plotH = H - top - bottom;
  const n = buckets.length;
  const max = Math.max(1, ...series.flatMap(s => s.values));
  const x = i => left + (n === 1 ? plotW / 2 : (i * plotW) / (n - 1));
  const y = v => top + plotH - (v / max) * plotH;
  const fmt = v => (Number.isInteger(v) ? String(v) : v.toFixed(1));
  let out = '<svg class="chart" viewBox="0 0 ' + W + ' ' + H + '" width="100%" role="img" aria-label="Matching paragraphs over time">';
  // Horizontal grid: 0, half, max.
  for (const v of [0, max / 2, max]) {
    out += '<line class="grid" x1="' + left + '" x2="' + (W - right) + '" y1="' + y(v).toFixed(1) + '" y2="' + y(v).toFixed(1) + '" stroke="#e2e5ea"/>';
    out += '<text class="tick" x="' + (left - 6) + '" y="' + (y(v) + 4).toFixed(1) + '" text-anchor="end">' + esc(fmt(Math.round(v * 10) / 10)) + '</text>';
  }
  // Ticks thinned so that their labels never overlap.
  const texts = buckets.map((b, i) => tickText(b, buckets[i - 1]));
  const widest = Math.max(4, ...texts.map(t => t.length));
  const every = Math.max(1, Math.ceil((n * widest * 7.5) / plotW));
  let last = -Infinity;
  texts.forEach((text, i) => {
    // Meetings: a year wherever it starts, if there is room since the last one.
    const room = buckets[i].date ? x(i) - last >= widest * 7.5 : i % every === 0;
    if (!text || !room) return;
    last = x(i);
    // The last label ends at the edge rather than past it.
    const anchor = x(i) > W - right - 16 ? 'end' : 'middle';
    out += '<text class="tick" x="' + x(i).toFixed(1) + '" y="' + (H - 10) + '" text-anchor="' + anchor + '">' + esc(text) + '</text>';
  });
  // Steps: a column each, the click target.
  const column = n === 1 ? plotW : plotW / (n - 1);
  buckets.forEach((b, i) => {
    const said = series.map(s => s.name + ' ' + s.counts[i]).join(', ');
    const cls = selected.includes(i) ? 'step selected' : 'step';
    out += '<rect class="' + cls + '" data-step="' + i + '" tabindex="0" role="button" x="' + (x(i) - column / 2).toFixed(1) + '" y="' + top +
      '" width="' + column.toFixed(1) + '" height="' + plotH + '" aria-label="' + esc(b.label + ': ' + said) + '"><title>' +
      esc((b.date ? b.date + ' ' : '') + b.label + '\n' + said) + '</title></rect>';
  });
  series.forEach((s, k) => {
    const points = s.values.map((v, i) => x(i).toFixed(1) + ',' + y(v).toFixed(1)).join(' ');
    out += '<polyline class="line" fill="none" stroke="' + colourOf(k) + '" stroke-width="2" points="' + points + '"/>';
    if (n <= 60) {
      s.values.forEach((v, i) => {
        out += '<circle class="point" cx="' + x(i).toFixed(1) + '" cy="' + y(v).toFixed(1) + '" r="2.5" fill="' + colourOf(k) + '"/>';
      });
    }
  });
  return out + '</svg>';
}

function legendHtml(series) {
  return '<ul class="legend">' + series.map((s, k) =>
    '<li><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill="' + colourOf(k) + '"/></svg> ' +
    esc(s.name) + ' <span class="count">' + esc(s.total) + '</span></li>').join('') + '</ul>';
}

// Calls onStep(bucket) when a step is clicked or chosen with Enter or Space;
// the box's current steps are in box.buckets.
function wireSteps(box, onStep) {
  const pick = target => {
    const step = target.closest('[data-step]');
    if (step && box.buckets) onStep(box.buckets[parseInt(step.dataset.step, 10)]);
  };
  box.addEventListener('click', event => pick(event.target));
  box.addEventListener('keydown', event => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      pick(event.target);
    }
  });
}

// Copies a citation; the button says whether it worked.
async function copyCitation(button) {
  const text = button.dataset.cite || '';
  let ok = false;
  try {
    await navigator.clipboard.writeText(text);
    ok = true;
  } catch (e) {
    const area = document.createElement('textarea');
    area.value = text;
    document.body.appendChild(area);
    area.select();
    try {
      ok = document.execCommand('copy');
    } catch (e2) {
      ok = false;
    }
    area.remove();
  }
  button.textContent = ok ? 'Copied' : 'Copy failed';
  button.dataset.copied = ok ? 'yes' : 'no';
  setTimeout(() => { button.textContent = 'Copy citation'; }, 2000);
}

function citationHtml(citation, url) {
  return '<div class="cite"><span class="citation">' + esc(citation) + '</span> ' +
    '<button type="button" class="copy-cite" data-cite="' + esc(citation) + '">Copy citation</button>' +
    (url ? ' <a class="official" href="' + esc(url) + '" rel="noopener">Official document</a>' : '') + '</div>';
}
