#include "core/xlsx_reader.h"

#include <expat.h>
#include <zip.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/text.h"

namespace chophien::core {
namespace {

Error bad_file(std::string message) { return invalid_input(std::move(message), "file"); }

// "x:row" -> "row": some writers prefix the spreadsheet namespace; the local name is what counts.
std::string_view local_name(const XML_Char* name) {
  std::string_view n(name);
  const size_t colon = n.rfind(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

// The value of the attribute whose local name is `name` ("r:id" answers "id"), or nullptr.
const XML_Char* attribute(const XML_Char** attrs, std::string_view name) {
  for (size_t i = 0; attrs[i] != nullptr; i += 2)
    if (local_name(attrs[i]) == name) return attrs[i + 1];
  return nullptr;
}

std::optional<uint64_t> parse_uint(std::string_view s, uint64_t max) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty() || s.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > max) return std::nullopt;
  return v;
}

// What a reference from the file looks like in a message: short, printable ASCII only.
std::string shown(std::string_view text, size_t max = 16) {
  std::string out;
  for (char c : text.substr(0, max)) out += (c >= 0x20 && c < 0x7F) ? c : '?';
  return out;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// OOXML strings escape characters XML cannot carry as "_xHHHH_" (Excel writes a CR as "_x000D_").
// A surrogate is not a character on its own: it becomes U+FFFD.
std::string decode_escapes(std::string text) {
  if (text.find("_x") == std::string::npos) return text;
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '_' && i + 6 < text.size() && text[i + 1] == 'x' && text[i + 6] == '_') {
      uint32_t cp = 0;
      bool hex = true;
      for (size_t k = 2; k < 6; ++k) {
        const int h = hex_value(text[i + k]);
        if (h < 0) hex = false;
        cp = cp * 16 + static_cast<uint32_t>(h < 0 ? 0 : h);
      }
      if (hex) {
        append_utf8(out, cp >= 0xD800 && cp <= 0xDFFF ? 0xFFFD : cp);
        i += 7;
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

// An Excel serial date as "YYYY-MM-DD HH:MM:SS", or nullopt outside 0 .. 9999-12-31.
std::optional<std::string> serial_date_text(std::string_view value, bool date1904) {
  double serial = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), serial);
  if (ec != std::errc() || end != value.data() + value.size() || !std::isfinite(serial) ||
      serial < 0 || serial >= 2958466)
    return std::nullopt;
  int64_t whole = static_cast<int64_t>(std::floor(serial));
  int64_t seconds = std::llround((serial - static_cast<double>(whole)) * 86400.0);
  if (seconds >= 86400) {
    ++whole;
    seconds -= 86400;
  }
  int64_t days = 0;
  if (date1904) {
    days = days_since_epoch(Date{1904, 1, 1}) + whole;
  } else if (whole >= 61) {
    // The 1900 system counts a 29 February 1900 that never was (serial 60, kept from Lotus 1-2-3):
    // from 1 March 1900 on, serials are one day ahead of the calendar.
    days = days_since_epoch(Date{1899, 12, 30}) + whole;
  } else {
    days = days_since_epoch(Date{1899, 12, 31}) + whole;  // serial 1 is 1 January 1900
  }
  const Date date = date_from_days(days);
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d:%02d", date.year, date.month, date.day,
                static_cast<int>(seconds / 3600), static_cast<int>(seconds / 60 % 60),
                static_cast<int>(seconds % 60));
  return std::string(text);
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// A number cell's text as a person would type it: "370000", "12.5", never "3.7E5" or "370000.0".
std::string number_text(std::string_view value) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  std::string_view digits = value;
  if (!digits.empty() && (digits.front() == '-' || digits.front() == '+')) digits.remove_prefix(1);
  // Integers are kept digit for digit: a long number (an order id typed as a number) must not
  // pass through a double.
  if (all_digits(digits)) return value.front() == '+' ? std::string(digits) : std::string(value);
  const size_t dot = digits.find('.');
  if (dot != std::string_view::npos && all_digits(digits.substr(0, dot)) &&
      all_digits(digits.substr(dot + 1))) {
    std::string out(value);
    if (out.front() == '+') out.erase(0, 1);
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
    return out;
  }
  double x = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), x);
  if (ec != std::errc() || end != value.data() + value.size() || !std::isfinite(x) ||
      std::fabs(x) >= 1e15 || (x != 0 && std::fabs(x) < 1e-9))
    return std::string(value);
  std::array<char, 64> text{};
  const auto written =
      std::to_chars(text.data(), text.data() + text.size(), x, std::chars_format::fixed);
  if (written.ec != std::errc()) return std::string(value);
  return std::string(text.data(), written.ptr);
}

