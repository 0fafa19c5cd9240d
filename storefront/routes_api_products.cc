// The JSON API: products. Anyone searches active products; the owning producer, officers and
// admins create, read any status, change and archive (DELETE). Another producer's product is
// not_found, so ids reveal nothing.
#include <httplib.h>

#include <string>
#include <utility>

#include "core/products.h"
#include "storefront/api_support.h"
#include "storefront/auth.h"
#include "storefront/photos.h"

namespace chophien::storefront {
namespace {

Result<void> set_text(const Json& body, const char* key, const std::string& field,
                      std::string& target) {
  auto value = read_string(body, key, field);
  if (!value) return value.error();
  if (*value) target = **value;
  return {};
}

// Applies the members present in `body` onto `f`.
Result<void> apply_product_fields(const Json& body, core::ProductFields& f) {
  for (auto [key, target] :
       {std::pair{"sku", &f.sku}, std::pair{"name", &f.name},
        std::pair{"description", &f.description}, std::pair{"unit", &f.unit}}) {
    if (auto ok = set_text(body, key, key, *target); !ok) return ok.error();
  }
  auto price = read_int(body, "price_vnd", "price_vnd", 0, core::kMaxPriceVnd);
  if (!price) return price.error();
  if (*price) f.price_vnd = **price;
  auto stock = read_int(body, "stock", "stock", 0, core::kMaxStock);
  if (!stock) return stock.error();
  if (*stock) f.stock = **stock;
  if (body.contains("weight_g") && body["weight_g"].is_null()) {
    f.weight_g.reset();
  } else {
    auto weight = read_int(body, "weight_g", "weight_g", 1, core::kMaxWeightG);
    if (!weight) return weight.error();
    if (*weight) f.weight_g = **weight;
  }
  auto status = read_string(body, "status", "status");
  if (!status) return status.error();
  if (*status) {
    auto parsed = core::parse_product_status(**status);
    if (!parsed) return invalid_input("status must be active, draft or archived", "status");
    f.status = *parsed;
  }
  auto ocop = read_object(body, "ocop", "ocop");
  if (!ocop) return ocop.error();
  if (*ocop) {
    const Json& o = **ocop;
    if (auto ok = set_text(o, "group", "ocop.group", f.ocop_group); !ok) return ok.error();
    auto stars = read_int(o, "stars", "ocop.stars", 3, 5);
    if (!stars) return stars.error();
    auto decision_no = read_string(o, "decision_no", "ocop.decision_no");
    if (!decision_no) return decision_no.error();
    auto decision_date = read_string(o, "decision_date", "ocop.decision_date");
    if (!decision_date) return decision_date.error();
    auto issuer = read_string(o, "issuer", "ocop.issuer");
    if (!issuer) return issuer.error();
    const bool any = *stars || *decision_no || *decision_date || *issuer;
    if (any) {
      core::OcopCertificate cert = f.certificate.value_or(core::OcopCertificate{});
      if (*stars) cert.stars = static_cast<int>(**stars);
      if (*decision_no) cert.decision_no = **decision_no;
      if (*decision_date) cert.decision_date = **decision_date;
      if (*issuer) cert.issuer = **issuer;
      f.certificate = cert;
    } else if (o.contains("stars") && o["stars"].is_null()) {
      f.certificate.reset();  // {"stars": null} removes the certificate
    }
  }
  return {};
}

// The product when the caller may manage it; not_found otherwise (also for another producer's).
Result<core::Product> managed_product(ApiCall& call, const Caller& caller) {
  auto id = path_id(call.req, 1);
  if (!id) return id.error();
  core::ProductStore store(call.db, call.app.clock);
  auto product = store.find(*id);
  if (!product) return product.error();
  if (!may_act_for(caller, product->producer_id)) return not_found("no such product");
  return product;
}

Result<Reply> search_products(ApiCall& call) {
  auto caller = optional_caller(call.db, call.app.clock, call.req);
  if (!caller) return caller.error();
  core::ProductQuery query;
  auto q = query_text(call.req, "q");
  if (!q) return q.error();
  query.q = q->value_or("");
  auto area = query_text(call.req, "area");
  if (!area) return area.error();
  query.area_code = *area;
  auto group = query_text(call.req, "group");
  if (!group) return group.error();
  query.ocop_group = *group;
  auto stars = query_int(call.req, "stars", 3, 5);
  if (!stars) return stars.error();
  if (*stars) query.stars = static_cast<int>(**stars);
  auto producer = query_int(call.req, "producer", 1, INT64_MAX);
  if (!producer) return producer.error();
  query.producer_id = *producer;
  auto page = query_int(call.req, "page", 1, 100000);
  if (!page) return page.error();
  query.page = static_cast<int>(page->value_or(1));
  auto per_page = query_int(call.req, "per_page", 1, core::kMaxPerPage);
  if (!per_page) return per_page.error();
  query.per_page = static_cast<int>(per_page->value_or(20));
  // status= (any status, or one) is for those who manage the products: officers and admins, or
  // a producer user for its own products.
  auto status = query_text(call.req, "status");
  if (!status) return status.error();
  if (*status) {
    if (!*caller) return Error{ErrorCode::unauthenticated, "status= needs a signed-in user", ""};
    const Caller& who = **caller;
    if (who.is_producer()) query.producer_id = who.producer_id();
    if (**status == "all") {
      query.status = std::nullopt;
    } else {
      query.status = core::parse_product_status(**status);
      if (!query.status) {
        return invalid_input("status must be all, active, draft or archived", "status");
      }
    }
  }
  core::ProductStore store(call.db, call.app.clock);
  auto found = store.search(query);
  if (!found) return found.error();
  Json items = Json::array();
  for (const auto& p : found->items) items.push_back(product_json(p));
  return Reply{200, Json{{"products", std::move(items)},
                         {"total", found->total},
                         {"page", found->page},
                         {"per_page", found->per_page}}};
}

Result<Reply> get_product(ApiCall& call) {
  auto caller = optional_caller(call.db, call.app.clock, call.req);
  if (!caller) return caller.error();
  auto id = path_id(call.req, 1);
  if (!id) return id.error();
  core::ProductStore store(call.db, call.app.clock);
  auto product = store.find(*id);
  if (!product) return product.error();
  const bool manages = *caller && may_act_for(**caller, product->producer_id);
  if (!manages && product->fields.status != core::ProductStatus::active) {
    return not_found("no such product");
  }
  return Reply{200, product_json(*product)};
}

Result<Reply> create_product(ApiCall& call) {
  auto caller = require_caller(call.db, call.app.clock, call.req);
  if (!caller) return caller.error();
  auto body = body_object(call.req);
  if (!body) return body.error();
  auto producer = read_int(*body, "producer_id", "producer_id", 1, INT64_MAX);
  if (!producer) return producer.error();
  int64_t producer_id = 0;
  if (caller->is_producer()) {
    producer_id = caller->producer_id().value_or(0);
    if (*producer && **producer != producer_id) {
      return Error{ErrorCode::forbidden, "a producer adds products to its own shop only",
                   "producer_id"};
    }
  } else {
    if (!*producer) return invalid_input("producer_id is required", "producer_id");
    producer_id = **producer;
  }
  core::ProductFields fields;
  if (auto ok = apply_product_fields(*body, fields); !ok) return ok.error();
  core::ProductStore store(call.db, call.app.clock);
  auto created = store.create(producer_id, std::move(fields));
  if (!created) return created.error();
  return Reply{201, product_json(*created)};
}

Result<Reply> patch_product(ApiCall& call) {
  auto caller = require_caller(call.db, call.app.clock, call.req);
  if (!caller) return caller.error();
  auto product = managed_product(call, *caller);
  if (!product) return product.error();
  auto body = body_object(call.req);
  if (!body) return body.error();
  if (body->contains("producer_id")) {
    return invalid_input("a product cannot move to another producer", "producer_id");
  }
  core::ProductFields fields = product->fields;
  if (auto ok = apply_product_fields(*body, fields); !ok) return ok.error();
  core::ProductStore store(call.db, call.app.clock);
  auto updated = store.update(product->id, std::move(fields));
  if (!updated) return updated.error();
  return Reply{200, product_json(*updated)};
}

Result<Reply> archive_product(ApiCall& call) {
  auto caller = require_caller(call.db, call.app.clock, call.req);
  if (!caller) return caller.error();
  auto product = managed_product(call, *caller);
  if (!product) return product.error();
  core::ProductFields fields = product->fields;
  fields.status = core::ProductStatus::archived;
  core::ProductStore store(call.db, call.app.clock);
  auto updated = store.update(product->id, std::move(fields));
  if (!updated) return updated.error();
  return Reply{200, product_json(*updated)};
}

Json photo_json(const core::Photo& photo) {
  Json copies = Json::array();
  for (int w : photo.variant_widths) {
    copies.push_back(Json{{"width", w}, {"url", photo_src(photo, w)}});
  }
  return Json{{"id", photo.id},
              {"product_id", photo.product_id},
              {"position", photo.position},
              {"sha256", photo.sha256},
              {"content_type", photo.content_type},
              {"width", photo.width},
              {"height", photo.height},
              {"bytes", photo.bytes},
              {"url", photo_src(photo, kLargestPhotoWidth)},
              {"preview_url", photo_preview_url(photo)},
              {"copies", std::move(copies)}};
}

Json photos_json(const std::vector<core::Photo>& photos) {
  Json items = Json::array();
  for (const auto& p : photos) items.push_back(photo_json(p));
  return Json{{"images", std::move(items)}};
}

// The uploaded bytes: the multipart part named "file" (or "image", or the only part), or the
// whole body when it is not multipart (Content-Type image/...). What they are is decided by
// their content, not by the names or types the client gives.
Result<std::string> uploaded_bytes(const httplib::Request& req) {
  if (req.is_multipart_form_data()) {
    for (const char* name : {"file", "image"}) {
      if (req.has_file(name)) return req.get_file_value(name).content;
    }
    if (req.files.size() == 1) return req.files.begin()->second.content;
    return Error{ErrorCode::invalid_input,
                 "Chưa chọn ảnh: gửi ảnh trong phần \"file\". / Send the image in the \"file\" "
                 "part.",
                 "file"};
  }
  return req.body;
}

Result<Reply> list_images(ApiCall& call) {
  auto caller = require_caller(call.db, call.app.clock, call.req);
  if (!caller) return caller.error();
  auto product = managed_product(call, *caller);
  if (!product) return product.error();
  auto photos = product_photos(call.db, call.app.clock, product->producer_id, product->id);
  if (!photos) return photos.error();
  return Reply{200, photos_json(*photos)};
}

Result<Reply> upload_image(ApiCall& call) {
  auto caller = require_caller(call.db, call.app.clock, call.req);
  if (!caller) return caller.error();
  auto product = managed_product(call, *caller);
  if (!product) return product.error();
  auto bytes = uploaded_bytes(call.req);
  if (!bytes) return bytes.error();
  // On a reader so far (DbAccess::reader): the helper decodes before the writer lock is taken, a
  // hostile file may keep it busy for up to 60 s and every checkout waits for that lock.
  auto prepared = prepare_photo(*bytes);
  if (!prepared) return prepared.error();
  auto writer = call.app.db.acquire_writer();
  if (!writer) return writer.error();
  if (auto again = require_caller(*writer, call.app.clock, call.req); !again) return again.error();
  auto photo = store_prepared_photo(*writer, call.app.clock, product->producer_id, product->id,
                                    *bytes, *prepared);
  if (!photo) return photo.error();
  return Reply{201, photo_json(*photo)};
}

Result<Reply> move_image(ApiCall& call) {
  auto caller = require_caller(call.db, call.app.clock, call.req);
  if (!caller) return caller.error();
  auto product = managed_product(call, *caller);
  if (!product) return product.error();
  auto photo_id = path_id(call.req, 2);
  if (!photo_id) return photo_id.error();
  auto body = body_object(call.req);
  if (!body) return body.error();
  auto position = read_int(*body, "position", "position", 0, 1000);
  if (!position) return position.error();
  if (!*position) return invalid_input("position is required", "position");
  auto moved = move_photo(call.db, call.app.clock, product->producer_id, product->id, *photo_id,
                          static_cast<int>(**position));
  if (!moved) return moved.error();
  return Reply{200, photos_json(*moved)};
}

Result<Reply> delete_image(ApiCall& call) {
  auto caller = require_caller(call.db, call.app.clock, call.req);
  if (!caller) return caller.error();
  auto product = managed_product(call, *caller);
  if (!product) return product.error();
  auto photo_id = path_id(call.req, 2);
  if (!photo_id) return photo_id.error();
  if (auto done =
          remove_photo(call.db, call.app.clock, product->producer_id, product->id, *photo_id);
      !done) {
    return done.error();
  }
  auto rest = product_photos(call.db, call.app.clock, product->producer_id, product->id);
  if (!rest) return rest.error();
  return Reply{200, photos_json(*rest)};
}

}  // namespace

void register_api_product_routes(Router& router, AppContext& app) {
  router.get("/api/v1/products", api_handler(app, search_products));
  router.post("/api/v1/products", api_handler(app, create_product));
  router.get(R"(/api/v1/products/(\d+))", api_handler(app, get_product));
  router.patch(R"(/api/v1/products/(\d+))", api_handler(app, patch_product));
  router.del(R"(/api/v1/products/(\d+))", api_handler(app, archive_product));
  router.get(R"(/api/v1/products/(\d+)/images)", api_handler(app, list_images));
  router.post(R"(/api/v1/products/(\d+)/images)", api_handler(app, upload_image, DbAccess::reader));
  router.patch(R"(/api/v1/products/(\d+)/images/(\d+))", api_handler(app, move_image));
  router.del(R"(/api/v1/products/(\d+)/images/(\d+))", api_handler(app, delete_image));
}

}  // namespace chophien::storefront
