// The producer's products in the workspace:
//   GET  /quan-ly/san-pham                 the list (every status), CSV download and upload
//   GET  /quan-ly/san-pham/moi             an empty form; POST /quan-ly/san-pham creates
//   GET  /quan-ly/san-pham/{id}            the form of one product; POST saves it
//   POST /quan-ly/san-pham/{id}/luu-tru    archives it (no longer sold, kept for old orders)
//   GET  /quan-ly/san-pham.csv             the products as CSV (docs/products-csv.md)
//   POST /quan-ly/san-pham/nhap-csv        imports a CSV file (all rows or none)
//   POST /quan-ly/san-pham/{id}/anh        adds a photo (multipart field `photo`, from a phone)
//   POST /quan-ly/san-pham/{id}/anh/{photo}/len-dau   makes it the main photo
//   POST /quan-ly/san-pham/{id}/anh/{photo}/xoa       removes it
// Photos are checked, decoded and resized by storefront/photos.h (libvips).
// For producers and for officers or administrators in helper mode. Another producer's product
// is 404 (its existence is not revealed). Every change is in the action log, in the same
// transaction. Bad input: the form again with a Vietnamese message per field (400), nothing
// written.
#include <httplib.h>

#include <cctype>
#include <string>
#include <vector>

#include "core/audit.h"
#include "core/money.h"
#include "core/ocop.h"
#include "core/product_csv.h"
#include "core/products.h"
#include "core/text.h"
#include "storefront/http_errors.h"
#include "storefront/marketplace_pages.h"
#include "storefront/photos.h"
#include "storefront/routes.h"
#include "storefront/workspace.h"

