// What the system cannot see, typed in by an officer (issue #8, "hand entry"): training events
// and sales a producer reports (cash at the fair, an order taken on Zalo). Both make the figures
// they enter "self-declared" (tự khai) on the dashboard and in every export. A producer's declared
// social channels are part of the producer register's form, not repeated here.
//
//   GET  /quan-ly/tu-khai                        the latest hand entries, with their reversals
//   GET  /quan-ly/tu-khai/tap-huan, POST same    a training event (core::TrainingLog)
//   GET  /quan-ly/tu-khai/ban-hang, POST same    a reported sale, into the ledger as hand_entry
//                                                with entered_by = the officer
//   POST /quan-ly/tu-khai/ban-hang/{id}/huy      reverses a hand-entered sale: the ledger is
//                                                append-only, so a reversal is a negative row of
//                                                the full amount referring to it, dated at the
//                                                original's time (a correction is a reversal
//                                                followed by a new entry)
//
// Officers and administrators only (a producer gets 403). Every change is one transaction with
// its action-log entry; bad input sends the form back with a Vietnamese message (400) and
// changes nothing.
#include <httplib.h>

#include <optional>
#include <string>
#include <vector>

#include "core/audit.h"
#include "core/indicators.h"
#include "core/ledger.h"
#include "core/producers.h"
#include "core/text.h"
#include "storefront/http_errors.h"
#include "storefront/routes.h"
#include "storefront/workspace.h"

