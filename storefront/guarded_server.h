#pragma once
// httplib's server with limits on what a client may send, for the connections httplib's worker
// threads serve (every connection without the front door, and every connection the front door
// hands over).
//
// Why: Debian's compiled cpp-httplib (0.11.4) reads header lines without any limit on their
// number, and waits for each piece of a request for the read timeout only, so one request of two
// million headers grows the server by hundreds of megabytes for good, and a body trickled one byte
// every few seconds holds a worker thread for as long as its sender likes. Its limits cannot be
// changed from outside the compiled library, but its connection loop is a virtual function and
// its request parser reads through an abstract Stream; so this class runs the loop itself, over a
// Stream that
//   - reads the whole head of each request before httplib sees a byte of it, and answers
//     431 (Request Header Fields Too Large) when it has more than max_header_lines header lines or
//     more than max_head_bytes bytes, without reading the rest;
//   - gives the head the read timeout and the whole request, head and body, `request_deadline`
//     from its first byte, and answers 408 (Request Timeout) when they have not arrived by then;
//   - answers 413 to a body past twice the body limit, whatever its framing (httplib checks its
//     limit against Content-Length only, so a chunked body had none), and 415 to a body with a
//     Content-Encoding (httplib inflates gzip and brotli with no limit on the result);
// and closes the connection after any of these answers. When most worker threads are taken, an
// idle connection waits only 200 ms for its next request instead of the keep-alive timeout.
// Everything else is httplib's, unchanged: the keep-alive count and timeout, the read and write
// timeouts, the parser, the routing.
//
// It also speaks TLS itself (with OpenSSL, as httplib's SSLServer would), so that these limits hold
// for HTTPS too.
//
// The error bodies are the server's own (http_errors.h): JSON for API, hooks and image paths,
// a Vietnamese page for people.
//
// Thread-safety: as httplib::Server; wake() from any thread.

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>

struct ssl_ctx_st;

namespace chophien::storefront {

struct RequestLimits {
  size_t max_header_lines = 100;                      // header fields after the request line
  size_t max_head_bytes = 16384;                      // request line, headers and the blank line
  std::chrono::milliseconds request_deadline{60000};  // head and body, from the first byte
  // The worker threads (config.threads): when three quarters serve connections, an idle
  // connection waits at most 200 ms for its next request. 0: no such rule.
  size_t worker_threads = 0;
};

// Serves like httplib::Server (same settings, same handlers) within `limits`.
class GuardedServer : public httplib::Server {
 public:
  // With `cert_file` (a PEM chain) and `key_file`, every connection speaks TLS (1.2 or later);
  // is_valid() is false when they cannot be loaded. Without, plain HTTP.
  explicit GuardedServer(RequestLimits limits, const std::string& cert_file = "",
                         const std::string& key_file = "");
  ~GuardedServer() override;
  bool is_valid() const override;
  GuardedServer(const GuardedServer&) = delete;
  GuardedServer& operator=(const GuardedServer&) = delete;

  // Wakes every connection waiting for its next request, so that a stop() does not wait for the
  // keep-alive timeout. Call after stop().
  void wake();

  const RequestLimits& limits() const { return limits_; }

 private:
  bool process_and_close_socket(socket_t sock) override;
  // The keep-alive wait: true when the next request's bytes are there; false after the timeout
  // (shorter when the workers are crowded) or wake().
  bool wait_for_request(int sock, int keep_alive_ms);

  const RequestLimits limits_;
  int wake_fd_ = -1;           // an eventfd, readable once wake() ran
  ssl_ctx_st* tls_ = nullptr;  // SSL_CTX, when serving TLS
  bool tls_failed_ = false;
  std::atomic<size_t> busy_{0};  // connections being served by worker threads
};

}  // namespace chophien::storefront
