// The console end to end in headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core from web/node_modules), as a caseworker uses it
// at 1366x768: sign in, open the top flag of the queue, dismiss it with a
// reason by keyboard, and find the decision in the case history; then every
// other page once. Screenshots go to --out. Prints "decided FLAG HOUSEHOLD"
// and each page's load time; exits non-zero naming the step that failed.
//
//   node console_e2e.mjs --url=http://127.0.0.1:PORT/ --user=ID
//        --password=PW --out=DIR --modules=web/node_modules
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const args = Object.fromEntries(process.argv.slice(2).map((a) => {
  const m = a.match(/^--([^=]+)=(.*)$/);
  return m ? [m[1], m[2]] : [a, ''];
}));
for (const k of ['url', 'user', 'password', 'out', 'modules']) {
  if (!args[k]) { console.error(`missing --${k}`); process.exit(2); }
}
const require = createRequire(path.resolve(args.modules) + '/');
const { chromium } = require('playwright-core');
const executablePath = process.env.DIBAO_CHROMIUM || '/usr/bin/chromium';
fs.mkdirSync(args.out, { recursive: true });

let step = 'start';
const shot = (page, name) => page.screenshot({ path: path.join(args.out, `${name}.png`), fullPage: true });
async function timed(name, fn) {
  const t0 = Date.now();
  await fn();
  console.log(`page ${name}: ${Date.now() - t0} ms`);
}

const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
let exitCode = 0;
try {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // 401s are expected (the sign-in check before signing in, the wrong
  // password on purpose); any other failed load or script error is not.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().includes('status of 401')) problems.push(`console: ${m.text()}`);
  });

  step = 'sign in';
  await page.goto(args.url);
  await page.waitForSelector('#signin');
  await shot(page, '01-sign-in');
  await page.fill('#user', args.user);
  await page.fill('#password', 'wrong-password-1');
  await page.click('#signin');
  await page.waitForSelector('#notice:not([hidden])');
  await page.fill('#password', args.password);
  await timed('queue (sign in)', async () => {
    await page.click('#signin');
    await page.waitForSelector('#queue tbody tr');
  });
  await shot(page, '02-queue');

  step = 'open the top flag';
  const flagId = await page.getAttribute('#queue tbody tr:first-child', 'data-flag');
  await timed('flag', async () => {
    await page.keyboard.press('Enter');
    await page.waitForSelector('#flag-summary');
  });
  const household = await page.getAttribute('#flag-summary', 'data-household');
  await shot(page, '03-flag');

  step = 'dismiss with a reason';
  await page.selectOption('#reason', 'DISMISS_REASON_PARTNER_DATA_WRONG');
  await page.fill('#note', '单位已注销，工资记录为误报');
  await page.click('#flag-summary');  // leave the text box so the key is a shortcut
  await page.keyboard.press('d');
  await page.waitForFunction(() => document.querySelector('#flag-state')?.textContent === '已排除');
  step = 'find the decision in the case history';
  const history = await page.textContent('#history');
  if (!history.includes(args.user) || !history.includes('PARTNER_DATA_WRONG')) {
    throw new Error(`the case history does not show the decision: ${history.slice(0, 400)}`);
  }
  await shot(page, '04-dismissed');
  console.log(`decided ${flagId} ${household}`);

  step = 'next flag by keyboard';
  await page.keyboard.press('n');
  await page.waitForFunction((id) => !location.hash.includes(id), flagId);

  step = 'the queue again';
  await timed('queue', async () => {
    await page.click('nav a[data-page=queue]');
    await page.waitForSelector('#queue tbody tr');
  });
  step = 'the reads of the case are on its history too';
  await page.goto(`${args.url}#/flag/${flagId}?reads=1`);
  await page.waitForSelector('#history');
  if (!(await page.textContent('#history')).includes('ReviewService.GetCase')) {
    throw new Error('the case history does not show the reads of the case');
  }

  step = 'recommendations';
  await timed('recommendations', async () => {
    await page.click('nav a[data-page=recs]');
    await page.waitForSelector('#export-csv');
  });
  await shot(page, '05-recommendations');

  step = 'reports';
  await timed('reports', async () => {
    await page.click('nav a[data-page=reports]');
    await page.waitForSelector('#table2');
  });
  await page.waitForFunction(() => window.Chart && Object.keys(window.Chart.instances || {}).length === 2);
  await shot(page, '06-reports');

  step = 'posting list';
  await timed('posting', async () => {
    await page.click('nav a[data-page=posting]');
    await page.waitForSelector('#community option:nth-child(2)', { state: 'attached' });
  });
  const community = await page.getAttribute('#community option:nth-child(2)', 'value');
  await page.selectOption('#community', community);
  await page.waitForSelector('#posting tbody tr');
  const posting = await page.textContent('#posting');
  if (/\d{17}[\dX]/.test(posting)) throw new Error('the posting list shows a full ID number');
  await page.emulateMedia({ media: 'print' });
  await shot(page, '07-posting-print');
  await page.emulateMedia({ media: 'screen' });

  step = 'feeds';
  await timed('feeds', async () => {
    await page.click('nav a[data-page=feeds]');
    await page.waitForSelector('#last-batches tbody tr');
  });
  await shot(page, '08-feeds');

  step = 'English';
  await page.click('#lang');
  await page.waitForFunction(() => document.querySelector('nav a[data-page=queue]')?.textContent === 'Review queue');
  await page.click('nav a[data-page=queue]');
  await page.waitForSelector('#queue tbody tr');
  await shot(page, '09-queue-english');

  step = 'sign out';
  await page.click('#signout');
  await page.waitForSelector('#signin');
  if (problems.length) throw new Error(problems.join('\n'));
} catch (e) {
  console.error(`console e2e failed at "${step}": ${e.message}`);
  exitCode = 1;
} finally {
  await browser.close();
}
process.exit(exitCode);
