#include "qr/payload.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "qr/banks.h"

namespace chophien::qr {
namespace {

constexpr std::string_view kVietQrGuid = "A000000727";
constexpr std::string_view kVnpayGuid = "A000000775";
constexpr size_t kMaxPayload = 512;
constexpr size_t kMaxSubField = 25;
constexpr int64_t kMaxAmount = 9'999'999'999'999;

constexpr std::array<std::string_view, 25> kErrorCodes = {
    "E-EMPTY",          "E-TOO-LONG",     "E-CHARSET",          "E-TLV-TRUNCATED", "E-TLV-TAG",
    "E-TLV-LENGTH",     "E-TLV-OVERRUN",  "E-FORMAT-INDICATOR", "E-CRC-MISSING",   "E-CRC-POSITION",
    "E-CRC-FORMAT",     "E-CRC-MISMATCH", "E-DUPLICATE-TAG",    "E-INITIATION",    "E-38-GUID",
    "E-38-BENEFICIARY", "E-38-BIN",       "E-38-ACCOUNT",       "E-38-SERVICE",    "E-26-MERCHANT",
    "E-NO-SCHEME",      "E-CURRENCY",     "E-COUNTRY",          "E-MCC",           "E-AMOUNT"};

enum Warning : unsigned {
  kCrcLowercase,
  kTagOrder,
  kNoInitiation,
  kStaticWithAmount,
  kDynamicWithoutAmount,
  kNoService,
  kUnknownSubobject,
  kFieldTooLong,
  kWarningCount
};
constexpr std::array<std::string_view, kWarningCount> kWarningCodes = {
    "W-CRC-LOWERCASE",          "W-TAG-ORDER",  "W-NO-INITIATION",     "W-STATIC-WITH-AMOUNT",
    "W-DYNAMIC-WITHOUT-AMOUNT", "W-NO-SERVICE", "W-UNKNOWN-SUBOBJECT", "W-FIELD-TOO-LONG"};

// --- CRC-16/CCITT-FALSE -------------------------------------------------------------------

// Slicing-by-8: kCrcTables[k][v] is v * x^(16 + 8k) mod P, so eight bytes are folded in with
// eight independent table loads instead of a chain of eight dependent ones.
using CrcTables = std::array<std::array<uint16_t, 256>, 8>;
constexpr CrcTables make_crc_tables() {
  CrcTables t{};
  for (unsigned i = 0; i < 256; ++i) {
    uint16_t crc = static_cast<uint16_t>(i << 8);
    for (int bit = 0; bit < 8; ++bit) {
      crc = static_cast<uint16_t>((crc & 0x8000) ? (crc << 1) ^ 0x1021 : crc << 1);
    }
    t[0][i] = crc;
  }
  for (size_t k = 1; k < 8; ++k) {
    for (unsigned i = 0; i < 256; ++i) {
      uint16_t prev = t[k - 1][i];
      t[k][i] = static_cast<uint16_t>((prev << 8) ^ t[0][prev >> 8]);
    }
  }
  return t;
}
constexpr CrcTables kCrcTables = make_crc_tables();

uint16_t crc16(std::string_view data) {
  uint32_t crc = 0xFFFF;
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t n = data.size();
  while (n >= 8) {
    uint32_t hi = crc ^ ((uint32_t{p[0]} << 8) | p[1]);
    crc = kCrcTables[7][hi >> 8] ^ kCrcTables[6][hi & 0xFF] ^ kCrcTables[5][p[2]] ^
          kCrcTables[4][p[3]] ^ kCrcTables[3][p[4]] ^ kCrcTables[2][p[5]] ^ kCrcTables[1][p[6]] ^
          kCrcTables[0][p[7]];
    p += 8;
    n -= 8;
  }
  for (; n > 0; --n, ++p) {
    crc = ((crc << 8) & 0xFFFF) ^ kCrcTables[0][((crc >> 8) ^ *p) & 0xFF];
  }
  return static_cast<uint16_t>(crc);
}

void append_hex4(std::string& out, uint16_t value) {
  constexpr char kHex[] = "0123456789ABCDEF";
  for (int shift = 12; shift >= 0; shift -= 4) out.push_back(kHex[(value >> shift) & 0xF]);
}

// --- character classes --------------------------------------------------------------------

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_printable(char c) { return c >= 0x20 && c <= 0x7E; }
bool is_hex(char c) { return is_digit(c) || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'); }

// Offset of the first byte outside 0x20-0x7E, or size() when there is none. Scans eight bytes
// at a time (a byte below 0x20 or above 0x7E sets that byte's top bit), since every decode starts
// with this scan.
size_t first_outside_printable(std::string_view s) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHighs = 0x8080808080808080ull;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    uint64_t below = (w - kOnes * 0x20) & ~w & kHighs;
    uint64_t above = ((w + kOnes) | w) & kHighs;
    if ((below | above) != 0) break;
  }
  for (; i < s.size(); ++i) {
    if (!is_printable(s[i])) return i;
  }
  return s.size();
}

bool all_of(std::string_view s, bool (*pred)(char)) {
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}

bool is_two_digits(std::string_view s, size_t at) { return is_digit(s[at]) && is_digit(s[at + 1]); }
int two_digits(std::string_view s, size_t at) { return (s[at] - '0') * 10 + (s[at + 1] - '0'); }

// Appends `text` folded to ASCII: diacritics stripped (NFKD without marks), đ/Đ mapped, any
// whitespace as a space; characters with no ASCII form and invalid UTF-8 bytes dropped.
void fold_to_ascii(std::string_view text, std::string& out) {
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  const auto size = static_cast<utf8proc_ssize_t>(text.size());
  utf8proc_ssize_t i = 0;
  while (i < size) {
    if (bytes[i] < 0x80) {
      char c = static_cast<char>(bytes[i]);
      out.push_back(c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ? ' ' : c);
      ++i;
      continue;
    }
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(bytes + i, size - i, &cp);
    if (n <= 0) {
      ++i;
      continue;
    }
    i += n;
    if (cp == 0x0111) {
      out.push_back('d');
      continue;
    }
    if (cp == 0x0110) {
      out.push_back('D');
      continue;
    }
    auto category = utf8proc_category(cp);
    if (category == UTF8PROC_CATEGORY_ZS || category == UTF8PROC_CATEGORY_ZL ||
        category == UTF8PROC_CATEGORY_ZP) {
      out.push_back(' ');
      continue;
    }
    std::array<utf8proc_int32_t, 32> parts{};
    int last_boundclass = 0;
    utf8proc_ssize_t count = utf8proc_decompose_char(
        cp, parts.data(), static_cast<utf8proc_ssize_t>(parts.size()),
        static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_STRIPMARK),
        &last_boundclass);
    if (count <= 0 || count > static_cast<utf8proc_ssize_t>(parts.size())) continue;
    for (utf8proc_ssize_t k = 0; k < count; ++k) {
      utf8proc_int32_t part = parts[static_cast<size_t>(k)];
      if (part > 0 && part < 0x80) out.push_back(static_cast<char>(part));
      if (part == 0x0111) out.push_back('d');
      if (part == 0x0110) out.push_back('D');
    }
  }
}

