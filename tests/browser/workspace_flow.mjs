// The workspace in real headless Chromium (JavaScript disabled), every page on a 360 px wide
// screen: the administrator creates an officer; the officer creates a producer together with its
// login; the producer signs in, adds a product, uploads a photo from a file (a JPEG taken with a
// phone: tests/browser/fixtures/mat-ong.jpg) and finds the product with its photo in the shop; a
// customer buys it; the producer sees the order, marks it paid (a transfer seen in the bank app)
// and fulfilled, and the order's API answer says so. Every workspace page visited must answer
// 200, fit 360 px without sideways scrolling, and weigh under 30 KB of HTML and CSS; each is
// kept as a screenshot.
//
// usage: node tests/browser/workspace_flow.mjs <path to chophien>
//   CHOPHIEN_ARTIFACTS  where screenshots go (<dir>/browser-workspace/*.png); default build/artifacts
//   CHROMIUM            the browser binary; default /usr/bin/chromium
// Exit status 0 when every check passes, 1 with a message naming the failed check otherwise.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { api, check, CheckFailed, CHROMIUM, CHROMIUM_ARGS, log, screenshots, startServer, stopServer } from './lib.mjs';

const ARTIFACTS = path.resolve(process.env.CHOPHIEN_ARTIFACTS || 'build/artifacts', 'browser-workspace');
const PHOTO = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'mat-ong.jpg');
// Fails and cleans up before CTest's TIMEOUT (240 s) would kill the test and leave the server.
const TEST_TIMEOUT_MS = 200000;
const PAGE_BUDGET_BYTES = 30 * 1024;
const PHONE = { width: 360, height: 780 };

const shot = screenshots(ARTIFACTS);
const serverErrors = [];
let stylesheetBytes = 0;

// A person with their own cookies, on a phone-sized screen.
async function person(browser) {
  const context = await browser.newContext({ javaScriptEnabled: false, locale: 'vi-VN', viewport: PHONE });
  const page = await context.newPage();
  page.setDefaultTimeout(45000);
  page.on('response', (res) => {
    if (res.status() >= 500) serverErrors.push(`${res.status()} ${res.url()}`);
  });
  return page;
}

// Checks the page just loaded: under the budget with the stylesheet, no sideways scrolling.
async function checkPage(page, response, name) {
  await shot(page, name);  // first, so that a failed check has its picture
  check(response && response.status() === 200, `${name}: ${page.url()} answered ${response?.status()}`);
  const html = (await response.body()).length;
  check(
    html + stylesheetBytes < PAGE_BUDGET_BYTES,
    `${name}: ${html} bytes of HTML + ${stylesheetBytes} of CSS, over ${PAGE_BUDGET_BYTES}`,
  );
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  check(wide <= PHONE.width, `${name}: ${page.url()} is ${wide} px wide on a ${PHONE.width} px screen`);
  log(`${name}: ${html} B HTML, ${wide} px wide`);
}

async function visit(page, url, name) {
  const response = await page.goto(url);
  await checkPage(page, response, name);
}

// Submits `form` (a locator) with its first submit button and checks the page it lands on.
async function submit(page, form, name) {
  const button = form.locator('button[type="submit"]').first();
  check((await button.count()) === 1, `${name}: the form has no submit button`);
  const [response] = await Promise.all([page.waitForNavigation(), button.click()]);
  await checkPage(page, response, name);
}

async function signIn(page, base, login, password) {
  await page.goto(`${base}/dang-nhap`);
  await page.fill('#login', login);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/dang-nhap"] button[type="submit"]')]);
  check(new URL(page.url()).pathname.startsWith('/quan-ly'), `${login} signed in and landed on ${page.url()}`);
}

// A login somebody else created: the first sign-in lands on the password page, and nothing else
// opens until the person has chosen a password of their own.
async function signInFirstTime(page, base, login, temporary, chosen, name) {
  await page.goto(`${base}/dang-nhap`);
  await page.fill('#login', login);
  await page.fill('#password', temporary);
  const [landing] = await Promise.all([
    page.waitForNavigation(),
    page.click('form[action="/dang-nhap"] button[type="submit"]'),
  ]);
  check(new URL(page.url()).pathname === '/quan-ly/doi-mat-khau', `${login}: the first sign-in landed on ${page.url()}`);
  await checkPage(page, landing, `${name}-must-change`);
  const blocked = await page.goto(`${base}/quan-ly`);
  check(new URL(page.url()).pathname === '/quan-ly/doi-mat-khau', `${login}: the workspace opened before the password was changed`);
  await checkPage(page, blocked, `${name}-still-must-change`);
  await page.fill('#current_password', temporary);
  await page.fill('#new_password', chosen);
  await page.fill('#new_password_again', chosen);
  await submit(page, page.locator('form[action="/quan-ly/doi-mat-khau"]'), `${name}-password-changed`);
  check(new URL(page.url()).pathname.startsWith('/quan-ly'), `${login}: after the change landed on ${page.url()}`);
}

