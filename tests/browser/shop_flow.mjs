// A customer with JavaScript disabled, in real headless Chromium (Debian's /usr/bin/chromium driven
// by playwright-core): browses the home page, searches without diacritics, opens a product, puts
// products of two producers in the cart, checks out with a Vietnamese name and sees two order
// pages. Each order page's VietQR image is downloaded through its <img> URL, read back with
// `zbarimg` and decoded with `chophien qr decode`: the bank and account must be the producer's (as
// an administrator reads them from the API), the amount the order's total and the purpose must
// hold the order's code.
//
// usage: node tests/browser/shop_flow.mjs <path to chophien>
//   CHOPHIEN_ARTIFACTS  where screenshots go (<dir>/browser/*.png); default build/artifacts
//   CHROMIUM            the browser binary; default /usr/bin/chromium
// Exit status 0 when every check passes, 1 with a message naming the failed check otherwise.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

import { api, check, CheckFailed, CHROMIUM, CHROMIUM_ARGS, log, screenshots, startServer, stopServer } from './lib.mjs';

const ARTIFACTS = path.resolve(process.env.CHOPHIEN_ARTIFACTS || 'build/artifacts', 'browser');
// Fails and cleans up before CTest's TIMEOUT (240 s) would kill the test and leave the server.
const TEST_TIMEOUT_MS = 200000;

const shot = screenshots(ARTIFACTS);

function digits(text) {
  return text.replace(/\D/g, '');
}

// Searches from the home page's form and opens the first result whose link text is `name`.
async function searchAndOpen(page, base, query, name) {
  await page.goto(`${base}/`);
  const box = page.locator('form input[name="q"]').first();
  check((await box.count()) === 1, 'the home page has no search field named "q"');
  await box.fill(query);
  await Promise.all([page.waitForNavigation(), box.press('Enter')]);
  const url = new URL(page.url());
  check(url.searchParams.get('q') === query, `searching went to ${page.url()}, not a ?q=${query} page`);
  await shot(page, `search-${query.replace(/\W+/g, '-')}`);
  const link = page.locator('a[href*="/san-pham/"]', { hasText: name }).first();
  check((await link.count()) === 1, `searching "${query}" does not list a link to "${name}"`);
  await Promise.all([page.waitForNavigation(), link.click()]);
  const match = new URL(page.url()).pathname.match(/^\/san-pham\/(\d+)/);
  check(match, `the result link for "${name}" went to ${page.url()}, not a product page`);
  return Number(match[1]);
}

async function addToCart(page) {
  const form = page.locator('form[action*="/gio-hang/them"]').first();
  check((await form.count()) === 1, `the product page ${page.url()} has no form posting to /gio-hang/them`);
  const submit = form.locator('button[type="submit"], button:not([type]), input[type="submit"]').first();
  check((await submit.count()) === 1, 'the add-to-cart form has no submit button');
  await Promise.all([page.waitForNavigation(), submit.click()]);
}

// The first field labelled by one of `labels` (the pages label every field).
async function fieldByLabel(page, labels, what) {
  for (const label of labels) {
    const field = page.getByLabel(label).first();
    if ((await field.count()) === 1) return field;
  }
  throw new CheckFailed(`the checkout form has no field labelled for ${what} (${labels.join(', ')})`);
}

