// Drives the analysts' views like a person: the timeline above the hits of a
// search (clicking its busiest step narrows the search to it), a facet's
// search box and the chronological years, copying a citation, and the compare
// view of two speakers, with screenshots. Prints one JSON object;
// tests/browser.rs asserts on it.
import { chromium } from 'playwright-core';

const base = process.env.RAPPORTEUR_URL;
const shots = process.env.SHOTS;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const result = {};
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  const page = await context.newPage();
  await page.goto(base + '/?q=' + encodeURIComponent('death penalty') + '&mode=keyword');
  await page.waitForSelector('#timeline svg.chart .step');
  await page.waitForSelector('#hits .hit');
  result.steps = await page.$$eval('#timeline .step', els => els.map(e => e.getAttribute('aria-label')));
  result.legend = await page.$$eval('#timeline .legend li', els => els.map(e => e.textContent.trim()));
  result.lines = await page.$$eval('#timeline polyline', els => els.length);
  if (shots) await page.screenshot({ path: shots + '/timeline.png', fullPage: false });
  // Years in chronological order; a facet box that finds a State.
  result.years = await page.$$eval('button[data-facet="year"]', bs => bs.map(b => b.dataset.value));
  result.speakerSearch = !!(await page.$('.facet[data-name="speaker"] input.facet-search'));
  if (result.speakerSearch) {
    await page.fill('.facet[data-name="speaker"] input.facet-search', 'ital');
    result.speakerFound = await page.$$eval('.facet[data-name="speaker"] li',
      lis => lis.filter(li => !li.hidden).map(li => li.querySelector('.value').textContent));
  }
  // Copy the first hit's citation.
  result.citation = await page.$eval('#hits .hit .citation', e => e.textContent);
  await page.click('#hits .hit .copy-cite');
  await page.waitForFunction(() => document.querySelector('#hits .hit .copy-cite').dataset.copied);
  result.copied = await page.evaluate(() => navigator.clipboard.readText());
  // Split by speaker: a line for each of the top five.
  await page.click('#timeline button.split');
  await page.waitForFunction(() => document.querySelectorAll('#timeline polyline').length === 5);
  result.splitLegend = await page.$$eval('#timeline .legend li', els => els.map(e => e.textContent.trim()));
  result.splitUrl = page.url();
  await page.click('#timeline button.split');
  await page.waitForFunction(() => document.querySelectorAll('#timeline polyline').length === 1);
  // The busiest step, clicked: the search narrowed to it.
  const busiest = await page.$$eval('#timeline .step', els => {
    const n = el => parseInt(el.getAttribute('aria-label').match(/All speakers (\d+)/)[1], 10);
    return els.reduce((best, el) => (n(el) > n(best) ? el : best)).dataset.step;
  });
  result.busiest = result.steps[parseInt(busiest, 10)];
  const before = await page.$$eval('#hits .hit', els => els.map(e => e.dataset.id).join(' '));
  await page.click('#timeline .step[data-step="' + busiest + '"]');
  await page.waitForFunction(
    old => [...document.querySelectorAll('#hits .hit')].map(e => e.dataset.id).join(' ') !== old, before);
  await page.waitForSelector('#timeline .step.selected');
  result.narrowedUrl = page.url();
  result.narrowedStatus = await page.$eval('#status', e => e.textContent);
  result.selectedStep = await page.$eval('#timeline .step.selected', e => e.getAttribute('aria-label'));
  // At 400 px the chart fits.
  const narrow = await browser.newPage({ viewport: { width: 400, height: 800 } });
  await narrow.goto(base + '/?q=' + encodeURIComponent('death penalty') + '&mode=keyword');
  await narrow.waitForSelector('#timeline svg.chart .step');
  result.narrowChart = await narrow.$eval('#timeline svg.chart', svg => {
    const box = svg.getBoundingClientRect();
    const ticks = [...svg.querySelectorAll('text.tick')].map(t => t.getBoundingClientRect());
    let overlaps = 0;
    for (let i = 1; i < ticks.length; i++) {
      const a = ticks[i - 1], b = ticks[i];
      if (Math.abs(a.top - b.top) < 2 && a.right > b.left + 1) overlaps++;
    }
    return { width: box.width, ticks: ticks.length, overlaps, tickHeight: Math.min(...ticks.map(t => t.height)) };
  });
  result.narrowOverflow = await narrow.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  await narrow.$eval('#timeline', e => e.scrollIntoView());
  if (shots) await narrow.screenshot({ path: shots + '/timeline-400.png', fullPage: false });
  // The compare view.
  const compare = await context.newPage();
  await compare.goto(base + '/compare?q=' + encodeURIComponent('death penalty') + '&speaker=France&speaker=Italy');
  await compare.waitForSelector('.compared');
  await compare.waitForSelector('#timeline svg.chart');
  result.compared = await compare.$$eval('.compared', els => els.map(e => ({
    speaker: e.dataset.speaker,
    statements: parseInt(e.querySelector('.statements').textContent, 10),
    terms: [...e.querySelectorAll('.terms tbody tr td:first-child')].map(td => td.textContent),
    quotes: e.querySelectorAll('blockquote').length,
  })));
  result.compareLines = await compare.$$eval('#timeline polyline', els => els.length);
  await compare.selectOption('#scale', 'rate');
  result.compareScaleUrl = compare.url();
  if (shots) await compare.screenshot({ path: shots + '/compare.png', fullPage: true });
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