// Whether a number format code shows a date or a time: a d, m, y, h or s outside quoted text,
// [brackets] (colours, locales, elapsed-time markers), escapes (\x) and fill/padding (*x, _x).
bool is_date_format(std::string_view code) {
  bool quoted = false;
  for (size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (quoted) {
      quoted = c != '"';
    } else if (c == '"') {
      quoted = true;
    } else if (c == '\\' || c == '_' || c == '*') {
      ++i;
    } else if (c == '[') {
      const size_t close = code.find(']', i);
      if (close == std::string_view::npos) return false;
      i = close;
    } else {
      switch (c) {
        case 'd':
        case 'D':
        case 'm':
        case 'M':
        case 'y':
        case 'Y':
        case 'h':
        case 'H':
        case 's':
        case 'S':
          return true;
        default:
          break;
      }
    }
  }
  return false;
}

bool is_builtin_date_format(uint64_t id) {
  return (id >= 14 && id <= 22) || (id >= 45 && id <= 47);
}

// "C12" -> column 3, row 12. nullopt unless 1-3 capital letters then 1-7 digits, row >= 1.
struct CellRef {
  uint64_t column = 0;
  uint64_t row = 0;
};
std::optional<CellRef> parse_cell_ref(std::string_view ref) {
  CellRef out;
  size_t i = 0;
  while (i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z' && i < 3) {
    out.column = out.column * 26 + static_cast<uint64_t>(ref[i] - 'A' + 1);
    ++i;
  }
  if (i == 0) return std::nullopt;
  const std::string_view digits = ref.substr(i);
  if (!all_digits(digits) || digits.size() > 7) return std::nullopt;
  const auto row = parse_uint(digits, 1048576);
  if (!row || *row == 0) return std::nullopt;
  out.row = *row;
  return out;
}

// A part name from a relationship target: relative to `base` ("xl"), or from the package root when
// it starts with '/'; "." and ".." segments resolved.
std::string resolve_part(std::string_view base, std::string_view target) {
  std::vector<std::string> segments;
  auto push = [&](std::string_view path) {
    size_t start = 0;
    while (start <= path.size()) {
      size_t slash = path.find('/', start);
      if (slash == std::string_view::npos) slash = path.size();
      std::string_view seg = path.substr(start, slash - start);
      if (seg == "..") {
        if (!segments.empty()) segments.pop_back();
      } else if (!seg.empty() && seg != ".") {
        segments.emplace_back(seg);
      }
      start = slash + 1;
    }
  };
  if (target.empty() || target.front() != '/') push(base);
  push(target);
  std::string out;
  for (const auto& s : segments) out += (out.empty() ? "" : "/") + s;
  return out;
}

// --- One XML part, parsed as it is decompressed -------------------------------------------------

class XmlHandler {
 public:
  virtual ~XmlHandler() = default;
  virtual void start(std::string_view name, const XML_Char** attrs) = 0;
  virtual void end(std::string_view name) = 0;
  virtual void text(std::string_view) {}

  // Stops the parse; read_part returns `error`.
  void fail(std::string error) {
    if (failure_) return;
    failure_ = std::move(error);
    XML_StopParser(parser_, XML_FALSE);
  }
  const std::optional<std::string>& failure() const { return failure_; }
  void attach(XML_Parser parser) { parser_ = parser; }

 private:
  XML_Parser parser_ = nullptr;
  std::optional<std::string> failure_;
};

void XMLCALL on_start(void* user, const XML_Char* name, const XML_Char** attrs) {
  static_cast<XmlHandler*>(user)->start(local_name(name), attrs);
}
void XMLCALL on_end(void* user, const XML_Char* name) {
  static_cast<XmlHandler*>(user)->end(local_name(name));
}
void XMLCALL on_text(void* user, const XML_Char* s, int len) {
  static_cast<XmlHandler*>(user)->text(std::string_view(s, static_cast<size_t>(len)));
}
// No DTD at all: an OOXML part never has one, and refusing it at its start means no entity is
// ever declared, so none can be expanded (billion laughs) or fetched (external entities).
void XMLCALL on_doctype(void* user, const XML_Char*, const XML_Char*, const XML_Char*, int) {
  static_cast<XmlHandler*>(user)->fail("khai báo DOCTYPE không được phép");
}
void XMLCALL on_entity(void* user, const XML_Char*, int, const XML_Char*, int, const XML_Char*,
                       const XML_Char*, const XML_Char*, const XML_Char*) {
  static_cast<XmlHandler*>(user)->fail("khai báo thực thể (ENTITY) không được phép");
}
int XMLCALL on_external_entity(XML_Parser, const XML_Char*, const XML_Char*, const XML_Char*,
                               const XML_Char*) {
  return XML_STATUS_ERROR;
}

