// `chophien qr`: VietQR payloads and images from the command line. Output formats are relied on by
// other tools (scripts/run-demo.sh, tests/cli_test.cc): one payload per line from encode, one JSON
// object per line from decode. Exit status: 0 success, 1 refused/invalid, 2 usage error.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/commands.h"
#include "qr/banks.h"
#include "qr/image.h"
#include "qr/payload.h"

namespace chophien::app {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kQrUsage =
    "usage: chophien qr <command> [options]\n"
    "\n"
    "Mã VietQR: nội dung (payload) và ảnh QR.\n"
    "\n"
    "commands:\n"
    "  encode   tạo payload từ ngân hàng, tài khoản, số tiền, nội dung; in ra payload\n"
    "  decode   kiểm tra payload, in mỗi payload một dòng JSON\n"
    "  png      vẽ mã QR thành ảnh PNG\n"
    "  svg      vẽ mã QR thành ảnh SVG\n"
    "  term     vẽ mã QR trong terminal (ký tự nửa khối UTF-8)\n"
    "  banks    danh bạ ngân hàng\n"
    "\n"
    "Xem `chophien qr <command> --help` cho từng lệnh.\n"
    "Mã thoát: 0 thành công, 1 bị từ chối hoặc payload không hợp lệ, 2 sai cách dùng.\n";

constexpr std::string_view kEncodeFlagsHelp =
    "tùy chọn payload:\n"
    "  --bank B          BIN (970436), mã (VCB) hoặc tên ngắn (Vietcombank); bắt buộc\n"
    "  --account A       số tài khoản (chữ và số, 1-19); bắt buộc trừ khi có --merchant\n"
    "  --card            --account là số thẻ (dịch vụ QRIBFTTC)\n"
    "  --merchant ID     thanh toán cho điểm bán (QRPUSH) có mã ID, thay cho --account\n"
    "  --mcc NNNN        mã ngành hàng (cùng --merchant)\n"
    "  --name N          tên điểm bán (cùng --merchant)\n"
    "  --city C          thành phố của điểm bán (cùng --merchant)\n"
    "  --amount VND      số đồng nguyên, chỉ chữ số (150000); mã trở thành động\n"
    "  --purpose TEXT    nội dung chuyển khoản; bỏ dấu (\"thanh toán\" -> \"thanh toan\")\n"
    "  --bill B          số hóa đơn (62.01)\n"
    "  --reference R     mã tham chiếu (62.05)\n"
    "  --store S         mã cửa hàng (62.03)\n"
    "  --terminal T      mã quầy/thiết bị (62.07)\n"
    "  --mobile M        số điện thoại (62.02)\n"
    "  --static          ghi mã tĩnh (01=11) dù có số tiền\n";

constexpr std::string_view kEncodeUsage =
    "usage: chophien qr encode --bank B (--account A [--card] | --merchant ID ...) [options]\n"
    "\n"
    "In payload VietQR, kết thúc bằng xuống dòng. Khi nội dung chuyển khoản phải bỏ dấu, nội dung\n"
    "thực sự được ghi được báo ra stderr. Yêu cầu mà ngân hàng sẽ từ chối thì bị từ chối (mã 1)\n"
    "kèm thông báo nêu trường sai; không cắt bớt, không đoán.\n"
    "\n";

constexpr std::string_view kDecodeUsage =
    "usage: chophien qr decode [PAYLOAD ...]\n"
    "\n"
    "Kiểm tra từng payload (hoặc, khi không có, từng dòng của đầu vào chuẩn; chỉ bỏ ký tự hết\n"
    "dòng \\n hoặc \\r\\n) và in mỗi payload một đối tượng JSON trên một dòng:\n"
    "  {\"valid\": true, \"payload\": ..., \"scheme\": ..., \"bin\": ..., \"amount\": ..., ...}\n"
    "  {\"valid\": false, \"error\": \"E-CRC-MISMATCH\", \"message\": ..., \"at\": 121}\n"
    "Mọi khóa luôn có mặt; giá trị vắng là null.\n"
    "Mã thoát: 0 khi mọi payload hợp lệ, 1 khi có payload không hợp lệ, 2 sai cách dùng.\n"
    "Dùng `--` trước payload bắt đầu bằng `-`.\n";

constexpr std::string_view kImageUsage =
    "usage: chophien qr png|svg|term (payload options | --payload P [--force]) [options]\n"
    "\n"
    "Vẽ mã QR của payload tạo từ các tùy chọn payload (như `chophien qr encode`), hoặc của\n"
    "--payload P đúng như đã cho. --payload không phải VietQR hay VNPAY-QR hợp lệ thì bị từ chối\n"
    "(mã 1), trừ khi có --force.\n"
    "\n"
    "tùy chọn ảnh:\n"
    "  --payload P       vẽ đúng chuỗi này thay vì tạo payload\n"
    "  --force           vẽ --payload cả khi nó không hợp lệ\n"
    "  --out FILE        ghi ảnh vào FILE (png, svg). Không có --out: svg ra stdout; png ra\n"
    "                    stdout chỉ khi stdout không phải terminal. `-` là stdout.\n"
    "  --ecc L|M|Q|H     mức sửa lỗi (mặc định M)\n"
    "  --scale N         số điểm ảnh mỗi module, 1-64 (mặc định 8; term bỏ qua)\n"
    "  --margin N        vùng trắng quanh mã, tính bằng module, 0-64 (mặc định 4)\n"
    "  --invert          term: vẽ module tối bằng khối, cho terminal nền sáng. Mặc định khối\n"
    "                    là module sáng và vùng trắng, đúng với terminal nền tối thông thường.\n"
    "\n";

constexpr std::string_view kBanksUsage =
    "usage: chophien qr banks [--json]\n"
    "\n"
    "Liệt kê danh bạ ngân hàng: BIN, mã, tên ngắn, tên đầy đủ. --json in một mảng JSON, mỗi\n"
    "ngân hàng một đối tượng với mọi trường của danh bạ.\n";

void print(std::FILE* to, std::string_view text) { std::fwrite(text.data(), 1, text.size(), to); }

int usage_error(std::string_view command, const std::string& message) {
  std::fprintf(stderr, "chophien qr%s%.*s: %s\nXem `chophien qr%s%.*s --help`.\n",
               command.empty() ? "" : " ", static_cast<int>(command.size()), command.data(),
               message.c_str(), command.empty() ? "" : " ", static_cast<int>(command.size()),
               command.data());
  return 2;
}

bool is_help(std::string_view arg) { return arg == "--help" || arg == "-h"; }

// Strict flag parsing: every flag is known, given once, and has its value when it takes one.
struct FlagSpec {
  std::string_view name;
  bool takes_value;
};

struct Parsed {
  std::map<std::string, std::string, std::less<>> flags;  // switches map to ""
  std::vector<std::string> positional;
  bool help = false;
  std::optional<std::string> error;

