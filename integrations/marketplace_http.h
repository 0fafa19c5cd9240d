#pragma once
// Shared plumbing of the marketplace connectors (shopee.cc, lazada.cc, tiktok.cc): sending a
// PreparedRequest with cpp-httplib and telling "never sent" from "sent, no answer", reading
// Retry-After, and the errors' shape. Not part of the public interface; see marketplace.h.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "integrations/marketplace.h"

namespace chophien::integrations {

struct RawAnswer {
  int status = 0;
  std::string body;
  nlohmann::json json;  // discarded when the body is not JSON
};

// Sends `request`. A transport failure is unavailable; info.maybe_sent is set when the request
// had been written (read timeout, connection dropped while waiting). HTTP 429 and 5xx are
// returned as answers: each platform reads its own error body first. info.retry_after is set
// from a Retry-After header in seconds.
Result<RawAnswer> send_request(const PreparedRequest& request, int read_timeout_ms, CallInfo& info);

// A multipart/form-data body (RFC 7578): the text `fields` in order, then the image as the file
// part `file_field`. Returns the body; `content_type` gets the header value with the boundary,
// which is derived from the image's bytes and never occurs in them.
std::string multipart_body(const std::vector<std::pair<std::string, std::string>>& fields,
                           const std::string& file_field, const ImageFile& image,
                           std::string& content_type);

// invalid_input unless `image` is a JPEG or PNG of 1..max_image_bytes(platform) bytes, by its
// declared type and its first bytes.
Result<void> check_image(Platform platform, const ImageFile& image);

// Percent-encoding of everything but A-Z a-z 0-9 - _ . ~ (RFC 3986 unreserved).
std::string url_encode(std::string_view text);

// "<platform> <endpoint>: <what>".
Error platform_error(ErrorCode code, Platform platform, std::string_view endpoint,
                     std::string_view what, std::string field = {});

// Seconds in a ban message such as "This ban will last 37 more seconds"; 0 when none.
int64_t seconds_in_message(std::string_view message);

// Case-insensitive ASCII substring test.
bool contains_ci(std::string_view text, std::string_view needle);

// Reads a JSON number or a numeric string as an integer; `fallback` otherwise.
int64_t json_int(const nlohmann::json& value, int64_t fallback = 0);
// Reads a JSON string, or a number as its decimal text; "" otherwise.
std::string json_text(const nlohmann::json& value);

}  // namespace chophien::integrations
