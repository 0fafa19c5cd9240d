#pragma once
// The marketplace part of the producer's product page (routes_workspace_marketplace.cc): for
// each shop the producer connected, the product's listing there (not listed, pending, live with
// a link to the item on the platform, failed with the platform's message), the "Đăng lên sàn"
// form and the "Thử lại" button. The forms post to /quan-ly/san-pham/{id}/san/{shop}/dang and
// .../thu-lai.
//
// Thread-safety: a free function over one request's Database.

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/database.h"
#include "core/products.h"
#include "storefront/render.h"
#include "storefront/workspace.h"

namespace chophien::storefront {

// A "Đăng lên sàn" form refused: shown again on its shop, open, with the problem and what the
// producer typed.
struct PublishRefill {
  int64_t shop_ref = 0;
  std::string problem;
  std::string category_id, brand, weight_grams, length_cm, width_cm, height_cm, images, attributes;
};

// Sets `market` (the list of shops) and `has_market` on `data`; on a database failure it sets
// `market_problem` instead, so the rest of the product form still shows. `refill` (may be null)
// fills in one shop's publish form.
void add_marketplace_listings(core::Database& db, const core::Clock& clock,
                              const core::Product& product, mustache::data& data,
                              const PublishRefill* refill = nullptr);

// For the officer's page of a producer (read-only): `shops` (each connected shop with its
// state and how many listings are live, pending and failed) and `listings` (each product on
// each shop: live with its link, pending, or failed with the platform's message), or
// `market_problem` when they cannot be read. `products` names the SKUs.
void add_producer_marketplace(core::Database& db, const core::Clock& clock, int64_t producer_id,
                              const std::vector<core::Product>& products, mustache::data& data);

// The producer's product page (routes_workspace_products.cc) with `refill` shown on its shop,
// answered with `status`.
void show_product_page(AppContext& app, core::Database& db, const Workspace& ws,
                       const httplib::Request& req, httplib::Response& res,
                       const core::Product& product, const PublishRefill& refill, int status);

}  // namespace chophien::storefront