// --- encoder ------------------------------------------------------------------------------

EncodeResult refuse(std::string field, std::string message) {
  EncodeResult result;
  result.error = EncodeError{field, field + ": " + message};
  return result;
}

void append_object(std::string& out, std::string_view tag, std::string_view value) {
  out.append(tag);
  out.push_back(static_cast<char>('0' + value.size() / 10));
  out.push_back(static_cast<char>('0' + value.size() % 10));
  out.append(value);
}

// Writes a template's ID and a length placeholder; returns where the template starts.
size_t open_template(std::string& out, std::string_view tag) {
  size_t at = out.size();
  out.append(tag);
  out.append("00");
  return at;
}

// Fills in the length of the template opened at `at` (the caller keeps it at most 99).
void close_template(std::string& out, size_t at) {
  size_t len = out.size() - at - 4;
  out[at + 2] = static_cast<char>('0' + len / 10);
  out[at + 3] = static_cast<char>('0' + len % 10);
}

// Checks a free-text value: printable ASCII, at most `max` characters. Empty means absent and is
// always fine. Returns an error message or an empty string.
std::string check_text(std::string_view value, size_t max) {
  for (char c : value) {
    if (!is_printable(c)) {
      return "chỉ được dùng ký tự ASCII in được (chữ không dấu, số, dấu câu); có ký tự không hợp "
             "lệ";
    }
  }
  if (value.size() > max) {
    return "dài " + std::to_string(value.size()) + " ký tự, tối đa " + std::to_string(max);
  }
  return {};
}

