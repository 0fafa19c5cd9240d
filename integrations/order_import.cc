#include "integrations/order_import.h"

#include <algorithm>
#include <map>

#include "core/ledger.h"
#include "core/log.h"
#include "core/text.h"
#include "core/xlsx_reader.h"

namespace chophien::integrations {
namespace {

using core::CsvRowError;

// Lower-case ASCII words: diacritics dropped (đ -> d), anything else a single space.
std::string header_key(std::string_view header) {
  std::string folded = core::search_fold(header);
  std::string out;
  bool space = false;
  for (size_t i = 0; i < folded.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(folded[i]);
    if (c == 0xC4 && i + 1 < folded.size() &&
        (static_cast<unsigned char>(folded[i + 1]) == 0x91 ||
         static_cast<unsigned char>(folded[i + 1]) == 0x90)) {
      c = 'd';  // đ, Đ
      ++i;
    }
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      if (space && !out.empty()) out += ' ';
      space = false;
      out += static_cast<char>(c);
    } else if (c >= 'A' && c <= 'Z') {
      if (space && !out.empty()) out += ' ';
      space = false;
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      space = true;
    }
  }
  return out;
}

// Header names of the seller centres' exports, as header_key gives them.
constexpr std::string_view kOrderIdHeaders[] = {"ma don hang", "ma don",       "so don hang",
                                                "order id",    "order number", "ordernumber",
                                                "order no",    "orderid"};
constexpr std::string_view kDateHeaders[] = {"ngay dat hang",
                                             "thoi gian dat hang",
                                             "ngay tao don",
                                             "ngay tao don hang",
                                             "ngay tao",
                                             "order creation date",
                                             "created at",
                                             "createtime",
                                             "create time",
                                             "created time",
                                             "order created time",
                                             "order date",
                                             "order creation time",
                                             "ngay dat"};
constexpr std::string_view kStatusHeaders[] = {"trang thai don hang", "trang thai", "order status",
                                               "status"};
// One amount for the whole order, repeated on each item row.
constexpr std::string_view kOrderTotalHeaders[] = {"tong gia tri don hang vnd",
                                                   "tong gia tri don hang",
                                                   "tong tien",
                                                   "tong thanh toan",
                                                   "order total",
                                                   "grand total",
                                                   "total amount",
                                                   "order amount",
                                                   "total"};
// One amount per item row, summed over the order.
constexpr std::string_view kItemTotalHeaders[] = {"paidprice", "paid price", "thanh tien",
                                                  "item total", "sku subtotal after discount"};

template <size_t N>
std::optional<size_t> find_column(const std::vector<std::string>& keys,
                                  const std::string_view (&names)[N]) {
  for (std::string_view name : names)
    for (size_t i = 0; i < keys.size(); ++i)
      if (keys[i] == name) return i;
  return std::nullopt;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool valid_order_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '/';
  });
}

bool read_number(std::string_view& s, size_t digits, int& out) {
  if (s.size() < digits) return false;
  out = 0;
  for (size_t i = 0; i < digits; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  s.remove_prefix(digits);
  return true;
}

bool read_char(std::string_view& s, char c) {
  if (s.empty() || s.front() != c) return false;
  s.remove_prefix(1);
  return true;
}

struct Channel {
  std::string_view platform;
  std::string_view channel;
};
constexpr Channel kChannels[] = {{"shopee", "shopee"},
                                 {"lazada", "lazada"},
                                 {"tiktok", "tiktok_shop"},
                                 {"postmart", "postmart"},
                                 {"voso", "voso"}};

}  // namespace

bool is_order_file_platform(std::string_view platform) {
  return std::any_of(std::begin(kChannels), std::end(kChannels),
                     [&](const Channel& c) { return c.platform == platform; });
}

std::string order_file_channel(std::string_view platform) {
  for (const auto& c : kChannels)
    if (c.platform == platform) return std::string(c.channel);
  return {};
}

bool order_file_status_counts(std::string_view status) {
  const std::string key = header_key(status);
  static const char* const kNotSales[] = {
      "huy",    "cancel", "tra hang", "hoan tien", "hoan tra",        "return",
      "refund", "unpaid", "fail",     "that bai",  "chua thanh toan", "giao khong thanh cong"};
  const std::string padded = " " + key + " ";
  for (const char* n : kNotSales) {
    std::string word = n;
    // Whole words for the short Vietnamese ones ("huy" is not part of "huyen").
    if (word == "huy" ? padded.find(" huy ") != std::string::npos
                      : key.find(word) != std::string::npos)
      return false;
  }
  return true;
}