async function text(page, selector) {
  return (await page.locator(selector).first().innerText()).trim();
}

async function main() {
  const binary = process.argv[2];
  if (!binary) {
    process.stderr.write('usage: node workspace_flow.mjs <path to chophien>\n');
    process.exit(2);
  }
  check(fs.existsSync(binary), `no chophien binary at ${binary}`);
  check(fs.existsSync(CHROMIUM), `no browser at ${CHROMIUM} (install Debian's chromium: scripts/deps.sh)`);
  check(fs.existsSync(PHOTO), `no test photo at ${PHOTO}`);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  for (const old of fs.readdirSync(ARTIFACTS)) fs.rmSync(path.join(ARTIFACTS, old), { force: true });

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chophien-workspace-'));
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
  let browser;
  try {
    const { base, adminPassword } = await server.ready;
    log(`server at ${base}`);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });

    // 1. The administrator creates an officer.
    const admin = await person(browser);
    await signIn(admin, base, 'admin', adminPassword);
    const css = await admin.locator('link[rel="stylesheet"]').first().getAttribute('href');
    check(css, 'the workspace links no stylesheet');
    stylesheetBytes = (await (await admin.context().request.get(new URL(css, base).toString())).body()).length;
    await visit(admin, `${base}/quan-ly/nguoi-dung`, 'admin-users');
    await admin.fill('#login', 'canbo.baolam');
    await admin.fill('#display_name', 'Nông Văn Dũng');
    await admin.selectOption('#role', 'officer');
    await admin.fill('#password', 'mat-khau-can-bo-2026');
    await submit(admin, admin.locator('form[action="/quan-ly/nguoi-dung"]'), 'admin-officer-created');
    check((await admin.locator('body').innerText()).includes('canbo.baolam'), 'the users page does not list the new officer');
    await visit(admin, `${base}/quan-ly/cai-dat`, 'admin-settings');

    // 2. The officer creates a producer together with its login.
    const officer = await person(browser);
    await signInFirstTime(officer, base, 'canbo.baolam', 'mat-khau-can-bo-2026', 'can-bo-tu-dat-2026', 'officer');
    await visit(officer, `${base}/quan-ly/nha-san-xuat`, 'officer-register');
    await visit(officer, `${base}/quan-ly/nha-san-xuat/moi`, 'officer-new-producer');
    await officer.fill('#name', 'HTX Mật ong Lý Bôn');
    await officer.selectOption('#area_code', { index: 1 });
    await officer.fill('#phone', '0987654321');
    await officer.selectOption('#bank_bin', '970436');
    await officer.fill('#bank_account', '1234567890');
    await officer.fill('#bank_holder', 'HTX MAT ONG LY BON');
    await officer.fill('#login', 'matong.lybon');
    await officer.fill('#display_name', 'Lý Thị Mai');
    await officer.fill('#password', 'mat-khau-nsx-2026');
    await submit(officer, officer.locator('form[action="/quan-ly/nha-san-xuat"]'), 'officer-producer-created');
    check(
      (await officer.locator('body').innerText()).includes('HTX Mật ong Lý Bôn'),
      `after creating the producer the officer sees ${officer.url()} without its name`,
    );
    await visit(officer, `${base}/quan-ly/so-lieu`, 'officer-figures');

    // 3. The producer signs in, adds a product and its photo.
    const producer = await person(browser);
    await signInFirstTime(producer, base, 'matong.lybon', 'mat-khau-nsx-2026', 'nsx-tu-dat-mat-khau', 'producer');
    await visit(producer, `${base}/quan-ly`, 'producer-home');
    await visit(producer, `${base}/quan-ly/san-pham/moi`, 'producer-new-product');
    await producer.fill('#name', 'Mật ong bạc hà Lý Bôn');
    await producer.fill('#description', 'Mật ong hoa bạc hà, thu hoạch tháng 11 ở xã Lý Bôn.');
    await producer.fill('#unit', 'chai 500 ml');
    await producer.fill('#price', '250.000');
    await producer.fill('#stock', '20');
    await submit(producer, producer.locator('form[action="/quan-ly/san-pham"]'), 'producer-product-saved');
    const edit = producer.locator('a[href^="/quan-ly/san-pham/"]', { hasText: 'Mật ong bạc hà Lý Bôn' }).first();
    check((await edit.count()) === 1, 'the product list has no link to the new product');
    const editPath = await edit.getAttribute('href');
    await visit(producer, base + editPath, 'producer-edit-product');
    await producer.setInputFiles('#photo', PHOTO);
    await submit(producer, producer.locator('form[action$="/anh"]'), 'producer-photo-uploaded');
    const thumb = await producer.locator('#anh img').first().getAttribute('src');
    check(thumb && thumb.startsWith('/anh/') && thumb.endsWith('.webp'), `the product's photo is ${thumb}`);
    const productId = editPath.match(/(\d+)$/)[1];

    // 4. The shop shows it with its photo; a customer buys it.
    const customer = await person(browser);
    await customer.goto(`${base}/?q=${encodeURIComponent('mat ong bac ha ly bon')}`);
    const found = customer.locator(`a[href*="/san-pham/${productId}"]`).first();
    check((await found.count()) === 1, 'searching the shop does not find the new product');
    await Promise.all([customer.waitForNavigation(), found.click()]);
    const shown = await customer.locator('main').innerText();
    check(shown.includes('HTX Mật ong Lý Bôn'), 'the product page does not name the producer');
    check(shown.includes('thu hoạch tháng 11'), 'the product page does not show the description');
    const photoSrc = await customer.locator(`main img[src^="/anh/"]`).first().getAttribute('src');
    check(photoSrc, 'the product page shows no uploaded photo');
    const photo = await customer.context().request.get(new URL(photoSrc, base).toString());
    check(photo.status() === 200 && photo.headers()['content-type'].startsWith('image/'), `${photoSrc} answered ${photo.status()}`);
    await shot(customer, 'customer-product');
    const add = customer.locator('form[action*="/gio-hang/them"] button[type="submit"]').first();
    await Promise.all([customer.waitForNavigation(), add.click()]);
    await customer.goto(`${base}/thanh-toan`);
    await customer.getByLabel(/Họ và tên|Họ tên/).first().fill('Hoàng Văn Nam');
    await customer.getByLabel(/Số điện thoại|Điện thoại/).first().fill('0911222333');
    const place = customer.locator('form[action*="/thanh-toan"] button[type="submit"]').first();
    await Promise.all([customer.waitForNavigation(), place.click()]);
    const orderUrl = new URL(customer.url());
    const match = orderUrl.pathname.match(/^\/don-hang\/([A-Z0-9]+)$/);
    check(match && orderUrl.searchParams.get('token'), `checkout landed on ${customer.url()}, not an order page`);
    const code = match[1];
    await shot(customer, 'customer-order');

    // 5. The producer sees the order, marks it paid and fulfilled.
    await visit(producer, `${base}/quan-ly/don-hang`, 'producer-orders');
    check((await producer.locator('body').innerText()).includes(code), `the producer's orders do not list ${code}`);
    await visit(producer, `${base}/quan-ly/don-hang/${code}`, 'producer-order');
    await producer.check('#m_bank');
    await submit(producer, producer.locator(`form[action="/quan-ly/don-hang/${code}/thanh-toan"]`), 'producer-order-paid');
    check((await text(producer, '#status')) === 'Đã thanh toán', `after marking paid the status is "${await text(producer, '#status')}"`);
    await submit(producer, producer.locator(`form[action="/quan-ly/don-hang/${code}/giao-hang"]`), 'producer-order-fulfilled');
    check((await text(producer, '#status')) === 'Đã giao', `after fulfilling the status is "${await text(producer, '#status')}"`);
    const login = await api(base, '/api/v1/auth/login', {
      method: 'POST',
      body: { login: 'matong.lybon', password: 'nsx-tu-dat-mat-khau' },
    });
    check(login.status === 200 && login.json?.token, `the producer's API login answered ${login.status}`);
    const order = await api(base, `/api/v1/orders/${code}`, { token: login.json.token });
    check(order.status === 200 && order.json.status === 'fulfilled', `GET /api/v1/orders/${code}: ${order.text}`);
    check(order.json.payment_method === 'bank_transfer', `order ${code} paid by ${order.json.payment_method}`);
    for (const [url, name] of [
      ['/quan-ly/thanh-toan', 'producer-payments'],
      ['/quan-ly/ban-hang', 'producer-sales'],
      ['/quan-ly/ma-qr', 'producer-stall-qr'],
      ['/quan-ly/san-tmdt', 'producer-marketplaces'],
      ['/quan-ly/tep-san', 'producer-marketplace-files'],
    ]) {
      await visit(producer, base + url, name);
    }

    check(serverErrors.length === 0, `server errors: ${serverErrors.join(', ')}`);
    log(`all checks passed; screenshots in ${ARTIFACTS}`);
  } finally {
    clearTimeout(watchdog);
    if (browser) await browser.close().catch(() => {});
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