  bool has(std::string_view name) const { return flags.find(name) != flags.end(); }
  std::optional<std::string> get(std::string_view name) const {
    auto it = flags.find(name);
    if (it == flags.end()) return std::nullopt;
    return it->second;
  }
};

Parsed parse_flags(Args args, const std::vector<FlagSpec>& specs, bool allow_positional) {
  Parsed parsed;
  bool flags_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (flags_done || arg.size() < 2 || arg[0] != '-') {
      if (!allow_positional) {
        parsed.error = "đối số không mong đợi '" + std::string(arg) + "'";
        return parsed;
      }
      parsed.positional.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      flags_done = true;
      continue;
    }
    if (is_help(arg)) {
      parsed.help = true;
      return parsed;
    }
    std::string_view name = arg;
    std::optional<std::string_view> inline_value;
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      inline_value = arg.substr(eq + 1);
    }
    const FlagSpec* spec = nullptr;
    for (const auto& s : specs) {
      if (s.name == name) spec = &s;
    }
    if (spec == nullptr) {
      parsed.error = "không có tùy chọn '" + std::string(name) + "'";
      return parsed;
    }
    if (parsed.has(name)) {
      parsed.error = "tùy chọn " + std::string(name) + " bị lặp lại";
      return parsed;
    }
    if (!spec->takes_value) {
      if (inline_value) {
        parsed.error = "tùy chọn " + std::string(name) + " không nhận giá trị";
        return parsed;
      }
      parsed.flags.emplace(std::string(name), "");
      continue;
    }
    if (inline_value) {
      parsed.flags.emplace(std::string(name), std::string(*inline_value));
      continue;
    }
    if (i + 1 >= args.size()) {
      parsed.error = "tùy chọn " + std::string(name) + " cần một giá trị";
      return parsed;
    }
    parsed.flags.emplace(std::string(name), std::string(args[++i]));
  }
  return parsed;
}

const std::vector<FlagSpec> kEncodeFlags = {
    {"--bank", true},     {"--account", true}, {"--card", false},     {"--merchant", true},
    {"--mcc", true},      {"--name", true},    {"--city", true},      {"--amount", true},
    {"--purpose", true},  {"--bill", true},    {"--reference", true}, {"--store", true},
    {"--terminal", true}, {"--mobile", true},  {"--static", false},
};