class Package {
 public:
  Package(zip_t* zip, const XlsxLimits& limits) : zip_(zip), limits_(limits) {}
  ~Package() { zip_discard(zip_); }
  Package(const Package&) = delete;
  Package& operator=(const Package&) = delete;

  bool has(const std::string& name) const {
    return zip_name_locate(zip_, name.c_str(), ZIP_FL_NOCASE) >= 0;
  }

  // Parses part `name` with `handler`. Fails when it is missing, too big, unreadable or bad XML.
  Result<void> read_part(const std::string& name, XmlHandler& handler) {
    const zip_int64_t index = zip_name_locate(zip_, name.c_str(), ZIP_FL_NOCASE);
    if (index < 0) return bad_file("tệp XLSX thiếu phần " + shown(name, 64));
    const auto uindex = static_cast<zip_uint64_t>(index);
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(zip_, uindex, 0, &st) != 0) return broken(name);
    if ((st.valid & ZIP_STAT_SIZE) != 0) {
      if (auto too_big = check_size(name, st.size)) return *too_big;
    }
    zip_file_t* file = zip_fopen_index(zip_, uindex, 0);
    if (file == nullptr) {
      const int code = zip_error_code_zip(zip_get_error(zip_));
      if (code == ZIP_ER_NOPASSWD || code == ZIP_ER_WRONGPASSWD || code == ZIP_ER_ENCRNOTSUPP)
        return bad_file("tệp XLSX có mật khẩu: hãy lưu lại tệp không đặt mật khẩu rồi nhập");
      if (code == ZIP_ER_COMPNOTSUPP)
        return bad_file("phần " + shown(name, 64) + " của tệp XLSX dùng kiểu nén không hỗ trợ");
      return broken(name);
    }
    struct Closer {
      zip_file_t* f;
      ~Closer() { zip_fclose(f); }
    } closer{file};

    XML_Parser parser = XML_ParserCreate(nullptr);
    if (parser == nullptr) throw std::bad_alloc();
    struct Freer {
      XML_Parser p;
      ~Freer() { XML_ParserFree(p); }
    } freer{parser};
    handler.attach(parser);
    XML_SetUserData(parser, &handler);
    XML_SetElementHandler(parser, on_start, on_end);
    XML_SetCharacterDataHandler(parser, on_text);
    XML_SetStartDoctypeDeclHandler(parser, on_doctype);
    XML_SetEntityDeclHandler(parser, on_entity);
    XML_SetExternalEntityRefHandler(parser, on_external_entity);
    XML_SetParamEntityParsing(parser, XML_PARAM_ENTITY_PARSING_NEVER);

    uint64_t read = 0;
    std::array<char, 65536> buffer;
    for (;;) {
      const zip_int64_t n = zip_fread(file, buffer.data(), buffer.size());
      if (n < 0) return broken(name);
      read += static_cast<uint64_t>(n);
      // The declared size may lie: count what actually comes out.
      if (auto too_big = check_size(name, read)) return *too_big;
      const bool last = n == 0;
      if (XML_Parse(parser, buffer.data(), static_cast<int>(n), last ? XML_TRUE : XML_FALSE) !=
          XML_STATUS_OK) {
        if (handler.failure()) return bad_file(shown(name, 64) + ": " + *handler.failure());
        return bad_file("XML hỏng trong phần " + shown(name, 64) + " (dòng " +
                        std::to_string(XML_GetCurrentLineNumber(parser)) + ", cột " +
                        std::to_string(XML_GetCurrentColumnNumber(parser)) + ")");
      }
      if (last) break;
    }
    total_ += read;
    return {};
  }

 private:
  std::optional<Error> check_size(const std::string& name, uint64_t size) const {
    if (size > limits_.max_part_bytes)
      return bad_file("phần " + shown(name, 64) + " của tệp XLSX quá lớn khi giải nén (tối đa " +
                      std::to_string(limits_.max_part_bytes / (1024 * 1024)) + " MB)");
    if (total_ + size > limits_.max_total_bytes)
      return bad_file("tệp XLSX quá lớn khi giải nén (tối đa " +
                      std::to_string(limits_.max_total_bytes / (1024 * 1024)) + " MB)");
    return std::nullopt;
  }
  static Error broken(const std::string& name) {
    return bad_file("tệp XLSX hỏng: không giải nén được phần " + shown(name, 64));
  }

  zip_t* zip_;
  const XlsxLimits& limits_;
  uint64_t total_ = 0;
};

