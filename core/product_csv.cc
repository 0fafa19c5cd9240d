#include "core/product_csv.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <set>

namespace chophien::core {
namespace {

struct ParseFailure {
  int line = 0;
  std::string message;
};

std::optional<ParseFailure> parse_records(std::string_view text, std::vector<CsvRecord>& out) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  size_t pos = 0;
  const size_t n = text.size();
  int line = 1;
  while (pos < n) {
    CsvRecord record;
    record.line = line;
    for (;;) {
      std::string cell;
      if (pos < n && text[pos] == '"') {
        int quote_line = line;
        ++pos;
        for (;;) {
          if (pos >= n) return ParseFailure{quote_line, "unterminated quoted field"};
          char c = text[pos];
          if (c == '"') {
            if (pos + 1 < n && text[pos + 1] == '"') {
              cell.push_back('"');
              pos += 2;
              continue;
            }
            ++pos;
            break;
          }
          if (c == '\n') ++line;
          cell.push_back(c);
          ++pos;
        }
        if (pos < n && text[pos] != ',' && text[pos] != '\r' && text[pos] != '\n') {
          return ParseFailure{line, "text after a closing quote"};
        }
      } else {
        size_t end = text.find_first_of(",\r\n", pos);
        if (end == std::string_view::npos) end = n;
        cell.assign(text.substr(pos, end - pos));
        pos = end;
      }
      record.cells.push_back(std::move(cell));
      if (pos < n && text[pos] == ',') {
        ++pos;
        continue;
      }
      if (pos < n && text[pos] == '\r') ++pos;
      if (pos < n && text[pos] == '\n') ++pos;
      ++line;
      break;
    }
    bool blank = record.cells.size() == 1 && record.cells[0].empty();
    if (!blank) out.push_back(std::move(record));
  }
  return std::nullopt;
}

std::string_view trim(std::string_view s) {
  const char* ws = " \t";
  auto begin = s.find_first_not_of(ws);
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(ws) - begin + 1);
}

// Whole non-negative numbers written as plain digits; nullopt for anything else.
std::optional<int64_t> parse_count(std::string_view text) {
  text = trim(text);
  if (text.empty() || text.size() > 18) return std::nullopt;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

struct Row {
  int line = 0;
  std::optional<int64_t> existing_id;
  ProductFields fields;
};

// Builds the fields of one row on top of `base` (the existing product, or defaults).
Result<ProductFields> apply_row(const std::map<std::string, size_t>& columns,
                                const std::vector<std::string>& cells, ProductFields f) {
  auto cell = [&](const char* name) -> std::optional<std::string> {
    auto it = columns.find(name);
    if (it == columns.end()) return std::nullopt;
    return cells[it->second];
  };
  if (auto v = cell("name")) f.name = *v;
  if (auto v = cell("description")) f.description = *v;
  if (auto v = cell("ocop_group")) f.ocop_group = std::string(trim(*v));
  if (auto v = cell("unit")) f.unit = *v;

  std::string stars = f.certificate ? std::to_string(f.certificate->stars) : "";
  std::string no = f.certificate ? f.certificate->decision_no : "";
  std::string date = f.certificate ? f.certificate->decision_date : "";
  std::string issuer = f.certificate ? f.certificate->issuer : "";
  if (auto v = cell("ocop_stars")) stars = std::string(trim(*v));
  if (auto v = cell("decision_no")) no = *v;
  if (auto v = cell("decision_date")) date = std::string(trim(*v));
  if (auto v = cell("issuer")) issuer = *v;
  if (stars.empty() && trim(no).empty() && date.empty() && trim(issuer).empty()) {
    f.certificate.reset();
  } else {
    auto n = parse_count(stars);
    if (!n || *n > 9) {
      return invalid_input("ocop_stars must be 3, 4 or 5 when a certificate is given",
                           "ocop_stars");
    }
    f.certificate = OcopCertificate{static_cast<int>(*n), no, date, issuer};
  }

  if (auto v = cell("price_vnd")) {
    auto n = parse_count(*v);
    if (!n) return invalid_input("price_vnd must be a whole number of đồng", "price_vnd");
    f.price_vnd = *n;
  }
  if (auto v = cell("stock")) {
    if (trim(*v).empty()) {
      f.stock = 0;
    } else if (auto n = parse_count(*v)) {
      f.stock = *n;
    } else {
      return invalid_input("stock must be a whole number", "stock");
    }
  }
  if (auto v = cell("weight_g")) {
    if (trim(*v).empty()) {
      f.weight_g.reset();
    } else if (auto n = parse_count(*v)) {
      f.weight_g = *n;
    } else {
      return invalid_input("weight_g must be a whole number of grams", "weight_g");
    }
  }
  if (auto v = cell("status")) {
    auto s = trim(*v);
    if (!s.empty()) {
      auto status = parse_product_status(s);
      if (!status) return invalid_input("status must be active, draft or archived", "status");
      f.status = *status;
    }
  }
  return ProductStore::validate(std::move(f));
}

}  // namespace