bool is_encode_flag(std::string_view name) {
  for (const auto& s : kEncodeFlags) {
    if (s.name == name) return true;
  }
  return false;
}

// Builds the encoder request from the payload options. Returns a usage error message on failure.
std::optional<std::string> build_request(const Parsed& p, qr::EncodeRequest& request) {
  if (!p.has("--bank")) return "thiếu --bank (ngân hàng)";
  request.bank = *p.get("--bank");
  if (p.has("--merchant")) {
    if (p.has("--account")) return "--merchant thay cho --account; chỉ dùng một trong hai";
    if (p.has("--card")) return "không dùng --card cùng --merchant";
    request.account = *p.get("--merchant");
    request.service = qr::Service::merchant_push;
    request.mcc = p.get("--mcc").value_or("");
    request.merchant_name = p.get("--name").value_or("");
    request.merchant_city = p.get("--city").value_or("");
  } else {
    if (!p.has("--account")) return "thiếu --account (số tài khoản) hoặc --merchant";
    for (std::string_view only : {"--mcc", "--name", "--city"}) {
      if (p.has(only)) return std::string(only) + " chỉ dùng cho mã điểm bán (--merchant ID)";
    }
    request.account = *p.get("--account");
    request.service = p.has("--card") ? qr::Service::card : qr::Service::account;
  }
  if (auto amount = p.get("--amount")) {
    // Digits only: "150.000", "1e5", "-5" or "150000.0" are typing mistakes, not amounts.
    if (amount->empty() || amount->size() > 18 ||
        amount->find_first_not_of("0123456789") != std::string::npos) {
      return "--amount phải là số đồng nguyên, chỉ gồm chữ số (ví dụ 150000), không phải '" +
             *amount + "'";
    }
    request.amount_vnd = std::stoll(*amount);
  }
  request.force_static = p.has("--static");
  request.additional.purpose = p.get("--purpose").value_or("");
  request.additional.bill_number = p.get("--bill").value_or("");
  request.additional.reference = p.get("--reference").value_or("");
  request.additional.store = p.get("--store").value_or("");
  request.additional.terminal = p.get("--terminal").value_or("");
  request.additional.mobile = p.get("--mobile").value_or("");
  return std::nullopt;
}

// Encodes; on refusal prints the reason and returns nullopt. Reports a folded purpose on stderr.
std::optional<std::string> encode_or_report(std::string_view command,
                                            const qr::EncodeRequest& request) {
  const auto encoded = qr::encode(request);
  if (!encoded.has_value()) {
    // The codec's message normally starts with the field; name it when it does not.
    const std::string& field = encoded.error->field;
    const std::string field_prefix =
        encoded.error->message.rfind(field, 0) == 0 ? "" : field + ": ";
    std::fprintf(stderr, "chophien qr %.*s: từ chối: %s%s\n", static_cast<int>(command.size()),
                 command.data(), field_prefix.c_str(), encoded.error->message.c_str());
    return std::nullopt;
  }
  if (encoded.value->purpose != request.additional.purpose) {
    std::fprintf(stderr, "chophien qr %.*s: nội dung chuyển khoản được ghi là \"%s\"\n",
                 static_cast<int>(command.size()), command.data(), encoded.value->purpose.c_str());
  }
  return encoded.value->payload;
}

