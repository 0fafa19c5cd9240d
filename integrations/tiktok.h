#pragma once
// TikTok Shop Partner API connector, versioned paths 202309 (integrations.md section 3): app_key,
// timestamp (seconds), shop_cipher and sign in the query, the access token in the
// x-tts-access-token header, JSON bodies signed byte for byte; answers with `code` 0.
//   create  POST /product/202309/products (title 25-255 characters, description up to 10000,
//           1-9 images, price 1-180,000,000 VND, the shop's warehouse for inventory)
//   update  POST /product/202309/products/{id}/prices/update and .../inventory/update
//   find    POST /product/202309/products/search {"seller_skus":[SKU]}
//   orders  POST /order/202309/orders/search?page_size=100 {"create_time_ge":unix}, following
//           next_page_token
//   tokens  GET auth_base/api/v2/token/get|refresh (the secret travels in the query: never log
//           the URL), then GET /authorization/202309/shops for the shop's cipher
// Token lifetimes are read as absolute unix times when they look like one, else as durations
// (integrations.md marks this [verify]). See marketplace.h for the error contract.

#include <memory>

#include "core/clock.h"
#include "integrations/marketplace.h"

namespace chophien::integrations {

std::unique_ptr<Connector> make_tiktok_connector(const MarketplaceApp& app,
                                                 const core::Clock& clock);

}  // namespace chophien::integrations
