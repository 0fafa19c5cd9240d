// What one request may send (guarded_server.h), against the real server on 127.0.0.1 over raw
// sockets: heads with too many lines or bytes get 431 before the rest is read, on the front
// door's paths and the worker threads' alike, with and without the front door; a request that
// trickles in gets 408 at its deadline; requests within the limits are served as before.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "storefront/test_server.h"

namespace chophien::storefront {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class Socket {
 public:
  explicit Socket(int port) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      throw std::runtime_error("cannot connect");
    }
  }
  ~Socket() { ::close(fd_); }
  int fd() const { return fd_; }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  // False once the peer stopped taking bytes (closed or reset).
  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  // Everything until the peer closes, or `timeout` passes.
  std::string read_all(std::chrono::milliseconds timeout = 10s) {
    std::string out;
    const auto until = Clock::now() + timeout;
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }
  // One response's head and Content-Length body; bytes after it are kept for the next call.
  std::string read_response(std::chrono::milliseconds timeout = 10s) {
    const auto until = Clock::now() + timeout;
    while (true) {
      if (const size_t end = pending_.find("\r\n\r\n"); end != std::string::npos) {
        const size_t at = pending_.find("Content-Length: ");
        const size_t length =
            at == std::string::npos || at > end ? 0 : std::stoul(pending_.substr(at + 16));
        if (pending_.size() >= end + 4 + length) {
          std::string out = pending_.substr(0, end + 4 + length);
          pending_.erase(0, end + 4 + length);
          return out;
        }
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      pending_.append(buf, static_cast<size_t>(n));
    }
    return std::exchange(pending_, std::string());
  }

 private:
  int fd_;
  std::string pending_;
};

std::string head_with(size_t header_lines, std::string_view target = "/api/v1/banks") {
  std::string head = "GET " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (size_t i = 1; i < header_lines; ++i) head += "X-Pad-" + std::to_string(i) + ": x\r\n";
  return head + "\r\n";
}

int64_t resident_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmRSS:")) return std::stoll(line.substr(6));
  }
  return 0;
}

Config with_front_door(bool on) {
  Config config = TestServer::quiet_config();
  config.front_threads = on ? 2 : 0;
  return config;
}

class RequestLimits : public ::testing::TestWithParam<bool> {};

INSTANTIATE_TEST_SUITE_P(FrontDoor, RequestLimits, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? "on" : "off";
                         });

TEST_P(RequestLimits, AHeadOfExactlyTheLimitIsServed) {
  TestServer server(with_front_door(GetParam()));
  for (const char* target : {"/", "/api/v1/banks"}) {
    Socket s(server.port());
    ASSERT_TRUE(s.send(head_with(100, target)));
    const std::string answer = s.read_response();
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << target << ": " << answer.substr(0, 80);
  }
}

TEST_P(RequestLimits, OneHeaderLineTooManyGets431AndTheConnectionCloses) {
  TestServer server(with_front_door(GetParam()));
  for (const char* target : {"/", "/san-pham", "/api/v1/banks", "/hooks/sepay?producer=1"}) {
    Socket s(server.port());
    ASSERT_TRUE(s.send(head_with(101, target)));
    const std::string answer = s.read_all();  // ends: the server closed
    ASSERT_TRUE(answer.starts_with("HTTP/1.1 431 ")) << target << ": " << answer.substr(0, 80);
    EXPECT_NE(answer.find("Connection: close"), std::string::npos);
    EXPECT_NE(answer.find("X-Request-Id: r-"), std::string::npos);
    if (std::string_view(target).starts_with("/api/") ||
        std::string_view(target).starts_with("/hooks/")) {
      EXPECT_NE(answer.find(R"("code":"too_large")"), std::string::npos) << answer;
    } else {
      EXPECT_NE(answer.find("<html lang=\"vi\">"), std::string::npos) << answer;
    }
  }
}

TEST_P(RequestLimits, AHeadOverSixteenKibInFewLinesGets431) {
  TestServer server(with_front_door(GetParam()));
  Socket s(server.port());
  std::string head = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (int i = 0; i < 3; ++i)
    head += "X-Long-" + std::to_string(i) + ": " + std::string(6000, 'a') + "\r\n";
  ASSERT_TRUE(s.send(head + "\r\n"));
  EXPECT_TRUE(s.read_all().starts_with("HTTP/1.1 431 "));
}