// --- decoder ------------------------------------------------------------------------------

// No default member values: the arrays below stay uninitialised until parse_tlv fills them.
struct Object {
  uint8_t tag;
  uint16_t at;   // offset of the ID in the payload
  uint16_t len;  // value length
  std::string_view value(std::string_view payload) const { return payload.substr(at + 4u, len); }
};

// At most 512 / 5 objects fit at the root; 99 / 5 inside a template.
constexpr size_t kMaxRootObjects = 104;
constexpr size_t kMaxTemplateObjects = 20;

template <size_t N>
struct Objects {
  std::array<Object, N> items;
  size_t count = 0;
  const Object* find(uint8_t tag) const {
    for (size_t i = 0; i < count; ++i) {
      if (items[i].tag == tag) return &items[i];
    }
    return nullptr;
  }
  const Object* begin() const { return items.data(); }
  const Object* end() const { return items.data() + count; }
};

struct Failure {
  std::string_view code;
  size_t at = 0;
  std::string message;
};

// Strict TLV over payload[begin, end). `where` names the container in messages.
template <size_t N>
std::optional<Failure> parse_tlv(std::string_view payload, size_t begin, size_t end,
                                 std::string_view where, Objects<N>& out) {
  size_t pos = begin;
  out.count = 0;
  while (pos < end) {
    if (end - pos < 4) {
      return Failure{"E-TLV-TRUNCATED", pos,
                     "còn " + std::to_string(end - pos) + " ký tự ở vị trí " + std::to_string(pos) +
                         " trong " + std::string(where) +
                         ", không đủ cho một đối tượng (cần ít nhất 4)"};
    }
    if (!is_two_digits(payload, pos)) {
      return Failure{"E-TLV-TAG", pos,
                     "ID ở vị trí " + std::to_string(pos) + " trong " + std::string(where) +
                         " không phải hai chữ số"};
    }
    if (!is_two_digits(payload, pos + 2) || two_digits(payload, pos + 2) == 0) {
      return Failure{"E-TLV-LENGTH", pos,
                     "độ dài của đối tượng " + std::string(payload.substr(pos, 2)) + " trong " +
                         std::string(where) + " không phải hai chữ số 01-99"};
    }
    size_t len = static_cast<size_t>(two_digits(payload, pos + 2));
    if (len > end - pos - 4) {
      return Failure{"E-TLV-OVERRUN", pos,
                     "đối tượng " + std::string(payload.substr(pos, 2)) + " trong " +
                         std::string(where) + " khai báo " + std::to_string(len) +
                         " ký tự nhưng chỉ còn " + std::to_string(end - pos - 4)};
    }
    if (out.count == N) {
      // Cannot happen: every object takes at least 5 characters.
      return Failure{"E-TLV-TRUNCATED", pos, "quá nhiều đối tượng trong " + std::string(where)};
    }
    out.items[out.count++] = Object{static_cast<uint8_t>(two_digits(payload, pos)),
                                    static_cast<uint16_t>(pos), static_cast<uint16_t>(len)};
    pos += 4 + len;
  }
  return std::nullopt;
}

template <size_t N>
const Object* first_duplicate(const Objects<N>& objects) {
  uint64_t seen[2] = {0, 0};
  for (const Object& o : objects) {
    uint64_t bit = uint64_t{1} << (o.tag % 64);
    uint64_t& word = seen[o.tag / 64];
    if (word & bit) return &o;
    word |= bit;
  }
  return nullptr;
}

std::string tag_name(uint8_t tag) {
  std::string s(2, '0');
  s[0] = static_cast<char>('0' + tag / 10);
  s[1] = static_cast<char>('0' + tag % 10);
  return s;
}

