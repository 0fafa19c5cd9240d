// Optional comparison: the npm package vietnam-qr-pay (encode with QRPay.initVietQR().build(),
// decode with new QRPay(text)) on the same typical dynamic payload as qr_bench. Not part of the
// build; scripts/bench.sh runs it when VIETNAM_QR_PAY_DIR names a directory whose node_modules
// holds the package (npm install vietnam-qr-pay there). Prints one JSON object.
import { createRequire } from 'node:module';
import path from 'node:path';

const dir = process.env.VIETNAM_QR_PAY_DIR;
if (!dir) {
  console.error('set VIETNAM_QR_PAY_DIR to a directory with node_modules/vietnam-qr-pay');
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(dir), 'noop.js'));
const { QRPay } = require('vietnam-qr-pay');
const version = require('vietnam-qr-pay/package.json').version;

const request = {
  bankBin: '970436',
  bankNumber: '0011001234567',
  amount: '150000',
  purpose: 'CPK7Q2M9X thanh toan',
};
const payload = QRPay.initVietQR(request).build();

// Runs fn repeatedly for about `ms` milliseconds after a warm-up; returns items per second.
function rate(fn, ms = 1000) {
  for (let i = 0; i < 20000; i++) fn();
  let n = 0;
  const start = process.hrtime.bigint();
  const limit = BigInt(ms) * 1000000n;
  let elapsed = 0n;
  while (elapsed < limit) {
    for (let i = 0; i < 1000; i++) fn();
    n += 1000;
    elapsed = process.hrtime.bigint() - start;
  }
  return n / (Number(elapsed) / 1e9);
}

let sink = 0;
const encode = rate(() => { sink += QRPay.initVietQR(request).build().length; });
const decode = rate(() => { sink += new QRPay(payload).isValid ? 1 : 0; });
console.log(JSON.stringify({
  package: 'vietnam-qr-pay',
  version,
  node: process.version,
  payload,
  encode_per_second: Math.round(encode),
  decode_per_second: Math.round(decode),
  sink: sink > 0,
}));
