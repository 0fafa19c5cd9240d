#pragma once
// The front door: a few event-driven threads (epoll) that take every connection of the server
// first and answer public pages (home, product and producer pages, which are most of a shop's
// traffic): from the page cache on the event thread itself, or, when the page must be rendered,
// on one of a few render threads while the connection waits. Any other request, and every later
// request on the same connection, goes to httplib's thread pool.
//
// Why: Debian's cpp-httplib gives each keep-alive connection a thread of its own and makes about
// twelve system calls per request (poll before every read and write, getpeername, getsockname),
// plus a thread switch. A cached page needs three here (epoll_wait, recv, send), on two threads.
//
// How a connection moves to httplib: the front door only peeks at a request (MSG_PEEK) until it
// has decided to answer it, so a request it does not answer is still unread in the socket. The
// connection is then handed over as it is: httplib's listening loop calls accept() on its listening
// socket, and this unit defines accept() for the whole process. For the listening socket of a
// running FrontDoor it returns the next connection handed over; for any other socket it is the
// system's accept. httplib then serves the connection exactly as if it had accepted it itself
// (its own timeouts, keep-alive, peer address, TLS is not involved: see Server).
//
// Requests the front door answers: GET, HTTP/1.1, no body, no Expect, Upgrade or Range, a target
// without a fragment or a second '?', lines within httplib's 8 KiB, a head of at most 16 KiB and
// within the server's limits (max_header_lines, max_head_bytes) sent in at most 16 pieces, and an
// answer from the `Answer` callback (or from `Render` when Answer says so and fewer than
// max_queued_renders wait). Everything else, including every malformed head, is handed over and
// gets httplib's answer (and a head over the limits the worker threads' 431, guarded_server.h).
// Requests are answered in order (pipelining works). Connections idle longer than the keep-alive
// timeout, or sending a head more slowly than the read timeout, are closed.
//
// Thread-safety: start() and stop() from any thread (stop() before start() is a no-op); the
// threads it starts touch only their own connections; Answer is called on them concurrently.

#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "core/result.h"
#include "storefront/request_head.h"

namespace chophien::storefront {

class FrontDoor {
 public:
  struct Options {
    int threads = 2;
    std::chrono::milliseconds idle_timeout{5000};    // keep-alive: no request started
    std::chrono::milliseconds read_timeout{10000};   // a head that does not complete
    std::chrono::milliseconds write_timeout{10000};  // an answer the client does not take
    size_t max_requests = 10000;  // per connection; the last one gets Connection: close
    int render_threads = 4;
    size_t max_queued_renders = 256;  // beyond: handed to httplib instead of waiting
    size_t max_header_lines = 100;    // heads with more, or longer, are handed to httplib
    size_t max_head_bytes = 16 * 1024;
  };

  enum class Decision {
    answered,   // the whole HTTP response was appended to `out`
    render,     // Render may answer it, on a render thread
    hand_over,  // httplib answers it (`out` untouched)
  };
  // Called on an event thread, so it must not block. `close`: the response must say
  // `Connection: close` (the front door closes the connection after it).
  using Answer = std::function<Decision(const RequestHead& head, bool close, std::string& out)>;
  // Called on a render thread: the whole HTTP response, or nullopt to hand the connection over.
  using Render = std::function<std::optional<std::string>(const RequestHead& head, bool close)>;

  struct Stats {
    uint64_t answered = 0;     // requests answered by the front door (rendered ones included)
    uint64_t rendered = 0;     // of those, answered by Render
    uint64_t handed_over = 0;  // connections handed to httplib
    int waiting = 0;           // callers blocked in accept() for the next one
  };

  FrontDoor(Options options, Answer answer, Render render);
  ~FrontDoor();
  FrontDoor(const FrontDoor&) = delete;
  FrontDoor& operator=(const FrontDoor&) = delete;

  // Takes over accepting on `listen_fd` (a bound, listening TCP socket that httplib's loop will
  // accept() on) and starts the threads. Errors: unavailable when epoll or the threads cannot be
  // set up (the server then runs without a front door).
  Result<void> start(int listen_fd);

  // Stops accepting and answering, closes the connections it holds (after finishing answers being
  // written, for at most the write timeout) and joins the threads. A caller blocked in accept() on
  // the listening socket returns -1 (EINVAL). Call after httplib's own stop(). Idempotent.
  void stop();

  Stats stats() const;

  // The process-wide accept(): when `fd` is the listening socket of a running front door,
  // `handled` is set and the result is the next connection handed over (-1 with EINVAL once
  // stopped); otherwise the caller accepts as usual.
  static int accept_on(int fd, sockaddr* addr, socklen_t* len, bool& handled);

 private:
  struct Loop;
  struct Job {
    Loop* loop;
    int fd;
    std::string head;  // the request head's bytes
    bool close;
  };
  int take(sockaddr* addr, socklen_t* len);  // after accept_on() counted the caller in takers_
  void run(Loop& loop);
  void render_worker();
  void hand_over(int fd);

  const Options options_;
  const Answer answer_;
  const Render render_;
  int listen_fd_ = -1;     // httplib's
  int accept_fd_ = -1;     // our duplicate, non-blocking
  int listen_flags_ = -1;  // the description's flags before, restored by stop()
  std::vector<std::unique_ptr<Loop>> loops_;
  std::vector<std::thread> threads_;
  std::vector<std::thread> renderers_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> answered_{0};
  std::atomic<uint64_t> rendered_{0};
  std::atomic<uint64_t> handed_over_{0};

  std::mutex jobs_mutex_;
  std::condition_variable jobs_ready_;
  std::deque<Job> jobs_;      // under jobs_mutex_
  bool jobs_closed_ = false;  // under jobs_mutex_

  mutable std::mutex queue_mutex_;
  std::condition_variable queue_ready_;
  std::deque<int> queue_;  // connections for httplib, oldest first
  bool closed_ = false;    // under queue_mutex_
  int takers_ = 0;         // callers inside take(), under queue_mutex_
  std::mutex stop_mutex_;  // start() and stop() may come from different threads
  bool started_ = false;   // under stop_mutex_
};

}  // namespace chophien::storefront