DecodeResult fail(std::string_view code, size_t at, std::string message) {
  DecodeResult result;
  result.error = DecodeError{std::string(code), std::move(message), at};
  return result;
}
DecodeResult fail(Failure f) { return fail(f.code, f.at, std::move(f.message)); }

}  // namespace

std::string_view service_code(Service s) {
  switch (s) {
    case Service::account:
      return "QRIBFTTA";
    case Service::card:
      return "QRIBFTTC";
    case Service::merchant_push:
      return "QRPUSH";
    case Service::cash:
      return "QRCASH";
  }
  return "QRIBFTTA";
}

std::span<const std::string_view> decode_error_codes() { return kErrorCodes; }
std::span<const std::string_view> decode_warning_codes() { return kWarningCodes; }

std::string crc16_hex(std::string_view data) {
  std::string out;
  out.reserve(4);
  append_hex4(out, crc16(data));
  return out;
}

std::string fold_description(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  fold_to_ascii(text, out);
  // Filter in place: the kept text is never longer than what was folded.
  size_t w = 0;
  bool pending_space = false;
  for (char c : out) {
    if (c == ' ') {
      pending_space = w > 0;
      continue;
    }
    if (!is_alnum(c) && c != '-' && c != '.' && c != '_') continue;
    if (pending_space) out[w++] = ' ';
    pending_space = false;
    out[w++] = c;
  }
  out.resize(w);
  return out;
}

