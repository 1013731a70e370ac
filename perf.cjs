const { chromium } = require('playwright-core');
const { spawn } = require('child_process');
(async () => {
  const child = spawn(process.execPath, ['dist/cli/main.js', 'inspect', '/tmp/long.json', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((r) => { let o = ''; child.stdout.on('data', (d) => { o += d; const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(o); if (m && /Ctrl-C/.test(o)) r(m[1]); }); });
  const ctx = await chromium.launchPersistentContext(require('fs').mkdtempSync('/tmp/pp-'), { executablePath: '/tmp/chromium', headless: true, viewport: { width: 1600, height: 1000 }, args: ['--no-sandbox', '--disable-gpu'] });
  const page = await ctx.newPage();
  await page.goto(url); await page.waitForSelector('body[data-ready="true"]');
  const variant = process.argv[2] || '';
  if (variant) await page.evaluate(variant);
  const r = await page.evaluate((n) => {
    const el = document.getElementById('scrub'); const times = [];
    for (let i = 1; i <= 200; i++) { const a = performance.now(); el.value = String((i * 997) % (n + 1)); el.dispatchEvent(new Event('input', { bubbles: true })); void document.body.offsetHeight; times.push(performance.now() - a); }
    times.sort((x, y) => x - y); return { median: times[100], max: times[199] };
  }, 2240);
  console.log(variant, JSON.stringify(r), JSON.stringify(await page.evaluate(() => window.__p)));
  await ctx.close(); child.kill();
})();
