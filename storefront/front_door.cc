#include "storefront/front_door.h"

#include <errno.h>
#include <fcntl.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>

namespace chophien::storefront {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxHead = 16 * 1024;
constexpr size_t kMaxLine = 8192;  // httplib's limit for the request line and each header line
constexpr int kMaxPartialReads = 16;

// What the front door may answer itself; everything else is httplib's to judge, with every byte
// still unread: methods other than GET, HTTP/1.0, a body or two lengths (one reading could smuggle
// a request past the other), Expect, Upgrade, Range, lines longer than httplib allows, and targets
// httplib reads differently (a fragment, a second '?').
bool answerable(const RequestHead& head, const FrontDoor::Options& options) {
  if (head.method != "GET" || head.version != "HTTP/1.1") return false;
  // Heads over the server's limits are refused by the worker threads (guarded_server.h).
  if (head.headers.size() > options.max_header_lines || head.size > options.max_head_bytes) {
    return false;
  }
  if (head.longest_line > kMaxLine) return false;
  if (head.target.find('#') != std::string_view::npos) return false;
  const size_t query = head.target.find('?');
  if (query != std::string_view::npos &&
      head.target.find('?', query + 1) != std::string_view::npos) {
    return false;
  }
  size_t lengths = 0;
  for (const auto& [name, value] : head.headers) {
    const auto is = [&name](const char* what) {
      return name.size() == std::strlen(what) && ::strncasecmp(name.data(), what, name.size()) == 0;
    };
    if (is("Transfer-Encoding") || is("Expect") || is("Upgrade") || is("Range")) return false;
    if (is("Content-Length")) {
      if (value != "0" || ++lengths > 1) return false;
    }
  }
  return true;
}

// --- Which door owns which listening socket (for the process-wide accept) ---

struct Registration {
  int fd;
  dev_t dev;
  ino_t ino;
  FrontDoor* door;
};
std::mutex registry_mutex;
std::vector<Registration> registry;

bool same_socket(int fd, const Registration& r) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 && st.st_dev == r.dev && st.st_ino == r.ino;
}

void set_blocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
}

}  // namespace

// --- FrontDoor ---

struct FrontDoor::Loop {
  struct Connection {
    std::string out;  // answer bytes not yet written
    size_t out_at = 0;
    size_t requests = 0;
    bool close_after = false;
    Clock::time_point last_active;
    std::optional<Clock::time_point> partial_since;  // a head began and is not complete
    std::optional<Clock::time_point> blocked_since;  // the client is not taking our answer
    int partial_reads = 0;                           // pieces of the current head so far
    bool parked = false;  // a render thread works on its request; nothing is read meanwhile
    size_t parked_head = 0;
    bool parked_close = false;
  };
  int epoll = -1;
  int wake = -1;
  bool listening = false;
  std::optional<Clock::time_point> paused_until;  // out of descriptors: accepting paused
  std::unordered_map<int, Connection> connections;
  std::string buffer = std::string(kMaxHead, '\0');
  std::mutex done_mutex;
  std::vector<std::pair<int, std::optional<std::string>>> done;  // rendered answers, by fd

  ~Loop() {
    for (auto& [fd, c] : connections) ::close(fd);
    if (wake >= 0) ::close(wake);
    if (epoll >= 0) ::close(epoll);
  }
};

FrontDoor::FrontDoor(Options options, Answer answer, Render render)
    : options_(options), answer_(std::move(answer)), render_(std::move(render)) {}

FrontDoor::~FrontDoor() { stop(); }

