#!/bin/sh
# Shows `chophien qr` at work on a demo account: prints the VietQR payload, draws the code in the
# terminal, writes out/demo.png and out/demo.svg (relative to the repository), and decodes the
# payload back. `make run` calls it.
#
# usage: scripts/run-demo.sh <path to the chophien binary>
set -eu
if [ $# -ne 1 ] || [ ! -x "$1" ]; then
  echo "usage: $0 <chophien binary>" >&2
  exit 2
fi
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
repo=$(cd "$(dirname "$0")/.." && pwd)
out="$repo/out"
mkdir -p "$out"

set -- --bank 970436 --account 0011001234567 --amount 150000 --purpose "CPK7Q2M9X thanh toán"

echo "Mã VietQR mẫu: Vietcombank (970436), tài khoản 0011001234567, 150.000 đ,"
echo "nội dung \"CPK7Q2M9X thanh toán\"."
echo
payload=$("$bin" qr encode "$@")
echo "Payload:"
echo "  $payload"
echo
echo "Quét bằng ứng dụng ngân hàng (terminal nền tối; nền sáng: thêm --invert):"
"$bin" qr term "$@" 2>/dev/null
"$bin" qr png "$@" --out "$out/demo.png" 2>/dev/null
"$bin" qr svg "$@" --out "$out/demo.svg" 2>/dev/null
echo
echo "Giải mã lại (chophien qr decode):"
"$bin" qr decode "$payload"
echo
echo "Ảnh đã ghi:"
echo "  out/demo.png"
echo "  out/demo.svg"
echo "(thư mục: $out)"
