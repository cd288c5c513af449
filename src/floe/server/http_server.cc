#include "floe/server/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

namespace floe::server {

struct HttpServer::Connection {
  int fd = -1;
  std::string remote;
  std::string in;  // received, not yet answered
  Clock::time_point last_active;
  bool busy = false;  // with a worker
  bool continue_sent = false;
};

namespace {

const char* Reason(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Content Too Large";
    case 419:
      return "Authentication Timeout";
    case 422:
      return "Unprocessable Content";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Status";
  }
}

std::string Serialize(const HttpResponse& r, bool head, bool keep_alive) {
  std::string out = fmt::format("HTTP/1.1 {} {}\r\n", r.status, Reason(r.status));
  const bool bodiless = r.status == 204 || r.status == 304 || r.status < 200;
  if (!bodiless) {
    if (!r.body.empty()) out += fmt::format("Content-Type: {}\r\n", r.content_type);
    out += fmt::format("Content-Length: {}\r\n", r.body.size());
  }
  for (const auto& [k, v] : r.headers) out += fmt::format("{}: {}\r\n", k, v);
  out += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
  if (!bodiless && !head) out += r.body;
  return out;
}

HttpResponse ErrorAnswer(int status, const std::string& message) {
  HttpResponse r;
  r.status = status;
  r.body =
      nlohmann::json{
          {"error",
           {{"message", message},
            {"type", status == 413 || status == 431 ? "RequestTooLarge" : "BadRequestException"},
            {"code", status}}}}
          .dump();
  return r;
}

void LogExchange(const std::string& remote, const HttpRequest& in, const HttpResponse& r,
                 double ms) {
  spdlog::info("{}", nlohmann::json{{"remote", remote},
                                    {"method", in.method},
                                    {"path", in.path},
                                    {"status", r.status},
                                    {"bytes", r.body.size()},
                                    {"ms", std::round(ms * 1000) / 1000}}
                         .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace

HttpServer::HttpServer(PrivateTag, HttpServerOptions options, Handler handler)
    : options_(std::move(options)),
      handler_(std::move(handler)),
      limits_{64 << 10, options_.max_body_bytes} {}

HttpServer::~HttpServer() {
  for (auto& [fd, c] : connections_) ::close(fd);
  for (int fd : {listen_fd_, epoll_fd_, wake_fd_}) {
    if (fd >= 0) ::close(fd);
  }
}

Result<std::unique_ptr<HttpServer>> HttpServer::Bind(const HttpServerOptions& options,
                                                     Handler handler) {
  auto s = std::make_unique<HttpServer>(PrivateTag{}, options, std::move(handler));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(options.port));
  const std::string host = options.host == "localhost" ? "127.0.0.1" : options.host;
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    return Status::InvalidArgument("--host {}: not an IPv4 address", options.host);
  }
  s->listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s->listen_fd_ < 0) return Status::IOError("socket: {}", std::strerror(errno));
  const int one = 1;
  ::setsockopt(s->listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(s->listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return Status::IOError("cannot bind {}:{}: {}", options.host, options.port,
                           std::strerror(errno));
  }
  if (::listen(s->listen_fd_, 1024) != 0)
    return Status::IOError("listen: {}", std::strerror(errno));
  socklen_t len = sizeof addr;
  ::getsockname(s->listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  s->port_ = ntohs(addr.sin_port);
  s->epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  s->wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (s->epoll_fd_ < 0 || s->wake_fd_ < 0)
    return Status::IOError("epoll: {}", std::strerror(errno));
  for (int fd : {s->listen_fd_, s->wake_fd_}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    ::epoll_ctl(s->epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  }
  return s;
}

void HttpServer::Wake() {
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

void HttpServer::Stop() {
  stopping_ = true;
  Wake();
}

Status HttpServer::Serve() {
  std::vector<std::thread> workers;
  for (int i = 0; i < std::max(1, options_.workers); ++i) workers.emplace_back([this] { Work(); });
  bool accepting = true;
  epoll_event events[64];
  while (true) {
    const int n = ::epoll_wait(epoll_fd_, events, 64, 250);
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == listen_fd_) {
        if (accepting) Accept();
      } else if (fd == wake_fd_) {
        uint64_t count;
        [[maybe_unused]] ssize_t r = ::read(wake_fd_, &count, sizeof count);
      } else if (auto it = connections_.find(fd); it != connections_.end()) {
        Read(*it->second);
      }
    }
    // Connections the workers are done with.
    std::deque<std::pair<Connection*, bool>> done;
    {
      std::lock_guard lock(mutex_);
      done.swap(done_);
    }
    for (auto [c, keep] : done) {
      c->busy = false;
      c->last_active = Clock::now();
      if (keep && !stopping_) {
        Rearm(*c);
      } else {
        Close(c->fd);
      }
    }
    // Idle and stalled connections time out; a stop closes every idle one.
    const auto now = Clock::now();
    std::vector<int> expired;
    for (const auto& [fd, c] : connections_) {
      if (c->busy) continue;
      const auto limit =
          c->in.empty() ? options_.keep_alive_timeout_seconds : options_.read_timeout_seconds;
      if (stopping_ || now - c->last_active > std::chrono::seconds(limit)) expired.push_back(fd);
    }
    for (int fd : expired) Close(fd);
    if (stopping_ && accepting) {
      accepting = false;
      ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
      ::close(listen_fd_);
      listen_fd_ = -1;
    }
    if (stopping_ && connections_.empty()) break;
  }
  {
    std::lock_guard lock(mutex_);
    workers_stop_ = true;
  }
  work_ready_.notify_all();
  for (std::thread& t : workers) t.join();
  return Status::OK();
}

void HttpServer::Accept() {
  while (true) {
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    const int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &len,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE) {
        // Out of descriptors: stop listening for readiness (the pending
        // connection would wake the loop forever) until one closes.
        spdlog::warn("out of file descriptors with {} connections open", connections_.size());
        ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
        accept_paused_ = true;
      }
      return;  // EAGAIN: no more for now (or a transient error)
    }
    if (connections_.size() >= options_.max_connections) {
      ::close(fd);
      spdlog::warn("connection refused: {} connections open", connections_.size());
      continue;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto c = std::make_unique<Connection>();
    c->fd = fd;
    char ip[INET_ADDRSTRLEN] = "?";
    ::inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof ip);
    c->remote = fmt::format("{}:{}", ip, ntohs(peer.sin_port));
    c->last_active = Clock::now();
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
    ev.data.fd = fd;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
    connections_.emplace(fd, std::move(c));
  }
}

