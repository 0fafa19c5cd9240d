#pragma once
// The marketplace part of the producer's product page (routes_workspace_marketplace.cc): for
// each shop the producer connected, the product's listing there (not listed, pending, live with
// a link to the item on the platform, failed with the platform's message), the "Đăng lên sàn"
// form and the "Thử lại" button. The forms post to /quan-ly/san-pham/{id}/san/{shop}/dang and
// .../thu-lai.
//
// Thread-safety: a free function over one request's Database.

#include "core/clock.h"
#include "core/database.h"
#include "core/products.h"
#include "storefront/render.h"

namespace chophien::storefront {

// Sets `market` (the list of shops) and `has_market` on `data`; on a database failure it sets
// `market_problem` instead, so the rest of the product form still shows.
void add_marketplace_listings(core::Database& db, const core::Clock& clock,
                              const core::Product& product, mustache::data& data);

}  // namespace chophien::storefront