Result<void> FrontDoor::start(int listen_fd) {
  std::lock_guard guard(stop_mutex_);
  if (started_) throw std::logic_error("FrontDoor::start called twice");
  if (stopping_.load()) return Error{ErrorCode::unavailable, "front door: already stopped", ""};
  const auto fail = [this](const std::string& what) -> Result<void> {
    loops_.clear();
    if (accept_fd_ >= 0) ::close(accept_fd_);
    accept_fd_ = -1;
    return Error{ErrorCode::unavailable, "front door: " + what, ""};
  };
  struct stat st {};
  if (::fstat(listen_fd, &st) != 0) return fail("the listening socket is not open");
  accept_fd_ = ::fcntl(listen_fd, F_DUPFD_CLOEXEC, 3);
  if (accept_fd_ < 0) return fail("cannot duplicate the listening socket");
  for (int i = 0; i < std::max(1, options_.threads); ++i) {
    auto loop = std::make_unique<Loop>();
    loop->epoll = ::epoll_create1(EPOLL_CLOEXEC);
    loop->wake = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (loop->epoll < 0 || loop->wake < 0) return fail("cannot create epoll or eventfd");
    epoll_event wake{};
    wake.events = EPOLLIN;
    wake.data.fd = loop->wake;
    epoll_event listen{};
    listen.events = EPOLLIN | EPOLLEXCLUSIVE;
    listen.data.fd = accept_fd_;
    if (::epoll_ctl(loop->epoll, EPOLL_CTL_ADD, loop->wake, &wake) != 0 ||
        ::epoll_ctl(loop->epoll, EPOLL_CTL_ADD, accept_fd_, &listen) != 0) {
      return fail("cannot watch the listening socket");
    }
    loop->listening = true;
    loops_.push_back(std::move(loop));
  }
  // The description is shared with httplib's descriptor, which from now on is only used through
  // take(): accepting never blocks a loop.
  const int flags = ::fcntl(accept_fd_, F_GETFL);
  listen_flags_ = flags;
  if (flags < 0 || ::fcntl(accept_fd_, F_SETFL, flags | O_NONBLOCK) != 0) {
    return fail("cannot make the listening socket non-blocking");
  }
  listen_fd_ = listen_fd;
  {
    std::lock_guard lock(registry_mutex);
    registry.push_back({listen_fd, st.st_dev, st.st_ino, this});
  }
  started_ = true;
  for (auto& loop : loops_) threads_.emplace_back([this, l = loop.get()] { run(*l); });
  if (render_) {
    for (int i = 0; i < std::max(1, options_.render_threads); ++i) {
      renderers_.emplace_back([this] { render_worker(); });
    }
  }
  return {};
}

void FrontDoor::stop() {
  std::lock_guard guard(stop_mutex_);
  stopping_.store(true);
  if (!started_) return;
  started_ = false;
  for (auto& loop : loops_) {
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(loop->wake, &one, sizeof one);
  }
  for (auto& t : threads_) t.join();
  threads_.clear();
  {
    std::lock_guard lock(jobs_mutex_);
    jobs_closed_ = true;
    jobs_.clear();
    jobs_ready_.notify_all();
  }
  for (auto& t : renderers_) t.join();
  renderers_.clear();
  {
    // No new caller finds the door after this; those that did are counted in takers_.
    std::lock_guard lock(registry_mutex);
    std::erase_if(registry, [this](const Registration& r) { return r.door == this; });
  }
  {
    std::unique_lock lock(queue_mutex_);
    closed_ = true;
    for (int fd : queue_) ::close(fd);
    queue_.clear();
    queue_ready_.notify_all();
    // A caller still inside take() holds a pointer to this door.
    queue_ready_.wait(lock, [this] { return takers_ == 0; });
  }
  loops_.clear();
  // httplib's descriptor shares the description: blocking again, as httplib made it.
  if (listen_flags_ >= 0) ::fcntl(accept_fd_, F_SETFL, listen_flags_);
  ::close(accept_fd_);
  accept_fd_ = -1;
}

FrontDoor::Stats FrontDoor::stats() const {
  Stats stats{answered_.load(std::memory_order_relaxed), rendered_.load(std::memory_order_relaxed),
              handed_over_.load(std::memory_order_relaxed), 0};
  std::lock_guard lock(queue_mutex_);
  stats.waiting = takers_;
  return stats;
}

