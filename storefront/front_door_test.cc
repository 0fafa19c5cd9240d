// The front door (front_door.h) on real sockets over 127.0.0.1: request heads parsed strictly,
// answers in order, connections handed to "httplib" (here a thread calling accept() on the
// listening socket, as httplib's loop does) with their request still unread, render threads,
// timeouts, stop. Then inside the real server: pages from the front door are the pages the worker
// threads give, and a connection moves to the workers at its first other request.

#include "storefront/front_door.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "core/demo.h"
#include "core/money.h"
#include "storefront/test_gzip.h"
#include "storefront/test_server.h"

namespace chophien::storefront {
namespace {

using namespace std::chrono_literals;

// --- Sockets ---

int listening_socket(int& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(fd, 64) != 0) {
    throw std::runtime_error("cannot listen on 127.0.0.1");
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(addr.sin_port);
  return fd;
}

int connect_to(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::runtime_error("cannot connect");
  }
  return fd;
}

void send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) throw std::runtime_error("send failed");
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

// Reads until `want` bytes arrived, the peer closed, or `timeout` passed.
std::string read_some(int fd, size_t want, std::chrono::milliseconds timeout = 5000ms) {
  std::string out;
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (out.size() < want) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[4096];
    const ssize_t n = ::recv(fd, buf, std::min(sizeof buf, want - out.size()), 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// True when the peer closed the connection within `timeout` (nothing more to read).
bool closed_by_peer(int fd, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
  char c;
  // A FIN, or a reset when the server closed with bytes of ours unread.
  const ssize_t n = ::recv(fd, &c, 1, 0);
  return n == 0 || (n < 0 && errno == ECONNRESET);
}

std::string response(std::string_view body) {
  return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         std::string(body);
}

std::string big_body(int i) { return std::string(65536, static_cast<char>('a' + i % 26)); }

// --- parse_request_head ---

TEST(RequestHead, ParsesRequestLineAndTrimmedHeaders) {
  const std::string bytes =
      "GET /san-pham/7?x=1 HTTP/1.1\r\nHost: a\r\nCookie:  form_token=x \r\n"
      "Connection: keep-alive, Close\r\n\r\nrest";
  RequestHead head;
  ASSERT_EQ(parse_request_head(bytes, head), HeadStatus::complete);
  EXPECT_EQ(head.method, "GET");
  EXPECT_EQ(head.target, "/san-pham/7?x=1");
  EXPECT_EQ(head.version, "HTTP/1.1");
  EXPECT_EQ(head.size, bytes.size() - 4);
  EXPECT_EQ(head.header("cookie"), "form_token=x");
  EXPECT_EQ(head.header("If-None-Match"), std::nullopt);
  EXPECT_TRUE(head.wants_close());
}

TEST(RequestHead, WaitsForTheBlankLine) {
  RequestHead head;
  EXPECT_EQ(parse_request_head("", head), HeadStatus::incomplete);
  EXPECT_EQ(parse_request_head("GET / HTTP/1.1\r\nHost: a\r\n", head), HeadStatus::incomplete);
  EXPECT_EQ(parse_request_head("GET / HTTP/1.1\r\n\r", head), HeadStatus::incomplete);
  // What follows a complete head (a body, the next request) does not change it.
  EXPECT_EQ(parse_request_head("GET / HTTP/1.1\r\n\r\nGET /b HTTP/1.1\nX\n\n", head),
            HeadStatus::complete);
  EXPECT_EQ(head.size, 18u);
}

TEST(RequestHead, RefusesWhatHttp11DoesNotAllow) {
  const char* const bad[] = {
      "GET / HTTP/1.1\n\r\n\r\n",                   // bare LF in the request line
      "GET  / HTTP/1.1\r\n\r\n",                    // two spaces
      "GET / HTTP/2.0\r\n\r\n",                     // not HTTP/1.x
      "GET /a b HTTP/1.1\r\n\r\n",                  // space in the target
      "G(T / HTTP/1.1\r\n\r\n",                     // not a token
      "GET / HTTP/1.1\r\nHost : a\r\n\r\n",         // space before the colon
      "GET / HTTP/1.1\r\nNoColon\r\n\r\n",          // no colon
      "GET / HTTP/1.1\r\n: empty\r\n\r\n",          // empty name
      "GET / HTTP/1.1\r\nA: 1\r\n folded\r\n\r\n",  // obsolete line folding
      "GET / HTTP/1.1\r\nA: x\ry\r\n\r\n",          // lone CR in a value
      "GET / HTTP/1.1\r\nA: \x01\r\n\r\n",          // control character
      "GET /\x80 HTTP/1.1\r\n\r\n",                 // raw byte in the target
      "\r\n\r\n",                                   // nothing
  };
  for (const char* bytes : bad) {
    RequestHead head;
    EXPECT_EQ(parse_request_head(bytes, head), HeadStatus::malformed) << bytes;
  }
  RequestHead head;
  EXPECT_EQ(parse_request_head(std::string_view("GET /\0", 6), head), HeadStatus::malformed);
}

// --- FrontDoor on a plain listening socket ---

// A listening socket with a front door, and an "httplib" thread that accepts what is handed over,
// records the bytes of its first request and answers "handed".
struct Door : ::testing::Test {
  int port = 0;
  int listen_fd = listening_socket(port);
  FrontDoor::Options options;
  std::unique_ptr<FrontDoor> door;
  std::thread acceptor;
  std::mutex mutex;
  std::vector<std::string> handed;  // what the acceptor read, one entry per connection
  std::atomic<int> accept_result{0};
  std::atomic<int> accept_errno{0};

  FrontDoor::Decision answer(const RequestHead& head, bool close, std::string& out) {
    if (head.target.starts_with("/render")) return FrontDoor::Decision::render;
    if (head.target == "/front/throw") {
      out += "half an answer";
      throw std::runtime_error("a bug");
    }
    if (!head.target.starts_with("/front")) return FrontDoor::Decision::hand_over;
    if (head.target.starts_with("/front/big/")) {
      out += response(big_body(std::stoi(std::string(head.target.substr(11)))));
      return FrontDoor::Decision::answered;
    }
    out += response(std::string(head.target) + (close ? " close" : ""));
    return FrontDoor::Decision::answered;
  }

  void start(bool with_render = true) {
    FrontDoor::Render render;
    if (with_render) {
      render = [](const RequestHead& head, bool) -> std::optional<std::string> {
        if (head.target == "/render/no") return std::nullopt;
        if (head.target == "/render/throw") throw 42;
        return response("rendered " + std::string(head.target));
      };
    }
    door = std::make_unique<FrontDoor>(
        options,
        [this](const RequestHead& head, bool close, std::string& out) {
          return answer(head, close, out);
        },
        render);
    ASSERT_TRUE(door->start(listen_fd).has_value());
    acceptor = std::thread([this] {
      while (true) {
        const int fd = ::accept(listen_fd, nullptr, nullptr);
        if (fd < 0) {
          accept_errno = errno;
          accept_result = -1;
          return;
        }
        // Everything the client sent so far (the tests send a whole request at once).
        std::string bytes = read_some(fd, 1 << 16, 300ms);
        {
          std::lock_guard lock(mutex);
          handed.push_back(bytes);
        }
        send_all(fd, response("handed"));
        ::close(fd);
      }
    });
  }

  void TearDown() override {
    if (door) door->stop();
    // As httplib's stop() does: an acceptor that came back to accept() after the door stopped is
    // in the system's accept, which only a shut-down listening socket wakes.
    ::shutdown(listen_fd, SHUT_RDWR);
    if (acceptor.joinable()) acceptor.join();
    ::close(listen_fd);
  }

  std::vector<std::string> handed_requests() {
    std::lock_guard lock(mutex);
    return handed;
  }
};

TEST_F(Door, AnswersPipelinedRequestsInOrder) {
  start();
  const int fd = connect_to(port);
  send_all(fd, "GET /front/a HTTP/1.1\r\nHost: x\r\n\r\nGET /front/b HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string expected = response("/front/a") + response("/front/b");
  EXPECT_EQ(read_some(fd, expected.size()), expected);
  // Still open for more.
  send_all(fd, "GET /front/c HTTP/1.1\r\n\r\n");
  EXPECT_EQ(read_some(fd, response("/front/c").size()), response("/front/c"));
  ::close(fd);
  EXPECT_EQ(door->stats().answered, 3u);
  EXPECT_EQ(door->stats().handed_over, 0u);
}

TEST_F(Door, HandsOverTheConnectionWithItsRequestUnread) {
  start();
  const int fd = connect_to(port);
  send_all(fd, "GET /front/a HTTP/1.1\r\n\r\n");
  EXPECT_EQ(read_some(fd, response("/front/a").size()), response("/front/a"));
  const std::string post = "POST /cart HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello";
  send_all(fd, post);
  EXPECT_EQ(read_some(fd, response("handed").size()), response("handed"));
  ::close(fd);
  ASSERT_EQ(handed_requests().size(), 1u);
  EXPECT_EQ(handed_requests()[0], post);  // not a byte consumed, not a byte of the GET
  EXPECT_EQ(door->stats().handed_over, 1u);
}

TEST_F(Door, HandsOverWhatItDoesNotAnswerItself) {
  start();
  const std::string requests[] = {
      "HEAD /front/a HTTP/1.1\r\n\r\n",                         // not GET
      "GET /front/a HTTP/1.0\r\n\r\n",                          // not HTTP/1.1
      "GET /front/a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",  // a body
      "GET /front/a HTTP/1.1\r\nContent-Length: 0\r\ncontent-length: 4\r\n\r\nabcd",
      "GET /front/a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "GET /front/a HTTP/1.1\r\nExpect: 100-continue\r\n\r\n",
      "GET /front/a HTTP/1.1\r\nUpgrade: websocket\r\n\r\n",
      "GET /front/a HTTP/1.1\nHost: x\n\n",           // bare LF: httplib gives its own answer
      "GET /front/a HTTP/1.1\r\nA: 1\rB: 2\r\n\r\n",  // bare CR
      "GET /other HTTP/1.1\r\n\r\n",                  // the answer callback declines
      "GET /front/" + std::string(20000, 'a') + " HTTP/1.1\r\n\r\n",  // head over 16 KiB
      "GET /front/a HTTP/1.1\r\nRange: bytes=0-9\r\n\r\n",
      "GET /front/a#top HTTP/1.1\r\n\r\n",    // httplib drops fragments
      "GET /front/a?x=1?y HTTP/1.1\r\n\r\n",  // httplib refuses a second '?'
      "GET /front/a HTTP/1.1\r\nCookie: " + std::string(9000, 'c') + "\r\n\r\n",  // line > 8 KiB
      // 8193 bytes with its CRLF: httplib's limit is 8192.
      "GET /front/a HTTP/1.1\r\nCookie: " + std::string(8183, 'c') + "\r\n\r\n",
  };
  for (const auto& request : requests) {
    const int fd = connect_to(port);
    send_all(fd, request);
    EXPECT_EQ(read_some(fd, response("handed").size()), response("handed"))
        << request.substr(0, 60);
    ::close(fd);
  }
  const auto got = handed_requests();
  ASSERT_EQ(got.size(), std::size(requests));
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], requests[i]);
  EXPECT_EQ(door->stats().answered, 0u);
}

TEST_F(Door, WaitsForAHeadSentInPieces) {
  start();
  const int fd = connect_to(port);
  send_all(fd, "GET /front/slow HT");
  std::this_thread::sleep_for(50ms);
  send_all(fd, "TP/1.1\r\nHost: x\r");
  std::this_thread::sleep_for(50ms);
  send_all(fd, "\n\r\n");
  EXPECT_EQ(read_some(fd, response("/front/slow").size()), response("/front/slow"));
  ::close(fd);
}

TEST_F(Door, RendersOnARenderThreadAndGoesOn) {
  start();
  const int fd = connect_to(port);
  send_all(fd,
           "GET /render/1 HTTP/1.1\r\n\r\nGET /front/after HTTP/1.1\r\n\r\n"
           "GET /render/2 HTTP/1.1\r\n\r\n");
  const std::string expected =
      response("rendered /render/1") + response("/front/after") + response("rendered /render/2");
  EXPECT_EQ(read_some(fd, expected.size()), expected);
  ::close(fd);
  EXPECT_EQ(door->stats().rendered, 2u);
  EXPECT_EQ(door->stats().answered, 3u);
}

TEST_F(Door, ARenderThatDeclinesHandsTheRequestOver) {
  start();
  const int fd = connect_to(port);
  send_all(fd, "GET /render/no HTTP/1.1\r\n\r\n");
  EXPECT_EQ(read_some(fd, response("handed").size()), response("handed"));
  ::close(fd);
  ASSERT_EQ(handed_requests().size(), 1u);
  EXPECT_EQ(handed_requests()[0], "GET /render/no HTTP/1.1\r\n\r\n");
}

TEST_F(Door, AnAnswerOrRenderThatThrowsHandsTheRequestOver) {
  start();
  for (const char* target : {"/front/throw", "/render/throw"}) {
    const int fd = connect_to(port);
    const std::string request = "GET " + std::string(target) + " HTTP/1.1\r\n\r\n";
    send_all(fd, request);
    EXPECT_EQ(read_some(fd, response("handed").size()), response("handed")) << target;
    ::close(fd);
  }
  ASSERT_EQ(handed_requests().size(), 2u);
  EXPECT_EQ(handed_requests()[0], "GET /front/throw HTTP/1.1\r\n\r\n");
}

TEST_F(Door, AHeadSentByteByByteGoesToHttplib) {
  start();
  const int fd = connect_to(port);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  // 80 pieces, far more than the 16 the front door reads a head in even if some arrive together,
  // then the rest at once (the stand-in for httplib reads for 300 ms from the hand-over).
  const std::string request =
      "GET /front/a HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(360, 'p') + "\r\n\r\n";
  for (size_t i = 0; i < 80; ++i) {
    send_all(fd, request.substr(i, 1));
    std::this_thread::sleep_for(1ms);
  }
  send_all(fd, request.substr(80));
  EXPECT_EQ(read_some(fd, response("handed").size()), response("handed"));
  ::close(fd);
  ASSERT_EQ(handed_requests().size(), 1u);
  EXPECT_EQ(handed_requests()[0], request);
}

TEST_F(Door, AClientThatReadsSlowlyGetsTheWholeAnswer) {
  options.write_timeout = 300ms;
  start();
  const int fd = connect_to(port);
  // 64 answers of 64 KiB, read at about 3 MB/s: longer than the write timeout in all, and the
  // socket buffers fill many times, but the client never stops reading for that long.
  std::string requests;
  std::string expected;
  for (int i = 0; i < 64; ++i) {
    requests += "GET /front/big/" + std::to_string(i) + " HTTP/1.1\r\n\r\n";
    expected += response(big_body(i));
  }
  send_all(fd, requests);
  std::string got;
  while (got.size() < expected.size()) {
    const std::string piece = read_some(fd, 16384, 1000ms);
    if (piece.empty()) break;
    got += piece;
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(got.size(), expected.size())
      << "answered " << door->stats().answered << ", handed over " << door->stats().handed_over;
  EXPECT_TRUE(got == expected);
  ::close(fd);
}

TEST_F(Door, WithoutRenderThreadsRenderMeansHandOver) {
  start(false);
  const int fd = connect_to(port);
  send_all(fd, "GET /render/1 HTTP/1.1\r\n\r\n");
  EXPECT_EQ(read_some(fd, response("handed").size()), response("handed"));
  ::close(fd);
}

TEST_F(Door, ConnectionCloseIsHonoured) {
  start();
  const int fd = connect_to(port);
  send_all(fd, "GET /front/a HTTP/1.1\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(read_some(fd, response("/front/a close").size()), response("/front/a close"));
  EXPECT_TRUE(closed_by_peer(fd, 2000ms));
  ::close(fd);
}

TEST_F(Door, TheLastRequestOfAConnectionIsAnsweredWithClose) {
  options.max_requests = 2;
  start();
  const int fd = connect_to(port);
  send_all(fd, "GET /front/1 HTTP/1.1\r\n\r\nGET /front/2 HTTP/1.1\r\n\r\n");
  const std::string expected = response("/front/1") + response("/front/2 close");
  EXPECT_EQ(read_some(fd, expected.size()), expected);
  EXPECT_TRUE(closed_by_peer(fd, 2000ms));
  ::close(fd);
}

TEST_F(Door, IdleAndSlowConnectionsAreClosed) {
  options.idle_timeout = 200ms;
  options.read_timeout = 300ms;
  start();
  const int idle = connect_to(port);
  const int slow = connect_to(port);
  send_all(slow, "GET /front/a HTTP/1.1\r\n");  // and never the blank line
  EXPECT_TRUE(closed_by_peer(idle, 3000ms));
  EXPECT_TRUE(closed_by_peer(slow, 3000ms));
  ::close(idle);
  ::close(slow);
  EXPECT_TRUE(handed_requests().empty());
}

TEST_F(Door, StopWakesTheAcceptingThread) {
  start();
  while (door->stats().waiting == 0) std::this_thread::sleep_for(1ms);
  door->stop();
  acceptor.join();
  EXPECT_EQ(accept_result.load(), -1);
  EXPECT_EQ(accept_errno.load(), EINVAL);
}

TEST(FrontDoorAccept, OtherSocketsAreAcceptedByTheSystem) {
  int port = 0;
  const int fd = listening_socket(port);
  auto accepted = std::async(std::launch::async, [fd] { return ::accept(fd, nullptr, nullptr); });
  const int client = connect_to(port);
  const int server_side = accepted.get();
  EXPECT_GE(server_side, 0);
  send_all(client, "ping");
  EXPECT_EQ(read_some(server_side, 4), "ping");
  ::close(server_side);
  ::close(client);
  ::close(fd);
}

// --- Inside the real server ---

struct FrontDoorServer : ::testing::Test {
  static Config config(int front_threads) {
    Config c = TestServer::quiet_config();
    c.front_threads = front_threads;
    c.public_url = "http://cho.test";  // the same absolute links from both servers
    return c;
  }
  static void demo(core::Database& db) {
    core::ManualClock clock;
    core::load_demo(db, clock).value();
  }
  TestServer server_{config(2), demo};

  // The first active product in stock, and its producer.
  int64_t product(TestServer& server, bool producer = false) {
    auto db = server.db().acquire().value();
    auto st = db->prepare(
                    "SELECT id, producer_id FROM products WHERE status = 'active' AND stock > 0 "
                    "ORDER BY id LIMIT 1")
                  .value();
    EXPECT_TRUE(st.step().value());
    return st.column_int(producer ? 1 : 0);
  }
  static int64_t metric(TestServer& server, const std::string& line) {
    const std::string text = server.server().metrics().render();
    const size_t at = text.find(line + " ");
    return at == std::string::npos ? 0 : std::stoll(text.substr(at + line.size() + 1));
  }
  // One raw GET on a new connection: the whole response (the server closes after it).
  static std::string raw_get(int port, const std::string& target, const std::string& extra = "",
                             std::chrono::milliseconds timeout = 5000ms) {
    const int fd = connect_to(port);
    send_all(fd, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra +
                     "Connection: close\r\n\r\n");
    std::string out = read_some(fd, 1 << 20, timeout);
    ::close(fd);
    return out;
  }
  // One whole response with a Content-Length from a kept-alive connection.
  static std::string read_response(int fd) {
    std::string head = read_some(fd, 1);
    while (head.find("\r\n\r\n") == std::string::npos) {
      const std::string more = read_some(fd, 1);
      if (more.empty()) return head;
      head += more;
    }
    const size_t at = head.find("Content-Length: ");
    if (at == std::string::npos) return head;
    return head + read_some(fd, std::stoul(head.substr(at + 16)));
  }
  // The response without what differs between two answers of the same page by design.
  static std::string comparable(std::string response) {
    // The ETag hashes the page with each process's own token placeholder.
    response = std::regex_replace(response, std::regex("ETag: \"[0-9a-f]{16}\""), "ETag: *");
    return std::regex_replace(response, std::regex("X-Request-Id: r-[0-9a-f]{6}"),
                              "X-Request-Id: r-*");
  }
};

TEST_F(FrontDoorServer, PagesFromTheFrontDoorAreThePagesOfTheWorkers) {
  TestServer workers_only{config(0), demo};
  const std::string cookie = "Cookie: form_token=" + std::string(32, 'a') + "\r\n";
  const std::string targets[] = {"/", "/?q=mien", "/san-pham/" + std::to_string(product(server_)),
                                 "/nha-san-xuat/" + std::to_string(product(server_, true)),
                                 "/san-pham/999999"};
  for (const auto& target : targets) {
    // First: rendered (by a render thread or a worker), then from the cache.
    const std::string rendered = raw_get(server_.port(), target, cookie);
    const std::string cached = raw_get(server_.port(), target, cookie);
    const std::string reference = raw_get(workers_only.port(), target, cookie);
    ASSERT_FALSE(reference.empty()) << target;
    EXPECT_EQ(comparable(rendered), comparable(reference)) << target;
    EXPECT_EQ(comparable(cached), comparable(reference)) << target;
  }
  const std::string product_route =
      "chophien_http_requests_total{route=\"/san-pham/"
      "(\\\\d{1,18})\",method=\"GET\",status=\"200\"}";
  EXPECT_EQ(metric(server_, product_route), 2);
  // All answered by the front door itself: 6 rendered (the 404 page twice, it is not cached), 4
  // from the cache; nothing handed over.
  const auto stats = server_.server().front_stats();
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->answered, 10u);
  EXPECT_EQ(stats->rendered, 6u);
  EXPECT_EQ(stats->handed_over, 0u);
  EXPECT_FALSE(workers_only.server().front_stats().has_value());
  EXPECT_EQ(metric(server_, "chophien_page_cache_requests_total{result=\"hit\"}"), 4);
  EXPECT_EQ(metric(workers_only, "chophien_page_cache_requests_total{result=\"hit\"}"), 0);
}

TEST_F(FrontDoorServer, BrowsersThatAcceptGzipGetGzip) {
  const std::string token(32, 'e');
  for (const std::string& path : {std::string("/"), "/san-pham/" + std::to_string(product(server_)),
                                  std::string("/san-pham/999999")}) {
    const std::string plain = raw_get(server_.port(), path, "Cookie: form_token=" + token + "\r\n");
    const size_t plain_end = plain.find("\r\n\r\n");
    ASSERT_NE(plain_end, std::string::npos) << path;
    const std::string identity_body = plain.substr(plain_end + 4);
    const bool found = plain.starts_with("HTTP/1.1 200");
    const size_t etag_at = plain.find("\r\nETag: ");
    const std::string identity_etag =
        etag_at == std::string::npos
            ? ""
            : plain.substr(etag_at + 8, plain.find("\r\n", etag_at + 8) - etag_at - 8);
    // Twice: rendered, then from the cache.
    for (int i = 0; i < 2; ++i) {
      const std::string raw =
          raw_get(server_.port(), path,
                  "Cookie: form_token=" + token + "\r\nAccept-Encoding: gzip, deflate, br\r\n");
      const size_t end = raw.find("\r\n\r\n");
      ASSERT_NE(end, std::string::npos) << path;
      const std::string head = raw.substr(0, end);
      EXPECT_NE(head.find("\r\nContent-Encoding: gzip"), std::string::npos) << path << head;
      EXPECT_EQ(gunzip(raw.substr(end + 4)), identity_body) << path;
      if (found) {
        EXPECT_NE(head.find("\r\nETag: W/" + identity_etag), std::string::npos) << head;
        EXPECT_NE(head.find("\r\nVary: Accept-Encoding"), std::string::npos) << head;
      }
    }
  }
  // Refusing gzip gets identity.
  const std::string refused =
      raw_get(server_.port(), "/", "Accept-Encoding: gzip;q=0, identity\r\n");
  EXPECT_EQ(refused.find("Content-Encoding"), std::string::npos);
  // The weak ETag of the gzip page revalidates it.
  const std::string first = raw_get(server_.port(), "/", "Accept-Encoding: gzip\r\n");
  const size_t at = first.find("ETag: ");
  ASSERT_NE(at, std::string::npos);
  const std::string etag = first.substr(at + 6, first.find("\r\n", at) - at - 6);
  EXPECT_TRUE(etag.starts_with("W/\"")) << etag;
  const std::string again =
      raw_get(server_.port(), "/", "Accept-Encoding: gzip\r\nIf-None-Match: " + etag + "\r\n");
  EXPECT_TRUE(again.starts_with("HTTP/1.1 304")) << again.substr(0, 40);
  EXPECT_NE(again.find("\r\nETag: " + etag + "\r\n"), std::string::npos) << again;
  // After a commit that changes nothing shown, the page is rendered again (by a render thread)
  // and is the same: the 304 still names the compressed form.
  {
    auto db = server_.db().acquire().value();
    ASSERT_TRUE(db->exec("UPDATE products SET updated_at = updated_at + 1").has_value());
  }
  const auto rendered_before = server_.server().front_stats()->rendered;
  const std::string after =
      raw_get(server_.port(), "/", "Accept-Encoding: gzip\r\nIf-None-Match: " + etag + "\r\n");
  EXPECT_EQ(server_.server().front_stats()->rendered, rendered_before + 1);
  EXPECT_TRUE(after.starts_with("HTTP/1.1 304")) << after.substr(0, 40);
  EXPECT_NE(after.find("\r\nETag: " + etag + "\r\n"), std::string::npos) << after;
  // Accept-Encoding on two lines is one list.
  const std::string two_lines =
      raw_get(server_.port(), "/", "Accept-Encoding: identity\r\nAccept-Encoding: gzip\r\n");
  EXPECT_NE(two_lines.find("Content-Encoding: gzip"), std::string::npos);
  // The worker threads' compressed answers carry a weak tag too.
  const std::string plain = raw_get(server_.port(), "/");
  const std::string plain_home = plain.substr(plain.find("\r\n\r\n") + 4);
  const int fd = connect_to(server_.port());
  send_all(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");  // moves it to the workers
  ASSERT_NE(read_response(fd).find("200 OK"), std::string::npos);
  send_all(fd, "GET / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip, deflate, br\r\n\r\n");
  const std::string worker = read_response(fd);
  // Brotli is not offered (quality 11 costs milliseconds per page): gzip, as the front door.
  EXPECT_NE(worker.find("\r\nContent-Encoding: gzip\r\n"), std::string::npos)
      << worker.substr(0, 300);
  EXPECT_NE(worker.find("\r\nETag: W/\""), std::string::npos) << worker.substr(0, 300);
  EXPECT_EQ(gunzip(worker.substr(worker.find("\r\n\r\n") + 4)), plain_home);
  // A client that names only brotli gets the page as it is, with the identity's strong tag.
  send_all(fd, "GET / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: br\r\n\r\n");
  const std::string br_only = read_response(fd);
  ::close(fd);
  EXPECT_EQ(br_only.find("Content-Encoding"), std::string::npos) << br_only.substr(0, 300);
  EXPECT_EQ(br_only.substr(br_only.find("\r\n\r\n") + 4), plain_home);
}

TEST(WithoutBrotli, TakesOutEveryItemHttplibWouldReadAsBrotli) {
  EXPECT_EQ(without_brotli("gzip, deflate, br"), "gzip, deflate");
  EXPECT_EQ(without_brotli("br;q=1.0, gzip;q=0.8, *;q=0.1"), "gzip;q=0.8, *;q=0.1");
  EXPECT_EQ(without_brotli("br"), "");
  EXPECT_EQ(without_brotli(" gzip ,, identity"), "gzip, identity");
  EXPECT_EQ(without_brotli("x-brotli-ish, gzip"), "gzip");
  EXPECT_EQ(without_brotli(""), "");
}

TEST_F(FrontDoorServer, AConnectionMovesToTheWorkersAtItsFirstOtherRequest) {
  auto client = server_.client();
  client.set_keep_alive(true);
  const std::string path = "/san-pham/" + std::to_string(product(server_));
  auto page = client.Get(path.c_str());
  auto again = client.Get(path.c_str());
  ASSERT_TRUE(page && again);
  EXPECT_EQ(page->status, 200);
  const std::string cookie = page->get_header_value("Set-Cookie");
  ASSERT_TRUE(cookie.starts_with("form_token=")) << cookie;
  const std::string token = cookie.substr(11, 32);
  httplib::Headers headers = {{"Cookie", "form_token=" + token}};
  auto added = client.Post("/gio-hang/them", headers,
                           "csrf_token=" + token + "&product_id=" + path.substr(10) + "&quantity=1",
                           "application/x-www-form-urlencoded");
  ASSERT_TRUE(added);
  EXPECT_EQ(added->status, 303) << added->body;
  auto after = client.Get(path.c_str(), headers);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
  EXPECT_NE(after->body.find("value=\"" + token + "\""), std::string::npos);
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

TEST_F(FrontDoorServer, ACommitShowsOnTheSameConnectionAtOnce) {
  const int64_t id = product(server_);
  const std::string target = "/san-pham/" + std::to_string(id);
  const int fd = connect_to(server_.port());
  const std::string request = "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n";
  send_all(fd, request);
  const std::string before = read_response(fd);
  ASSERT_NE(before.find("200 OK"), std::string::npos);
  {
    auto db = server_.db().acquire().value();
    auto st = db->prepare("UPDATE products SET price_vnd = 777000 WHERE id = ?1").value();
    ASSERT_TRUE(st.bind(1, id).run().has_value());
  }
  send_all(fd, request);
  const std::string after = read_response(fd);
  EXPECT_NE(after.find(core::format_vnd(777000)), std::string::npos);
  ::close(fd);
}

TEST_F(FrontDoorServer, HeadAndHostileRequestsGetTheWorkersAnswers) {
  auto client = server_.client();
  auto head = client.Head("/");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
  // A control character in the target: the front door leaves it to httplib, which answers.
  const std::string garbage = raw_get(server_.port(), "/\x01", "", 1000ms);
  EXPECT_TRUE(garbage.starts_with("HTTP/1.1 4")) << garbage.substr(0, 40);
  const std::string long_target = raw_get(server_.port(), "/" + std::string(9000, 'a'), "", 1000ms);
  EXPECT_TRUE(long_target.starts_with("HTTP/1.1 414")) << long_target.substr(0, 40);
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

TEST_F(FrontDoorServer, ManyConnectionsAtOnce) {
  const std::string path = "/san-pham/" + std::to_string(product(server_));
  std::vector<std::future<int>> clients;
  for (int i = 0; i < 32; ++i) {
    clients.push_back(std::async(std::launch::async, [&] {
      auto client = server_.client();
      client.set_keep_alive(true);
      int ok = 0;
      for (int j = 0; j < 20; ++j) {
        auto res = client.Get(j % 5 == 4 ? "/healthz" : path.c_str());
        ok += res && res->status == 200;
      }
      return ok;
    }));
  }
  for (auto& c : clients) EXPECT_EQ(c.get(), 20);
}

}  // namespace
}  // namespace chophien::storefront