// The attack of the issue: an endless head. Refused after 16 KiB, without the server keeping what
// was sent; the server stays small and answers the next visitor.
TEST_P(RequestLimits, TwoMillionHeaderLinesAreRefusedWithoutBeingKept) {
  TestServer server(with_front_door(GetParam()));
  const int64_t before = resident_kib();
  Socket s(server.port());
  std::atomic<bool> stopped{false};
  std::thread sender([&] {
    s.send("POST /api/v1/orders HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    std::string chunk;
    for (int i = 0; i < 10000; ++i) chunk += "X-A: b\r\n";
    for (int i = 0; i < 200 && s.send(chunk); ++i) {
    }
    stopped = true;
  });
  const std::string answer = s.read_response();
  sender.join();
  EXPECT_TRUE(stopped.load());
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 431 ")) << answer.substr(0, 80);
  EXPECT_LT(resident_kib() - before, 50 * 1024) << "the server kept what it was sent";
  httplib::Client client = server.client();
  auto res = client.Get("/api/v1/banks");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

// httplib ends a head only at CR LF alone and reads on past a line ended by a bare LF: such a
// line is never the end of the head here either, so the headers after it are counted too.
TEST_P(RequestLimits, ABareLineFeedDoesNotEndTheHeadBeforeTheLimits) {
  TestServer server(with_front_door(GetParam()));
  Socket s(server.port());
  std::string head = "GET /api/v1/banks HTTP/1.1\r\nHost: 127.0.0.1\r\n\n";
  for (int i = 0; i < 200; ++i) head += "X-After-" + std::to_string(i) + ": y\r\n";
  ASSERT_TRUE(s.send(head + "\r\n"));
  const std::string answer = s.read_all();
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 431 ")) << answer.substr(0, 80);
}

// httplib checks its body limit against Content-Length only: a chunked body past the limit is
// refused as it arrives, not kept.
TEST_P(RequestLimits, AChunkedBodyPastTheLimitGets413) {
  Config config = with_front_door(GetParam());
  config.max_body_bytes = 4096;
  TestServer server(config);
  Socket s(server.port());
  ASSERT_TRUE(
      s.send("POST /api/v1/orders HTTP/1.1\r\nHost: 127.0.0.1\r\n"
             "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"));
  const std::string chunk = "1000\r\n" + std::string(4096, ' ') + "\r\n";
  std::atomic<bool> done{false};
  std::thread sender([&] {
    for (int i = 0; i < 4096 && !done && s.send(chunk); ++i) {
    }
  });
  const std::string answer = s.read_response();
  done = true;
  sender.join();
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 413 ")) << answer.substr(0, 80);
}

// httplib inflates gzip and brotli bodies with no limit on the result; no route takes one.
TEST_P(RequestLimits, ACompressedBodyGets415BeforeItIsRead) {
  TestServer server(with_front_door(GetParam()));
  for (const char* encoding : {"gzip", "br", "deflate", "GZIP"}) {
    Socket s(server.port());
    ASSERT_TRUE(s.send(std::string("POST /hooks/sepay?producer=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                   "Content-Type: application/json\r\nContent-Encoding: ") +
                       encoding + "\r\nContent-Length: 4\r\n\r\nabcd"));
    const std::string answer = s.read_all();
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 415 ")) << encoding << ": " << answer.substr(0, 80);
    EXPECT_NE(answer.find("Content-Encoding"), std::string::npos) << answer;
  }
  Socket identity(server.port());
  ASSERT_TRUE(identity.send(
      "GET /api/v1/banks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Encoding: identity\r\n\r\n"));
  EXPECT_TRUE(identity.read_response().starts_with("HTTP/1.1 200"));
}

// When most worker threads hold connections, an idle one waits only a moment for its next
// request: a client keeping many connections alive with a request every few seconds cannot keep
// the workers to itself. With few connections, keep-alive is as configured.
TEST_P(RequestLimits, IdleConnectionsAreClosedSoonWhenTheWorkersAreCrowded) {
  Config config = with_front_door(GetParam());
  config.threads = 4;
  config.keep_alive_timeout_seconds = 30;
  TestServer server(config);
  {
    Socket alone(server.port());
    ASSERT_TRUE(alone.send(head_with(2)));
    ASSERT_TRUE(alone.read_response().starts_with("HTTP/1.1 200"));
    const auto start = Clock::now();
    alone.read_all(1500ms);  // nothing comes, and the connection stays open
    EXPECT_GE(Clock::now() - start, 1400ms);
  }
  // Four idle keep-alive connections hold the four workers; a fifth client is still answered at
  // once, not after the keep-alive timeout.
  std::vector<std::unique_ptr<Socket>> crowd;
  for (int i = 0; i < 4; ++i) {
    crowd.push_back(std::make_unique<Socket>(server.port()));
    ASSERT_TRUE(crowd.back()->send(head_with(2)));
    ASSERT_TRUE(crowd.back()->read_response().starts_with("HTTP/1.1 200"));
  }
  const auto start = Clock::now();
  Socket fifth(server.port());
  ASSERT_TRUE(fifth.send(head_with(2)));
  EXPECT_TRUE(fifth.read_response(10s).starts_with("HTTP/1.1 200"));
  EXPECT_LT(Clock::now() - start, 3s);
}

// A body trickled one byte at a time: each byte is within the read timeout, the whole is not
// within the deadline.
TEST_P(RequestLimits, ABodyTrickledInGets408AtTheDeadline) {
  Config config = with_front_door(GetParam());
  config.request_deadline_seconds = 1;
  TestServer server(config);
  Socket s(server.port());
  ASSERT_TRUE(
      s.send("POST /api/v1/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
             "Content-Length: 1000\r\n\r\n{"));
  const auto start = Clock::now();
  std::atomic<bool> done{false};
  std::thread trickle([&] {
    while (!done && Clock::now() - start < 5s && s.send(" ")) std::this_thread::sleep_for(200ms);
  });
  const std::string answer = s.read_response(8s);
  done = true;
  trickle.join();
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 408 ")) << answer.substr(0, 80);
  EXPECT_NE(answer.find(R"("code":"invalid_input")"), std::string::npos) << answer;
  EXPECT_LT(Clock::now() - start, 3s);
}

TEST_P(RequestLimits, AHeadTrickledInGets408AtTheDeadline) {
  Config config = with_front_door(GetParam());
  config.request_deadline_seconds = 1;
  TestServer server(config);
  Socket s(server.port());
  const auto start = Clock::now();
  std::atomic<bool> done{false};
  std::thread trickle([&] {
    const std::string head = head_with(60, "/gio-hang");
    for (size_t i = 0; i < head.size() && !done && s.send(head.substr(i, 1)); ++i) {
      std::this_thread::sleep_for(50ms);
    }
  });
  const std::string answer = s.read_response(8s);
  done = true;
  trickle.join();
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 408 ")) << answer.substr(0, 300);
  EXPECT_NE(answer.find("<html lang=\"vi\">"), std::string::npos) << answer;
  EXPECT_LT(Clock::now() - start, 4s);
}

// Keep-alive and pipelining go on as before within the limits.
TEST_P(RequestLimits, PipelinedRequestsWithinTheLimitsAreAllAnswered) {
  TestServer server(with_front_door(GetParam()));
  Socket s(server.port());
  ASSERT_TRUE(s.send(head_with(3, "/api/v1/banks") + head_with(3, "/healthz") +
                     head_with(100, "/api/v1/banks")));
  for (int i = 0; i < 3; ++i) {
    const std::string answer = s.read_response();
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << i << ": " << answer.substr(0, 80);
  }
}

// A server stopped while connections wait for their next request stops at once, not after the
// keep-alive timeout.
TEST_P(RequestLimits, StopDoesNotWaitForIdleConnections) {
  Config config = with_front_door(GetParam());
  config.keep_alive_timeout_seconds = 30;
  auto server = std::make_unique<TestServer>(config);
  Socket s(server->port());
  ASSERT_TRUE(s.send(head_with(2, "/api/v1/banks")));
  ASSERT_TRUE(s.read_response().starts_with("HTTP/1.1 200"));
  const auto start = Clock::now();
  server.reset();
  EXPECT_LT(Clock::now() - start, 3s);
}

// --- HTTPS: the same limits when the server speaks TLS itself ---

// A self-signed certificate for 127.0.0.1, written as PEM files into `dir`.
void write_test_certificate(const std::filesystem::path& dir) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  X509* cert = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, key, EVP_sha256());
  FILE* f = std::fopen((dir / "cert.pem").c_str(), "w");
  PEM_write_X509(f, cert);
  std::fclose(f);
  f = std::fopen((dir / "key.pem").c_str(), "w");
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  X509_free(cert);
  EVP_PKEY_free(key);
}

class Https : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "chophien-tls-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    write_test_certificate(dir_);
    Config config = TestServer::quiet_config();
    config.tls_cert = (dir_ / "cert.pem").string();
    config.tls_key = (dir_ / "key.pem").string();
    config.request_deadline_seconds = 1;
    config.read_timeout_seconds = 2;
    server_ = std::make_unique<TestServer>(config);
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::unique_ptr<httplib::SSLClient> client() {
    auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", server_->port());
    c->enable_server_certificate_verification(false);
    c->set_read_timeout(10, 0);
    return c;
  }
  std::filesystem::path dir_;
  std::unique_ptr<TestServer> server_;
};

