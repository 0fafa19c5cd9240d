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
constexpr int kCrowdedKeepAliveMs = 200;  // the keep-alive wait when most workers are taken

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

enum class Head { ready, closed, too_large, timed_out, compressed };

// Bytes of a body past which a request is refused with 413, whatever its framing: httplib checks
// its body limit against Content-Length only, so a chunked body would grow without one. Twice the
// limit leaves room for any chunk framing a real client uses.
size_t raw_body_cap(size_t max_body) { return max_body * 2 + 64 * 1024; }

// Calls `visit(name, value)` for each header field of a request head's bytes (the request line
// skipped; the head may be cut short), the value without surrounding blanks.
template <typename Visit>
void for_each_field(std::string_view head, Visit&& visit) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  for (size_t at = head.find('\n'); at != std::string_view::npos && at + 1 < head.size();) {
    const size_t next = head.find('\n', at + 1);
    const std::string_view field = head.substr(at + 1, next - at - 1);
    at = next;
    const size_t colon = field.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = field.substr(colon + 1);
    while (!value.empty() && blank(value.front())) value.remove_prefix(1);
    while (!value.empty() && blank(value.back())) value.remove_suffix(1);
    if (!visit(field.substr(0, colon), value)) return;
  }
}

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// True when the head names a Content-Encoding other than identity. httplib inflates gzip and
// brotli bodies with no limit on what they inflate to (a few MiB can become gigabytes), and no
// route takes a compressed body, so such requests are refused before their body is read.
bool names_a_content_encoding(std::string_view head) {
  bool named = false;
  for_each_field(head, [&](std::string_view name, std::string_view value) {
    named = same_name(name, "Content-Encoding") && !same_name(value, "identity");
    return !named;
  });
  return named;
}

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
                milliseconds write_timeout, size_t max_body)
      : fd_(fd),
        ssl_(ssl),
        limits_(limits),
        read_timeout_(read_timeout),
        write_timeout_(write_timeout),
        body_cap_(raw_body_cap(max_body)) {}

  bool is_readable() const override {
    return has_buffered() || wait_for(fd_, POLLIN, read_wait_ms());
  }
  bool is_writable() const override {
    return wait_for(fd_, POLLOUT, static_cast<int>(write_timeout_.count()));
  }

  ssize_t read(char* ptr, size_t size) override {
    if (pending_ != 0) return -1;
    if (pos_ == buffer_.size()) {
      const ssize_t got = fill();
      if (got <= 0) return got;
    }
    const size_t n = std::min(size, buffer_.size() - pos_);
    std::memcpy(ptr, buffer_.data() + pos_, n);
    pos_ += n;
    handed_ += n;
    if (!head_.empty() && handed_ > head_.size() + body_cap_) {
      pending_ = 413;  // a body past any limit, chunked or not: refused, not read on
      return -1;
    }
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    // A request refused while httplib read it (too slow, too large) gets that answer, whatever
    // httplib made of the missing bytes.
    if (pending_ != 0) {
      refuse(pending_);
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
  // The status a request was refused with while httplib read it (408, 413); 0 when none.
  int pending() const { return pending_; }

  // Starts the next request: its head must arrive within the read timeout (and the deadline), the
  // whole request within the deadline, both from now.
  void begin_request() {
    buffer_.erase(0, pos_);
    pos_ = 0;
    started_ = Clock::now();
    deadline_ = started_ + std::min<milliseconds>(limits_.request_deadline, read_timeout_);
    pending_ = 0;
    handed_ = 0;
    head_.clear();
  }

  // Reads until the head of the request is in the buffer, within the limits and the deadline.
  Head read_head() {
    HeadScanner scanner(limits_.max_header_lines, limits_.max_head_bytes);
    while (true) {
      switch (scanner.scan(buffer_)) {
        case HeadScanner::State::complete:
          head_.assign(buffer_, 0, scanner.size());         // for a refusal after the head
          deadline_ = started_ + limits_.request_deadline;  // now for the body
          return names_a_content_encoding(head_) ? Head::compressed : Head::ready;
        case HeadScanner::State::too_large:
          return Head::too_large;
        case HeadScanner::State::incomplete:
          break;
      }
      const ssize_t got = fill();
      if (got == 0) return Head::closed;
      if (got < 0) return pending_ == 408 ? Head::timed_out : Head::closed;
    }
  }

  // Answers `status` (408, 413, 415 or 431) once, with the server's error body, and marks the
  // stream done.
  void refuse(int status) {
    if (refused_) return;
    refused_ = true;
    pending_ = 0;  // the write below is the refusal itself
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
    pending_ = status;  // nothing more is read or written for this request
  }
  bool refused() const { return refused_; }

 private:
  // True once the deadline has come (poll may wake a millisecond early: its timeout is rounded).
  bool past_deadline() const { return deadline_ && Clock::now() + milliseconds(2) >= *deadline_; }

  int read_wait_ms() const {
    const int by_timeout = static_cast<int>(read_timeout_.count());
    if (!deadline_) return by_timeout;
    return std::min(by_timeout, ms_until(*deadline_));
  }

  // Appends what the socket has to the buffer (waiting for the read timeout, and never past the
  // deadline). The bytes read; 0 at the end of the connection; -1 on error or timeout.
  ssize_t fill() {
    if (pending_ != 0) return -1;
    if (pos_ == buffer_.size()) {
      buffer_.clear();
      pos_ = 0;
    }
    if (ssl_ != nullptr) return tls_fill();
    const int wait_ms = read_wait_ms();
    if (!wait_for(fd_, POLLIN, wait_ms)) {
      if (past_deadline()) pending_ = 408;
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
      ::ERR_clear_error();  // other OpenSSL users on this thread may have left errors behind
      const int n = ::SSL_read(ssl_, buffer_.data() + before, static_cast<int>(kReadChunk));
      if (n > 0) {
        buffer_.resize(before + static_cast<size_t>(n));
        return n;
      }
      const int error = ::SSL_get_error(ssl_, n);
      const int wait_ms = read_wait_ms();
      if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
        if (wait_for(fd_, error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, wait_ms)) continue;
        if (past_deadline()) pending_ = 408;
      }
      ::ERR_clear_error();
      buffer_.resize(before);
      return error == SSL_ERROR_ZERO_RETURN ? 0 : -1;
    }
  }

  ssize_t tls_write(const char* ptr, size_t size) {
    const int length = static_cast<int>(std::min<size_t>(size, 1 << 30));
    while (true) {
      ::ERR_clear_error();
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
    for_each_field(head, [&](std::string_view name, std::string_view value) {
      if (!same_name(name, "Accept")) return true;
      req.headers.emplace("Accept", std::string(value.substr(0, 512)));
      return false;
    });
    httplib::Response res;
    res.set_header(kRequestIdHeader, new_request_id());
    Error error;
    const char* reason = "";
    switch (status) {
      case 408:
        reason = "Request Timeout";
        error = {
            ErrorCode::invalid_input,
            "the request did not arrive in time (its head within " +
                std::to_string(std::min(limits_.request_deadline, read_timeout_).count() / 1000) +
                " seconds, the whole within " +
                std::to_string(limits_.request_deadline.count() / 1000) + "); send it again",
            ""};
        break;
      case 413:
        reason = "Payload Too Large";
        error = {ErrorCode::too_large, "the request body is too large", "body"};
        break;
      case 415:
        reason = "Unsupported Media Type";
        error = {ErrorCode::invalid_input, "compressed request bodies are not accepted",
                 "Content-Encoding"};
        break;
      default:
        reason = "Request Header Fields Too Large";
        error = {ErrorCode::too_large,
                 "the request head is over " + std::to_string(limits_.max_header_lines) +
                     " header lines or " + std::to_string(limits_.max_head_bytes) + " bytes",
                 ""};
    }
    write_error(req, res, error);
    std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\n";
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
  const size_t body_cap_;
  std::string head_;  // the current request's head, once complete
  Clock::time_point started_{};
  std::optional<Clock::time_point> deadline_;  // of the head, then of the whole request
  size_t handed_ = 0;                          // bytes of this request given to httplib
  int pending_ = 0;                            // 408 or 413 once refused while reading
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
    ::ERR_clear_error();
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
  if (tls_ == nullptr) {
    tls_failed_ = true;  // never plain HTTP where HTTPS was asked for
    ::ERR_clear_error();
    return;
  }
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

bool GuardedServer::wait_for_request(int sock, int keep_alive_ms) {
  const auto since = Clock::now();
  pollfd fds[2] = {{sock, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  while (true) {
    const bool crowded = limits_.worker_threads > 0 &&
                         busy_.load(std::memory_order_relaxed) * 4 > limits_.worker_threads * 3;
    const int waited =
        static_cast<int>(std::chrono::duration_cast<milliseconds>(Clock::now() - since).count());
    const int left =
        (crowded ? std::min(keep_alive_ms, kCrowdedKeepAliveMs) : keep_alive_ms) - waited;
    if (left <= 0) return false;
    const int n = ::poll(fds, wake_fd_ >= 0 ? 2 : 1, std::min(left, kCrowdedKeepAliveMs));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n > 0) return fds[0].revents != 0 && (wake_fd_ < 0 || fds[1].revents == 0);
  }
}

bool GuardedServer::process_and_close_socket(socket_t sock) {
  using std::chrono::seconds;
  const auto read_timeout = std::chrono::duration_cast<milliseconds>(
      seconds(read_timeout_sec_) + std::chrono::microseconds(read_timeout_usec_));
  const auto write_timeout = std::chrono::duration_cast<milliseconds>(
      seconds(write_timeout_sec_) + std::chrono::microseconds(write_timeout_usec_));
  // Counted while this thread serves the connection: when most worker threads are taken, an idle
  // connection waits only a moment for its next request, so that a client sending one request
  // every few seconds on each of many connections cannot keep the workers to itself.
  busy_.fetch_add(1, std::memory_order_relaxed);
  struct Release {
    std::atomic<size_t>& busy;
    ~Release() { busy.fetch_sub(1, std::memory_order_relaxed); }
  } release{busy_};
  const int keep_alive_ms = static_cast<int>(keep_alive_timeout_sec_ * 1000);
  if (svr_sock_ == INVALID_SOCKET) {
    ::close(sock);
    return false;
  }
  SSL* ssl = nullptr;
  if (tls_ != nullptr) {
    ::fcntl(sock, F_SETFL, ::fcntl(sock, F_GETFL) | O_NONBLOCK);
    ssl = tls_accept(tls_, sock, read_timeout);
    if (ssl == nullptr) {
      ::close(sock);
      return false;
    }
  }
  GuardedStream stream(sock, ssl, limits_, read_timeout, write_timeout, payload_max_length_);
  bool ok = false;
  for (size_t left = keep_alive_max_count_; left > 0 && svr_sock_ != INVALID_SOCKET; --left) {
    // The keep-alive wait: for the next request, or for wake() after a stop. Looked at again every
    // kCrowdedKeepAliveMs, so that a connection already waiting is let go when the workers become
    // crowded.
    if (!stream.has_buffered() && !wait_for_request(sock, keep_alive_ms)) break;
    if (svr_sock_ == INVALID_SOCKET) break;
    stream.begin_request();
    const Head head = stream.read_head();
    if (head == Head::closed) break;
    if (head != Head::ready) {
      stream.refuse(head == Head::too_large ? 431 : head == Head::compressed ? 415 : 408);
      break;
    }
    bool closed = false;
    ok = process_request(stream, left == 1, closed, nullptr);
    if (stream.pending() != 0) {
      stream.refuse(stream.pending());
      ok = false;
    }
    if (!ok || closed) break;
  }
  if (ssl != nullptr) {
    ::ERR_clear_error();
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