// Reads the QR image behind an order page's <img>: the payload zbarimg finds in it, decoded.
async function readQr(page, binary, code) {
  const img = page.locator('img[src*="qr.png"]').first();
  check((await img.count()) === 1, `order ${code}: the page has no <img> of qr.png`);
  const src = await img.getAttribute('src');
  const url = new URL(src, page.url()).toString();
  const res = await page.context().request.get(url);
  check(res.status() === 200, `order ${code}: ${src} answered ${res.status()}`);
  check(
    (res.headers()['content-type'] || '').startsWith('image/png'),
    `order ${code}: ${src} is ${res.headers()['content-type']}, not image/png`,
  );
  const png = path.join(ARTIFACTS, `qr-${code}.png`);
  fs.writeFileSync(png, await res.body());
  let payload;
  try {
    payload = execFileSync('zbarimg', ['--raw', '-q', png], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (e) {
    throw new CheckFailed(`order ${code}: zbarimg found no QR code in ${png} (${e.message})`);
  }
  const decoded = JSON.parse(execFileSync(binary, ['qr', 'decode', payload], { encoding: 'utf8' }));
  check(decoded.valid === true, `order ${code}: the QR payload is not valid VietQR: ${payload}`);
  return decoded;
}

async function main() {
  const binary = process.argv[2];
  if (!binary) {
    process.stderr.write('usage: node shop_flow.mjs <path to chophien>\n');
    process.exit(2);
  }
  check(fs.existsSync(binary), `no chophien binary at ${binary}`);
  check(fs.existsSync(CHROMIUM), `no browser at ${CHROMIUM} (install Debian's chromium: scripts/deps.sh)`);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  for (const old of fs.readdirSync(ARTIFACTS)) fs.rmSync(path.join(ARTIFACTS, old), { force: true });

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chophien-browser-'));
  const server = startServer(binary, path.join(tmp, 'shop.db'));
  const stopOnSignal = () => {
    server.child.kill('SIGKILL');
    process.exit(1);
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  const watchdog = setTimeout(() => {
    process.stderr.write(`browser: FAILED: the test took more than ${TEST_TIMEOUT_MS} ms\n`);
    stopOnSignal();
  }, TEST_TIMEOUT_MS);
  let context;
  try {
    const { base, adminPassword } = await server.ready;
    log(`server at ${base}`);
    const login = await api(base, '/api/v1/auth/login', {
      method: 'POST',
      body: { login: 'admin', password: adminPassword },
    });
    check(login.status === 200 && login.json?.token, `admin login answered ${login.status}: ${login.text}`);
    const adminToken = login.json.token;

    // A fresh profile (--user-data-dir) in the temporary directory; playwright takes it as the
    // persistent context's directory.
    context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      javaScriptEnabled: false,
      locale: 'vi-VN',
      viewport: { width: 1280, height: 900 },
      args: CHROMIUM_ARGS,
    });
    const page = context.pages()[0] || (await context.newPage());
    page.setDefaultTimeout(45000);
    const pageErrors = [];
    page.on('response', (res) => {
      if (res.status() >= 500) pageErrors.push(`${res.status()} ${res.url()}`);
    });

    // 1. The home page.
    const home = await page.goto(`${base}/`);
    check(home.status() === 200, `GET / answered ${home.status()}`);
    check((await page.getAttribute('html', 'lang'))?.startsWith('vi'), 'the home page is not lang="vi"');
    check((await page.locator('a[href*="/san-pham/"]').count()) > 0, 'the home page links no product');
    await shot(page, 'home');

    // 2. Search without diacritics, find the product with them, open it, add it.
    const first = await searchAndOpen(page, base, 'mien dong', 'Miến dong Bảo Lâm');
    const firstTitle = await page.locator('h1').first().innerText();
    check(firstTitle.includes('Miến dong Bảo Lâm'), `product page title is "${firstTitle}"`);
    await shot(page, 'product-mien-dong');
    await addToCart(page);
    await shot(page, 'cart-one-item');

    // 3. A product of another producer.
    const second = await searchAndOpen(page, base, 'che shan tuyet', 'Chè Shan tuyết Nam Quang');
    await shot(page, 'product-che-shan-tuyet');
    await addToCart(page);

    const products = [];
    for (const id of [first, second]) {
      const got = await api(base, `/api/v1/products/${id}`);
      check(got.status === 200, `GET /api/v1/products/${id} answered ${got.status}`);
      products.push(got.json);
    }
    check(
      products[0].producer_id !== products[1].producer_id,
      `products ${first} and ${second} have the same producer ${products[0].producer_id}`,
    );

    // 4. The cart holds both.
    await page.goto(`${base}/gio-hang`);
    const cartText = await page.locator('body').innerText();
    for (const p of products) check(cartText.includes(p.name), `the cart does not show "${p.name}"`);
    await shot(page, 'cart');

    // 5. Checkout with a Vietnamese name.
    const toCheckout = page.locator('a[href*="/thanh-toan"], form[action*="/thanh-toan"] [type="submit"]').first();
    if ((await toCheckout.count()) === 1) {
      await Promise.all([page.waitForNavigation(), toCheckout.click()]);
    } else {
      await page.goto(`${base}/thanh-toan`);
    }
    check(new URL(page.url()).pathname.startsWith('/thanh-toan'), `checkout is at ${page.url()}`);
    const name = await fieldByLabel(page, [/Họ và tên/i, /Họ tên/i, /Tên/i, /name/i], 'the name');
    const phone = await fieldByLabel(page, [/Số điện thoại/i, /Điện thoại/i, /phone/i], 'the phone');
    await name.fill('Nguyễn Thị Mai');
    await phone.fill('0912345678');
    await shot(page, 'checkout-form');
    const place = page.locator('form[action*="/thanh-toan"] [type="submit"], form[action*="/thanh-toan"] button:not([type])').first();
    check((await place.count()) === 1, 'the checkout form has no submit button');
    await Promise.all([page.waitForNavigation(), place.click()]);
    await shot(page, 'checkout-done');

    // 6. Two order pages, one per producer.
    const orderUrls = new Set();
    if (new URL(page.url()).pathname.startsWith('/don-hang/')) orderUrls.add(page.url());
    for (const href of await page.locator('a[href*="/don-hang/"]').evaluateAll((as) => as.map((a) => a.href))) {
      orderUrls.add(new URL(href, page.url()).toString());
    }
    const orders = new Map();
    for (const u of orderUrls) {
      const url = new URL(u);
      const match = url.pathname.match(/^\/don-hang\/([A-Za-z0-9]+)$/);
      if (match && url.searchParams.get('token')) orders.set(match[1], url);
    }
    check(
      orders.size === 2,
      `after checkout the customer sees ${orders.size} order page(s), not 2 (at ${page.url()}: ${[...orderUrls].join(' ')})`,
    );

    const producersSeen = new Set();
    for (const [code, url] of orders) {
      const token = url.searchParams.get('token');
      const res = await page.goto(url.toString());
      check(res.status() === 200, `order page ${code} answered ${res.status()}`);
      await shot(page, `order-${code}`);
      await page.setViewportSize({ width: 360, height: 780 });
      await shot(page, `order-${code}-360px`);
      await page.setViewportSize({ width: 1280, height: 900 });

      const order = await api(base, `/api/v1/orders/${code}?token=${encodeURIComponent(token)}`);
      check(order.status === 200, `GET /api/v1/orders/${code}?token= answered ${order.status}: ${order.text}`);
      const total = order.json.total_vnd;
      check(Number.isInteger(total) && total > 0, `order ${code} has total ${total}`);
      const producer = await api(base, `/api/v1/producers/${order.json.producer_id}`, { token: adminToken });
      check(producer.status === 200, `GET /api/v1/producers/${order.json.producer_id} answered ${producer.status}`);
      const bank = producer.json.bank;
      check(bank?.bin && bank?.account, `producer ${order.json.producer_id} has no bank account: ${producer.text}`);
      producersSeen.add(order.json.producer_id);

      // The plain-text block for typing the transfer by hand: <dl class="pay"> of <dt>/<dd>.
      const block = await page
        .locator('dl.pay')
        .first()
        .evaluate((dl) => {
          const out = {};
          for (const dt of dl.querySelectorAll('dt')) {
            const dd = dt.nextElementSibling;
            if (dd && dd.tagName === 'DD') out[dt.textContent.trim()] = dd.textContent.trim();
          }
          return out;
        })
        .catch(() => null);
      check(block, `order page ${code} has no <dl class="pay"> block to type the transfer by hand`);
      check(
        block['Số tài khoản'] === bank.account,
        `order page ${code}: account "${block['Số tài khoản']}", producer's ${bank.account}`,
      );
      check(
        digits(block['Số tiền'] || '') === String(total),
        `order page ${code}: amount "${block['Số tiền']}", order total ${total}`,
      );
      check((block['Nội dung'] || '').includes(code), `order page ${code}: description "${block['Nội dung']}" lacks the code`);
      check((block['Chủ tài khoản'] || '') !== '', `order page ${code} shows no account holder`);

      const qr = await readQr(page, binary, code);
      check(qr.bin === bank.bin, `order ${code}: QR bank ${qr.bin}, producer's bank ${bank.bin}`);
      check(qr.account === bank.account, `order ${code}: QR account ${qr.account}, producer's ${bank.account}`);
      check(qr.amount === total, `order ${code}: QR amount ${qr.amount}, order total ${total}`);
      check((qr.purpose || '').includes(code), `order ${code}: QR purpose "${qr.purpose}" lacks the code`);
      log(`order ${code}: ${qr.bin} ${qr.account} ${qr.amount} VND "${qr.purpose}" ok`);
    }
    const wanted = new Set(products.map((p) => p.producer_id));
    check(
      producersSeen.size === 2 && [...producersSeen].every((id) => wanted.has(id)),
      `the orders belong to producers ${[...producersSeen]}, the products to ${[...wanted]}`,
    );
    check(pageErrors.length === 0, `server errors while browsing: ${pageErrors.join(', ')}`);
    log(`all checks passed; screenshots in ${ARTIFACTS}`);
  } finally {
    clearTimeout(watchdog);
    if (context) await context.close().catch(() => {});
    await stopServer(server.child);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  if (e instanceof CheckFailed) {
    process.stderr.write(`browser: FAILED: ${e.message}\n`);
  } else {
    process.stderr.write(`browser: FAILED with an error: ${e.stack || e}\n`);
  }
  process.exit(1);
});