std::optional<int64_t> parse_vnd_amount(std::string_view text) {
  std::string s;
  std::string_view t = trim(text);
  // Drop the currency marks: ₫ (E2 82 AB), đ (C4 91), "VND", "VNĐ", spaces (also U+00A0).
  for (size_t i = 0; i < t.size();) {
    auto rest = t.substr(i);
    if (rest.substr(0, 3) == "\xE2\x82\xAB") {
      i += 3;
    } else if (rest.substr(0, 2) == "\xC4\x91" || rest.substr(0, 2) == "\xC2\xA0") {
      i += 2;
    } else if (rest.substr(0, 5) == "VN\xC4\x90") {
      i += 5;
    } else if (rest.substr(0, 3) == "VND" || rest.substr(0, 3) == "vnd") {
      i += 3;
    } else if (t[i] == ' ') {
      ++i;
    } else {
      s += t[i++];
    }
  }
  if (s.empty() || s.size() > 24) return std::nullopt;
  // A decimal part is 1-2 digits after the last separator, and must be zero (whole đồng).
  const size_t last = s.find_last_of(".,");
  if (last != std::string::npos && s.size() - last - 1 <= 2) {
    if (s.size() - last - 1 == 0) return std::nullopt;
    for (size_t i = last + 1; i < s.size(); ++i)
      if (s[i] != '0') return std::nullopt;
    s.resize(last);
  }
  // What is left: digits, optionally grouped by threes with one kind of separator.
  char sep = 0;
  int64_t value = 0;
  size_t group = 0;
  bool grouped = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      if (value > 100'000'000'000'000LL) return std::nullopt;
      value = value * 10 + (c - '0');
      ++group;
    } else if (c == '.' || c == ',') {
      if (sep != 0 && sep != c) return std::nullopt;
      if (group == 0 || (grouped && group != 3) || group > 3) return std::nullopt;
      sep = c;
      grouped = true;
      group = 0;
    } else {
      return std::nullopt;
    }
  }
  if (group == 0 || (grouped && group != 3)) return std::nullopt;
  return value;
}

std::optional<int64_t> parse_order_time(std::string_view text) {
  std::string_view s = trim(text);
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  std::string_view probe = s;
  if (read_number(probe, 4, year) && read_char(probe, '-')) {
    if (!read_number(probe, 2, month) || !read_char(probe, '-') || !read_number(probe, 2, day))
      return std::nullopt;
  } else {
    probe = s;
    if (!read_number(probe, 2, day) || !read_char(probe, '/') || !read_number(probe, 2, month) ||
        !read_char(probe, '/') || !read_number(probe, 4, year))
      return std::nullopt;
  }
  if (!probe.empty()) {
    if (!read_char(probe, ' ') && !read_char(probe, 'T')) return std::nullopt;
    if (!read_number(probe, 2, hour) || !read_char(probe, ':') || !read_number(probe, 2, minute))
      return std::nullopt;
    if (read_char(probe, ':') && !read_number(probe, 2, second)) return std::nullopt;
    if (!probe.empty()) return std::nullopt;
  }
  if (year < 2000 || year > 2100 || month < 1 || month > 12 || day < 1 || hour > 23 ||
      minute > 59 || second > 59)
    return std::nullopt;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day > kDays[month - 1] + (month == 2 && leap ? 1 : 0)) return std::nullopt;
  const int64_t days = core::days_since_epoch(core::Date{year, month, day});
  return days * 86400 + hour * 3600 + minute * 60 + second - 7 * 3600;
}

std::string marketplace_sale_ref(std::string_view platform, int64_t producer_id,
                                 std::string_view order_id) {
  return std::string(platform) + ":" + std::to_string(producer_id) + ":" + std::string(order_id);
}

