// /find in a real browser: Debian's chromium, headless, driven by
// playwright-core, at phone size (375 x 667 CSS px, touch, 2x pixels), in
// English, Spanish and French, with results (CA-BC naloxone), with sites near
// a place (naloxone near 60614, Chicago; near Montréal in French) and without
// (the bare form). Per page: status 200, no console errors or page errors
// (the page's own Content-Security-Policy applies), nothing wider than the
// screen, every tap target at least 48 x 48 CSS px, the page's language,
// and axe-core (WCAG 2 A/AA rules and best practices) with no serious or
// critical violation. Screenshots go to OUT_DIR (the build tree) for people
// to look at.
//
// usage (through run.sh): node find_browser_test.mjs NODE_DIR HELPLINE_BIN SOURCE_DIR OUT_DIR

import {existsSync, mkdirSync, readFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import {Checker, startHelpline} from './helpline_process.mjs';

const [nodeDir, bin, source, outDir] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(nodeDir), 'package.json'));
const {chromium} = require('playwright-core');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const browserPath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
if (!browserPath) {
  console.log('SKIP: chromium not installed (Debian package chromium; scripts/setup installs it)');
  process.exit(77);
}
mkdirSync(outDir, {recursive: true});

const started = Date.now();
const checker = new Checker();
const check = (ok, what) => checker.check(ok, what);

const helpline = await startHelpline({bin, source});
// Root in a container: chromium's sandbox needs user namespaces it may not have.
const browser = await chromium.launch({executablePath: browserPath, headless: true,
                                       args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage']});
try {
  const context = await browser.newContext({viewport: {width: 375, height: 667}, deviceScaleFactor: 2,
                                            isMobile: true, hasTouch: true});
  for (const lang of ['en', 'es', 'fr']) {
    const place = lang === 'fr' ? 'Montr%C3%A9al' : '60614';
    for (const [kind, query] of [['results', `region=CA-BC&category=naloxone&lang=${lang}`],
                                 ['near', `near=${place}&category=naloxone&lang=${lang}`],
                                 ['form', `lang=${lang}`]]) {
      const label = `/find ${lang} ${kind}`;
      const page = await context.newPage();
      const errors = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push(String(e)));
      const response = await page.goto(helpline.url(`/find?${query}`), {waitUntil: 'load'});
      check(response.status() === 200, `${label}: status ${response.status()}`);
      await page.screenshot({path: path.join(outDir, `find-${lang}-${kind}.png`), fullPage: true});

      const facts = await page.evaluate(() => {
        const targets = [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')]
            .filter((e) => e.getClientRects().length > 0)
            .map((e) => {
              const r = e.getBoundingClientRect();
              return {what: `${e.tagName.toLowerCase()} "${(e.textContent || e.value || e.name || '').trim().slice(0, 40)}"`,
                      width: r.width, height: r.height};
            });
        const sites = [...document.querySelectorAll('article.site')].map((a) => ({
          name: a.querySelector('h3')?.textContent || '',
          distance: a.querySelector('.dist')?.textContent || '',
          map: a.querySelector('a.map')?.getAttribute('href') || '',
        }));
        return {lang: document.documentElement.lang, scrollWidth: document.documentElement.scrollWidth,
                innerWidth: window.innerWidth, targets, sites,
                cards: document.querySelectorAll('a[href^="tel:"], a[href^="sms:"]').length};
      });
      check(facts.lang === lang, `${label}: <html lang> is "${facts.lang}"`);
      check(facts.scrollWidth <= facts.innerWidth, `${label}: page ${facts.scrollWidth} px wide on a ${facts.innerWidth} px screen`);
      check(facts.targets.length > 0, `${label}: no tap targets found`);
      for (const t of facts.targets) {
        check(t.width >= 48 && t.height >= 48, `${label}: tap target ${t.what} is ${t.width.toFixed(0)} x ${t.height.toFixed(0)} px`);
      }
      if (kind === 'results') check(facts.cards > 0, `${label}: no tel: or sms: links`);
      if (kind === 'near') {
        // Shipped sites (data/directory/sites), each with a map link; a distance (none for the
        // city-precision points the shipped Chicago and Montréal sites have today) in miles
        // for Chicago and km for Montréal.
        const unit = lang === 'fr' ? /^[0-9.]+ km$/ : /^[0-9.]+ mi$/;
        check(facts.sites.length > 0, `${label}: no site cards`);
        check(facts.sites.every((s) => s.distance === '' || unit.test(s.distance)),
              `${label}: a distance not in ${unit}: ${JSON.stringify(facts.sites)}`);
        check(facts.sites.every((s) => s.map.startsWith('https://www.openstreetmap.org/?mlat=')),
              `${label}: a site without a map link`);
      }

      await page.evaluate(axeSource);
      const axe = await page.evaluate(() => globalThis.axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}}));
      const bad = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      for (const v of bad) {
        check(false, `${label}: axe ${v.impact} ${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')})`);
      }
      const minor = axe.violations.filter((v) => !bad.includes(v)).map((v) => `${v.impact} ${v.id}`);
      check(errors.length === 0, `${label}: console errors: ${errors.join(' | ')}`);
      console.log(`${label}: ${facts.targets.length} tap targets, axe ${axe.passes.length} rules passed, ` +
                  `${bad.length} serious/critical, other: ${minor.join(', ') || 'none'}`);
      await page.close();
    }
  }
} catch (e) {
  checker.failures++;
  console.error(`FAIL: ${e.stack}\n${helpline.stderr().slice(-2000)}`);
} finally {
  await browser.close();
  await helpline.stop();
}
console.log(`find in chromium: ${checker.failures} failure(s) in ${Date.now() - started} ms; screenshots in ${outDir}`);
process.exit(checker.failures === 0 ? 0 : 1);
