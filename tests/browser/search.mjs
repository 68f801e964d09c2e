// Drives the search page like a person: types a question, checks the first hit and
// its highlighted sentence, clicks a speaker facet, checks the hits change, and
// saves a screenshot. Prints one JSON object; tests/browser.rs asserts on it.
import { chromium } from 'playwright-core';

const base = process.env.RAPPORTEUR_URL;
const screenshot = process.env.SCREENSHOT;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const result = {};
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(base + '/');
  await page.fill('#q', 'what did Japan say on duplication');
  await page.press('#q', 'Enter');
  await page.waitForSelector('#hits .hit');
  const ids = () => page.$$eval('#hits .hit', els => els.map(e => e.dataset.id));
  result.before = await ids();
  result.first = await page.$eval('#hits .hit', hit => {
    const japan = [...hit.querySelectorAll('.statement')].find(s => s.querySelector('.speaker')?.textContent.includes('Japan'));
    return { id: hit.dataset.id, japanMarks: japan ? [...japan.querySelectorAll('mark')].map(m => m.textContent) : [] };
  });
  result.speakerFacets = await page.$$eval('button[data-facet="speaker"]', bs => bs.map(b => b.dataset.value));
  const before = result.before.join(' ');
  await page.click('button[data-facet="speaker"][data-value="China"]');
  await page.waitForFunction(
    old => [...document.querySelectorAll('#hits .hit')].map(e => e.dataset.id).join(' ') !== old, before);
  result.after = await ids();
  result.url = page.url();
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  const narrow = await browser.newPage({ viewport: { width: 400, height: 800 } });
  await narrow.goto(page.url());
  await narrow.waitForSelector('#hits .hit');
  result.narrowOverflow = await narrow.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  // Everyday words: the page says which of the records' terms it searched too,
  // and its link searches the words alone.
  const lay = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await lay.goto(base + '/?q=' + encodeURIComponent('people who flee and ask for protection'));
  await lay.waitForSelector('#hits .hit');
  result.alsoSearched = await lay.$eval('#status', s => s.textContent);
  await lay.click('#status a[href*="literal=true"]');
  // Wait for the literal search's own answer, not merely for the old notice to go
  // ("Searching…" is in between).
  await lay.waitForFunction(() => location.search.includes('literal=true') &&
    document.querySelector('#status .took') !== null &&
    !document.querySelector('#status').textContent.includes('Also searched'),
    null, { timeout: 15000 }).catch(() => {});
  result.literalUrl = lay.url();
  result.literalStatus = await lay.$eval('#status', s => s.textContent);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