Result<std::vector<CsvRecord>> parse_csv(std::string_view text) {
  std::vector<CsvRecord> records;
  if (auto failure = parse_records(text, records)) {
    return invalid_input("line " + std::to_string(failure->line) + ": " + failure->message);
  }
  return records;
}

namespace {

// What a spreadsheet runs as a formula when it starts a cell (or, for tab and carriage return,
// what it drops before looking for one).
constexpr std::string_view kFormulaStarts = "=+-@\t\r";

bool starts_formula(std::string_view value) {
  return !value.empty() && kFormulaStarts.find(value.front()) != std::string_view::npos;
}

// A cell csv_cell_value() would shorten: an apostrophe before a formula start or another
// apostrophe.
bool starts_escaped(std::string_view value) {
  return value.size() >= 2 && value.front() == '\'' &&
         (starts_formula(value.substr(1)) || value[1] == '\'');
}

}  // namespace

std::string spreadsheet_safe(std::string_view value) {
  if (starts_formula(value) || starts_escaped(value)) return "'" + std::string(value);
  return std::string(value);
}

std::string csv_cell_value(std::string_view cell) {
  if (starts_escaped(cell)) cell.remove_prefix(1);
  return std::string(cell);
}

std::string csv_field(std::string_view raw) {
  const std::string safe = spreadsheet_safe(raw);
  const std::string_view value = safe;
  bool quote = value.find_first_of(",\"\r\n") != std::string_view::npos ||
               (!value.empty() && (value.front() == ' ' || value.back() == ' '));
  if (!quote) return safe;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

Result<ImportReport> import_products_csv(Database& db, const Clock& clock, int64_t producer_id,
                                         std::string_view csv,
                                         const std::function<void(int64_t, int64_t)>& progress) {
  {
    auto s = db.prepare("SELECT 1 FROM producers WHERE id = ?1");
    if (!s) return s.error();
    s->bind(1, producer_id);
    auto row = s->step();
    if (!row) return row.error();
    if (!*row) return not_found("producer " + std::to_string(producer_id) + " not found");
  }
  ImportReport report;
  std::vector<CsvRecord> records;
  if (auto failure = parse_records(csv, records)) {
    report.errors.push_back({failure->line, "", failure->message});
    return report;
  }
  if (records.empty()) {
    report.errors.push_back({1, "", "the file has no header row"});
    return report;
  }
  std::map<std::string, size_t> columns;
  const auto& header = records.front();
  for (size_t i = 0; i < header.cells.size(); ++i) {
    std::string name(trim(header.cells[i]));
    bool known = std::find(std::begin(kProductCsvColumns), std::end(kProductCsvColumns), name) !=
                 std::end(kProductCsvColumns);
    if (!known) {
      report.errors.push_back({header.line, name, "unknown column '" + name + "'"});
    } else if (!columns.emplace(name, i).second) {
      report.errors.push_back({header.line, name, "column '" + name + "' appears twice"});
    }
  }
  if (!report.errors.empty()) return report;
  // Our own export wrote an apostrophe before cells a spreadsheet would run as formulas.
  for (size_t r = 1; r < records.size(); ++r) {
    for (auto& cell : records[r].cells) cell = csv_cell_value(cell);
  }
  if (!columns.contains("sku") && !columns.contains("name")) {
    report.errors.push_back({header.line, "", "the header needs a sku or a name column"});
    return report;
  }

  ProductStore store(db, clock);
  std::vector<Row> rows;
  std::set<std::string> skus_seen;
  for (size_t r = 1; r < records.size(); ++r) {
    const auto& record = records[r];
    if (record.cells.size() != header.cells.size()) {
      report.errors.push_back({record.line, "",
                               "expected " + std::to_string(header.cells.size()) +
                                   " fields, found " + std::to_string(record.cells.size())});
      continue;
    }
    Row row;
    row.line = record.line;
    ProductFields base;
    base.status = ProductStatus::active;
    std::string sku;
    if (auto it = columns.find("sku"); it != columns.end()) sku = trim(record.cells[it->second]);
    if (!sku.empty()) {
      if (!skus_seen.insert(sku).second) {
        report.errors.push_back({record.line, "sku", "sku " + sku + " appears twice in the file"});
        continue;
      }
      auto existing = store.find_by_sku(sku);
      if (existing) {
        if (existing->producer_id != producer_id) {
          report.errors.push_back(
              {record.line, "sku", "sku " + sku + " belongs to another producer"});
          continue;
        }
        row.existing_id = existing->id;
        base = existing->fields;
      } else if (existing.error().code != ErrorCode::not_found) {
        return existing.error();
      }
      base.sku = sku;
    }
    auto fields = apply_row(columns, record.cells, std::move(base));
    if (!fields) {
      report.errors.push_back({record.line, fields.error().field, fields.error().message});
      continue;
    }
    row.fields = std::move(*fields);
    rows.push_back(std::move(row));
  }
  report.rows = static_cast<int>(records.size() - 1);
  if (!report.errors.empty()) return report;

  // The caller's transaction when there is one (it may write more in it, and must then not
  // commit after a report with errors); otherwise one of our own.
  auto tx = db.begin_or_join();
  if (!tx) return tx.error();
  int64_t done = 0;
  for (auto& row : rows) {
    auto written = row.existing_id ? store.update(*row.existing_id, row.fields)
                                   : store.create(producer_id, row.fields);
    if (!written) {
      const auto& e = written.error();
      if (e.code == ErrorCode::unavailable || e.code == ErrorCode::internal) return e;
      report.errors.push_back({row.line, e.field, e.message});
      report.inserted = report.updated = 0;
      return report;  // the transaction rolls back
    }
    ++(row.existing_id ? report.updated : report.inserted);
    if (progress) progress(++done, static_cast<int64_t>(rows.size()));
  }
  if (auto committed = tx->commit(); !committed) return committed.error();
  return report;
}

std::string export_products_csv(const std::vector<Product>& products) {
  std::string out = "\xEF\xBB\xBF";
  for (size_t i = 0; i < std::size(kProductCsvColumns); ++i) {
    if (i) out += ',';
    out += kProductCsvColumns[i];
  }
  out += "\r\n";
  for (const auto& p : products) {
    const auto& f = p.fields;
    const auto* c = f.certificate ? &*f.certificate : nullptr;
    std::string cells[] = {f.sku,
                           f.name,
                           f.description,
                           f.ocop_group,
                           c ? std::to_string(c->stars) : "",
                           c ? c->decision_no : "",
                           c ? c->decision_date : "",
                           c ? c->issuer : "",
                           f.unit,
                           std::to_string(f.price_vnd),
                           std::to_string(f.stock),
                           f.weight_g ? std::to_string(*f.weight_g) : "",
                           product_status_name(f.status)};
    for (size_t i = 0; i < std::size(cells); ++i) {
      if (i) out += ',';
      out += csv_field(cells[i]);
    }
    out += "\r\n";
  }
  return out;
}

}  // namespace chophien::core