void HttpServer::Read(Connection& c) {
  char buffer[16384];
  bool closed = false;
  while (true) {
    const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
    if (n > 0) {
      c.in.append(buffer, static_cast<size_t>(n));
      // More than one request's worth unanswered: the parser rejects it below.
      if (c.in.size() > limits_.max_header_bytes + limits_.max_body_bytes + (64 << 10)) break;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0 && errno == EINTR) continue;
    closed = true;  // EOF or an error
    break;
  }
  c.last_active = Clock::now();
  const HttpParse parse = ParseHttpRequest(c.in, limits_);
  switch (parse.state) {
    case HttpParse::State::kComplete: {
      c.busy = true;
      {
        std::lock_guard lock(mutex_);
        work_.push_back(&c);
      }
      work_ready_.notify_one();
      return;
    }
    case HttpParse::State::kError:
      if (!closed) {
        Send(c.fd, Serialize(ErrorAnswer(parse.error_status, parse.error), false, false));
      }
      spdlog::info("{}",
                   nlohmann::json{
                       {"remote", c.remote}, {"status", parse.error_status}, {"error", parse.error}}
                       .dump());
      Close(c.fd);
      return;
    case HttpParse::State::kNeedMore:
      if (closed) {
        Close(c.fd);
        return;
      }
      if (parse.expects_continue && !c.continue_sent) {
        c.continue_sent = Send(c.fd, "HTTP/1.1 100 Continue\r\n\r\n");
      }
      Rearm(c);
      return;
  }
}

void HttpServer::Rearm(Connection& c) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
  ev.data.fd = c.fd;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev);
}

void HttpServer::Close(int fd) {
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  ::close(fd);
  connections_.erase(fd);
  if (accept_paused_ && listen_fd_ >= 0 && !stopping_) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = listen_fd_;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev);
    accept_paused_ = false;
  }
}

bool HttpServer::Send(int fd, std::string_view bytes) {
  const auto deadline = Clock::now() + std::chrono::seconds(options_.write_timeout_seconds);
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      pollfd p{fd, POLLOUT, 0};
      if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
      continue;
    }
    return false;
  }
  return true;
}

void HttpServer::Work() {
  while (true) {
    Connection* c = nullptr;
    {
      std::unique_lock lock(mutex_);
      work_ready_.wait(lock, [&] { return workers_stop_ || !work_.empty(); });
      if (work_.empty()) return;
      c = work_.front();
      work_.pop_front();
    }
    const bool keep = Answer(*c);
    {
      std::lock_guard lock(mutex_);
      done_.emplace_back(c, keep);
    }
    Wake();
  }
}

bool HttpServer::Answer(Connection& c) {
  while (true) {
    HttpParse parse = ParseHttpRequest(c.in, limits_);
    if (parse.state != HttpParse::State::kComplete)
      return parse.state == HttpParse::State::kNeedMore;
    c.in.erase(0, parse.consumed);
    c.continue_sent = false;
    const auto start = Clock::now();
    HttpResponse response;
    try {
      response = handler_(parse.request);
    } catch (const std::exception& e) {  // a bug, or memory exhausted: answer, never crash
      spdlog::error("{} {}: {}", parse.request.method, parse.request.path, e.what());
      response = ErrorAnswer(500, "internal error");
    }
    const bool keep = parse.keep_alive && !stopping_;
    // Logged before the answer goes out: whoever reads the access log after
    // getting an answer finds its line there.
    LogExchange(c.remote, parse.request, response,
                std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    if (!Send(c.fd, Serialize(response, parse.request.method == "HEAD", keep)) || !keep) {
      return false;
    }
  }
}

}  // namespace floe::server