namespace chophien::storefront {
namespace {

constexpr const char* kList = "/quan-ly/san-pham";
constexpr size_t kMaxCsvBytes = 2 * 1024 * 1024;

// The form's text as the producer typed it, to show again with the messages.
struct ProductForm {
  std::string name, description, ocop_group, stars, decision_no, decision_date, issuer, unit, price,
      stock, weight, status = "active", sku;
};

ProductForm form_of(const core::ProductFields& f) {
  ProductForm form;
  form.name = f.name;
  form.description = f.description;
  form.ocop_group = f.ocop_group;
  if (f.certificate) {
    form.stars = std::to_string(f.certificate->stars);
    form.decision_no = f.certificate->decision_no;
    form.decision_date = f.certificate->decision_date;
    form.issuer = f.certificate->issuer;
  }
  form.unit = f.unit;
  form.price = std::to_string(f.price_vnd);
  form.stock = std::to_string(f.stock);
  form.weight = f.weight_g ? std::to_string(*f.weight_g) : "";
  form.status = core::product_status_name(f.status);
  form.sku = f.sku;
  return form;
}

ProductForm form_of(const httplib::Request& req) {
  ProductForm form;
  form.name = form_value(req, "name");
  form.description = form_value(req, "description");
  form.ocop_group = form_value(req, "ocop_group");
  form.stars = form_value(req, "stars");
  form.decision_no = form_value(req, "decision_no");
  form.decision_date = form_value(req, "decision_date");
  form.issuer = form_value(req, "issuer");
  form.unit = form_value(req, "unit");
  form.price = form_value(req, "price");
  form.stock = form_value(req, "stock");
  form.weight = form_value(req, "weight");
  form.status = form_value(req, "status");
  form.sku = form_value(req, "sku");
  return form;
}

// Whole numbers as people type them: "120000", "120.000", "120 000". nullopt otherwise.
std::optional<int64_t> parse_whole(std::string_view text) {
  std::string digits;
  for (char c : text) {
    if (c >= '0' && c <= '9')
      digits += c;
    else if (c != '.' && c != ' ' && c != ',')
      return std::nullopt;
  }
  if (digits.empty() || digits.size() > 15) return std::nullopt;
  return std::stoll(digits);
}

std::string message_for(const std::string& field) {
  if (field == "name") return "Hãy nhập tên sản phẩm (tối đa 200 ký tự, không có ký tự lạ).";
  if (field == "description") return "Mô tả quá dài hoặc có ký tự không hợp lệ.";
  if (field == "unit") return "Hãy nhập đơn vị bán, ví dụ “gói 500 g”.";
  if (field == "ocop_group") return "Hãy chọn nhóm sản phẩm OCOP.";
  if (field == "stars") return "Số sao OCOP phải là 3, 4 hoặc 5, hoặc để trống nếu chưa có.";
  if (field == "certificate")
    return "Sản phẩm có sao OCOP cần đủ số quyết định, ngày quyết định và cơ quan cấp.";
  if (field == "decision_date") return "Ngày quyết định phải là một ngày có thật (YYYY-MM-DD).";
  if (field == "price") return "Giá phải là số đồng từ 0 đến 10.000.000.000, ví dụ 120.000.";
  if (field == "stock") return "Số lượng tồn phải là số nguyên từ 0 đến 1.000.000.000.";
  if (field == "weight") return "Khối lượng (gam) phải từ 1 đến 1.000.000, hoặc để trống.";
  if (field == "status") return "Hãy chọn trạng thái: đang bán hoặc bản nháp.";
  if (field == "sku") return "Mã SKU chỉ gồm chữ, số, dấu chấm, gạch dưới, gạch ngang (tối đa 64).";
  return "Giá trị không hợp lệ.";
}

// The form's fields for the core, or the first field at fault (form names).
// `allow_archived`: the product is archived already and may stay so.
Result<core::ProductFields> fields_of(const ProductForm& form, bool allow_archived) {
  core::ProductFields f;
  f.name = form.name;
  f.description = form.description;
  f.ocop_group = form.ocop_group;
  f.unit = form.unit;
  f.sku = form.sku;
  if (!form.stars.empty() || !form.decision_no.empty() || !form.decision_date.empty() ||
      !form.issuer.empty()) {
    if (form.stars != "3" && form.stars != "4" && form.stars != "5")
      return invalid_input(message_for("stars"), "stars");
    if (form.decision_no.empty() || form.decision_date.empty() || form.issuer.empty())
      return invalid_input(message_for("certificate"), "certificate");
    f.certificate = core::OcopCertificate{form.stars[0] - '0', form.decision_no, form.decision_date,
                                          form.issuer};
  }
  auto price = parse_whole(form.price);
  if (!price) return invalid_input(message_for("price"), "price");
  f.price_vnd = *price;
  auto stock = parse_whole(form.stock);
  if (!stock) return invalid_input(message_for("stock"), "stock");
  f.stock = *stock;
  if (!form.weight.empty()) {
    auto weight = parse_whole(form.weight);
    if (!weight) return invalid_input(message_for("weight"), "weight");
    f.weight_g = *weight;
  }
  auto status = core::parse_product_status(form.status);
  if (!status || (*status == core::ProductStatus::archived && !allow_archived))
    return invalid_input(message_for("status"), "status");
  f.status = *status;
  return f;
}

// The core's field names to the form's.
std::string form_field(const std::string& core_field) {
  if (core_field == "price_vnd") return "price";
  if (core_field == "weight_g") return "weight";
  if (core_field == "ocop_stars") return "stars";
  if (core_field == "decision_no" || core_field == "issuer") return "certificate";
  return core_field;
}

mustache::data form_data(const ProductForm& form) {
  mustache::data data;
  data.set("name", form.name);
  data.set("description", form.description);
  data.set("decision_no", form.decision_no);
  data.set("decision_date", form.decision_date);
  data.set("issuer", form.issuer);
  data.set("unit", form.unit);
  data.set("price", form.price);
  data.set("stock", form.stock);
  data.set("weight", form.weight);
  data.set("sku", form.sku);
  mustache::data groups{mustache::data::type::list};
  for (const auto& g : core::ocop_groups()) {
    mustache::data item;
    item.set("code", g.code);
    item.set("label", g.code + " — " + g.name_vi);
    item.set("selected", mustache::data(g.code == form.ocop_group));
    groups.push_back(item);
  }
  data.set("groups", groups);
  mustache::data stars{mustache::data::type::list};
  for (const char* s : {"", "3", "4", "5"}) {
    mustache::data item;
    item.set("value", s);
    item.set("label", *s ? std::string(s) + " sao" : std::string("Chưa có"));
    item.set("selected", mustache::data(form.stars == s));
    stars.push_back(item);
  }
  data.set("stars", stars);
  data.set("active", mustache::data(form.status == "active"));
  data.set("draft", mustache::data(form.status == "draft"));
  data.set("archived", mustache::data(form.status == "archived"));
  return data;
}

// The product `id` when it belongs to the workspace's producer; 404 page otherwise.
std::optional<core::Product> own_product(core::Database& db, AppContext& app, const Workspace& ws,
                                         const httplib::Request& req, httplib::Response& res) {
  const auto id = std::stoll(req.matches[1]);  // the route allows 1-18 digits only
  core::ProductStore products(db, app.clock);
  auto p = products.find(id);
  if (!p || p->producer_id != *ws.producer_id) {
    if (p || p.error().code == ErrorCode::not_found)
      write_html_error(res, Error{ErrorCode::not_found, "Không có sản phẩm này.", ""});
    else
      write_html_error(res, p.error(), 1);
    return std::nullopt;
  }
  return *p;
}

// The product's photos for the form: a small copy of each, the main one first.
mustache::data photos_data(core::Database& db, AppContext& app, const Workspace& ws, int64_t id) {
  mustache::data list{mustache::data::type::list};
  auto photos = product_photos(db, app.clock, *ws.producer_id, id);
  if (!photos) return list;  // the form still works; the shop page shows the same failure
  for (const auto& photo : *photos) {
    mustache::data item;
    item.set("photo_id", std::to_string(photo.id));
    item.set("src", photo_src(photo, 160));
    item.set("height", std::to_string(photo_height_at(photo, 160)));
    item.set("main", mustache::data(photo.position == 0));
    list.push_back(item);
  }
  return list;
}

void show_form(AppContext& app, core::Database& db, const Workspace& ws,
               const httplib::Request& req, httplib::Response& res, const ProductForm& form,
               int64_t id, const std::optional<Error>& error, int status,
               const PublishRefill* refill = nullptr) {
  mustache::data data = form_data(form);
  if (id != 0) {
    data.set("action", std::string(kList) + "/" + std::to_string(id));
    data.set("id", std::to_string(id));
    data.set("editing", mustache::data(true));
    mustache::data photos = photos_data(db, app, ws, id);
    data.set("has_photos", mustache::data(!photos.is_empty_list()));
    data.set("photos", photos);
    data.set("max_photo_mb", std::to_string(core::kMaxPhotoBytes / (1024 * 1024)));
    if (auto product = core::ProductStore(db, app.clock).find(id)) {
      add_marketplace_listings(db, app.clock, *product, data, refill);
    }
  } else {
    data.set("action", std::string(kList));
  }
  if (error) {
    data.set("error", error->message);
    if (!error->field.empty()) data.set("error_" + error->field, error->message);
  }
  write_workspace_page(app, ws, req, res, "ws_product_form", std::move(data),
                       id != 0 ? "Sửa sản phẩm" : "Thêm sản phẩm", status);
}

void list_page(AppContext& app, const httplib::Request& req, httplib::Response& res,
               const std::string& notice = {}, const std::string& problem = {},
               const std::vector<core::CsvRowError>& rows = {}, int status = 200) {
  auto db = app.db.acquire();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_producer_workspace(app, **db, req, res);
  if (!ws) return;
  core::ProductStore products(**db, app.clock);
  auto list = products.list_by_producer(*ws->producer_id);
  if (!list) return write_html_error(res, list.error(), 1);
  const core::Date today = core::vietnam_date(app.clock.now());
  mustache::data items{mustache::data::type::list};
  for (const auto& p : *list) {
    mustache::data item;
    item.set("id", std::to_string(p.id));
    item.set("name", p.fields.name);
    item.set("sku", p.fields.sku);
    item.set("price", core::format_vnd(p.fields.price_vnd));
    item.set("stock", std::to_string(p.fields.stock));
    item.set("out", mustache::data(p.fields.stock == 0));
    item.set("status", std::string(p.fields.status == core::ProductStatus::active  ? "Đang bán"
                                   : p.fields.status == core::ProductStatus::draft ? "Bản nháp"
                                                                                   : "Đã lưu trữ"));
    item.set("archived", mustache::data(p.fields.status == core::ProductStatus::archived));
    if (p.fields.certificate) {
      item.set("stars", std::to_string(p.fields.certificate->stars));
      if (auto ends = core::certificate_expires(p)) {
        item.set("cert_ends", core::format_date_vi(*ends));
        item.set("cert_valid", mustache::data(core::certificate_valid_on(p, today)));
      }
    }
    items.push_back(item);
  }
  mustache::data data;
  data.set("products", items);
  data.set("has_products", mustache::data(!items.is_empty_list()));
  if (!notice.empty()) data.set("notice", notice);
  if (!problem.empty()) data.set("problem", problem);
  mustache::data row_errors{mustache::data::type::list};
  for (const auto& r : rows) {
    mustache::data item;
    item.set("line", std::to_string(r.line));
    item.set("field", r.field);
    item.set("message", r.message);
    row_errors.push_back(item);
  }
  data.set("row_errors", row_errors);
  data.set("has_row_errors", mustache::data(!rows.empty()));
  write_workspace_page(app, *ws, req, res, "ws_products", std::move(data), "Sản phẩm", status);
}

void new_form(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_producer_workspace(app, **db, req, res);
  if (!ws) return;
  ProductForm form;
  form.ocop_group = "G1";
  form.stock = "0";
  show_form(app, **db, *ws, req, res, form, 0, std::nullopt, 200);
}

void edit_form(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_producer_workspace(app, **db, req, res);
  if (!ws) return;
  auto p = own_product(**db, app, *ws, req, res);
  if (!p) return;
  show_form(app, **db, *ws, req, res, form_of(p->fields), p->id, std::nullopt, 200);
}

// Create (no id) or update: validate, write and log in one transaction, then 303 to the list.
void save(AppContext& app, const httplib::Request& req, httplib::Response& res, bool update) {
  auto db = app.db.acquire_writer();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_producer_workspace(app, **db, req, res);
  if (!ws) return;
  std::optional<core::Product> existing;
  if (update) {
    existing = own_product(**db, app, *ws, req, res);
    if (!existing) return;
  }
  const ProductForm form = form_of(req);
  const int64_t id = existing ? existing->id : 0;  // 0: a new product
  auto fields =
      fields_of(form, existing && existing->fields.status == core::ProductStatus::archived);
  if (!fields) return show_form(app, **db, *ws, req, res, form, id, fields.error(), 400);
  auto checked = core::ProductStore::validate(*fields);
  if (!checked) {
    const std::string field = form_field(checked.error().field);
    return show_form(app, **db, *ws, req, res, form, id,
                     Error{ErrorCode::invalid_input, message_for(field), field}, 400);
  }
  auto tx = (*db)->begin();
  if (!tx) return write_html_error(res, tx.error(), 1);
  core::ProductStore products(**db, app.clock);
  auto saved = update ? products.update(existing->id, *checked)
                      : products.create(*ws->producer_id, *checked);
  if (!saved) {
    if (saved.error().code == ErrorCode::conflict)
      return show_form(
          app, **db, *ws, req, res, form, id,
          Error{ErrorCode::conflict, "Mã SKU này đã được dùng cho sản phẩm khác.", "sku"}, 409);
    if (saved.error().code == ErrorCode::invalid_input) {
      const std::string field = form_field(saved.error().field);
      return show_form(app, **db, *ws, req, res, form, id,
                       Error{ErrorCode::invalid_input, message_for(field), field}, 400);
    }
    return write_html_error(res, saved.error(), 1);
  }
  auto logged =
      core::AuditLog(**db, app.clock)
          .record(ws->audit(update ? "product.update" : "product.create", saved->fields.name));
  if (!logged) return write_html_error(res, logged.error(), 1);
  if (auto done = tx->commit(); !done) return write_html_error(res, done.error(), 1);
  redirect_see_other(res, std::string(kList) + "?luu=" + std::to_string(saved->id));
}

void archive(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire_writer();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_producer_workspace(app, **db, req, res);
  if (!ws) return;
  auto p = own_product(**db, app, *ws, req, res);
  if (!p) return;
  auto tx = (*db)->begin();
  if (!tx) return write_html_error(res, tx.error(), 1);
  core::ProductFields fields = p->fields;
  fields.status = core::ProductStatus::archived;
  core::ProductStore products(**db, app.clock);
  if (auto saved = products.update(p->id, fields); !saved)
    return write_html_error(res, saved.error(), 1);
  if (auto logged =
          core::AuditLog(**db, app.clock).record(ws->audit("product.archive", p->fields.name));
      !logged)
    return write_html_error(res, logged.error(), 1);
  if (auto done = tx->commit(); !done) return write_html_error(res, done.error(), 1);
  redirect_see_other(res, kList);
}

void export_csv(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_producer_workspace(app, **db, req, res);
  if (!ws) return;
  core::ProductStore products(**db, app.clock);
  auto list = products.list_by_producer(*ws->producer_id);
  if (!list) return write_html_error(res, list.error(), 1);
  res.set_header("Content-Disposition", "attachment; filename=\"san-pham.csv\"");
  res.set_content(core::export_products_csv(*list), "text/csv; charset=utf-8");
}

void import_csv(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  const bool have_file = req.has_file("file") && !req.get_file_value("file").content.empty();
  const std::string csv = have_file ? req.get_file_value("file").content : std::string();
  std::string notice, problem;
  std::vector<core::CsvRowError> rows;
  int status = 200;
  {
    auto db = app.db.acquire_writer();
    if (!db) return write_html_error(res, db.error(), 1);
    auto ws = open_producer_workspace(app, **db, req, res);  // session and CSRF first
    if (!ws) return;
    if (!have_file) {
      problem = "Hãy chọn một tệp CSV để nhập.";
      status = 400;
    } else if (csv.size() > kMaxCsvBytes) {
      problem = "Tệp quá lớn: tối đa 2 MB.";
      status = 413;
    } else {
      auto tx = (*db)->begin();
      if (!tx) return write_html_error(res, tx.error(), 1);
      auto report = core::import_products_csv(**db, app.clock, *ws->producer_id, csv);
      if (!report && report.error().code != ErrorCode::invalid_input)
        return write_html_error(res, report.error(), 1);
      if (!report) {
        problem = "Không đọc được tệp CSV: " + report.error().message;
        status = 400;
      } else if (!report->ok()) {
        problem = "Không nhập dòng nào: tệp có " + std::to_string(report->errors.size()) +
                  " dòng lỗi. Sửa các dòng dưới đây rồi nhập lại.";
        rows = report->errors;
        status = 400;
      } else {
        const std::string summary = std::to_string(report->inserted) + " sản phẩm mới, " +
                                    std::to_string(report->updated) + " sản phẩm được cập nhật";
        auto logged =
            core::AuditLog(**db, app.clock).record(ws->audit("product.import_csv", summary));
        if (!logged) return write_html_error(res, logged.error(), 1);
        if (auto done = tx->commit(); !done) return write_html_error(res, done.error(), 1);
        notice = "Đã nhập " + std::to_string(report->rows) + " dòng: " + summary + ".";
      }
    }  // a transaction not committed rolls back here: nothing of a bad file is kept
  }
  list_page(app, req, res, notice, problem, rows, status);
}

// The Vietnamese part of a photo error ("Vietnamese / English").
std::string vietnamese_part(const std::string& message) {
  const auto cut = message.find(" / ");
  return cut == std::string::npos ? message : message.substr(0, cut);
}

std::string edit_path(int64_t id) { return std::string(kList) + "/" + std::to_string(id); }

// POST /quan-ly/san-pham/{id}/anh: a photo from the phone, checked by its content. A refusal
// shows the form again with the message under the upload field, nothing stored.
void add_photo(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  const std::string bytes = req.has_file("photo") ? req.get_file_value("photo").content : "";
  {
    // Session, CSRF and the product first, on a reader: a stranger's upload costs no decoding.
    auto db = app.db.acquire();
    if (!db) return write_html_error(res, db.error(), 1);
    auto ws = open_producer_workspace(app, **db, req, res);
    if (!ws || !own_product(**db, app, *ws, req, res)) return;
  }
  // Decoded by the helper before the writer lock is taken: a hostile file may keep it busy for up
  // to 60 s, and every checkout and payment waits for that lock.
  auto prepared = prepare_photo(bytes);
  if (!prepared) {
    const ErrorCode code = prepared.error().code;
    if (code != ErrorCode::invalid_input && code != ErrorCode::too_large)
      return write_html_error(res, prepared.error(), 1);
    auto db = app.db.acquire();
    if (!db) return write_html_error(res, db.error(), 1);
    auto ws = open_producer_workspace(app, **db, req, res);
    if (!ws) return;
    auto p = own_product(**db, app, *ws, req, res);
    if (!p) return;
    return show_form(app, **db, *ws, req, res, form_of(p->fields), p->id,
                     Error{code, vietnamese_part(prepared.error().message), "photo"},
                     code == ErrorCode::too_large ? 413 : 400);
  }
  auto db = app.db.acquire_writer();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_producer_workspace(app, **db, req, res);  // again: it may have ended meanwhile
  if (!ws) return;
  auto p = own_product(**db, app, *ws, req, res);
  if (!p) return;
  auto tx = (*db)->begin();
  if (!tx) return write_html_error(res, tx.error(), 1);
  auto photo = store_prepared_photo(**db, app.clock, *ws->producer_id, p->id, bytes, *prepared);
  if (!photo) return write_html_error(res, photo.error(), 1);
  auto logged =
      core::AuditLog(**db, app.clock).record(ws->audit("product.photo_add", p->fields.name));
  if (!logged) return write_html_error(res, logged.error(), 1);
  if (auto done = tx->commit(); !done) return write_html_error(res, done.error(), 1);
  redirect_see_other(res, edit_path(p->id) + "#anh");
}

// POST /quan-ly/san-pham/{id}/anh/{photo}/len-dau (main photo) or .../xoa (remove).
void change_photo(AppContext& app, const httplib::Request& req, httplib::Response& res) {
  auto db = app.db.acquire_writer();
  if (!db) return write_html_error(res, db.error(), 1);
  auto ws = open_producer_workspace(app, **db, req, res);
  if (!ws) return;
  auto p = own_product(**db, app, *ws, req, res);
  if (!p) return;
  const auto photo_id = std::stoll(req.matches[2]);  // the route allows 1-18 digits only
  const bool remove = req.matches[3] == "xoa";
  auto tx = (*db)->begin();
  if (!tx) return write_html_error(res, tx.error(), 1);
  Result<void> changed;
  if (remove) {
    changed = remove_photo(**db, app.clock, *ws->producer_id, p->id, photo_id);
  } else if (auto moved = move_photo(**db, app.clock, *ws->producer_id, p->id, photo_id, 0);
             !moved) {
    changed = moved.error();
  }
  if (!changed) {
    if (changed.error().code == ErrorCode::not_found)
      return write_html_error(res, Error{ErrorCode::not_found, "Không có ảnh này.", ""});
    return write_html_error(res, changed.error(), 1);
  }
  auto logged = core::AuditLog(**db, app.clock)
                    .record(ws->audit(remove ? "product.photo_remove" : "product.photo_main",
                                      p->fields.name));
  if (!logged) return write_html_error(res, logged.error(), 1);
  if (auto done = tx->commit(); !done) return write_html_error(res, done.error(), 1);
  redirect_see_other(res, edit_path(p->id) + "#anh");
}

}  // namespace

void show_product_page(AppContext& app, core::Database& db, const Workspace& ws,
                       const httplib::Request& req, httplib::Response& res,
                       const core::Product& product, const PublishRefill& refill, int status) {
  show_form(app, db, ws, req, res, form_of(product.fields), product.id, std::nullopt, status,
            &refill);
}

void register_workspace_product_routes(Router& router, AppContext& app) {
  router.get(kList, [&app](const auto& req, auto& res) {
    list_page(app, req, res, req.has_param("luu") ? "Đã lưu sản phẩm." : "");
  });
  router.post(kList, [&app](const auto& req, auto& res) { save(app, req, res, false); });
  router.get("/quan-ly/san-pham/moi",
             [&app](const auto& req, auto& res) { new_form(app, req, res); });
  router.get("/quan-ly/san-pham.csv",
             [&app](const auto& req, auto& res) { export_csv(app, req, res); });
  router.post("/quan-ly/san-pham/nhap-csv",
              [&app](const auto& req, auto& res) { import_csv(app, req, res); });
  router.get(R"(/quan-ly/san-pham/(\d{1,18}))",
             [&app](const auto& req, auto& res) { edit_form(app, req, res); });
  router.post(R"(/quan-ly/san-pham/(\d{1,18}))",
              [&app](const auto& req, auto& res) { save(app, req, res, true); });
  router.post(R"(/quan-ly/san-pham/(\d{1,18})/luu-tru)",
              [&app](const auto& req, auto& res) { archive(app, req, res); });
  router.post(R"(/quan-ly/san-pham/(\d{1,18})/anh)",
              [&app](const auto& req, auto& res) { add_photo(app, req, res); });
  router.post(R"(/quan-ly/san-pham/(\d{1,18})/anh/(\d{1,18})/(len-dau|xoa))",
              [&app](const auto& req, auto& res) { change_photo(app, req, res); });
}

}  // namespace chophien::storefront