// --- The parts -----------------------------------------------------------------------------------

struct WorkbookPart : XmlHandler {
  bool date1904 = false;
  std::optional<std::string> first_sheet_rel;  // r:id of the first <sheet>
  bool any_sheet = false;

  void start(std::string_view name, const XML_Char** attrs) override {
    if (name == "workbookPr") {
      if (const char* v = attribute(attrs, "date1904"))
        date1904 = std::string_view(v) == "1" || std::string_view(v) == "true";
    } else if (name == "sheet" && !any_sheet) {
      any_sheet = true;
      if (const char* id = attribute(attrs, "id")) first_sheet_rel = id;
    }
  }
  void end(std::string_view) override {}
};

struct RelsPart : XmlHandler {
  std::string wanted_id;
  std::optional<std::string> sheet_target, shared_strings_target, styles_target;

  void start(std::string_view name, const XML_Char** attrs) override {
    if (name != "Relationship") return;
    const char* id = attribute(attrs, "Id");
    const char* target = attribute(attrs, "Target");
    const char* type = attribute(attrs, "Type");
    if (target == nullptr) return;
    if (id != nullptr && id == wanted_id) sheet_target = target;
    const std::string_view t = type ? type : "";
    if (t.ends_with("/sharedStrings")) shared_strings_target = target;
    if (t.ends_with("/styles")) styles_target = target;
  }
  void end(std::string_view) override {}
};

// Strings live in one buffer; a cell refers to one by index.
struct SharedStringsPart : XmlHandler {
  explicit SharedStringsPart(size_t max_count) : max_count_(max_count) {}

  std::string buffer;
  std::vector<std::pair<size_t, size_t>> strings;  // offset, length in buffer

  std::string_view at(size_t i) const {
    return std::string_view(buffer).substr(strings[i].first, strings[i].second);
  }

  void start(std::string_view name, const XML_Char**) override {
    if (name == "si") {
      in_item_ = true;
      current_.clear();
    } else if (name == "rPh") {
      ++phonetic_;  // the reading aid above East Asian text: not part of the value
    } else if (name == "t" && in_item_ && phonetic_ == 0) {
      in_text_ = true;
    }
  }
  void end(std::string_view name) override {
    if (name == "t") {
      in_text_ = false;
    } else if (name == "rPh") {
      if (phonetic_ > 0) --phonetic_;
    } else if (name == "si" && in_item_) {
      in_item_ = false;
      if (strings.size() >= max_count_) return fail("quá nhiều chuỗi");
      const std::string decoded = decode_escapes(std::move(current_));
      strings.emplace_back(buffer.size(), decoded.size());
      buffer += decoded;
      current_.clear();
    }
  }
  void text(std::string_view s) override {
    if (in_text_) current_ += s;
  }

 private:
  size_t max_count_;
  bool in_item_ = false, in_text_ = false;
  int phonetic_ = 0;
  std::string current_;
};

struct StylesPart : XmlHandler {
  std::vector<bool> date_styles;  // per cellXfs entry, after finish()

  void start(std::string_view name, const XML_Char** attrs) override {
    if (name == "numFmt") {
      const char* id = attribute(attrs, "numFmtId");
      const char* code = attribute(attrs, "formatCode");
      if (id != nullptr && code != nullptr)
        if (auto n = parse_uint(id, 1u << 20); n && is_date_format(code))
          custom_dates_.push_back(*n);
    } else if (name == "cellXfs") {
      in_cell_xfs_ = true;
    } else if (name == "xf" && in_cell_xfs_) {
      if (xf_formats_.size() >= 1'000'000) return fail("quá nhiều kiểu ô");
      const char* id = attribute(attrs, "numFmtId");
      xf_formats_.push_back(id ? parse_uint(id, 1u << 20).value_or(0) : 0);
    }
  }
  void end(std::string_view name) override {
    if (name == "cellXfs") in_cell_xfs_ = false;
  }

  void finish() {
    date_styles.reserve(xf_formats_.size());
    for (uint64_t id : xf_formats_) {
      bool date = is_builtin_date_format(id);
      for (uint64_t custom : custom_dates_) date = date || custom == id;
      date_styles.push_back(date);
    }
  }