EncodeResult encode(const EncodeRequest& request) {
  if (request.bank.empty()) return refuse("bank", "thiếu ngân hàng (BIN, mã hoặc tên)");
  const Bank* bank = resolve_bank(request.bank);
  if (bank == nullptr) {
    return refuse("bank", "không tìm thấy ngân hàng \"" + request.bank +
                              "\" trong danh mục (BIN 6 chữ số, mã hoặc tên)");
  }

  const std::string& account = request.account;
  const bool card = request.service == Service::card;
  if (account.empty() || account.size() > 19 || !all_of(account, card ? is_digit : is_alnum)) {
    return refuse("account", card ? "số thẻ phải gồm 1-19 chữ số"
                                  : "số tài khoản phải gồm 1-19 chữ cái hoặc chữ số, không có "
                                    "khoảng trắng hay dấu câu");
  }

  if (request.amount_vnd && (*request.amount_vnd < 1 || *request.amount_vnd > kMaxAmount)) {
    return refuse("amount_vnd",
                  "số tiền phải là số nguyên dương từ 1 đến 9999999999999 VND (tối đa 13 chữ số)");
  }

  const bool push = request.service == Service::merchant_push;
  const bool merchant = push || request.service == Service::cash;
  if (!merchant) {
    if (!request.mcc.empty())
      return refuse("mcc", "chỉ dùng cho thanh toán người bán (QRPUSH, QRCASH)");
    if (!request.merchant_name.empty()) {
      return refuse("merchant_name", "chỉ dùng cho thanh toán người bán (QRPUSH, QRCASH)");
    }
    if (!request.merchant_city.empty()) {
      return refuse("merchant_city", "chỉ dùng cho thanh toán người bán (QRPUSH, QRCASH)");
    }
  }
  if (push && request.mcc.empty()) return refuse("mcc", "bắt buộc với QRPUSH (4 chữ số)");
  if (!request.mcc.empty() && (request.mcc.size() != 4 || !all_of(request.mcc, is_digit))) {
    return refuse("mcc", "mã ngành (MCC) phải gồm đúng 4 chữ số");
  }
  if (push && request.merchant_name.empty()) return refuse("merchant_name", "bắt buộc với QRPUSH");
  if (auto problem = check_text(request.merchant_name, 25); !problem.empty()) {
    return refuse("merchant_name", problem);
  }
  if (push && request.merchant_city.empty()) return refuse("merchant_city", "bắt buộc với QRPUSH");
  if (auto problem = check_text(request.merchant_city, 15); !problem.empty()) {
    return refuse("merchant_city", problem);
  }
  if (auto problem = check_text(request.postal_code, 10); !problem.empty()) {
    return refuse("postal_code", problem);
  }

  const AdditionalData& add = request.additional;
  std::string purpose = fold_description(add.purpose);
  // Only blank input means "no purpose"; text that folds to nothing ("!!!") is refused.
  if (purpose.empty() && add.purpose.find_first_not_of(" \t\r\n") != std::string::npos) {
    return refuse("purpose", "không còn ký tự nào sau khi bỏ dấu và lọc ký tự đặc biệt");
  }
  if (purpose.size() > kMaxSubField) {
    return refuse("purpose", "sau khi bỏ dấu còn " + std::to_string(purpose.size()) +
                                 " ký tự, tối đa 25 (không tự cắt): \"" + purpose + "\"");
  }
  const std::pair<const char*, const std::string*> subfields[] = {
      {"bill_number", &add.bill_number},
      {"mobile", &add.mobile},
      {"store", &add.store},
      {"loyalty", &add.loyalty},
      {"reference", &add.reference},
      {"customer", &add.customer},
      {"terminal", &add.terminal},
      {"purpose", &purpose},
      {"data_request", &add.data_request}};
  for (const auto& [field, value] : subfields) {
    if (auto problem = check_text(*value, kMaxSubField); !problem.empty()) {
      return refuse(field, problem);
    }
    if (*value == "***") {
      return refuse(field, "giá trị giữ chỗ \"***\" (để app người trả tự hỏi) không được dùng");
    }
  }
  for (char c : add.data_request) {
    if (c != 'A' && c != 'M' && c != 'E') {
      return refuse("data_request", "chỉ gồm các chữ A (địa chỉ), M (điện thoại), E (email)");
    }
  }
  if (request.service == Service::cash) {
    if (add.reference.empty()) return refuse("reference", "bắt buộc với QRCASH (62.05)");
    if (add.terminal.empty()) return refuse("terminal", "bắt buộc với QRCASH (62.07)");
  }

  // Everything is checked; write the payload in one buffer. Templates get their length written
  // once their content is known. 38 never exceeds 99 (at most 63 characters); 62 may.
  const bool dynamic = request.amount_vnd.has_value() && !request.force_static;
  Encoded encoded;
  std::string& out = encoded.payload;
  out.reserve(kMaxPayload);
  out.append(dynamic ? "000201010212" : "000201010211");
  size_t t38 = open_template(out, "38");
  append_object(out, "00", kVietQrGuid);
  size_t t3801 = open_template(out, "01");
  append_object(out, "00", bank->bin);
  append_object(out, "01", account);
  close_template(out, t3801);
  append_object(out, "02", service_code(request.service));
  close_template(out, t38);
  if (!request.mcc.empty()) append_object(out, "52", request.mcc);
  out.append("5303704");
  if (request.amount_vnd) {
    char digits[20];
    size_t n = 0;
    for (int64_t v = *request.amount_vnd; v > 0; v /= 10) {
      digits[n++] = static_cast<char>('0' + v % 10);
    }
    std::reverse(digits, digits + n);
    append_object(out, "54", std::string_view(digits, n));
  }
  out.append("5802VN");
  if (!request.merchant_name.empty()) append_object(out, "59", request.merchant_name);
  if (!request.merchant_city.empty()) append_object(out, "60", request.merchant_city);
  if (!request.postal_code.empty()) append_object(out, "61", request.postal_code);
  size_t t62 = open_template(out, "62");
  for (size_t i = 0; i < std::size(subfields); ++i) {
    const std::string& value = *subfields[i].second;
    if (value.empty()) continue;
    const char id[2] = {'0', static_cast<char>('1' + i)};
    append_object(out, std::string_view(id, 2), value);
  }
  size_t additional = out.size() - t62 - 4;
  if (additional == 0) {
    out.resize(t62);
  } else if (additional > 99) {
    return refuse("additional", "dữ liệu bổ sung (tag 62) dài " + std::to_string(additional) +
                                    " ký tự, tối đa 99; hãy bớt trường");
  } else {
    close_template(out, t62);
  }
  out.append("6304");
  if (out.size() + 4 > kMaxPayload) {
    return refuse("payload", "mã dài " + std::to_string(out.size() + 4) + " ký tự, tối đa 512");
  }
  append_hex4(out, crc16(out));
  encoded.bin = bank->bin;
  encoded.purpose = std::move(purpose);
  EncodeResult result;
  result.value = std::move(encoded);
  return result;
}

