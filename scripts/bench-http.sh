#!/bin/sh
# HTTP benchmarks of `chophien serve` with wrk on 127.0.0.1, each page against nginx (Debian's)
# serving the same bytes as a static file in the same run:
#   - product page and home page: requests/s and p99 at 64 connections (goal: chophien >= 50 % of
#     nginx, p99 < 10 ms)
#   - POST /api/v1/checkout of a two-producer cart: requests/s and p99 at 32 connections
#     (goal: p99 < 50 ms)
#   - the server's resident memory (VmRSS) with 10,000 more products than the demo, after the
#     runs above (goal: < 64 MB)
# The database is a fresh temporary file: the demo data, then 10,000 products imported by CSV
# (`chophien import`), and the stock of the two checkout products raised so that no run runs out.
#
# usage: scripts/bench-http.sh <builddir>   (a Release build with <builddir>/app/chophien)
#   BENCH_HTTP_SECONDS (10), BENCH_HTTP_THREADS (2) override wrk's -d and -t.
# Needs wrk, nginx, curl, sqlite3, python3 (scripts/deps.sh installs them).
set -eu
if [ $# -ne 1 ] || [ ! -x "$1/app/chophien" ]; then
  echo "usage: $0 <builddir>   (a CMake build dir with app/chophien built)" >&2
  exit 2
fi
for tool in wrk nginx curl sqlite3 python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$0: $tool not found (run scripts/deps.sh)" >&2; exit 1; }
done
bin=$(cd "$(dirname "$1/app/chophien")" && pwd)/chophien
seconds=${BENCH_HTTP_SECONDS:-10}
threads=${BENCH_HTTP_THREADS:-2}
products=10000

tmp=$(mktemp -d "${TMPDIR:-/tmp}/chophien-bench-http.XXXXXX")
server_pid=""
nginx_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts the server on a free port in the background; sets server_pid and base.
start_server() {
  : >"$tmp/server.out"
  "$bin" serve --db "$tmp/bench.db" --listen 127.0.0.1:0 --demo --log errors \
    >"$tmp/server.out" 2>"$tmp/server.err" &
  server_pid=$!
  i=0
  base=""
  while [ $i -lt 200 ]; do
    base=$(sed -n 's|.*\(http://127\.0\.0\.1:[0-9]*\)/.*|\1|p' "$tmp/server.out" | head -n 1)
    [ -n "$base" ] && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
    i=$((i + 1))
  done
  echo "$0: the server did not start:" >&2
  cat "$tmp/server.out" "$tmp/server.err" >&2
  exit 1
}

stop_server() {
  kill "$server_pid"
  wait "$server_pid" || true
  server_pid=""
}

# --- The database: demo data, then 10,000 products for the first producer -----------------------
echo "Preparing a database with the demo data and $products more products..."
start_server
stop_server
python3 - "$tmp/products.csv" "$products" <<'EOF'
import sys
path, count = sys.argv[1], int(sys.argv[2])
kinds = ["Miến dong", "Mật ong bạc hà", "Chè Shan tuyết", "Gạo nếp cẩm", "Thịt lợn gác bếp",
         "Hạt dẻ", "Măng khô", "Khăn thổ cẩm", "Rượu ngô men lá", "Tinh bột nghệ"]
places = ["Bảo Lâm", "Lý Bôn", "Nam Quang", "Quảng Lâm", "Yên Thổ", "Mông Ân", "Cốc Pàng"]
with open(path, "w", encoding="utf-8") as f:
    f.write("sku,name,description,ocop_group,unit,price_vnd,stock,weight_g,status\n")
    for i in range(count):
        name = f"{kinds[i % len(kinds)]} {places[i % len(places)]} mẻ {i + 1}"
        f.write(f"BENCH-{i + 1:05d},{name},\"Sản phẩm thử số {i + 1}, làm thủ công.\","
                f"G{1 + i % 6},gói,{10000 + (i % 90) * 5000},{100 + i % 50},{100 + i % 900},active\n")
EOF
producer=$(sqlite3 "$tmp/bench.db" "SELECT id FROM producers ORDER BY id LIMIT 1")
"$bin" import "$tmp/products.csv" --producer "$producer" --db "$tmp/bench.db" >/dev/null
product=$(sqlite3 "$tmp/bench.db" "SELECT id FROM products WHERE sku = 'DEMO-BL-MIEN500'")
other=$(sqlite3 "$tmp/bench.db" "SELECT id FROM products WHERE sku = 'DEMO-NQ-CHE100'")
if [ -z "$product" ] || [ -z "$other" ]; then
  echo "$0: the demo products DEMO-BL-MIEN500 and DEMO-NQ-CHE100 are missing" >&2
  exit 1
fi
sqlite3 "$tmp/bench.db" "UPDATE products SET stock = 1000000000 WHERE id IN ($product, $other)"
count=$(sqlite3 "$tmp/bench.db" "SELECT count(*) FROM products")
start_server
echo "chophien at $base ($count products; $bin)"

# --- The same bytes as static files for nginx ---------------------------------------------------
mkdir -p "$tmp/www" "$tmp/nginx"
fetch() {  # fetch PATH FILE: the page's bytes, refusing anything but 200
  status=$(curl -s -o "$2" -w '%{http_code}' "$base$1")
  if [ "$status" != 200 ]; then
    echo "$0: GET $1 answered $status" >&2
    exit 1
  fi
}
fetch "/san-pham/$product" "$tmp/www/product.html"
fetch "/" "$tmp/www/home.html"
nginx_port=$(free_port)
nginx_user=""
[ "$(id -u)" = 0 ] && nginx_user="user $(id -un) $(id -gn);"
cat >"$tmp/nginx/nginx.conf" <<EOF
$nginx_user
worker_processes auto;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_requests 10000;
  types { text/html html; }
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  server {
    listen 127.0.0.1:$nginx_port;
    root $tmp/www;
  }
}
EOF
nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" &
nginx_pid=$!
nginx_base="http://127.0.0.1:$nginx_port"
i=0
until curl -s -o /dev/null "$nginx_base/home.html"; do
  i=$((i + 1))
  if [ $i -gt 100 ] || ! kill -0 "$nginx_pid" 2>/dev/null; then
    echo "$0: nginx did not start:" >&2
    cat "$tmp/nginx/error.log" >&2
    exit 1
  fi
  sleep 0.1