namespace chophien::storefront {
namespace {

constexpr const char* kListPath = "/quan-ly/tu-khai";
constexpr const char* kTrainingPath = "/quan-ly/tu-khai/tap-huan";
constexpr const char* kSalePath = "/quan-ly/tu-khai/ban-hang";
constexpr int64_t kMaxAmountVnd = 10'000'000'000;

struct Choice {
  const char* value;
  const char* label;
};
// Channels a reported sale may have: the storefront and the stall QR record their own sales.
constexpr Choice kChannels[] = {
    {"cash", "Bán trực tiếp (chợ, hội chợ)"},
    {"social", "Mạng xã hội (Zalo, Facebook, TikTok)"},
    {"shopee", "Shopee"},
    {"lazada", "Lazada"},
    {"tiktok_shop", "TikTok Shop"},
    {"postmart", "postmart.vn"},
    {"voso", "voso.vn"},
    {"other", "Khác"},
};
constexpr Choice kSettlements[] = {
    {"cash", "Tiền mặt"},
    {"bank_transfer", "Chuyển khoản, QR"},
    {"e_wallet", "Ví điện tử"},
    {"marketplace", "Qua sàn"},
    {"card", "Thẻ"},
    {"other", "Khác"},
};

const char* label_of(const Choice* begin, const Choice* end, const std::string& value) {
  for (const Choice* c = begin; c != end; ++c)
    if (value == c->value) return c->label;
  return nullptr;
}

template <size_t N>
mustache::data choice_list(const Choice (&choices)[N], const std::string& selected) {
  mustache::data list{mustache::data::type::list};
  for (const Choice& c : choices) {
    mustache::data item;
    item.set("value", c.value);
    item.set("label", c.label);
    item.set("selected", mustache::data(selected == c.value));
    list.push_back(item);
  }
  return list;
}

// "1.500.000", "1 500 000" or "1500000" (đồng); nullopt when not a whole amount in range.
std::optional<int64_t> parse_amount(std::string text) {
  std::string digits;
  for (char c : text) {
    if (c >= '0' && c <= '9')
      digits += c;
    else if (c != '.' && c != ' ' && c != ',')
      return std::nullopt;
  }
  if (digits.empty() || digits.size() > 11) return std::nullopt;
  const int64_t value = std::stoll(digits);
  if (value < 1 || value > kMaxAmountVnd) return std::nullopt;
  return value;
}

std::optional<int64_t> parse_count(const std::string& text) {
  if (text.empty() || text.size() > 6) return std::nullopt;
  for (char c : text)
    if (c < '0' || c > '9') return std::nullopt;
  return std::stoll(text);
}

Result<mustache::data> producer_options(AppContext& app, core::Database& db,
                                        const std::string& selected) {
  core::ProducerStore producers(db, app.clock);
  core::ProducerFilter filter;
  filter.limit = 1000;
  auto list = producers.list(filter);
  if (!list) return list.error();
  mustache::data out{mustache::data::type::list};
  for (const auto& p : *list) {
    mustache::data item;
    item.set("value", std::to_string(p.id));
    item.set("label", p.fields.name);
    item.set("selected", mustache::data(selected == std::to_string(p.id)));
    out.push_back(item);
  }
  return out;
}

// Every area code with its latest name; ended units say until when.
Result<mustache::data> area_options(core::Database& db, const std::string& selected) {
  auto s = db.prepare(
      "SELECT code, full_name_vi, valid_to FROM areas a WHERE valid_from = (SELECT max(valid_from) "
      "FROM areas b WHERE b.code = a.code) ORDER BY length(code), code");
  if (!s) return s.error();
  mustache::data list{mustache::data::type::list};
  for (;;) {
    auto more = s->step();
    if (!more) return more.error();
    if (!*more) break;
    const std::string code = s->column_text(0);
    std::string label = code + " — " + s->column_text(1);
    if (!s->column_is_null(2)) label += " (đến " + s->column_text(2) + ")";
    mustache::data item;
    item.set("value", code);
    item.set("label", label);
    item.set("selected", mustache::data(code == selected));
    list.push_back(item);
  }
  return list;
}

std::string time_vi(int64_t unix_seconds) {
  return core::format_date_vi(core::vietnam_date(unix_seconds));
}

// ---- The list ----

void list_page(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_workspace(app, **db, req, res, {core::Role::officer, core::Role::admin});
  if (!ws) return;
  auto s = (*db)->prepare(
      "SELECT l.id, p.name, l.occurred_at, l.channel, l.settlement, l.amount_vnd, l.note, "
      "coalesce(nullif(u.display_name, ''), u.login), r.id, r.note FROM sales_ledger l "
      "JOIN producers p ON p.id = l.producer_id LEFT JOIN users u ON u.id = l.entered_by "
      "LEFT JOIN sales_ledger r ON r.refund_of = l.id "
      "WHERE l.source_kind = 'hand_entry' ORDER BY l.id DESC LIMIT 100");
  if (!s) return write_html_error(res, s.error(), 1);
  mustache::data sales{mustache::data::type::list};
  for (;;) {
    auto more = s->step();
    if (!more) return write_html_error(res, more.error(), 1);
    if (!*more) break;
    mustache::data item;
    item.set("id", std::to_string(s->column_int(0)));
    item.set("producer", s->column_text(1));
    item.set("date", time_vi(s->column_int(2)));
    const std::string channel = s->column_text(3), settlement = s->column_text(4);
    const char* ch = label_of(std::begin(kChannels), std::end(kChannels), channel);
    const char* st = label_of(std::begin(kSettlements), std::end(kSettlements), settlement);
    item.set("channel", ch ? ch : channel);
    item.set("settlement", st ? st : settlement);
    item.set("amount", core::format_vnd(s->column_int(5)));
    item.set("note", s->column_text(6));
    item.set("by", s->column_is_null(7) ? std::string("—") : s->column_text(7));
    if (!s->column_is_null(8)) {
      item.set("reversed", mustache::data(true));
      item.set("reversal_note", s->column_text(9));
    }
    sales.push_back(item);
  }
  const core::Date today = core::vietnam_date(app.clock.now());
  auto events = core::TrainingLog(**db, app.clock).list(core::Date{today.year - 2, 1, 1}, today);
  if (!events) return write_html_error(res, events.error(), 1);
  mustache::data trainings{mustache::data::type::list};
  for (auto it = events->rbegin(); it != events->rend(); ++it) {
    mustache::data item;
    item.set("date", core::format_date_vi(it->held_on));
    item.set("area", it->area.code);
    item.set("title", it->title);
    item.set("participants", std::to_string(it->participants));
    item.set("note", it->note);
    trainings.push_back(item);
  }
  mustache::data data;
  data.set("sales", sales);
  data.set("has_sales", mustache::data(!sales.is_empty_list()));
  data.set("trainings", trainings);
  data.set("has_trainings", mustache::data(!trainings.is_empty_list()));
  if (req.has_param("da-luu")) data.set("saved", mustache::data(true));
  write_workspace_page(app, *ws, req, res, "declared_list", std::move(data), "Số liệu tự khai");
}

// ---- Training events ----

struct TrainingForm {
  std::string held_on, area, title, participants, note;
};

void training_form(AppContext& app, core::Database& db, const Workspace& ws,
                   const httplib::Request& req, httplib::Response& res, const TrainingForm& f,
                   const std::string& error, int status) {
  auto areas = area_options(db, f.area);
  if (!areas) return write_html_error(res, areas.error(), 1);
  mustache::data data;
  data.set("held_on", f.held_on);
  data.set("areas", *areas);
  data.set("title", f.title);
  data.set("participants", f.participants);
  data.set("note", f.note);
  if (!error.empty()) data.set("error", error);
  write_workspace_page(app, ws, req, res, "declared_training", std::move(data), "Ghi lớp tập huấn",
                       status);
}

void get_training(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_workspace(app, **db, req, res, {core::Role::officer, core::Role::admin});
  if (!ws) return;
  TrainingForm f;
  f.held_on = core::format_iso_date(core::vietnam_date(app.clock.now()));
  training_form(app, **db, *ws, req, res, f, "", 200);
}

std::string training_message(const Error& e) {
  if (e.field == "area")
    return e.code == ErrorCode::not_found ? "Không có địa bàn này vào ngày tập huấn."
                                          : "Địa bàn không còn hiệu lực vào ngày tập huấn.";
  if (e.field == "held_on") return "Ngày tập huấn không được ở tương lai.";
  if (e.field == "title") return "Hãy nhập nội dung tập huấn (1–200 ký tự).";
  if (e.field == "participants") return "Số người tham gia phải từ 0 đến 100.000.";
  if (e.field == "note") return "Ghi chú không hợp lệ.";
  return e.message;
}

void post_training(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire_writer();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_workspace(app, **db, req, res, {core::Role::officer, core::Role::admin});
  if (!ws) return;
  TrainingForm f{form_value(req, "held_on"), form_value(req, "area"), form_value(req, "title"),
                 form_value(req, "participants"), form_value(req, "note")};
  auto fail = [&](const std::string& message) {
    training_form(app, **db, *ws, req, res, f, message, 400);
  };
  auto held_on = core::parse_iso_date(f.held_on);
  if (!held_on) return fail("Ngày tập huấn phải có dạng YYYY-MM-DD, ví dụ 2026-04-20.");
  if (f.area.empty() || f.area.size() > 16) return fail("Hãy chọn địa bàn.");
  auto participants = parse_count(f.participants);
  if (!participants) return fail("Số người tham gia phải là số nguyên từ 0 đến 100.000.");
  if (f.note.size() > 2000) return fail("Ghi chú quá dài (tối đa 2.000 ký tự).");
  core::TrainingEvent event;
  event.area.code = f.area;
  event.held_on = *held_on;
  event.title = f.title;
  event.participants = *participants;
  event.entered_by = ws->caller.user().id;
  event.note = f.note;
  auto tx = (*db)->begin();
  if (!tx) return write_html_error(res, tx.error(), 1);
  auto saved = core::TrainingLog(**db, app.clock).record(event);
  if (!saved) {
    if (saved.error().code == ErrorCode::invalid_input ||
        saved.error().code == ErrorCode::not_found)
      return fail(training_message(saved.error()));
    return write_html_error(res, saved.error(), 1);
  }
  core::AuditRecord record =
      ws->audit("training.record", saved->title + " · " + f.area + " · " + f.held_on + " · " +
                                       std::to_string(saved->participants) + " người");
  if (auto logged = core::AuditLog(**db, app.clock).record(record); !logged)
    return write_html_error(res, logged.error(), 1);
  if (auto done = tx->commit(); !done) return write_html_error(res, done.error(), 1);
  redirect_see_other(res, std::string(kListPath) + "?da-luu=1");
}

// ---- Reported sales ----

struct SaleForm {
  std::string producer, date, channel = "cash", settlement = "cash", amount, note;
};

void sale_form(AppContext& app, core::Database& db, const Workspace& ws,
               const httplib::Request& req, httplib::Response& res, const SaleForm& f,
               const std::string& error, int status) {
  auto producers = producer_options(app, db, f.producer);
  if (!producers) return write_html_error(res, producers.error(), 1);
  mustache::data data;
  data.set("producers", *producers);
  data.set("date", f.date);
  data.set("channels", choice_list(kChannels, f.channel));
  data.set("settlements", choice_list(kSettlements, f.settlement));
  data.set("amount", f.amount);
  data.set("note", f.note);
  if (!error.empty()) data.set("error", error);
  write_workspace_page(app, ws, req, res, "declared_sale", std::move(data), "Ghi bán hàng tự khai",
                       status);
}

void get_sale(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_workspace(app, **db, req, res, {core::Role::officer, core::Role::admin});
  if (!ws) return;
  SaleForm f;
  f.date = core::format_iso_date(core::vietnam_date(app.clock.now()));
  if (ws->producer_id) f.producer = std::to_string(*ws->producer_id);
  sale_form(app, **db, *ws, req, res, f, "", 200);
}

void post_sale(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire_writer();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_workspace(app, **db, req, res, {core::Role::officer, core::Role::admin});
  if (!ws) return;
  SaleForm f{form_value(req, "producer"),   form_value(req, "date"),   form_value(req, "channel"),
             form_value(req, "settlement"), form_value(req, "amount"), form_value(req, "note")};
  auto fail = [&](const std::string& message) {
    sale_form(app, **db, *ws, req, res, f, message, 400);
  };
  auto producer_id = parse_count(f.producer);
  if (f.producer.size() > 18 || !producer_id || *producer_id < 1)
    return fail("Hãy chọn nhà sản xuất.");
  core::ProducerStore producers(**db, app.clock);
  auto producer = producers.get(*producer_id);
  if (!producer) {
    if (producer.error().code == ErrorCode::not_found) return fail("Không có nhà sản xuất này.");
    return write_html_error(res, producer.error(), 1);
  }
  auto date = core::parse_iso_date(f.date);
  if (!date) return fail("Ngày bán phải có dạng YYYY-MM-DD, ví dụ 2026-04-20.");
  const core::Date today = core::vietnam_date(app.clock.now());
  if (today < *date) return fail("Ngày bán không được ở tương lai.");
  if (!label_of(std::begin(kChannels), std::end(kChannels), f.channel))
    return fail("Hãy chọn kênh bán (cửa hàng trực tuyến và QR tại quầy tự ghi, không nhập tay).");
  if (!label_of(std::begin(kSettlements), std::end(kSettlements), f.settlement))
    return fail("Hãy chọn hình thức thanh toán.");
  auto amount = parse_amount(f.amount);
  if (!amount) return fail("Số tiền phải là số nguyên từ 1 đến 10.000.000.000 ₫, ví dụ 150.000.");
  auto note = core::nfc(f.note);
  if (!note || note->size() > 2000) return fail("Ghi chú không hợp lệ hoặc quá dài.");
  core::SaleEntry e;
  e.producer_id = *producer_id;
  e.channel = f.channel;
  e.settlement = f.settlement;
  e.amount_vnd = *amount;
  // The day as reported; today's sale at the time it is entered, an earlier one at noon.
  e.occurred_at = *date == today ? app.clock.now() : core::vietnam_midnight(*date) + 12 * 3600;
  e.source_kind = "hand_entry";
  e.entered_by = ws->caller.user().id;
  e.note = *note;
  auto tx = (*db)->begin();
  if (!tx) return write_html_error(res, tx.error(), 1);
  {
    // Unique within the transaction (BEGIN IMMEDIATE): the row id this entry will get.
    auto next = (*db)->prepare("SELECT coalesce(max(id), 0) + 1 FROM sales_ledger");
    if (!next) return write_html_error(res, next.error(), 1);
    if (auto step = next->step(); !step) return write_html_error(res, step.error(), 1);
    e.source_ref =
        "cb" + std::to_string(ws->caller.user().id) + "-" + std::to_string(next->column_int(0));
  }
  auto row = core::Ledger(**db, app.clock).append(e);
  if (!row) {
    if (row.error().code == ErrorCode::invalid_input) return fail(row.error().message);
    return write_html_error(res, row.error(), 1);
  }
  core::AuditRecord record =
      ws->audit("sale.hand_entry", producer->fields.name + " · " + core::format_vnd(*amount) +
                                       " · " + f.channel + " · " + f.date);
  record.producer_id = *producer_id;
  if (auto logged = core::AuditLog(**db, app.clock).record(record); !logged)
    return write_html_error(res, logged.error(), 1);
  if (auto done = tx->commit(); !done) return write_html_error(res, done.error(), 1);
  redirect_see_other(res, std::string(kListPath) + "?da-luu=1");
}

void post_reverse(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire_writer();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_workspace(app, **db, req, res, {core::Role::officer, core::Role::admin});
  if (!ws) return;
  const auto id = parse_count(req.matches[1]);
  auto reason = core::nfc(form_value(req, "reason"));
  if (!reason || reason->empty() || reason->size() > 500)
    return write_html_error(
        res, Error{ErrorCode::invalid_input,
                   "Hãy ghi lý do huỷ (tối đa 500 ký tự), ví dụ: nhập nhầm số tiền.", "reason"});
  auto tx = (*db)->begin();
  if (!tx) return write_html_error(res, tx.error(), 1);
  int64_t producer_id = 0, amount = 0;
  std::string producer_name;
  {
    auto s = (*db)->prepare(
        "SELECT l.producer_id, l.amount_vnd, p.name, "
        "EXISTS (SELECT 1 FROM sales_ledger r WHERE r.refund_of = l.id) FROM sales_ledger l JOIN "
        "producers p ON p.id = l.producer_id WHERE l.id = ?1 AND l.source_kind = 'hand_entry'");
    if (!s) return write_html_error(res, s.error(), 1);
    s->bind(1, id.value_or(0));
    auto found = s->step();
    if (!found) return write_html_error(res, found.error(), 1);
    if (!id || !*found)
      return write_html_error(
          res, Error{ErrorCode::not_found, "Không có dòng bán hàng nhập tay này.", ""});
    if (s->column_int(3) != 0)
      return write_html_error(
          res, Error{ErrorCode::conflict, "Dòng này đã được huỷ hoặc hoàn tiền trước đó.", ""});
    producer_id = s->column_int(0);
    amount = s->column_int(1);
    producer_name = s->column_text(2);
  }
  auto row = core::Ledger(**db, app.clock)
                 .append_reversal(*id, ws->caller.user().id, "Huỷ nhập tay: " + *reason);
  if (!row) return write_html_error(res, row.error(), 1);
  core::AuditRecord record =
      ws->audit("sale.hand_entry.reverse", producer_name + " · " + core::format_vnd(amount) +
                                               " · dòng " + std::to_string(*id) + " · " + *reason);
  record.producer_id = producer_id;
  if (auto logged = core::AuditLog(**db, app.clock).record(record); !logged)
    return write_html_error(res, logged.error(), 1);
  if (auto done = tx->commit(); !done) return write_html_error(res, done.error(), 1);
  redirect_see_other(res, std::string(kListPath) + "?da-luu=1");
}

}  // namespace

void register_declared_routes(Router& router, AppContext& app) {
  router.get(kListPath, [&app](const auto& req, auto& res) { list_page(app, req, res); });
  router.get(kTrainingPath, [&app](const auto& req, auto& res) { get_training(app, req, res); });
  router.post(kTrainingPath, [&app](const auto& req, auto& res) { post_training(app, req, res); });
  router.get(kSalePath, [&app](const auto& req, auto& res) { get_sale(app, req, res); });
  router.post(kSalePath, [&app](const auto& req, auto& res) { post_sale(app, req, res); });
  router.post(R"(/quan-ly/tu-khai/ban-hang/(\d{1,18})/huy)",
              [&app](const auto& req, auto& res) { post_reverse(app, req, res); });
}

}  // namespace chophien::storefront
