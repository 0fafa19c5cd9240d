#pragma once
// Shopee Open Platform v2 connector (integrations.md section 1): public and shop signatures in
// the query, JSON bodies, `error`/`message`/`request_id` answers (HTTP 200 even on failure).
//   create  POST /api/v2/product/add_item (item_sku = our SKU; logistics channel = the shop's
//           warehouse_id; name 20-120 and description 100-3000 characters, checked before sending)
//   update  POST /api/v2/product/update_price and /update_stock, model_id 0, absolute values
//   find    GET /api/v2/product/get_item_list + get_item_base_info, matched on item_sku
//   orders  GET /api/v2/order/get_order_list + get_order_detail
// See marketplace.h for the error contract.

#include <memory>

#include "core/clock.h"
#include "integrations/marketplace.h"

namespace chophien::integrations {

std::unique_ptr<Connector> make_shopee_connector(const MarketplaceApp& app,
                                                 const core::Clock& clock);

}  // namespace chophien::integrations