done
curl -s "$nginx_base/product.html" | cmp -s - "$tmp/www/product.html" ||
  { echo "$0: nginx does not serve the same bytes" >&2; exit 1; }

# --- wrk ----------------------------------------------------------------------------------------
cat >"$tmp/report.lua" <<'EOF'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %.0f %.2f %.2f %d\n",
    summary.requests / summary.duration * 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, e.connect + e.read + e.write + e.status + e.timeout))
end
EOF
cat >"$tmp/checkout.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"items": [{"product_id": $product, "quantity": 1}, {"product_id": $other, "quantity": 2}], '
  .. '"customer": {"name": "Nguyễn Thị Mai", "phone": "0912345678"}, "delivery": {"method": "pickup"}}'
EOF
sed -n '/^done/,$p' "$tmp/report.lua" >>"$tmp/checkout.lua"

status=$(curl -s -o "$tmp/checkout.json" -w '%{http_code}' -H 'Content-Type: application/json' \
  --data "{\"items\": [{\"product_id\": $product, \"quantity\": 1}, {\"product_id\": $other, \"quantity\": 2}], \"customer\": {\"name\": \"Nguyễn Thị Mai\", \"phone\": \"0912345678\"}, \"delivery\": {\"method\": \"pickup\"}}" \
  "$base/api/v1/checkout")
if [ "$status" != 201 ]; then
  echo "$0: POST /api/v1/checkout answered $status: $(cat "$tmp/checkout.json")" >&2
  exit 1
fi