Json optional_string(const std::optional<std::string>& s) { return s ? Json(*s) : Json(nullptr); }
Json nonempty_string(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

Json decoded_json(const qr::Decoded& d) {
  Json j;
  j["valid"] = true;
  j["payload"] = d.payload;
  j["scheme"] = d.scheme;
  j["initiation"] = nonempty_string(d.initiation);
  j["bin"] = nonempty_string(d.bin);
  j["bank"] = nonempty_string(d.bank);
  j["account"] = nonempty_string(d.account);
  j["service"] = nonempty_string(d.service);
  j["amount"] = d.amount ? Json(*d.amount) : Json(nullptr);
  j["currency"] = nonempty_string(d.currency);
  j["country"] = nonempty_string(d.country);
  j["purpose"] = optional_string(d.purpose);
  j["bill_number"] = optional_string(d.bill_number);
  j["mobile"] = optional_string(d.mobile);
  j["store"] = optional_string(d.store);
  j["loyalty"] = optional_string(d.loyalty);
  j["reference"] = optional_string(d.reference);
  j["customer"] = optional_string(d.customer);
  j["terminal"] = optional_string(d.terminal);
  j["data_request"] = optional_string(d.data_request);
  j["merchant_name"] = optional_string(d.merchant_name);
  j["merchant_city"] = optional_string(d.merchant_city);
  j["postal_code"] = optional_string(d.postal_code);
  j["mcc"] = optional_string(d.mcc);
  j["merchant_id"] = optional_string(d.merchant_id);
  j["crc"] = d.crc;
  j["warnings"] = Json::array();
  for (const auto& w : d.warnings) j["warnings"].push_back(w);
  j["unknown"] = Json::object();
  for (const auto& [path, value] : d.unknown) j["unknown"][path] = value;
  return j;
}

// Decodes one payload and prints its JSON line. Returns whether it was valid.
bool decode_and_print(std::string_view payload) {
  const auto decoded = qr::decode(payload);
  Json j;
  if (decoded.has_value()) {
    j = decoded_json(*decoded.value);
  } else {
    j["valid"] = false;
    j["error"] = decoded.error->code;
    j["message"] = decoded.error->message;
    j["at"] = decoded.error->at;
  }
  // Messages may quote input bytes; never let invalid UTF-8 turn into an exception.
  const std::string line = j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
  print(stdout, line);
  return decoded.has_value();
}

int run_encode(Args args) {
  const Parsed p = parse_flags(args, kEncodeFlags, false);
  if (p.help) {
    print(stdout, kEncodeUsage);
    print(stdout, kEncodeFlagsHelp);
    return 0;
  }
  if (p.error) return usage_error("encode", *p.error);
  qr::EncodeRequest request;
  if (auto error = build_request(p, request)) return usage_error("encode", *error);
  const auto payload = encode_or_report("encode", request);
  if (!payload) return 1;
  print(stdout, *payload + "\n");
  return 0;
}

int run_decode(Args args) {
  const Parsed p = parse_flags(args, {}, true);
  if (p.help) {
    print(stdout, kDecodeUsage);
    return 0;
  }
  if (p.error) return usage_error("decode", *p.error);
  bool all_valid = true;
  if (!p.positional.empty()) {
    for (const auto& payload : p.positional) all_valid = decode_and_print(payload) && all_valid;
  } else {
    std::string line;
    while (std::getline(std::cin, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      all_valid = decode_and_print(line) && all_valid;
    }
  }
  std::fflush(stdout);
  return all_valid ? 0 : 1;
}

std::optional<int> parse_small_int(const std::string& s) {
  if (s.empty() || s.size() > 4 || s.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return std::stoi(s);
}

int run_image(std::string_view command, Args args) {
  std::vector<FlagSpec> specs = kEncodeFlags;
  specs.insert(specs.end(), {{"--payload", true},
                             {"--force", false},
                             {"--ecc", true},
                             {"--scale", true},
                             {"--margin", true}});
  if (command == "term") specs.push_back({"--invert", false});
  if (command != "term") specs.push_back({"--out", true});
  const Parsed p = parse_flags(args, specs, false);
  if (p.help) {
    print(stdout, kImageUsage);
    print(stdout, kEncodeFlagsHelp);
    return 0;
  }
  if (p.error) return usage_error(command, *p.error);

  qr::ImageOptions options;
  if (auto ecc = p.get("--ecc")) {
    auto level = qr::parse_ecc(*ecc);
    if (!level)
      return usage_error(command, "--ecc phải là L, M, Q hoặc H, không phải '" + *ecc + "'");
    options.ecc = *level;
  }
  if (auto scale = p.get("--scale")) {
    auto n = parse_small_int(*scale);
    if (!n || *n < 1 || *n > qr::kMaxScale) {
      return usage_error(command, "--scale phải là số nguyên 1-" + std::to_string(qr::kMaxScale) +
                                      ", không phải '" + *scale + "'");
    }
    options.scale = *n;
  }
  if (auto margin = p.get("--margin")) {
    auto n = parse_small_int(*margin);
    if (!n || *n > qr::kMaxMargin) {
      return usage_error(command, "--margin phải là số nguyên 0-" + std::to_string(qr::kMaxMargin) +
                                      ", không phải '" + *margin + "'");
    }
    options.margin = *n;
  }
  if (p.has("--invert")) options.ink = qr::TerminalInk::dark;

  const std::string out = p.get("--out").value_or("");
  const bool to_stdout = out.empty() || out == "-";
  if (command == "png" && out.empty() && isatty(STDOUT_FILENO)) {
    return usage_error(command,
                       "không in PNG ra terminal: dùng --out TỆP hoặc chuyển hướng đầu ra");
  }

  std::string text;
  if (auto payload = p.get("--payload")) {
    for (const auto& [name, value] : p.flags) {
      if (is_encode_flag(name)) return usage_error(command, "không dùng --payload cùng " + name);
    }
    const auto decoded = qr::decode(*payload);
    if (!decoded.has_value() && !p.has("--force")) {
      std::fprintf(stderr, "chophien qr %.*s: từ chối: mã không hợp lệ: %s (%s, vị trí %zu)\n",
                   static_cast<int>(command.size()), command.data(), decoded.error->message.c_str(),
                   decoded.error->code.c_str(), decoded.error->at);
      return 1;
    }
    text = *payload;
  } else {
    if (p.has("--force")) return usage_error(command, "--force chỉ dùng cùng --payload");
    qr::EncodeRequest request;
    if (auto error = build_request(p, request)) return usage_error(command, *error);
    auto encoded = encode_or_report(command, request);
    if (!encoded) return 1;
    text = std::move(*encoded);
  }

  qr::ImageResult image = command == "png"   ? qr::render_png(text, options)
                          : command == "svg" ? qr::render_svg(text, options)
                                             : qr::render_terminal(text, options);
  if (!image.has_value()) {
    std::fprintf(stderr, "chophien qr %.*s: %s\n", static_cast<int>(command.size()), command.data(),
                 image.error->message.c_str());
    return 1;
  }
  if (to_stdout) {
    print(stdout, *image.value);
    return std::fflush(stdout) == 0 ? 0 : 1;
  }
  std::FILE* file = std::fopen(out.c_str(), "wb");
  if (file == nullptr) {
    std::fprintf(stderr, "chophien qr %.*s: không ghi được %s\n", static_cast<int>(command.size()),
                 command.data(), out.c_str());
    return 1;
  }
  const bool written =
      std::fwrite(image.value->data(), 1, image.value->size(), file) == image.value->size();
  if (std::fclose(file) != 0 || !written) {
    std::fprintf(stderr, "chophien qr %.*s: không ghi được %s\n", static_cast<int>(command.size()),
                 command.data(), out.c_str());
    return 1;
  }
  return 0;
}

// Width of UTF-8 text in code points (bank names are precomposed Vietnamese).
size_t display_width(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

int run_banks(Args args) {
  const Parsed p = parse_flags(args, {{"--json", false}}, false);
  if (p.help) {
    print(stdout, kBanksUsage);
    return 0;
  }
  if (p.error) return usage_error("banks", *p.error);
  const auto all = qr::banks();
  if (p.has("--json")) {
    Json list = Json::array();
    for (const auto& b : all) {
      Json j;
      j["bin"] = b.bin;
      j["code"] = b.code;
      j["short_name"] = b.short_name;
      j["name"] = b.name;
      j["swift"] = nonempty_string(b.swift);
      j["sbv_code"] = nonempty_string(b.sbv_code);
      j["former_names"] = b.former_names;
      j["napas_transfer"] = b.napas_transfer;
      j["account_lookup"] = b.account_lookup;
      j["vietqr_listed"] = b.vietqr_listed;
      list.push_back(std::move(j));
    }
    print(stdout, list.dump(1, ' ', false, Json::error_handler_t::replace) + "\n");
    return 0;
  }
  size_t code_width = 4, short_width = 10;
  for (const auto& b : all) {
    code_width = std::max(code_width, display_width(b.code));
    short_width = std::max(short_width, display_width(b.short_name));
  }
  auto pad = [](std::string s, size_t width) {
    s.append(width - std::min(width, display_width(s)), ' ');
    return s;
  };
  std::string table =
      pad("BIN", 8) + pad("MÃ", code_width + 2) + pad("TÊN NGẮN", short_width + 2) + "TÊN ĐẦY ĐỦ\n";
  for (const auto& b : all) {
    table += pad(b.bin, 8) + pad(b.code, code_width + 2) + pad(b.short_name, short_width + 2) +
             b.name + "\n";
  }
  print(stdout, table);
  return 0;
}

}  // namespace

int qr_command(Args args) {
  if (args.empty()) {
    print(stderr, kQrUsage);
    return 2;
  }
  const std::string_view sub = args[0];
  const Args rest = args.subspan(1);
  if (is_help(sub) || sub == "help") {
    print(stdout, kQrUsage);
    return 0;
  }
  if (sub == "encode") return run_encode(rest);
  if (sub == "decode") return run_decode(rest);
  if (sub == "png" || sub == "svg" || sub == "term") return run_image(sub, rest);
  if (sub == "banks") return run_banks(rest);
  return usage_error("", "không có lệnh '" + std::string(sub) + "'");
}

}  // namespace chophien::app