TEST_F(Https, RequestsWithinTheLimitsAreServedOverTls) {
  auto c = client();
  for (int i = 0; i < 3; ++i) {  // one connection, kept alive
    auto res = c->Get("/api/v1/banks");
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->status, 200);
    EXPECT_NE(res->body.find("970436"), std::string::npos);
  }
  httplib::Headers many;
  for (int i = 1; i < 90; ++i) many.emplace("X-Pad-" + std::to_string(i), "x");
  auto res = c->Get("/api/v1/banks", many);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(Https, TooManyHeaderLinesGet431OverTls) {
  auto c = client();
  httplib::Headers many;
  for (int i = 0; i < 150; ++i) many.emplace("X-Pad-" + std::to_string(i), "x");
  auto res = c->Get("/api/v1/banks", many);
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 431);
  EXPECT_NE(res->body.find(R"("code":"too_large")"), std::string::npos) << res->body;
}

TEST_F(Https, ACertificateThatCannotBeLoadedStopsTheServerWithAClearError) {
  Config config = TestServer::quiet_config();
  config.tls_cert = (dir_ / "key.pem").string();  // not a certificate
  config.tls_key = (dir_ / "key.pem").string();
  try {
    TestServer bad(config);
    ADD_FAILURE() << "the server started with a key as its certificate";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot load the TLS certificate"), std::string::npos)
        << e.what();
  }
}