Result<bool> marketplace_order_recorded(core::Ledger& ledger, std::string_view platform,
                                        int64_t producer_id, std::string_view order_id) {
  auto row =
      ledger.find_by_source("marketplace", marketplace_sale_ref(platform, producer_id, order_id));
  if (!row) return row.error();
  if (*row) return true;
  auto legacy =
      ledger.find_by_source("marketplace", std::string(platform) + ":" + std::string(order_id));
  if (!legacy) return legacy.error();
  return legacy->has_value() && (*legacy)->producer_id == producer_id;
}

Result<OrderFile> read_order_file(const core::Clock& clock, std::string_view platform,
                                  std::string_view file) {
  if (!is_order_file_platform(platform))
    return invalid_input("sàn không hợp lệ (shopee, lazada, tiktok, postmart, voso)", "platform");
  if (file.size() > kMaxOrderFileBytes) return invalid_input("tệp quá lớn (tối đa 20 MB)", "file");
  // Recognised by content, not by name: every XLSX workbook is a ZIP. Both readers give the rows
  // of cell texts that everything below works on, with the file's own line or row numbers.
  core::XlsxLimits limits;
  limits.max_rows = kMaxOrderFileRows + 1;  // the header row too
  auto records = core::looks_like_zip(file) ? core::read_xlsx(file, limits) : core::parse_csv(file);
  if (!records) return records.error();
  OrderFile file_read;
  file_read.platform = std::string(platform);
  OrderImportReport& report = file_read.report;
  std::vector<OrderFileOrder>& groups = file_read.orders;
  auto add_error = [&](int line, std::string field, std::string message) {
    report.errors.push_back({line, std::move(field), std::move(message)});
  };
  if (records->empty()) {
    add_error(1, "", "tệp trống: cần dòng tiêu đề và các dòng đơn hàng");
    return file_read;
  }
  if (records->size() - 1 > kMaxOrderFileRows) {
    add_error(1, "", "tệp có quá nhiều dòng (tối đa 100.000)");
    return file_read;
  }
  std::vector<std::string> keys;
  for (const auto& cell : records->front().cells) keys.push_back(header_key(cell));
  const auto id_col = find_column(keys, kOrderIdHeaders);
  const auto date_col = find_column(keys, kDateHeaders);
  const auto status_col = find_column(keys, kStatusHeaders);
  auto total_col = find_column(keys, kOrderTotalHeaders);
  bool per_item = false;
  if (!total_col) {
    total_col = find_column(keys, kItemTotalHeaders);
    per_item = total_col.has_value();
  }
  const int header_line = records->front().line;
  if (!id_col)
    add_error(header_line, "order_id", "thiếu cột mã đơn hàng (\"Mã đơn hàng\" / \"Order ID\")");
  if (!date_col)
    add_error(header_line, "date", "thiếu cột ngày đặt hàng (\"Ngày đặt hàng\" / \"Created at\")");
  if (!total_col)
    add_error(header_line, "total",
              "thiếu cột tổng tiền (\"Tổng giá trị đơn hàng\" / \"Order Total\")");
  if (!report.ok()) return file_read;

  const int64_t now = clock.now();
  std::map<std::string, size_t> index;  // order id -> groups position
  for (size_t r = 1; r < records->size(); ++r) {
    const auto& rec = (*records)[r];
    ++report.rows;
    auto cell = [&](std::optional<size_t> col) -> std::string_view {
      return col && *col < rec.cells.size() ? trim(rec.cells[*col]) : std::string_view();
    };
    const std::string_view id = cell(id_col);
    if (!valid_order_id(id)) {
      add_error(rec.line, "order_id",
                id.empty() ? "thiếu mã đơn hàng"
                           : "mã đơn hàng không hợp lệ (chữ, số, - _ . /, tối đa 64 ký tự)");
      continue;
    }
    const auto at = parse_order_time(cell(date_col));
    if (!at) {
      add_error(rec.line, "date",
                "ngày đặt hàng không hợp lệ (YYYY-MM-DD HH:MM hoặc DD/MM/YYYY HH:MM)");
      continue;
    }
    if (*at > now + 3600) {
      add_error(rec.line, "date", "ngày đặt hàng ở tương lai");
      continue;
    }
    const std::string_view status = cell(status_col);
    const bool counts = !status_col || order_file_status_counts(status);
    if (status_col && status.empty()) {
      add_error(rec.line, "status", "thiếu trạng thái đơn hàng");
      continue;
    }
    int64_t amount = 0;
    if (counts) {
      const auto parsed = parse_vnd_amount(cell(total_col));
      if (!parsed || (*parsed <= 0 && !per_item) || *parsed > 10'000'000'000LL) {
        add_error(rec.line, "total", "tổng tiền không hợp lệ (số đồng, từ 1 đến 10.000.000.000 ₫)");
        continue;
      }
      amount = *parsed;
    }
    auto [it, inserted] = index.emplace(std::string(id), groups.size());
    if (inserted) {
      groups.push_back({rec.line, std::string(id), *at, counts, per_item, amount});
      continue;
    }
    OrderFileOrder& g = groups[it->second];
    if (per_item) {
      // Item rows carry their own status: a cancelled item is left out of the order's sum.
      if (!counts) continue;
      g.counts = true;
      g.total += amount;
      if (g.total > 10'000'000'000LL) add_error(rec.line, "total", "tổng tiền của đơn quá lớn");
    } else if (g.counts != counts) {
      add_error(rec.line, "status",
                "đơn " + g.id + " có trạng thái khác ở dòng " + std::to_string(g.line));
    } else if (counts && g.total != amount) {
      add_error(rec.line, "total",
                "đơn " + g.id + " có tổng tiền khác ở dòng " + std::to_string(g.line));
    }
  }
  report.orders = static_cast<int>(groups.size());
  for (const auto& g : groups)
    if (g.counts && g.total <= 0) add_error(g.line, "total", "tổng tiền của đơn phải lớn hơn 0");
  return file_read;
}

Result<OrderImportReport> record_order_file(core::Database& db, const core::Clock& clock,
                                            int64_t producer_id, const OrderFile& file) {
  {
    auto s = db.prepare("SELECT 1 FROM producers WHERE id = ?1");
    if (!s) return s.error();
    s->bind(1, producer_id);
    auto row = s->step();
    if (!row) return row.error();
    if (!*row) return not_found("không tìm thấy chủ thể " + std::to_string(producer_id));
  }
  OrderImportReport report = file.report;
  if (!report.ok()) return report;
  auto add_error = [&](int line, std::string field, std::string message) {
    report.errors.push_back({line, std::move(field), std::move(message)});
  };
  const std::string_view platform = file.platform;
  const auto& groups = file.orders;
  core::Ledger ledger(db, clock);
  auto tx = db.begin_or_join();
  if (!tx) return tx.error();
  const std::string channel = order_file_channel(platform);
  for (const auto& g : groups) {
    if (!g.counts) {
      ++report.skipped;
      continue;
    }
    const std::string ref = marketplace_sale_ref(platform, producer_id, g.id);
    auto recorded = marketplace_order_recorded(ledger, platform, producer_id, g.id);
    if (!recorded) return recorded.error();
    if (*recorded) {
      ++report.already;
      continue;
    }
    core::SaleEntry e;
    e.producer_id = producer_id;
    e.channel = channel;
    e.settlement = "marketplace";
    e.amount_vnd = g.total;
    e.occurred_at = g.occurred_at;
    e.source_kind = "marketplace";
    e.source_ref = ref;
    e.note = "đơn " + g.id + " (tệp xuất của sàn)";
    auto row = ledger.append(e);
    if (!row) {
      if (row.error().code == ErrorCode::invalid_input) {
        add_error(g.line, row.error().field, row.error().message);
        continue;
      }
      return row.error();
    }
    ++report.recorded;
  }
  if (!report.ok()) {
    report.recorded = 0;
    report.already = 0;
    report.skipped = 0;
    return report;  // the transaction rolls back
  }
  if (auto ok = tx->commit(); !ok) return ok.error();
  core::log("marketplace.orders_imported", {{"platform", std::string(platform)},
                                            {"producer_id", producer_id},
                                            {"recorded", static_cast<int64_t>(report.recorded)},
                                            {"already", static_cast<int64_t>(report.already)}});
  return report;
}

Result<OrderImportReport> import_order_file(core::Database& db, const core::Clock& clock,
                                            int64_t producer_id, std::string_view platform,
                                            std::string_view file) {
  auto parsed = read_order_file(clock, platform, file);
  if (!parsed) return parsed.error();
  return record_order_file(db, clock, producer_id, *parsed);
}

}  // namespace chophien::integrations
