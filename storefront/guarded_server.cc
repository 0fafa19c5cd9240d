#include "storefront/guarded_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "core/log.h"
#include "core/result.h"
#include "storefront/http_errors.h"
#include "storefront/request_head.h"
#include "storefront/server.h"

namespace chophien::storefront {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr size_t kReadChunk = 16 * 1024;

// Milliseconds until `until`, at least 0, at most INT_MAX.
int ms_until(Clock::time_point until) {
  const auto left = std::chrono::duration_cast<milliseconds>(until - Clock::now()).count();
  return static_cast<int>(std::clamp<int64_t>(left, 0, 1 << 30));
}

// Waits for `events` on `fd`; true when they (or an error or hang-up, which the next call
// reports) are there before the timeout.
bool wait_for(int fd, short events, int timeout_ms) {
  pollfd p{fd, events, 0};
  while (true) {
    const int n = ::poll(&p, 1, timeout_ms);
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
}

std::string address_text(const sockaddr_storage& addr, int& port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(addr);
    ::inet_ntop(AF_INET, &a.sin_addr, text, sizeof text);
    port = ntohs(a.sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(addr);
    ::inet_ntop(AF_INET6, &a.sin6_addr, text, sizeof text);
    port = ntohs(a.sin6_port);
  }
  return text;
}

enum class Head { ready, closed, too_large, timed_out };

// After a refusal the client may still be sending: closing with its bytes unread would make the
// kernel reset the connection, and the client could lose the answer before reading it. So the
// sending side is shut and what arrives is read and dropped, for a moment and a bounded amount.
void linger(int fd) {
  ::shutdown(fd, SHUT_WR);
  const auto until = Clock::now() + milliseconds(1000);
  size_t dropped = 0;
  char scratch[16 * 1024];
  while (dropped < (size_t{1} << 20) && wait_for(fd, POLLIN, ms_until(until))) {
    const ssize_t n = ::recv(fd, scratch, sizeof scratch, 0);
    if (n <= 0) break;
    dropped += static_cast<size_t>(n);
  }
}

// A connection's bytes for httplib: the head of each request is read whole, and checked, before
// httplib reads it; every read of a request ends at its deadline.
class GuardedStream final : public httplib::Stream {
 public:
  // `ssl`: the connection's TLS session (non-blocking socket), or null for plain TCP.
  GuardedStream(int fd, SSL* ssl, const RequestLimits& limits, milliseconds read_timeout,
                milliseconds write_timeout)
      : fd_(fd),
        ssl_(ssl),
        limits_(limits),
        read_timeout_(read_timeout),
        write_timeout_(write_timeout) {}

  bool is_readable() const override {
    return has_buffered() || wait_for(fd_, POLLIN, read_wait_ms());
  }
  bool is_writable() const override {
    return wait_for(fd_, POLLOUT, static_cast<int>(write_timeout_.count()));
  }

  ssize_t read(char* ptr, size_t size) override {
    if (pos_ == buffer_.size()) {
      const ssize_t got = fill();
      if (got <= 0) return got;
    }
    const size_t n = std::min(size, buffer_.size() - pos_);
    std::memcpy(ptr, buffer_.data() + pos_, n);
    pos_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    // A request that missed its deadline gets 408, whatever httplib made of the missing bytes.
    if (timed_out_) {
      refuse(408);
      return -1;
    }
    if (ssl_ != nullptr) return tls_write(ptr, size);
    if (!is_writable()) return -1;
    while (true) {
      const ssize_t n = ::send(fd_, ptr, size, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      return n;
    }
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    if (!peer_) peer_ = name_of(::getpeername, peer_port_);
    ip = *peer_;
    port = peer_port_;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    if (!local_) local_ = name_of(::getsockname, local_port_);
    ip = *local_;
    port = local_port_;
  }
  socket_t socket() const override { return fd_; }

  bool has_buffered() const {
    return pos_ < buffer_.size() || (ssl_ != nullptr && ::SSL_pending(ssl_) > 0);
  }
  bool timed_out() const { return timed_out_; }

  // Starts the next request: its deadline runs from now.
  void begin_request() {
    buffer_.erase(0, pos_);
    pos_ = 0;
    deadline_ = Clock::now() + limits_.request_deadline;
    timed_out_ = false;
    head_.clear();
  }

  // Reads until the head of the request is in the buffer, within the limits and the deadline.
  Head read_head() {
    HeadScanner scanner(limits_.max_header_lines, limits_.max_head_bytes);
    while (true) {
      switch (scanner.scan(buffer_)) {
        case HeadScanner::State::complete:
          head_.assign(buffer_, 0, scanner.size());  // for a refusal after the head
          return Head::ready;
        case HeadScanner::State::too_large:
          return Head::too_large;
        case HeadScanner::State::incomplete:
          break;
      }
      const ssize_t got = fill();
      if (got == 0) return Head::closed;
      if (got < 0) return timed_out_ ? Head::timed_out : Head::closed;
    }
  }

  // Answers `status` (408 or 431) once, with the server's error body, and marks the stream done.
  void refuse(int status) {
    if (refused_) return;
    refused_ = true;
    timed_out_ = false;  // the write below is the refusal itself
    const std::string answer = refusal(status);
    std::string ip;
    int port = 0;
    get_remote_ip_and_port(ip, port);
    core::log("http.refused", {{"status", status}, {"from", ip}});
    size_t sent = 0;
    while (sent < answer.size()) {
      const ssize_t n = write(answer.data() + sent, answer.size() - sent);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    timed_out_ = true;  // nothing more is read or written for this request
  }
  bool refused() const { return refused_; }

 private:
  int read_wait_ms() const {
    const int by_timeout = static_cast<int>(read_timeout_.count());
    if (!deadline_) return by_timeout;
    return std::min(by_timeout, ms_until(*deadline_));
  }

  // Appends what the socket has to the buffer (waiting for the read timeout, and never past the
  // deadline). The bytes read; 0 at the end of the connection; -1 on error or timeout.
  ssize_t fill() {
    if (timed_out_) return -1;
    if (pos_ == buffer_.size()) {
      buffer_.clear();
      pos_ = 0;
    }
    if (ssl_ != nullptr) return tls_fill();
    const int wait_ms = read_wait_ms();
    if (!wait_for(fd_, POLLIN, wait_ms)) {
      // The deadline, not the read timeout, ended the wait.
      if (deadline_ && wait_ms < static_cast<int>(read_timeout_.count())) timed_out_ = true;
      return -1;
    }
    const size_t before = buffer_.size();
    buffer_.resize(before + kReadChunk);
    ssize_t n = 0;
    do {
      n = ::recv(fd_, buffer_.data() + before, kReadChunk, 0);
    } while (n < 0 && errno == EINTR);
    buffer_.resize(before + static_cast<size_t>(std::max<ssize_t>(n, 0)));
    return n;
  }

  // fill() over TLS: SSL_read on the non-blocking socket, waiting as fill() does.
  ssize_t tls_fill() {
    const size_t before = buffer_.size();
    buffer_.resize(before + kReadChunk);
    while (true) {
      const int n = ::SSL_read(ssl_, buffer_.data() + before, static_cast<int>(kReadChunk));
      if (n > 0) {
        buffer_.resize(before + static_cast<size_t>(n));
        return n;
      }
      const int error = ::SSL_get_error(ssl_, n);
      const int wait_ms = read_wait_ms();
      if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
        if (wait_for(fd_, error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, wait_ms)) continue;
        if (deadline_ && wait_ms < static_cast<int>(read_timeout_.count())) timed_out_ = true;
      }
      ::ERR_clear_error();
      buffer_.resize(before);
      return error == SSL_ERROR_ZERO_RETURN ? 0 : -1;
    }
  }

  ssize_t tls_write(const char* ptr, size_t size) {
    const int length = static_cast<int>(std::min<size_t>(size, 1 << 30));
    while (true) {
      const int n = ::SSL_write(ssl_, ptr, length);
      if (n > 0) return n;
      const int error = ::SSL_get_error(ssl_, n);
      if ((error == SSL_ERROR_WANT_WRITE || error == SSL_ERROR_WANT_READ) &&
          wait_for(fd_, error == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN,
                   static_cast<int>(write_timeout_.count()))) {
        continue;  // the same bytes again, as OpenSSL asks
      }
      ::ERR_clear_error();
      return -1;
    }
  }

  template <typename Call>
  std::string name_of(Call call, int& port) const {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (call(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "";
    return address_text(addr, port);
  }

  // The whole HTTP answer for a refused request: JSON or a page, as the request's path asks.
  std::string refusal(int status) const {
    // What can be read of the request line and the Accept header: from the head when it was
    // complete, else from the bytes at hand.
    const std::string_view head =
        !head_.empty() ? std::string_view(head_) : std::string_view(buffer_).substr(pos_);
    httplib::Request req;
    const size_t line_end = head.find('\n');
    const std::string_view line = head.substr(0, std::min(line_end, head.size()));
    if (const size_t sp = line.find(' '); sp != std::string_view::npos) {
      std::string_view target = line.substr(sp + 1);
      target = target.substr(0, std::min(target.find(' '), target.find('?')));
      req.path = std::string(target.substr(0, 2048));
    }
    for (size_t at = line_end; at != std::string_view::npos && at + 1 < head.size();) {
      const size_t next = head.find('\n', at + 1);
      const std::string_view field = head.substr(at + 1, next - at - 1);
      if (field.size() > 7 && ::strncasecmp(field.data(), "accept:", 7) == 0) {
        std::string value(field.substr(7, 512));
        req.headers.emplace("Accept", value);
        break;
      }
      at = next;
    }
    httplib::Response res;
    res.set_header(kRequestIdHeader, new_request_id());
    const bool slow = status == 408;
    const std::string limit =
        slow ? std::to_string(limits_.request_deadline.count() / 1000) + " seconds"
             : std::to_string(limits_.max_header_lines) + " header lines and " +
                   std::to_string(limits_.max_head_bytes) + " bytes";
    write_error(req, res,
                slow ? Error{ErrorCode::invalid_input,
                             "the request did not arrive within " + limit + "; send it again", ""}
                     : Error{ErrorCode::too_large, "the request head is over " + limit, ""});
    std::string out = "HTTP/1.1 " + std::to_string(status) +
                      (slow ? " Request Timeout\r\n" : " Request Header Fields Too Large\r\n");
    out += "Content-Type: " + res.get_header_value("Content-Type") + "\r\n";
    out += "Content-Length: " + std::to_string(res.body.size()) + "\r\n";
    out += std::string(kRequestIdHeader) + ": " + res.get_header_value(kRequestIdHeader) + "\r\n";
    for (const auto& [name, value] : security_headers()) out += name + ": " + value + "\r\n";
    out += "Connection: close\r\n\r\n";
    out += res.body;
    return out;
  }

  const int fd_;
  SSL* const ssl_;
  const RequestLimits& limits_;
  const milliseconds read_timeout_;
  const milliseconds write_timeout_;
  std::string buffer_;  // bytes read and not yet given to httplib start at pos_
  size_t pos_ = 0;
  std::string head_;  // the current request's head, once complete
  std::optional<Clock::time_point> deadline_;
  bool timed_out_ = false;
  bool refused_ = false;
  mutable std::optional<std::string> peer_, local_;
  mutable int peer_port_ = 0, local_port_ = 0;
};

// The TLS handshake on a non-blocking socket, within `timeout`; null when it fails.
SSL* tls_accept(SSL_CTX* context, int fd, milliseconds timeout) {
  SSL* ssl = ::SSL_new(context);
  if (ssl == nullptr || ::SSL_set_fd(ssl, fd) != 1) {
    if (ssl != nullptr) ::SSL_free(ssl);
    ::ERR_clear_error();
    return nullptr;
  }
  const auto until = Clock::now() + timeout;
  while (true) {
    const int n = ::SSL_accept(ssl);
    if (n == 1) return ssl;
    const int error = ::SSL_get_error(ssl, n);
    if ((error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) &&
        wait_for(fd, error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, ms_until(until))) {
      continue;
    }
    ::ERR_clear_error();
    ::SSL_free(ssl);
    return nullptr;
  }
}

}  // namespace

GuardedServer::GuardedServer(RequestLimits limits, const std::string& cert_file,
                             const std::string& key_file)
    : limits_(limits), wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (cert_file.empty()) return;
  tls_ = ::SSL_CTX_new(::TLS_server_method());
  if (tls_ == nullptr) return;
  ::SSL_CTX_set_min_proto_version(tls_, TLS1_2_VERSION);
  ::SSL_CTX_set_options(tls_, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (::SSL_CTX_use_certificate_chain_file(tls_, cert_file.c_str()) != 1 ||
      ::SSL_CTX_use_PrivateKey_file(tls_, key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
      ::SSL_CTX_check_private_key(tls_) != 1) {
    ::SSL_CTX_free(tls_);
    tls_ = nullptr;
    tls_failed_ = true;
  }
  ::ERR_clear_error();
}

GuardedServer::~GuardedServer() {
  if (wake_fd_ >= 0) ::close(wake_fd_);
  if (tls_ != nullptr) ::SSL_CTX_free(tls_);
}

bool GuardedServer::is_valid() const { return !tls_failed_; }

void GuardedServer::wake() {
  if (wake_fd_ < 0) return;
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

bool GuardedServer::process_and_close_socket(socket_t sock) {
  using std::chrono::seconds;
  const auto read_timeout = std::chrono::duration_cast<milliseconds>(
      seconds(read_timeout_sec_) + std::chrono::microseconds(read_timeout_usec_));
  const auto write_timeout = std::chrono::duration_cast<milliseconds>(
      seconds(write_timeout_sec_) + std::chrono::microseconds(write_timeout_usec_));
  const int keep_alive_ms = static_cast<int>(keep_alive_timeout_sec_ * 1000);
  SSL* ssl = nullptr;
  if (tls_ != nullptr) {
    ::fcntl(sock, F_SETFL, ::fcntl(sock, F_GETFL) | O_NONBLOCK);
    ssl = tls_accept(tls_, sock, read_timeout);
    if (ssl == nullptr) {
      ::close(sock);
      return false;
    }
  }
  GuardedStream stream(sock, ssl, limits_, read_timeout, write_timeout);
  bool ok = false;
  for (size_t left = keep_alive_max_count_; left > 0 && svr_sock_ != INVALID_SOCKET; --left) {
    // The keep-alive wait: for the next request, or for wake() after a stop.
    if (!stream.has_buffered()) {
      pollfd fds[2] = {{sock, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
      int n = 0;
      do {
        n = ::poll(fds, wake_fd_ >= 0 ? 2 : 1, keep_alive_ms);
      } while (n < 0 && errno == EINTR);
      if (n <= 0 || fds[0].revents == 0) break;
    }
    if (svr_sock_ == INVALID_SOCKET) break;
    stream.begin_request();
    const Head head = stream.read_head();
    if (head == Head::closed) break;
    if (head != Head::ready) {
      stream.refuse(head == Head::too_large ? 431 : 408);
      break;
    }
    bool closed = false;
    ok = process_request(stream, left == 1, closed, nullptr);
    if (stream.timed_out()) {
      stream.refuse(408);
      ok = false;
    }
    if (!ok || closed) break;
  }
  if (ssl != nullptr) {
    ::SSL_shutdown(ssl);  // the close_notify, without waiting for the client's
    ::ERR_clear_error();
  }
  if (stream.refused()) linger(sock);
  if (ssl != nullptr) ::SSL_free(ssl);
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ok;
}

}  // namespace chophien::storefront