// A TLS client on a raw socket, so that the test decides when each byte goes.
class TlsSocket {
 public:
  explicit TlsSocket(int port) : socket_(port), context_(SSL_CTX_new(TLS_client_method())) {
    ssl_ = SSL_new(context_);
    SSL_set_fd(ssl_, socket_.fd());
    if (SSL_connect(ssl_) != 1) throw std::runtime_error("TLS handshake failed");
  }
  ~TlsSocket() {
    SSL_free(ssl_);
    SSL_CTX_free(context_);
  }
  bool send(std::string_view bytes) {
    return SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size())) ==
           static_cast<int>(bytes.size());
  }
  std::string read_all() {
    std::string out;
    char buf[4096];
    int n = 0;
    while ((n = SSL_read(ssl_, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    return out;
  }

 private:
  Socket socket_;
  SSL_CTX* context_;
  SSL* ssl_ = nullptr;
};

TEST_F(Https, ABodyTrickledInGets408OverTls) {
  TlsSocket s(server_->port());
  ASSERT_TRUE(
      s.send("POST /api/v1/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
             "Content-Length: 1000\r\n\r\n{"));
  const auto start = Clock::now();
  std::atomic<bool> done{false};
  std::string answer;
  std::thread reader([&] {
    answer = s.read_all();
    done = true;
  });
  while (!done && Clock::now() - start < 5s && s.send(" ")) std::this_thread::sleep_for(200ms);
  reader.join();
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 408 ")) << answer.substr(0, 200);
  EXPECT_LT(Clock::now() - start, 3s);
}

TEST_F(Https, AHandshakeThatNeverCompletesIsDropped) {
  Socket s(server_->port());
  ASSERT_TRUE(s.send(std::string("\x16\x03\x01", 3)));  // the start of a ClientHello, then nothing
  const auto start = Clock::now();
  EXPECT_EQ(s.read_all(15s), "");
  EXPECT_LT(Clock::now() - start, 6s);  // the read timeout (2 s here), not forever
  auto c = client();
  auto res = c->Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

}  // namespace
}  // namespace chophien::storefront