void FrontDoor::render_worker() {
  while (true) {
    Job job;
    {
      std::unique_lock lock(jobs_mutex_);
      jobs_ready_.wait(lock, [this] { return jobs_closed_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    RequestHead head;
    std::optional<std::string> answer;
    if (parse_request_head(job.head, head) == HeadStatus::complete) {
      try {
        answer = render_(head, job.close);
      } catch (...) {
        answer.reset();  // httplib answers it, with its own handling of the failure
      }
    }
    {
      std::lock_guard lock(job.loop->done_mutex);
      job.loop->done.emplace_back(job.fd, std::move(answer));
    }
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(job.loop->wake, &one, sizeof one);
  }
}

int FrontDoor::accept_on(int fd, sockaddr* addr, socklen_t* len, bool& handled) {
  FrontDoor* door = nullptr;
  {
    std::lock_guard lock(registry_mutex);
    for (const auto& r : registry) {
      // The descriptor number alone could have been reused for another socket.
      if (r.fd == fd && same_socket(fd, r)) door = r.door;
    }
    // Counted before the registry lets go: stop() waits for it before the door can go away.
    if (door != nullptr) {
      std::lock_guard queue(door->queue_mutex_);
      ++door->takers_;
    }
  }
  handled = door != nullptr;
  return door != nullptr ? door->take(addr, len) : -1;
}

int FrontDoor::take(sockaddr* addr, socklen_t* len) {
  std::unique_lock lock(queue_mutex_);
  queue_ready_.wait(lock, [this] { return closed_ || !queue_.empty(); });
  int fd = -1;
  if (!queue_.empty()) {
    fd = queue_.front();
    queue_.pop_front();
  }
  --takers_;
  if (closed_) queue_ready_.notify_all();
  lock.unlock();
  if (fd < 0) {
    errno = EINVAL;
    return -1;
  }
  if (addr != nullptr && len != nullptr) ::getpeername(fd, addr, len);
  return fd;
}

void FrontDoor::hand_over(int fd) {
  set_blocking(fd);
  handed_over_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(queue_mutex_);
  if (closed_) {
    ::close(fd);
    return;
  }
  queue_.push_back(fd);
  queue_ready_.notify_one();
}

void FrontDoor::run(Loop& loop) {
  using Connection = Loop::Connection;
  std::vector<epoll_event> events(256);
  auto last_sweep = Clock::now();

  const auto close_connection = [&loop](int fd) {
    ::close(fd);  // also leaves the epoll set
    loop.connections.erase(fd);
  };
  const auto leave = [&loop, this](int fd) {
    ::epoll_ctl(loop.epoll, EPOLL_CTL_DEL, fd, nullptr);
    loop.connections.erase(fd);
    hand_over(fd);
  };

  // Writes what is pending; false when the connection is gone.
  const auto flush = [&](int fd, Connection& c) {
    while (c.out_at < c.out.size()) {
      const ssize_t n = ::send(fd, c.out.data() + c.out_at, c.out.size() - c.out_at, MSG_NOSIGNAL);
      if (n > 0) {
        c.out_at += static_cast<size_t>(n);
        c.blocked_since.reset();  // the write timeout is per write, as httplib's
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!c.blocked_since) c.blocked_since = Clock::now();
        return true;
      }
      close_connection(fd);
      return false;
    }
    c.out.clear();
    c.out_at = 0;
    c.blocked_since.reset();
    c.last_active = Clock::now();  // the keep-alive wait starts once the answer is out
    return true;
  };

  // After an answer: takes its head out of the socket (it is there: it was peeked) and counts it.
  // False when the connection is gone.
  const auto answered = [&](int fd, Connection& c, size_t head_size, bool close) {
    size_t left = head_size;
    while (left > 0) {
      const ssize_t got = ::recv(fd, loop.buffer.data(), std::min(left, loop.buffer.size()), 0);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        close_connection(fd);
        return false;
      }
      left -= static_cast<size_t>(got);
    }
    answered_.fetch_add(1, std::memory_order_relaxed);
    ++c.requests;
    c.close_after = close;
    c.partial_since.reset();
    c.last_active = Clock::now();
    return true;
  };

  // Answers what has arrived, in order, until a request needs httplib or more bytes are needed.
  const auto serve = [&](int fd) {
    auto it = loop.connections.find(fd);
    if (it == loop.connections.end()) return;
    Connection& c = it->second;
    while (!c.parked) {
      if (!c.out.empty()) {
        if (!flush(fd, c)) return;
        if (!c.out.empty()) return;  // wait until the client reads
      }
      if (c.close_after) return close_connection(fd);
      if (stopping_.load(std::memory_order_relaxed)) return close_connection(fd);
      const ssize_t n = ::recv(fd, loop.buffer.data(), loop.buffer.size(), MSG_PEEK);
      if (n == 0) return close_connection(fd);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        return close_connection(fd);
      }
      const std::string_view bytes(loop.buffer.data(), static_cast<size_t>(n));
      RequestHead head;
      const HeadStatus status = parse_request_head(bytes, head);
      if (status == HeadStatus::incomplete && bytes.size() < loop.buffer.size()) {
        if (!c.partial_since) c.partial_since = Clock::now();
        // Each piece makes the head be read again from its start: a head sent in many small
        // pieces is left to a worker thread rather than to this loop.
        if (++c.partial_reads > kMaxPartialReads) return leave(fd);
        return;
      }
      c.partial_reads = 0;
      if (status != HeadStatus::complete || !answerable(head, options_)) return leave(fd);
      const bool close = head.wants_close() || c.requests + 1 >= options_.max_requests;
      Decision decision = Decision::hand_over;
      const size_t out_before = c.out.size();
      try {
        decision = answer_(head, close, c.out);
      } catch (...) {
        c.out.resize(out_before);  // httplib answers it, with its own handling of the failure
        decision = Decision::hand_over;
      }
      if (decision == Decision::hand_over || (decision == Decision::render && !render_)) {
        return leave(fd);
      }
      if (decision == Decision::render) {
        std::unique_lock lock(jobs_mutex_);
        // Render threads behind: the worker threads share the load.
        if (jobs_.size() >= options_.max_queued_renders) {
          lock.unlock();
          return leave(fd);
        }
        c.parked = true;
        c.parked_head = head.size;
        c.parked_close = close;
        jobs_.push_back(Job{&loop, fd, std::string(bytes.substr(0, head.size)), close});
        jobs_ready_.notify_one();
        return;
      }
      if (!answered(fd, c, head.size, close)) return;
    }
  };

  // Rendered answers: appended, then the connection goes on.
  const auto collect = [&] {
    std::vector<std::pair<int, std::optional<std::string>>> done;
    {
      std::lock_guard lock(loop.done_mutex);
      done.swap(loop.done);
    }
    for (auto& [fd, answer] : done) {
      auto it = loop.connections.find(fd);
      if (it == loop.connections.end()) continue;
      Connection& c = it->second;
      c.parked = false;
      if (!answer) {
        leave(fd);
        continue;
      }
      c.out += *answer;
      rendered_.fetch_add(1, std::memory_order_relaxed);
      if (answered(fd, c, c.parked_head, c.parked_close)) serve(fd);
    }
  };

  const auto accept_all = [&] {
    while (true) {
      const int fd = ::accept4(accept_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      const int error = errno;
      if (fd < 0) {
        errno = error;
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          // Out of descriptors: stop watching the socket for a moment rather than spin.
          epoll_event none{};
          none.data.fd = accept_fd_;
          ::epoll_ctl(loop.epoll, EPOLL_CTL_DEL, accept_fd_, &none);
          loop.listening = false;
          loop.paused_until = Clock::now() + std::chrono::milliseconds(100);
          return;
        }
        ::epoll_ctl(loop.epoll, EPOLL_CTL_DEL, accept_fd_, nullptr);
        loop.listening = false;
        if (error == EINVAL || error == EBADF || error == ENOTSOCK || stopping_.load()) {
          return;  // the listening socket was shut down (httplib's stop())
        }
        // A network error the accept(2) manual says to retry: again in a moment.
        loop.paused_until = Clock::now() + std::chrono::milliseconds(100);
        return;
      }
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
      ev.data.fd = fd;
      if (::epoll_ctl(loop.epoll, EPOLL_CTL_ADD, fd, &ev) != 0) {
        ::close(fd);
        continue;
      }
      Connection c;
      c.last_active = Clock::now();
      loop.connections.emplace(fd, std::move(c));
    }
  };

  const auto sweep = [&](Clock::time_point now) {
    std::vector<int> expired;
    for (const auto& [fd, c] : loop.connections) {
      if (c.parked) continue;
      if (c.blocked_since) {
        if (now - *c.blocked_since > options_.write_timeout) expired.push_back(fd);
      } else if (c.partial_since) {
        if (now - *c.partial_since > options_.read_timeout) expired.push_back(fd);
      } else if (now - c.last_active > options_.idle_timeout) {
        expired.push_back(fd);
      }
    }
    for (int fd : expired) close_connection(fd);
  };

  std::optional<Clock::time_point> drain_until;
  while (true) {
    const int timeout_ms = drain_until ? 50 : 250;
    const int n =
        ::epoll_wait(loop.epoll, events.data(), static_cast<int>(events.size()), timeout_ms);
    const auto now = Clock::now();
    if (stopping_.load() && !drain_until) {
      // Stop: answers being written get the write timeout to finish; nothing new is read.
      drain_until = now + std::min<std::chrono::milliseconds>(options_.write_timeout,
                                                              std::chrono::seconds(2));
      if (loop.listening) ::epoll_ctl(loop.epoll, EPOLL_CTL_DEL, accept_fd_, nullptr);
      loop.listening = false;
      std::vector<int> idle;
      for (const auto& [fd, c] : loop.connections) {
        if (c.out.empty() && !c.parked) idle.push_back(fd);
      }
      for (int fd : idle) close_connection(fd);
    }
    for (int i = 0; i < n; ++i) {
      const int fd = events[static_cast<size_t>(i)].data.fd;
      if (fd == loop.wake) {
        uint64_t value = 0;
        [[maybe_unused]] const ssize_t r = ::read(loop.wake, &value, sizeof value);
        collect();
      } else if (fd == accept_fd_) {
        if (!drain_until) accept_all();
      } else {
        serve(fd);
      }
    }
    if (drain_until) {
      if (loop.connections.empty() || now >= *drain_until) break;
      continue;
    }
    if (!loop.listening && loop.paused_until && now >= *loop.paused_until) {
      epoll_event listen{};
      listen.events = EPOLLIN | EPOLLEXCLUSIVE;
      listen.data.fd = accept_fd_;
      loop.listening = ::epoll_ctl(loop.epoll, EPOLL_CTL_ADD, accept_fd_, &listen) == 0;
      loop.paused_until.reset();
    }
    if (now - last_sweep >= std::chrono::milliseconds(250)) {
      sweep(now);
      last_sweep = now;
    }
  }
  for (auto& [fd, c] : loop.connections) ::close(fd);
  loop.connections.clear();
}

}  // namespace chophien::storefront

// The process-wide accept(): httplib's listening loop calls it, through the dynamic linker, on the
// socket it listens on. While a FrontDoor runs on that socket, the loop gets the connections the
// front door hands over; any other socket is accepted by the system as usual.
extern "C" int accept(int fd, sockaddr* __restrict addr, socklen_t* __restrict len) {
  bool handled = false;
  const int taken = chophien::storefront::FrontDoor::accept_on(fd, addr, len, handled);
  return handled ? taken : ::accept4(fd, addr, len, 0);
}
