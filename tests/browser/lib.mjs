// What the browser tests share: the check that names what failed, the log line, the server they
// start (`chophien serve --demo` on a fresh database, port 0) and stop, the JSON API client,
// Chromium's launch arguments, and numbered full-page screenshots.
import { spawn } from 'node:child_process';
import path from 'node:path';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const START_TIMEOUT_MS = 30000;

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export class CheckFailed extends Error {}

export function check(condition, message) {
  if (!condition) throw new CheckFailed(message);
}

export function log(message) {
  process.stdout.write(`browser: ${message}\n`);
}

// Starts `chophien serve --demo` on a fresh database and port 0; resolves with the address it
// prints and the demo administrator's one-time password.
export function startServer(binary, dbFile) {
  const child = spawn(binary, ['serve', '--db', dbFile, '--listen', '127.0.0.1:0', '--demo'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CHOPHIEN_LOG: 'errors' },
  });
  let stdout = '';
  let stderr = '';
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new CheckFailed(`server did not print its address within ${START_TIMEOUT_MS} ms:\n${stdout}${stderr}`)),
      START_TIMEOUT_MS,
    );
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const address = stdout.match(/(https?:\/\/127\.0\.0\.1:\d+)\//);
      const admin = stdout.match(/^\s*admin\s+admin\s+(\S+)\s*$/m);
      if (address && admin) {
        clearTimeout(timer);
        resolve({ base: address[1], adminPassword: admin[1] });
      }
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new CheckFailed(`server exited early (status ${code}, signal ${signal}):\n${stdout}${stderr}`));
    });
  });
  return { child, ready, output: () => stdout + stderr };
}

export function stopServer(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function api(base, urlPath, { method = 'GET', token, body } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(base + urlPath, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON; the caller checks the status
  }
  return { status: res.status, json, text };
}

// Numbered full-page screenshots in `dir`: shot(page, name) writes NN-name.png.
export function screenshots(dir) {
  let step = 0;
  return async (page, name) => {
    step += 1;
    const file = path.join(dir, `${String(step).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    log(`screenshot ${path.basename(file)}`);
  };
}