# run NAME CONNECTIONS SCRIPT URL: one wrk run; appends "NAME rps p50 p99 errors" to results.
run() {
  out=$(wrk -t"$threads" -c"$2" -d"${seconds}s" --latency -s "$3" "$4")
  line=$(printf '%s\n' "$out" | sed -n 's/^RESULT //p')
  if [ -z "$line" ]; then
    printf '%s\n' "$out" >&2
    echo "$0: wrk gave no result for $1" >&2
    exit 1
  fi
  echo "$1 $line" >>"$tmp/results"
  printf '  %-18s %s\n' "$1" "$line"
}
# The machine may be shared: record its load beside the figures.
echo "load before the runs:$(uptime | sed 's/.*load average//')"
echo "wrk -t$threads -d${seconds}s --latency (columns: req/s p50_ms p99_ms errors)"
: >"$tmp/results"
run chophien_product 64 "$tmp/report.lua" "$base/san-pham/$product"
run nginx_product 64 "$tmp/report.lua" "$nginx_base/product.html"
run chophien_home 64 "$tmp/report.lua" "$base/"
run nginx_home 64 "$tmp/report.lua" "$nginx_base/home.html"
# The worker threads' first requests (their allocator arenas, the database connections) fall in
# this untimed run, not in the measured one; before the front door, the page runs did that.
seconds_measured=$seconds
seconds=3
run checkout_warmup 32 "$tmp/checkout.lua" "$base/api/v1/checkout"
seconds=$seconds_measured
run checkout 32 "$tmp/checkout.lua" "$base/api/v1/checkout"

echo "load after the runs:$(uptime | sed 's/.*load average//')"

# --- Memory after the runs, and a few searches over the 10,000 products -------------------------
for q in mien "mat ong" "che shan tuyet" "gao nep" "khan tho cam"; do
  curl -s -o /dev/null -G --data-urlencode "q=$q" "$base/"
  curl -s -o /dev/null -G --data-urlencode "q=$q" --data-urlencode per_page=100 "$base/api/v1/products"
done
rss_kb=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$server_pid/status")
hwm_kb=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$server_pid/status")
server_threads=$(sed -n 's/^Threads:[[:space:]]*//p' "/proc/$server_pid/status")

python3 - "$tmp/results" "$rss_kb" "$hwm_kb" "$server_threads" "$count" \
  "$(wc -c <"$tmp/www/product.html")" "$(wc -c <"$tmp/www/home.html")" <<'EOF'
import sys
rows = {}
for line in open(sys.argv[1]):
    name, rps, p50, p99, errors = line.split()
    rows[name] = (float(rps), float(p50), float(p99), int(errors))
rss, hwm, threads, count = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
sizes = {"product": sys.argv[6], "home": sys.argv[7]}
print()
print("| case | chophien req/s | p50 | p99 | nginx req/s | nginx p99 | ratio | goal | met |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for page in ("product", "home"):
    c, n = rows[f"chophien_{page}"], rows[f"nginx_{page}"]
    ratio = c[0] / n[0]
    ok = ratio >= 0.5 and c[2] < 10 and c[3] == 0
    print(f"| {page} page ({sizes[page]} B), 64 conn. | {c[0]:,.0f} | {c[1]:.2f} ms | {c[2]:.2f} ms "
          f"| {n[0]:,.0f} | {n[2]:.2f} ms | {ratio:.2f} | >= 0.5, p99 < 10 ms | {'yes' if ok else 'NO'} |")
c = rows["checkout"]
print(f"| checkout, 32 conn. | {c[0]:,.0f} | {c[1]:.2f} ms | {c[2]:.2f} ms | - | - | - "
      f"| p99 < 50 ms | {'yes' if c[2] < 50 and c[3] == 0 else 'NO'} |")
print(f"| memory, {count} products | VmRSS {rss / 1024:.1f} MB (peak {hwm / 1024:.1f} MB), "
      f"{threads} threads | | | | | | < 64 MB | {'yes' if rss < 64 * 1024 else 'NO'} |")
errs = {k: v[3] for k, v in rows.items() if v[3]}
if errs:
    print(f"\nwrk counted errors (socket errors, timeouts, 4xx/5xx): {errs}")
EOF