 private:
  bool in_cell_xfs_ = false;
  std::vector<uint64_t> custom_dates_;
  std::vector<uint64_t> xf_formats_;
};

class SheetPart : public XmlHandler {
 public:
  SheetPart(const XlsxLimits& limits, const SharedStringsPart& shared, const StylesPart& styles,
            bool date1904)
      : limits_(limits), shared_(shared), styles_(styles), date1904_(date1904) {}

  std::vector<CsvRecord> records;

  void start(std::string_view name, const XML_Char** attrs) override {
    if (name == "sheetData") {
      in_data_ = true;
    } else if (!in_data_) {
      return;
    } else if (name == "row") {
      start_row(attrs);
    } else if (name == "c" && in_row_) {
      start_cell(attrs);
    } else if (!in_cell_) {
      return;
    } else if (name == "v") {
      in_value_ = true;
    } else if (name == "is") {
      in_inline_ = true;
    } else if (name == "rPh") {
      ++phonetic_;
    } else if (name == "t" && in_inline_ && phonetic_ == 0) {
      in_value_ = true;
    }
  }

  void end(std::string_view name) override {
    if (name == "sheetData") {
      in_data_ = false;
    } else if (name == "row" && in_row_) {
      end_row();
    } else if (name == "c" && in_cell_) {
      end_cell();
    } else if (name == "v" || name == "t") {
      in_value_ = false;
    } else if (name == "is") {
      in_inline_ = false;
    } else if (name == "rPh" && phonetic_ > 0) {
      --phonetic_;
    }
  }

  void text(std::string_view s) override {
    if (in_value_) value_ += s;
  }

 private:
  void start_row(const XML_Char** attrs) {
    uint64_t number = row_ + 1;
    if (const char* r = attribute(attrs, "r")) {
      auto n = parse_uint(r, 1048576);
      if (!n || *n == 0) return fail("số dòng không hợp lệ \"" + shown(r) + "\"");
      number = *n;
    }
    if (number <= row_) return fail("dòng " + std::to_string(number) + " không theo thứ tự");
    if (number > 1048576) return fail("quá nhiều dòng");
    row_ = number;
    in_row_ = true;
    column_ = 0;
    cells_.clear();
  }

  void end_row() {
    in_row_ = false;
    while (!cells_.empty() && cells_.back().empty()) cells_.pop_back();
    if (cells_.empty()) return;
    if (records.size() >= limits_.max_rows)
      return fail("bảng tính có quá nhiều dòng (tối đa " + grouped(limits_.max_rows - 1) + ")");
    records.push_back({static_cast<int>(row_), std::move(cells_)});
    cells_.clear();
  }

  void start_cell(const XML_Char** attrs) {
    uint64_t column = column_ + 1;
    if (const char* r = attribute(attrs, "r")) {
      const auto ref = parse_cell_ref(r);
      if (!ref) return fail("ô có địa chỉ không hợp lệ \"" + shown(r) + "\"");
      if (ref->row != row_)
        return fail("ô " + shown(r) + " nằm trong dòng " + std::to_string(row_));
      column = ref->column;
    }
    if (column <= column_)
      return fail("các ô của dòng " + std::to_string(row_) + " không theo thứ tự");
    if (column > limits_.max_columns)
      return fail("bảng tính có quá nhiều cột (tối đa " + grouped(limits_.max_columns) + ")");
    column_ = column;
    const char* t = attribute(attrs, "t");
    type_ = t ? t : "n";
    style_ = 0;
    if (const char* s = attribute(attrs, "s")) style_ = parse_uint(s, 1u << 30).value_or(0);
    value_.clear();
    in_cell_ = true;
    in_value_ = in_inline_ = false;
    phonetic_ = 0;
  }

