#include "storefront/http_errors.h"

#include <httplib.h>

#include <nlohmann/json.hpp>

namespace chophien::storefront {
namespace {

struct HtmlText {
  const char* title;
  const char* hint;
};

HtmlText html_text(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_input:
      return {"Yêu cầu không hợp lệ", "Vui lòng kiểm tra lại thông tin đã nhập."};
    case ErrorCode::unauthenticated:
      return {"Cần đăng nhập", "Vui lòng đăng nhập để tiếp tục."};
    case ErrorCode::forbidden:
      return {"Không có quyền truy cập", "Tài khoản của bạn không được phép xem trang này."};
    case ErrorCode::password_change_required:
      return {"Cần đổi mật khẩu", "Hãy đổi mật khẩu tại /quan-ly/doi-mat-khau trước khi tiếp tục."};
    case ErrorCode::not_found:
      return {"Không tìm thấy trang", "Địa chỉ này không tồn tại hoặc đã bị gỡ."};
    case ErrorCode::conflict:
      return {"Không thể thực hiện", "Trạng thái hiện tại không cho phép thao tác này."};
    case ErrorCode::too_large:
      return {"Dữ liệu gửi lên quá lớn", "Vui lòng gửi tệp hoặc nội dung nhỏ hơn."};
    case ErrorCode::rate_limited:
      return {"Quá nhiều lần thử", "Vui lòng chờ một lát rồi thử lại."};
    case ErrorCode::unavailable:
      return {"Hệ thống đang bận", "Vui lòng thử lại sau ít phút."};
    case ErrorCode::internal:
      break;
  }
  return {"Đã có lỗi xảy ra", "Chúng tôi đã ghi nhận lỗi. Vui lòng thử lại sau."};
}

void set_retry_after(httplib::Response& res, std::optional<int> seconds) {
  if (seconds) res.set_header("Retry-After", std::to_string(*seconds < 0 ? 0 : *seconds));
}

}  // namespace

int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_input:
      return 400;
    case ErrorCode::unauthenticated:
      return 401;
    case ErrorCode::forbidden:
    case ErrorCode::password_change_required:
      return 403;
    case ErrorCode::not_found:
      return 404;
    case ErrorCode::conflict:
      return 409;
    case ErrorCode::too_large:
      return 413;
    case ErrorCode::rate_limited:
      return 429;
    case ErrorCode::unavailable:
      return 503;
    case ErrorCode::internal:
      return 500;
  }
  return 500;
}

ErrorCode error_code_for_status(int status) {
  switch (status) {
    case 401:
      return ErrorCode::unauthenticated;
    case 403:
      return ErrorCode::forbidden;
    case 404:
    case 405:
      return ErrorCode::not_found;
    case 409:
      return ErrorCode::conflict;
    case 413:
    case 414:
    case 431:
      return ErrorCode::too_large;
    case 429:
      return ErrorCode::rate_limited;
    case 503:
      return ErrorCode::unavailable;
    default:
      return status >= 400 && status < 500 ? ErrorCode::invalid_input : ErrorCode::internal;
  }
}

std::string request_id(const httplib::Response& res) {
  return res.get_header_value(kRequestIdHeader);
}

bool wants_json(const httplib::Request& req) {
  const std::string& p = req.path;
  if (p.starts_with("/api/") || p.starts_with("/hooks/") || p == "/healthz" || p == "/metrics" ||
      p.starts_with("/image/")) {
    return true;
  }
  const std::string accept = req.get_header_value("Accept");
  return accept.find("application/json") != std::string::npos &&
         accept.find("text/html") == std::string::npos;
}

void write_error(httplib::Response& res, const Error& error,
                 std::optional<int> retry_after_seconds) {
  nlohmann::json inner = {{"code", error_code_name(error.code)}, {"message", error.message}};
  if (!error.field.empty()) inner["field"] = error.field;
  nlohmann::json body = {{"error", std::move(inner)}, {"request_id", request_id(res)}};
  res.status = http_status(error.code);
  set_retry_after(res, retry_after_seconds);
  // `replace` keeps messages with bad UTF-8 from throwing: they come from input sometimes.
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json; charset=utf-8");
}

void write_html_error(httplib::Response& res, const Error& error,
                      std::optional<int> retry_after_seconds) {
  const HtmlText text = html_text(error.code);
  const int status = http_status(error.code);
  std::string html =
      "<!doctype html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>";
  html += text.title;
  html +=
      " · Chợ phiên số Bảo Lâm</title></head><body><main>"
      "<h1>";
  html += text.title;
  html += "</h1><p>";
  html += text.hint;
  html += "</p>";
  // Validation messages name what to fix; other messages (internal, unavailable) stay generic.
  if (error.code == ErrorCode::invalid_input || error.code == ErrorCode::conflict) {
    html += "<p>" + html_escape(error.message) + "</p>";
  }
  html += "<p><a href=\"/\">Về trang chủ</a></p><p><small>Mã lỗi " + std::to_string(status) +
          " · mã yêu cầu " + html_escape(request_id(res)) + "</small></p></main></body></html>\n";
  res.status = status;
  set_retry_after(res, retry_after_seconds);
  res.set_content(html, "text/html; charset=utf-8");
}

void write_error(const httplib::Request& req, httplib::Response& res, const Error& error,
                 std::optional<int> retry_after_seconds) {
  if (wants_json(req)) {
    write_error(res, error, retry_after_seconds);
  } else {
    write_html_error(res, error, retry_after_seconds);
  }
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace chophien::storefront
