// The producer register for officers and administrators (/quan-ly/nha-san-xuat): the list with
// filters by commune and entity type, a producer created together with its login in one
// transaction, the register fields edited (entity type, current commune, contact, the bank account
// checked against the bank directory, declared social channels, registration data), and a
// read-only page of one producer's products and orders with the helper-mode button.
//
// Every change is recorded in the action log in the transaction of the change. Bad input sends
// the form back with a Vietnamese message (400) and changes nothing.
#include <httplib.h>

#include <charconv>
#include <optional>
#include <string>
#include <vector>

#include "core/areas.h"
#include "core/audit.h"
#include "core/money.h"
#include "core/orders.h"
#include "core/producers.h"
#include "core/products.h"
#include "core/text.h"
#include "core/users.h"
#include "qr/banks.h"
#include "storefront/http_errors.h"
#include "storefront/marketplace_pages.h"
#include "storefront/receiving_account.h"
#include "storefront/routes.h"
#include "storefront/workspace.h"

namespace chophien::storefront {
namespace {

constexpr const char* kRegisterPath = "/quan-ly/nha-san-xuat";

struct EntityLabel {
  core::EntityType type;
  const char* label;
};
constexpr EntityLabel kEntityLabels[] = {
    {core::EntityType::cooperative, "Hợp tác xã"},
    {core::EntityType::cooperative_group, "Tổ hợp tác"},
    {core::EntityType::enterprise, "Doanh nghiệp"},
    {core::EntityType::household_business, "Hộ kinh doanh"},
};

const char* entity_label(core::EntityType type) {
  for (const auto& e : kEntityLabels)
    if (e.type == type) return e.label;
  return "";
}

std::optional<int64_t> parse_id(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1) return std::nullopt;
  return value;
}

std::string time_vi(int64_t unix_seconds) {
  const std::string rfc = core::format_rfc3339_vietnam(unix_seconds);
  return core::format_date_vi(core::vietnam_date(unix_seconds)) + " " + rfc.substr(11, 5);
}

bool bin_in_directory(std::string_view bin) { return qr::find_bank_by_bin(bin) != nullptr; }

// What core refuses that the form shows again with a message: a field, or an account another
// producer holds.
bool is_form_error(const Error& e) {
  return e.code == ErrorCode::invalid_input ||
         (e.code == ErrorCode::conflict && e.field == "bank.account");
}

// The Vietnamese message for a register field core refused.
std::string field_message(const Error& e) {
  const std::string& f = e.field;
  if (f == "name")
    return "Tên nhà sản xuất là bắt buộc, tối đa 200 ký tự, không có ký tự điều khiển.";
  if (f == "entity_type") return "Hãy chọn loại hình chủ thể.";
  if (f.starts_with("area")) return "Hãy chọn một xã, thị trấn đang có hiệu lực.";
  if (f == "phone") return "Số điện thoại không hợp lệ (ví dụ 0912345678 hoặc +84 912 345 678).";
  if (f == "address") return "Địa chỉ tối đa 300 ký tự, không có ký tự điều khiển.";
  if (f == "bank.bin")
    return "Ngân hàng không có trong danh mục ngân hàng (hoặc chưa chọn ngân hàng cho tài khoản).";
  if (f == "bank.account")
    return e.code == ErrorCode::conflict ? std::string(kAccountTakenMessage)
                                         : "Số tài khoản chỉ gồm chữ và số, tối đa 19 ký tự.";
  if (f == "bank.holder")
    return "Tên chủ tài khoản không hợp lệ (viết HOA không dấu, như ngân hàng hiển thị).";
  if (f == "social.zalo") return "Kênh Zalo không hợp lệ (số điện thoại hoặc đường dẫn).";
  if (f == "social.facebook") return "Trang Facebook không hợp lệ.";
  if (f == "social.tiktok") return "Kênh TikTok không hợp lệ.";
  if (f == "registration_no") return "Mã số thuế hoặc số đăng ký kinh doanh không hợp lệ.";
  if (f == "representative") return "Tên người đại diện không hợp lệ.";
  if (f == "ocop_registered_year") return "Năm tham gia OCOP không hợp lệ.";
  if (f == "notes") return "Ghi chú tối đa 2000 ký tự.";
  if (f == "status") return "Trạng thái không hợp lệ.";
  if (f == "login")
    return e.code == ErrorCode::conflict
               ? "Tên đăng nhập này đã có người dùng. Hãy chọn tên khác."
               : "Tên đăng nhập cần 3–64 ký tự: chữ, số, dấu chấm, gạch dưới, gạch ngang hoặc @.";
  if (f == "password") return "Mật khẩu cần 8–128 ký tự và không được trùng tên đăng nhập.";
  if (f == "display_name") return "Tên hiển thị tối đa 100 ký tự.";
  return "Dữ liệu không hợp lệ: " + e.message;
}

// What the register form sent, kept as typed so the form can be shown again.
struct RegisterForm {
  std::string name, entity_type, area_code, phone, address;
  std::string bank_bin, bank_account, bank_holder;
  std::string zalo, facebook, tiktok;
  std::string registration_no, representative, ocop_year, notes, status;
  std::string login, display_name;  // creation only (the password is never sent back)
};

RegisterForm read_form(const httplib::Request& req) {
  RegisterForm f;
  f.name = form_value(req, "name");
  f.entity_type = form_value(req, "entity_type");
  f.area_code = form_value(req, "area_code");
  f.phone = form_value(req, "phone");
  f.address = form_value(req, "address");
  f.bank_bin = form_value(req, "bank_bin");
  f.bank_account = form_value(req, "bank_account");
  f.bank_holder = form_value(req, "bank_holder");
  f.zalo = form_value(req, "social_zalo");
  f.facebook = form_value(req, "social_facebook");
  f.tiktok = form_value(req, "social_tiktok");
  f.registration_no = form_value(req, "registration_no");
  f.representative = form_value(req, "representative");
  f.ocop_year = form_value(req, "ocop_registered_year");
  f.notes = form_value(req, "notes");
  f.status = form_value(req, "status");
  f.login = form_value(req, "login");
  f.display_name = form_value(req, "display_name");
  return f;
}

RegisterForm form_of(const core::Producer& p) {
  RegisterForm f;
  const auto& x = p.fields;
  f.name = x.name;
  f.entity_type = std::string(core::entity_type_name(x.entity_type));
  f.area_code = x.area_code;
  f.phone = x.phone;
  f.address = x.address;
  f.bank_bin = x.bank.bin;
  f.bank_account = x.bank.account;
  f.bank_holder = x.bank.holder;
  f.zalo = x.social.zalo;
  f.facebook = x.social.facebook;
  f.tiktok = x.social.tiktok;
  f.registration_no = x.registration_no;
  f.representative = x.representative;
  if (x.ocop_registered_year) f.ocop_year = std::to_string(*x.ocop_registered_year);
  f.notes = x.notes;
  f.status = std::string(core::producer_status_name(x.status));
  return f;
}

std::string trim(std::string s) {
  const auto not_space = [](unsigned char c) {
    return c != ' ' && c != '\t' && c != '\r' && c != '\n';
  };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

// "Lương Thị Hoa" -> "LUONG THI HOA": what the bank app shows as the holder.
std::string bank_holder_form(std::string_view text) {
  std::string out = core::fold_ascii(text);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

// The checks the page adds to core's: the form's own fields and the bank's rules for the holder.
// `base` is the producer being edited (its fields not on the form are kept). An error names the
// form field in `field` and carries the Vietnamese message.
Result<core::ProducerFields> fields_of(const RegisterForm& f, core::ProducerFields base) {
  base.name = f.name;
  auto type = core::parse_entity_type(f.entity_type);
  if (!type) return Error{ErrorCode::invalid_input, "Hãy chọn loại hình chủ thể.", "entity_type"};
  base.entity_type = *type;
  if (trim(f.area_code).empty())
    return Error{ErrorCode::invalid_input, "Hãy chọn xã, thị trấn.", "area_code"};
  if (trim(f.area_code) != base.area_code) base.area_valid_from.clear();  // the current unit
  base.area_code = trim(f.area_code);
  base.phone = f.phone;
  base.address = f.address;
  base.bank.bin = trim(f.bank_bin);
  base.bank.account = trim(f.bank_account);
  const std::string holder = trim(f.bank_holder);
  if (!holder.empty()) {
    const bool banks_form = std::all_of(holder.begin(), holder.end(), [](char c) {
      return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' || c == '.' || c == '-' ||
             c == '&' || c == ',' || c == '(' || c == ')';
    });
    if (!banks_form || holder.size() > 100) {
      return Error{ErrorCode::invalid_input,
                   "Tên chủ tài khoản phải viết HOA không dấu như ngân hàng hiển thị, ví dụ “" +
                       bank_holder_form(holder.substr(0, 100)) + "”.",
                   "bank.holder"};
    }
  }
  base.bank.holder = holder;
  if (!base.bank.empty() &&
      (base.bank.bin.empty() || base.bank.account.empty() || base.bank.holder.empty())) {
    return Error{ErrorCode::invalid_input,
                 "Tài khoản ngân hàng cần đủ ngân hàng, số tài khoản và tên chủ tài khoản (hoặc "
                 "bỏ trống cả ba).",
                 "bank.bin"};
  }
  base.social.zalo = f.zalo;
  base.social.facebook = f.facebook;
  base.social.tiktok = f.tiktok;
  base.social.source = core::DeclaredBy::officer;
  base.registration_no = f.registration_no;
  base.representative = f.representative;
  const std::string year = trim(f.ocop_year);
  if (year.empty()) {
    base.ocop_registered_year.reset();
  } else {
    int value = 0;
    auto [end, ec] = std::from_chars(year.data(), year.data() + year.size(), value);
    if (ec != std::errc() || end != year.data() + year.size() || value < 2018 || value > 2100)
      return Error{ErrorCode::invalid_input,
                   "Năm tham gia OCOP là năm có 4 chữ số, từ 2018 trở đi.", "ocop_registered_year"};
    base.ocop_registered_year = value;
  }
  base.notes = f.notes;
  if (!f.status.empty()) {
    auto status = core::parse_producer_status(f.status);
    if (!status) return Error{ErrorCode::invalid_input, "Trạng thái không hợp lệ.", "status"};
    base.status = *status;
  }
  return base;
}

// Communes and townships valid today, for the area choice.
Result<mustache::data> area_options(AppContext& app, core::Database& db,
                                    const std::string& selected) {
  core::AreaStore areas(db);
  auto list = areas.valid_on(core::vietnam_date(app.clock.now()));
  if (!list) return list.error();
  mustache::data out{mustache::data::type::list};
  for (const auto& a : *list) {
    if (a.level == "province" || a.level == "district") continue;
    mustache::data item;
    item.set("code", a.key.code);
    item.set("name", a.full_name_vi);
    item.set("selected", mustache::data(a.key.code == selected));
    out.push_back(item);
  }
  return out;
}

mustache::data entity_options(const std::string& selected) {
  mustache::data out{mustache::data::type::list};
  for (const auto& e : kEntityLabels) {
    mustache::data item;
    item.set("value", std::string(core::entity_type_name(e.type)));
    item.set("label", e.label);
    item.set("selected", mustache::data(core::entity_type_name(e.type) == selected));
    out.push_back(item);
  }
  return out;
}

mustache::data bank_options(const std::string& selected) {
  mustache::data out{mustache::data::type::list};
  for (const auto& b : qr::banks()) {
    mustache::data item;
    item.set("bin", b.bin);
    item.set("name", b.short_name);
    item.set("selected", mustache::data(b.bin == selected));
    out.push_back(item);
  }
  return out;
}

void show_form(AppContext& app, const Workspace& ws, core::Database& db,
               const httplib::Request& req, httplib::Response& res, const RegisterForm& f,
               std::optional<int64_t> id, const std::string& error, const std::string& error_field,
               int status) {
  mustache::data data;
  data.set("name", f.name);
  data.set("phone", f.phone);
  data.set("address", f.address);
  data.set("bank_account", f.bank_account);
  data.set("bank_holder", f.bank_holder);
  data.set("social_zalo", f.zalo);
  data.set("social_facebook", f.facebook);
  data.set("social_tiktok", f.tiktok);
  data.set("registration_no", f.registration_no);
  data.set("representative", f.representative);
  data.set("ocop_registered_year", f.ocop_year);
  data.set("notes", f.notes);
  data.set("entity_types", entity_options(f.entity_type));
  data.set("banks", bank_options(f.bank_bin));
  auto areas = area_options(app, db, f.area_code);
  if (!areas) return write_html_error(res, areas.error(), 1);
  data.set("areas", *areas);
  if (id) {
    data.set("action", std::string(kRegisterPath) + "/" + std::to_string(*id));
    data.set("editing", mustache::data(true));
    data.set("id", std::to_string(*id));
    data.set("status_active", mustache::data(f.status != "inactive"));
  } else {
    data.set("action", std::string(kRegisterPath));
    data.set("login", f.login);
    data.set("display_name", f.display_name);
  }
  if (!error.empty()) {
    data.set("error", error);
    data.set("error_field", error_field);
  }
  write_workspace_page(app, ws, req, res, "ws_producer_form", std::move(data),
                       id ? "Sửa hồ sơ nhà sản xuất" : "Thêm nhà sản xuất", status);
}

// GET /quan-ly/nha-san-xuat?area=&type=
void list_page(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_workspace(app, **db, req, res, {core::Role::officer, core::Role::admin});
  if (!ws) return;
  const std::string area = form_value(req, "area");
  const std::string type = form_value(req, "type");
  core::ProducerFilter filter;
  filter.limit = 1000;
  mustache::data data;
  if (!area.empty()) filter.area_code = area;
  if (!type.empty()) {
    auto parsed = core::parse_entity_type(type);
    if (!parsed) {
      data.set("error", "Loại hình chủ thể không hợp lệ; đang hiện mọi loại hình.");
    } else {
      filter.entity_type = *parsed;
    }
  }
  core::ProducerStore producers(**db, app.clock);
  auto list = producers.list(filter);
  if (!list) return write_html_error(res, list.error(), 1);
  core::AreaStore areas(**db);
  mustache::data rows{mustache::data::type::list};
  for (const auto& p : *list) {
    mustache::data item;
    item.set("id", std::to_string(p.id));
    item.set("name", p.fields.name);
    item.set("type", entity_label(p.fields.entity_type));
    auto unit = areas.find(core::AreaKey{p.fields.area_code, p.fields.area_valid_from});
    item.set("area", unit ? unit->full_name_vi : p.fields.area_code);
    item.set("phone", p.fields.phone);
    item.set("inactive", mustache::data(p.fields.status == core::ProducerStatus::inactive));
    item.set("no_bank", mustache::data(p.fields.bank.empty()));
    rows.push_back(item);
  }
  auto area_list = area_options(app, **db, area);
  if (!area_list) return write_html_error(res, area_list.error(), 1);
  data.set("producers", rows);
  data.set("count", std::to_string(list->size()));
  data.set("has_producers", mustache::data(!rows.is_empty_list()));
  data.set("areas", *area_list);
  data.set("entity_types", entity_options(type));
  // The recent changes of receiving accounts, who made them and for whom: the first move of a
  // stolen session would be one of these.
  auto changes = core::AuditLog(**db, app.clock).recent_of(kAccountChangeAction, 20);
  if (!changes) return write_html_error(res, changes.error(), 1);
  mustache::data change_rows{mustache::data::type::list};
  for (const auto& c : *changes) {
    mustache::data row;
    row.set("at", time_vi(c.at));
    row.set("who", c.user_name);
    row.set("change", c.subject);
    if (c.producer_id) {
      row.set("producer_id", std::to_string(*c.producer_id));
      auto p = producers.get(*c.producer_id);
      row.set("producer", p ? p->fields.name : "#" + std::to_string(*c.producer_id));
    }
    change_rows.push_back(row);
  }
  data.set("account_changes", change_rows);
  data.set("has_account_changes", mustache::data(!change_rows.is_empty_list()));
  if (form_value(req, "ok") == "1") data.set("saved", mustache::data(true));
  write_workspace_page(app, *ws, req, res, "ws_producers", std::move(data), "Sổ nhà sản xuất");
}

void new_form(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_workspace(app, **db, req, res, {core::Role::officer, core::Role::admin});
  if (!ws) return;
  RegisterForm f;
  f.entity_type = "household_business";
  show_form(app, *ws, **db, req, res, f, std::nullopt, "", "", 200);
}

// POST /quan-ly/nha-san-xuat: the producer and its login, both or neither.
void create(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire_writer();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_workspace(app, **db, req, res, {core::Role::officer, core::Role::admin});
  if (!ws) return;
  const RegisterForm f = read_form(req);
  const std::string password = form_value(req, "password");
  auto refuse = [&](const std::string& message, const std::string& field) {
    show_form(app, *ws, **db, req, res, f, std::nullopt, message, field, 400);
  };
  auto fields = fields_of(f, core::ProducerFields{});
  if (!fields) return refuse(fields.error().message, fields.error().field);
  if (trim(f.login).empty()) return refuse("Hãy nhập tên đăng nhập cho nhà sản xuất.", "login");
  if (password.empty()) return refuse("Hãy nhập mật khẩu cho nhà sản xuất.", "password");

  auto transaction = (*db)->begin();
  if (!transaction) return write_html_error(res, transaction.error(), 1);
  core::ProducerStore producers(**db, app.clock, bin_in_directory);
  auto producer = producers.create(*fields);
  if (!producer) {
    if (!is_form_error(producer.error())) return write_html_error(res, producer.error(), 1);
    return show_form(app, *ws, **db, req, res, f, std::nullopt, field_message(producer.error()),
                     producer.error().field,
                     producer.error().code == ErrorCode::conflict ? 409 : 400);
  }
  core::Users users(**db, app.clock, api_options().users);
  core::NewUser user;
  user.login = trim(f.login);
  user.password = password;
  user.role = core::Role::producer;
  user.producer_id = producer->id;
  user.display_name = trim(f.display_name);
  user.must_change_password = true;  // the officer chose it: the producer picks its own
  user.only_first_login = true;      // a new producer has none; kept for the rule's sake
  auto created = users.create_user(user);
  if (!created) {
    const auto code = created.error().code;
    if (code != ErrorCode::invalid_input && code != ErrorCode::conflict)
      return write_html_error(res, created.error(), 1);
    return refuse(field_message(created.error()), created.error().field);  // rolls back
  }
  core::AuditLog log(**db, app.clock);
  auto record = ws->audit("producer.create", producer->fields.name);
  record.producer_id = producer->id;
  if (auto ok = log.record(record); !ok) return write_html_error(res, ok.error(), 1);
  record.action = "user.create";
  record.subject = created->login;
  if (auto ok = log.record(record); !ok) return write_html_error(res, ok.error(), 1);
  if (auto ok = transaction->commit(); !ok) return write_html_error(res, ok.error(), 1);
  redirect_see_other(res,
                     std::string(kRegisterPath) + "/" + std::to_string(producer->id) + "?ok=1");
}

std::optional<int64_t> id_of(const httplib::Request& req, httplib::Response& res) {
  auto id = parse_id(req.matches[1].str());
  if (!id) write_html_error(res, Error{ErrorCode::not_found, "Không có nhà sản xuất này.", ""});
  return id;
}

void edit_form(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_workspace(app, **db, req, res, {core::Role::officer, core::Role::admin});
  if (!ws) return;
  auto id = id_of(req, res);
  if (!id) return;
  core::ProducerStore producers(**db, app.clock);
  auto p = producers.get(*id);
  if (!p) return write_html_error(res, p.error(), 1);
  show_form(app, *ws, **db, req, res, form_of(*p), *id, "", "", 200);
}

// POST /quan-ly/nha-san-xuat/{id}: the register fields.
void update(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire_writer();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_workspace(app, **db, req, res, {core::Role::officer, core::Role::admin});
  if (!ws) return;
  auto id = id_of(req, res);
  if (!id) return;
  const RegisterForm f = read_form(req);
  auto transaction = (*db)->begin();
  if (!transaction) return write_html_error(res, transaction.error(), 1);
  core::ProducerStore producers(**db, app.clock, bin_in_directory);
  auto current = producers.get(*id);
  if (!current) return write_html_error(res, current.error(), 1);
  auto fields = fields_of(f, current->fields);
  if (!fields)
    return show_form(app, *ws, **db, req, res, f, *id, fields.error().message, fields.error().field,
                     400);
  auto updated = producers.update(*id, *fields);
  if (!updated) {
    if (!is_form_error(updated.error())) return write_html_error(res, updated.error(), 1);
    return show_form(app, *ws, **db, req, res, f, *id, field_message(updated.error()),
                     updated.error().field,
                     updated.error().code == ErrorCode::conflict ? 409 : 400);
  }
  auto record = ws->audit("producer.update", updated->fields.name);
  record.producer_id = *id;
  if (auto ok = core::AuditLog(**db, app.clock).record(record); !ok)
    return write_html_error(res, ok.error(), 1);
  // An officer keeps the register without the producer's password, but the change of account is
  // logged as the producer's own would be (storefront/receiving_account.h).
  if (auto ok = record_account_change(**db, app.clock, record, current->fields.bank,
                                      updated->fields.bank);
      !ok)
    return write_html_error(res, ok.error(), 1);
  if (auto ok = transaction->commit(); !ok) return write_html_error(res, ok.error(), 1);
  redirect_see_other(res, std::string(kRegisterPath) + "/" + std::to_string(*id) + "?ok=1");
}

// GET /quan-ly/nha-san-xuat/{id}: the register entry, products and orders, read-only.
void producer_page(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_workspace(app, **db, req, res, {core::Role::officer, core::Role::admin});
  if (!ws) return;
  auto id = id_of(req, res);
  if (!id) return;
  core::ProducerStore producers(**db, app.clock);
  auto p = producers.get(*id);
  if (!p) return write_html_error(res, p.error(), 1);
  const auto& x = p->fields;
  mustache::data data;
  data.set("id", std::to_string(p->id));
  data.set("name", x.name);
  data.set("type", entity_label(x.entity_type));
  core::AreaStore areas(**db);
  auto unit = areas.find(core::AreaKey{x.area_code, x.area_valid_from});
  data.set("area", unit ? unit->full_name_vi : x.area_code);
  data.set("phone", x.phone);
  data.set("address", x.address);
  if (!x.bank.empty()) {
    const qr::Bank* bank = qr::find_bank_by_bin(x.bank.bin);
    data.set("bank", bank ? bank->short_name : x.bank.bin);
    data.set("bank_account", x.bank.account);
    data.set("bank_holder", x.bank.holder);
  }
  data.set("zalo", x.social.zalo);
  data.set("facebook", x.social.facebook);
  data.set("tiktok", x.social.tiktok);
  data.set("registration_no", x.registration_no);
  data.set("representative", x.representative);
  if (x.ocop_registered_year) data.set("ocop_year", std::to_string(*x.ocop_registered_year));
  data.set("notes", x.notes);
  data.set("inactive", mustache::data(x.status == core::ProducerStatus::inactive));
  if (form_value(req, "ok") == "1") data.set("saved", mustache::data(true));

  core::ProductStore products(**db, app.clock);
  auto product_list = products.list_by_producer(*id);
  if (!product_list) return write_html_error(res, product_list.error(), 1);
  mustache::data product_rows{mustache::data::type::list};
  for (const auto& item : *product_list) {
    mustache::data row;
    row.set("name", item.fields.name);
    row.set("price", core::format_vnd(item.fields.price_vnd));
    row.set("stock", std::to_string(item.fields.stock));
    row.set("status", item.fields.status == core::ProductStatus::active ? "đang bán" : "ngừng bán");
    if (item.fields.certificate)
      row.set("stars", std::to_string(item.fields.certificate->stars) + "★");
    product_rows.push_back(row);
  }
  data.set("products", product_rows);
  data.set("has_products", mustache::data(!product_rows.is_empty_list()));
  add_producer_marketplace(**db, app.clock, *id, *product_list, data);

  core::OrderStore orders(**db, app.clock);
  core::OrderQuery query;
  query.producer_id = *id;
  query.limit = 50;
  auto order_list = orders.list(query);
  if (!order_list) return write_html_error(res, order_list.error(), 1);
  mustache::data order_rows{mustache::data::type::list};
  for (const auto& o : *order_list) {
    mustache::data row;
    row.set("code", o.code);
    row.set("at", time_vi(o.created_at));
    row.set("customer", o.customer_name);
    row.set("total", core::format_vnd(o.total_vnd));
    row.set("status", core::order_status_name(o.status));
    order_rows.push_back(row);
  }
  data.set("orders", order_rows);
  data.set("has_orders", mustache::data(!order_rows.is_empty_list()));

  core::Users users(**db, app.clock, api_options().users);
  auto user_list = users.list_users();
  if (!user_list) return write_html_error(res, user_list.error(), 1);
  mustache::data logins{mustache::data::type::list};
  for (const auto& u : *user_list) {
    if (u.producer_id != *id) continue;
    mustache::data row;
    row.set("login", u.login);
    row.set("disabled", mustache::data(u.status == core::UserStatus::disabled));
    logins.push_back(row);
  }
  data.set("logins", logins);
  write_workspace_page(app, *ws, req, res, "ws_producer", std::move(data), x.name);
}

}  // namespace

void register_workspace_register_routes(Router& router, AppContext& app) {
  router.get(kRegisterPath, [&app](const auto& req, auto& res) { list_page(app, req, res); });
  router.post(kRegisterPath, [&app](const auto& req, auto& res) { create(app, req, res); });
  router.get("/quan-ly/nha-san-xuat/moi",
             [&app](const auto& req, auto& res) { new_form(app, req, res); });
  router.get(R"(/quan-ly/nha-san-xuat/(\d{1,18}))",
             [&app](const auto& req, auto& res) { producer_page(app, req, res); });
  router.post(R"(/quan-ly/nha-san-xuat/(\d{1,18}))",
              [&app](const auto& req, auto& res) { update(app, req, res); });
  router.get(R"(/quan-ly/nha-san-xuat/(\d{1,18})/sua)",
             [&app](const auto& req, auto& res) { edit_form(app, req, res); });
}

}  // namespace chophien::storefront