  void end_cell() {
    in_cell_ = false;
    in_value_ = in_inline_ = false;
    std::string text;
    if (type_ == "s") {
      const auto index = parse_uint(value_, UINT32_MAX);
      if (!index || *index >= shared_.strings.size())
        return fail("ô " + cell_name() + " trỏ tới chuỗi dùng chung không có (số \"" +
                    shown(value_) + "\")");
      text = shared_.at(*index);
    } else if (type_ == "inlineStr") {
      text = decode_escapes(std::move(value_));
    } else if (type_ == "str" || type_ == "e" || type_ == "d") {
      text = decode_escapes(std::move(value_));
    } else if (type_ == "b") {
      text = value_ == "1" ? "TRUE" : value_ == "0" ? "FALSE" : value_;
    } else if (!value_.empty()) {
      const bool date = style_ < styles_.date_styles.size() && styles_.date_styles[style_];
      std::optional<std::string> as_date;
      if (date) as_date = serial_date_text(value_, date1904_);
      text = as_date ? *as_date : number_text(value_);
    }
    if (text.empty()) return;
    const size_t index = static_cast<size_t>(column_ - 1);
    if (index >= cells_.size()) {
      cells_total_ += index + 1 - cells_.size();
      if (cells_total_ > limits_.max_cells)
        return fail("bảng tính có quá nhiều ô (tối đa " + grouped(limits_.max_cells) + ")");
      cells_.resize(index + 1);
    }
    cells_[index] = std::move(text);
  }

  std::string cell_name() const {
    std::string letters;
    for (uint64_t c = column_; c > 0; c = (c - 1) / 26)
      letters.insert(letters.begin(), static_cast<char>('A' + (c - 1) % 26));
    return letters + std::to_string(row_);
  }

  static std::string grouped(size_t n) {
    std::string digits = std::to_string(n), out;
    for (size_t i = 0; i < digits.size(); ++i) {
      if (i > 0 && (digits.size() - i) % 3 == 0) out += '.';
      out += digits[i];
    }
    return out;
  }

  const XlsxLimits& limits_;
  const SharedStringsPart& shared_;
  const StylesPart& styles_;
  bool date1904_;
  bool in_data_ = false, in_row_ = false, in_cell_ = false, in_value_ = false, in_inline_ = false;
  int phonetic_ = 0;
  uint64_t row_ = 0, column_ = 0, style_ = 0;
  size_t cells_total_ = 0;
  std::string type_, value_;
  std::vector<std::string> cells_;
};

}  // namespace

bool looks_like_zip(std::string_view bytes) { return bytes.starts_with("PK\x03\x04"); }

Result<std::vector<CsvRecord>> read_xlsx(std::string_view bytes, const XlsxLimits& limits) {
  if (!looks_like_zip(bytes)) return bad_file("tệp không phải bảng tính XLSX");
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  if (source == nullptr) {
    zip_error_fini(&error);
    throw std::bad_alloc();
  }
  zip_t* zip = zip_open_from_source(source, ZIP_RDONLY, &error);
  zip_error_fini(&error);
  if (zip == nullptr) {
    zip_source_free(source);
    return bad_file("tệp XLSX hỏng hoặc bị cắt: không đọc được tệp ZIP");
  }
  Package package(zip, limits);  // owns zip, and through it the source

  if (!package.has("xl/workbook.xml"))
    return bad_file("tệp ZIP không có xl/workbook.xml: không phải bảng tính XLSX");
  WorkbookPart workbook;
  if (auto ok = package.read_part("xl/workbook.xml", workbook); !ok) return ok.error();
  if (!workbook.any_sheet) return bad_file("bảng tính không có trang tính nào");

  RelsPart rels;
  rels.wanted_id = workbook.first_sheet_rel.value_or("");
  if (package.has("xl/_rels/workbook.xml.rels")) {
    if (auto ok = package.read_part("xl/_rels/workbook.xml.rels", rels); !ok) return ok.error();
  }
  const std::string sheet_name = rels.sheet_target ? resolve_part("xl", *rels.sheet_target)
                                                   : std::string("xl/worksheets/sheet1.xml");
  if (!package.has(sheet_name))
    return bad_file("tệp XLSX thiếu trang tính đầu tiên (" + shown(sheet_name, 64) + ")");

  SharedStringsPart shared(limits.max_cells);
  const std::string shared_name = rels.shared_strings_target
                                      ? resolve_part("xl", *rels.shared_strings_target)
                                      : std::string("xl/sharedStrings.xml");
  if (package.has(shared_name)) {
    if (auto ok = package.read_part(shared_name, shared); !ok) return ok.error();
  }
  StylesPart styles;
  const std::string styles_name =
      rels.styles_target ? resolve_part("xl", *rels.styles_target) : std::string("xl/styles.xml");
  if (package.has(styles_name)) {
    if (auto ok = package.read_part(styles_name, styles); !ok) return ok.error();
    styles.finish();
  }

  SheetPart sheet(limits, shared, styles, workbook.date1904);
  if (auto ok = package.read_part(sheet_name, sheet); !ok) return ok.error();
  return std::move(sheet.records);
}

}  // namespace chophien::core
