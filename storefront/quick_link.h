#pragma once
// The quick-link image form /image/{bank}-{account}-{template}.png?amount=&addInfo=&accountName=
// (the same shape as VietQR's public quick links), drawn by us:
//   qr_only  the QR alone (8 px per module, 4-module quiet zone);
//   compact  the QR with a caption under it: bank short name, account, amount;
//   print    a larger QR in a coloured frame with a heading and the bank, account, account
//            holder, amount and description, for printing and sticking on a stall.
// Captions use a small built-in 5x7 bitmap font of ASCII capitals, digits and . , - : / _, so
// Vietnamese text is folded to ASCII capitals on the image (the same folding banks apply to
// transfer descriptions). The QR itself always carries the exact payload.
// Thread-safe; pure.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace chophien::storefront {

enum class QuickLinkTemplate { qr_only, compact, print };

// "qr_only", "compact", "print". invalid_input with field "template" otherwise.
Result<QuickLinkTemplate> parse_quick_link_template(std::string_view name);

struct QuickLink {
  std::string bank;     // BIN, code or short name
  std::string account;  // 1..19 letters or digits
  QuickLinkTemplate style = QuickLinkTemplate::qr_only;
  std::optional<int64_t> amount_vnd;
  std::string add_info;      // transfer description (62.08), <= 25 characters after folding
  std::string account_name;  // holder name, printed only; <= 50 characters
};

// PNG bytes. invalid_input naming the query field (bank, account, amount, addInfo, accountName).
Result<std::string> render_quick_link(const QuickLink& link);

}  // namespace chophien::storefront
