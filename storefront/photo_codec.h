#pragma once
// The photo decoder of the helper program chophien-photos (app/photo_helper.cc): decodes a
// JPEG, PNG or WebP with libvips and makes the copies photos.h describes, in the calling
// process. Its own library (chophien_photo_codec), so that only the helper links libvips; the
// server reaches it through storefront::prepare_photo, one helper process per photo.
//
// libvips runs with untrusted loaders blocked, no operation cache and one thread.
// Errors as photos.h: invalid_input (not an accepted image, broken, too many pixels), too_large.
// Thread-safety: may be called from any thread (libvips is thread-safe).

#include <string_view>

#include "core/result.h"
#include "storefront/photos.h"

namespace chophien::storefront {

Result<PreparedPhoto> decode_photo(std::string_view bytes);

}  // namespace chophien::storefront