DecodeResult decode(std::string_view payload) {
  if (payload.empty()) return fail("E-EMPTY", 0, "mã rỗng");
  if (payload.size() > kMaxPayload) {
    return fail("E-TOO-LONG", kMaxPayload,
                "mã dài " + std::to_string(payload.size()) + " ký tự, tối đa 512");
  }
  if (size_t bad = first_outside_printable(payload); bad < payload.size()) {
    return fail("E-CHARSET", bad,
                "ký tự ngoài ASCII in được (0x20-0x7E) ở vị trí " + std::to_string(bad));
  }

  // Structure: the root, then every template we read (38 with 38.01, 62, 26), all with the same
  // strict TLV rules. This is the E-TLV-* step, so it comes before the format indicator and CRC.
  Objects<kMaxRootObjects> root;
  if (auto f = parse_tlv(payload, 0, payload.size(), "mã", root)) return fail(std::move(*f));
  Objects<kMaxTemplateObjects> t38, t3801, t62, t26;
  const Object* o38 = nullptr;
  const Object* o62 = nullptr;
  const Object* o26 = nullptr;
  const Object* o3801 = nullptr;
  for (const Object& o : root) {
    // With duplicate tags the first one is parsed here; E-DUPLICATE-TAG rejects the code later.
    if (o.tag == 38 && o38 == nullptr) {
      o38 = &o;
      if (auto f = parse_tlv(payload, o.at + 4u, o.at + 4u + o.len, "tag 38", t38)) {
        return fail(std::move(*f));
      }
      o3801 = t38.find(1);
      if (o3801 != nullptr) {
        if (auto f = parse_tlv(payload, o3801->at + 4u, o3801->at + 4u + o3801->len, "tag 38.01",
                               t3801)) {
          return fail(std::move(*f));
        }
      }
    } else if (o.tag == 62 && o62 == nullptr) {
      o62 = &o;
      if (auto f = parse_tlv(payload, o.at + 4u, o.at + 4u + o.len, "tag 62", t62)) {
        return fail(std::move(*f));
      }
    } else if (o.tag == 26 && o26 == nullptr) {
      o26 = &o;
      if (auto f = parse_tlv(payload, o.at + 4u, o.at + 4u + o.len, "tag 26", t26)) {
        return fail(std::move(*f));
      }
    }
  }

  const Object& first = root.items[0];
  if (first.tag != 0 || first.value(payload) != "01") {
    return fail("E-FORMAT-INDICATOR", first.at,
                "đối tượng đầu tiên phải là 00 với giá trị 01 (chỉ báo định dạng)");
  }

  const Object* crc = nullptr;
  for (const Object& o : root) {
    if (o.tag != 63) continue;
    if (crc == nullptr) crc = &o;
  }
  if (crc == nullptr) return fail("E-CRC-MISSING", payload.size(), "thiếu tag 63 (CRC)");
  if (crc != &root.items[root.count - 1]) {
    return fail("E-CRC-POSITION", crc->at, "tag 63 (CRC) phải là đối tượng duy nhất và cuối cùng");
  }
  std::string_view crc_text = crc->value(payload);
  if (crc_text.size() != 4 || !all_of(crc_text, is_hex)) {
    return fail("E-CRC-FORMAT", crc->at, "CRC (tag 63) phải gồm đúng 4 chữ số hex");
  }
  std::string expected;
  expected.reserve(4);
  append_hex4(expected, crc16(payload.substr(0, crc->at + 4u)));
  bool lowercase = false;
  for (size_t i = 0; i < 4; ++i) {
    char c = crc_text[i];
    if (c >= 'a' && c <= 'f') {
      lowercase = true;
      c = static_cast<char>(c - 'a' + 'A');
    }
    if (c != expected[i]) {
      return fail("E-CRC-MISMATCH", crc->at,
                  "CRC ghi " + std::string(crc_text) + " nhưng tính ra " + expected +
                      ": mã bị sai hoặc bị sửa");
    }
  }

  auto duplicate = [&](const Object* o, std::string_view where) {
    return fail("E-DUPLICATE-TAG", o->at,
                "ID " + tag_name(o->tag) + " lặp lại trong " + std::string(where));
  };
  if (const Object* d = first_duplicate(root)) return duplicate(d, "mã");
  for (const Object& o : root) {
    if (&o == o38) {
      if (const Object* d = first_duplicate(t38)) return duplicate(d, "tag 38");
    } else if (&o == o62) {
      if (const Object* d = first_duplicate(t62)) return duplicate(d, "tag 62");
    } else if (&o == o26) {
      if (const Object* d = first_duplicate(t26)) return duplicate(d, "tag 26");
    }
  }

  DecodeResult result;
  Decoded& d = result.value.emplace();
  unsigned warned = 0;
  auto warn = [&](Warning w) {
    if (warned & (1u << w)) return;
    warned |= 1u << w;
    d.warnings.emplace_back(kWarningCodes[w]);
  };
  if (lowercase) warn(kCrcLowercase);
  for (size_t i = 1; i < root.count; ++i) {
    if (root.items[i].tag < root.items[i - 1].tag) warn(kTagOrder);
  }

  const Object* o01 = root.find(1);
  if (o01 == nullptr) {
    warn(kNoInitiation);
  } else {
    std::string_view v = o01->value(payload);
    if (v == "11") {
      d.initiation = "static";
    } else if (v == "12") {
      d.initiation = "dynamic";
    } else {
      return fail("E-INITIATION", o01->at, "tag 01 phải là 11 (tĩnh) hoặc 12 (động)");
    }
  }

  if (o38 != nullptr) {
    const Object* guid = t38.find(0);
    if (guid == nullptr || guid->value(payload) != kVietQrGuid) {
      return fail("E-38-GUID", guid ? guid->at : o38->at,
                  "tag 38.00 phải là A000000727 (VietQR/NAPAS)");
    }
    if (o3801 == nullptr || t3801.count != 2 || t3801.items[0].tag != 0 ||
        t3801.items[1].tag != 1) {
      return fail("E-38-BENEFICIARY", o3801 ? o3801->at : o38->at,
                  "tag 38.01 phải có đúng hai đối tượng con 00 (BIN) rồi 01 (tài khoản)");
    }
    std::string_view bin = t3801.items[0].value(payload);
    if (bin.size() != 6 || !all_of(bin, is_digit)) {
      return fail("E-38-BIN", t3801.items[0].at, "BIN (38.01.00) phải gồm đúng 6 chữ số");
    }
    const Object* service = t38.find(2);
    std::string_view service_text = service ? service->value(payload) : std::string_view();
    std::string_view account = t3801.items[1].value(payload);
    const bool card = service_text == "QRIBFTTC";
    if (account.size() > 19 || !all_of(account, card ? is_digit : is_alnum)) {
      return fail("E-38-ACCOUNT", t3801.items[1].at,
                  card ? "số thẻ (38.01.01, QRIBFTTC) phải gồm 1-19 chữ số"
                       : "số tài khoản (38.01.01) phải gồm 1-19 chữ cái hoặc chữ số");
    }
    if (service != nullptr && service_text != "QRIBFTTA" && service_text != "QRIBFTTC" &&
        service_text != "QRPUSH" && service_text != "QRCASH") {
      return fail("E-38-SERVICE", service->at,
                  "mã dịch vụ 38.02 phải là QRIBFTTA, QRIBFTTC, QRPUSH hoặc QRCASH");
    }
    if (service == nullptr) warn(kNoService);
    d.scheme = "vietqr";
    d.guid = kVietQrGuid;
    d.bin = bin;
    if (const Bank* b = find_bank_by_bin(bin)) d.bank = b->code;
    d.account = account;
    d.service = service_text;
    for (const Object& sub : t38) {
      if (sub.tag > 2) {
        warn(kUnknownSubobject);
        d.unknown.emplace("38." + tag_name(sub.tag), sub.value(payload));
      }
    }
  }

  const bool vnpay =
      o26 != nullptr && t26.find(0) != nullptr && t26.find(0)->value(payload) == kVnpayGuid;
  if (vnpay && t26.find(1) == nullptr) {
    return fail("E-26-MERCHANT", o26->at, "mã VNPAY-QR (tag 26) thiếu mã người bán 26.01");
  }
  if (o38 == nullptr && !vnpay) {
    return fail("E-NO-SCHEME", 0,
                o26 != nullptr
                    ? "không có tag 38 (VietQR) và tag 26 không phải VNPAY-QR (A000000775)"
                    : "không có tag 38 (VietQR) hay tag 26 (VNPAY-QR)");
  }
  if (o38 == nullptr) {
    std::string_view merchant = t26.find(1)->value(payload);
    d.scheme = "vnpayqr";
    d.guid = kVnpayGuid;
    d.account = merchant;
    d.merchant_id = std::string(merchant);
  }
  if (o26 != nullptr) {
    if (vnpay && o38 == nullptr) {
      for (const Object& sub : t26) {
        if (sub.tag > 1) d.unknown.emplace("26." + tag_name(sub.tag), sub.value(payload));
      }
    } else {
      d.unknown.emplace("26", o26->value(payload));
    }
  }

  const Object* o53 = root.find(53);
  if (o53 == nullptr || o53->value(payload) != "704") {
    return fail("E-CURRENCY", o53 ? o53->at : payload.size(), "tiền tệ (tag 53) phải là 704 (VND)");
  }
  const Object* o58 = root.find(58);
  if (o58 == nullptr || o58->value(payload) != "VN") {
    return fail("E-COUNTRY", o58 ? o58->at : payload.size(), "quốc gia (tag 58) phải là VN");
  }
  if (const Object* o52 = root.find(52)) {
    std::string_view mcc = o52->value(payload);
    if (mcc.size() != 4 || !all_of(mcc, is_digit)) {
      return fail("E-MCC", o52->at, "mã ngành (tag 52) phải gồm đúng 4 chữ số");
    }
    d.mcc = std::string(mcc);
  }
  if (const Object* o54 = root.find(54)) {
    std::string_view amount = o54->value(payload);
    if (amount.size() > 13 || amount[0] == '0' || !all_of(amount, is_digit)) {
      return fail("E-AMOUNT", o54->at,
                  "số tiền (tag 54) phải là số nguyên 1-13 chữ số, không số 0 đầu, không dấu thập "
                  "phân");
    }
    int64_t value = 0;
    for (char c : amount) value = value * 10 + (c - '0');
    d.amount = value;
  }

  if (d.initiation == "static" && d.amount) warn(kStaticWithAmount);
  if (d.initiation == "dynamic" && !d.amount) warn(kDynamicWithoutAmount);

  d.currency = "704";
  d.country = "VN";
  auto text_field = [&](uint8_t tag, size_t max, std::optional<std::string>& field) {
    if (const Object* o = root.find(tag)) {
      field = std::string(o->value(payload));
      if (o->len > max) warn(kFieldTooLong);
    }
  };
  text_field(59, 25, d.merchant_name);
  text_field(60, 15, d.merchant_city);
  text_field(61, 10, d.postal_code);

  if (o62 != nullptr) {
    std::optional<std::string>* slots[] = {&d.bill_number, &d.mobile,    &d.store,
                                           &d.loyalty,     &d.reference, &d.customer,
                                           &d.terminal,    &d.purpose,   &d.data_request};
    for (const Object& sub : t62) {
      if (sub.tag >= 1 && sub.tag <= 9) {
        *slots[sub.tag - 1] = std::string(sub.value(payload));
        if (sub.len > kMaxSubField) warn(kFieldTooLong);
      } else {
        warn(kUnknownSubobject);
        d.unknown.emplace("62." + tag_name(sub.tag), sub.value(payload));
      }
    }
  }

  for (const Object& o : root) {
    switch (o.tag) {
      case 0:
      case 1:
      case 26:
      case 38:
      case 52:
      case 53:
      case 54:
      case 58:
      case 59:
      case 60:
      case 61:
      case 62:
      case 63:
        break;
      default:
        d.unknown.emplace(tag_name(o.tag), o.value(payload));
    }
  }

  d.crc = crc_text;
  d.payload = payload;
  return result;
}

}  // namespace chophien::qr
