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
  // The owner's (the worker holding the connection's event) alone:
  std::string in;          // received, not yet answered
  HttpParseCursor cursor;  // how far the request at the front of `in` was parsed
  bool continue_sent = false;
  bool answered = false;  // a request was answered since the event began
  // An answer the socket did not take whole: head and body, from out_sent on.
  std::string out_head, out_body;
  std::shared_ptr<const std::string> out_shared;  // the body, when shared with a cache
  size_t out_sent = 0;
  bool close_after_send = false;
  size_t accounted = 0;  // bytes of in and out counted in buffered_bytes_
  // Under connections_mutex_, for the timeouts:
  Clock::time_point last_active;      // last bytes in or out
  Clock::time_point request_started;  // when the incomplete request at the front began
  bool busy = false;                  // a worker owns it
  bool partial = false;               // part of a request is waiting for the rest
  bool sending = false;               // an answer is waiting for the client to read
  bool shut = false;                  // timed out: shut down, its owner-to-be closes it

  std::string_view OutBody() const { return out_shared ? std::string_view(*out_shared) : out_body; }
  bool Pending() const { return out_sent < out_head.size() + OutBody().size(); }
  size_t Held() const { return in.size() + out_head.size() + out_body.size(); }
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

bool HasBody(const HttpResponse& r) {
  return r.status != 204 && r.status != 304 && r.status >= 200;
}

// The status line and header section of `r`.
std::string SerializeHead(const HttpResponse& r, bool keep_alive) {
  std::string out = fmt::format("HTTP/1.1 {} {}\r\n", r.status, Reason(r.status));
  if (HasBody(r)) {
    if (!r.Body().empty()) out += fmt::format("Content-Type: {}\r\n", r.content_type);
    out += fmt::format("Content-Length: {}\r\n", r.Body().size());
  }
  for (const auto& [k, v] : r.headers) out += fmt::format("{}: {}\r\n", k, v);
  out += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
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
                                    {"bytes", r.Body().size()},
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
  for (int fd : {listen_fd_, epoll_fd_, wake_fd_, stop_fd_}) {
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
  s->stop_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (s->epoll_fd_ < 0 || s->wake_fd_ < 0 || s->stop_fd_ < 0)
    return Status::IOError("epoll: {}", std::strerror(errno));
  // Level-triggered and never read: once written, it wakes every worker.
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;
  ::epoll_ctl(s->epoll_fd_, EPOLL_CTL_ADD, s->stop_fd_, &ev);
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
  const int worker_count = options_.workers > 0
                               ? options_.workers
                               : std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
  for (int i = 0; i < worker_count; ++i) workers.emplace_back([this] { Work(); });
  bool accepting = true;
  while (true) {
    pollfd watch[2] = {{wake_fd_, POLLIN, 0}, {listen_fd_, POLLIN, 0}};
    const bool watch_listener = accepting && !accept_paused_;
    ::poll(watch, watch_listener ? 2 : 1, 250);
    if (watch[0].revents & POLLIN) {
      uint64_t count;
      [[maybe_unused]] ssize_t r = ::read(wake_fd_, &count, sizeof count);
      accept_paused_ = false;  // a connection closed: a descriptor may be free
    }
    if (watch_listener && (watch[1].revents & POLLIN)) Accept();
    // Idle and stalled connections time out (a stop times out every idle
    // one): shut down, their event goes to a worker, which closes them.
    const auto now = Clock::now();
    bool none_left;
    {
      std::lock_guard lock(connections_mutex_);
      for (auto& [fd, c] : connections_) {
        if (c->busy || c->shut) continue;
        // A request's deadline runs from its first byte, an answer's from
        // its last progress, an idle connection's from its last request.
        bool expired;
        if (c->sending) {
          expired = now - c->last_active > std::chrono::seconds(options_.write_timeout_seconds);
        } else if (c->partial) {
          expired = now - c->request_started > std::chrono::seconds(options_.read_timeout_seconds);
        } else {
          expired =
              now - c->last_active > std::chrono::seconds(options_.keep_alive_timeout_seconds);
        }
        if ((stopping_ && !c->sending) || expired) {
          ::shutdown(fd, SHUT_RDWR);
          c->shut = true;
        }
      }
      none_left = connections_.empty();
    }
    if (stopping_ && accepting) {
      accepting = false;
      ::close(listen_fd_);
      listen_fd_ = -1;
    }
    if (stopping_ && none_left) break;
  }
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(stop_fd_, &one, sizeof one);
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
        // Out of descriptors: stop watching the listener (the pending
        // connection would wake the loop forever) until one closes.
        spdlog::warn("out of file descriptors with {} connections open", ConnectionCount());
        accept_paused_ = true;
      }
      return;  // EAGAIN: no more for now (or a transient error)
    }
    if (ConnectionCount() >= options_.max_connections) {
      ::close(fd);
      spdlog::warn("connection refused: {} connections open", ConnectionCount());
      continue;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const int send_buffer = 4 << 20;
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &send_buffer, sizeof send_buffer);
    auto c = std::make_unique<Connection>();
    c->fd = fd;
    char ip[INET_ADDRSTRLEN] = "?";
    ::inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof ip);
    c->remote = fmt::format("{}:{}", ip, ntohs(peer.sin_port));
    c->last_active = Clock::now();
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
    ev.data.ptr = c.get();
    std::lock_guard lock(connections_mutex_);
    connections_.emplace(fd, std::move(c));
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  }
}

size_t HttpServer::ConnectionCount() {
  std::lock_guard lock(connections_mutex_);
  return connections_.size();
}

void HttpServer::Work() {
  while (true) {
    epoll_event event;
    const int n = ::epoll_wait(epoll_fd_, &event, 1, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || event.data.ptr == nullptr) return;  // the stop event
    Connection& c = *static_cast<Connection*>(event.data.ptr);
    bool shut;
    {
      std::lock_guard lock(connections_mutex_);
      c.busy = true;
      shut = c.shut;
    }
    if (shut) {  // timed out (or a stop) before this worker took it: serve nothing more
      Close(c);
      continue;
    }
    c.answered = false;
    const Next next = ServeConnection(c);
    Account(c);
    if (next == Next::kClose) {
      Close(c);
      continue;
    }
    std::lock_guard lock(connections_mutex_);
    const auto now = Clock::now();
    c.busy = false;
    const bool partial = !c.in.empty() && next == Next::kRead;
    if (partial && (!c.partial || c.answered)) c.request_started = now;  // a new request began
    c.partial = partial;
    c.sending = next == Next::kWrite;
    c.last_active = now;
    Rearm(c, c.sending);  // last: once armed, another worker may own it
  }
}

void HttpServer::Account(Connection& c) {
  const size_t held = c.Held();
  if (held >= c.accounted) {
    buffered_bytes_ += held - c.accounted;
  } else {
    buffered_bytes_ -= c.accounted - held;
  }
  c.accounted = held;
}

HttpServer::Next HttpServer::ServeConnection(Connection& c) {
  if (c.Pending()) {
    const Next flushed = Flush(c);
    if (flushed != Next::kRead) return flushed;  // still full, or the answer was the last
  }
  char buffer[16384];
  bool closed = false;
  while (true) {
    const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
    if (n > 0) {
      c.in.append(buffer, static_cast<size_t>(n));
      // More than one request's worth unanswered: the parser rejects it below.
      if (c.in.size() > limits_.max_header_bytes + limits_.max_body_bytes + (64 << 10)) break;
      // The server's budget for held bytes: this request waits for none.
      Account(c);
      if (buffered_bytes_ > options_.max_buffered_bytes) {
        spdlog::warn("{}: request refused, {} bytes held for all connections (limit {})", c.remote,
                     buffered_bytes_.load(), options_.max_buffered_bytes);
        SendFinal(c, ErrorAnswer(503, "the server holds too many request bytes; retry later"));
        return Next::kClose;
      }
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0 && errno == EINTR) continue;
    closed = true;  // EOF or an error
    break;
  }
  while (true) {
    const HttpParse parse = ParseHttpRequest(c.in, limits_, &c.cursor);
    switch (parse.state) {
      case HttpParse::State::kComplete: {
        const Next next = Answer(c, parse);
        if (next != Next::kRead) return next;
        continue;  // pipelined: the next one may be whole too
      }
      case HttpParse::State::kError:
        if (!closed) SendFinal(c, ErrorAnswer(parse.error_status, parse.error));
        spdlog::info("{}", nlohmann::json{{"remote", c.remote},
                                          {"status", parse.error_status},
                                          {"error", parse.error}}
                               .dump());
        return Next::kClose;
      case HttpParse::State::kNeedMore:
        if (closed || (stopping_ && c.in.empty())) return Next::kClose;
        // More than a request's worth held and still incomplete (chunk
        // framing, extensions and trailers count too): refused.
        if (c.in.size() > limits_.max_header_bytes + limits_.max_body_bytes + (64 << 10)) {
          SendFinal(c, ErrorAnswer(413, "request over " + std::to_string(limits_.max_body_bytes) +
                                            " bytes"));
          return Next::kClose;
        }
        if (parse.expects_continue && !c.continue_sent) {
          c.continue_sent = ::send(c.fd, "HTTP/1.1 100 Continue\r\n\r\n", 25, MSG_NOSIGNAL) == 25;
        }
        return Next::kRead;
    }
  }
}

void HttpServer::Rearm(Connection& c, bool for_writing) {
  epoll_event ev{};
  // Not EPOLLRDHUP while writing: a client that half-closed would wake a
  // worker again and again while its socket is still full.
  ev.events = (for_writing ? EPOLLOUT : EPOLLIN | EPOLLRDHUP) | EPOLLONESHOT;
  ev.data.ptr = &c;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev);
}

void HttpServer::Close(Connection& c) {
  {
    std::lock_guard lock(connections_mutex_);
    buffered_bytes_ -= c.accounted;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c.fd, nullptr);
    ::close(c.fd);
    connections_.erase(c.fd);  // frees c
  }
  Wake();  // the accept loop: a descriptor is free, maybe the last connection is gone
}

HttpServer::Next HttpServer::Flush(Connection& c) {
  while (c.Pending()) {
    std::string_view head = c.out_head, body = c.OutBody();
    const size_t from_head = std::min(c.out_sent, head.size());
    head.remove_prefix(from_head);
    body.remove_prefix(c.out_sent - from_head);
    // Head and body in one call, and the body is never copied into a buffer.
    iovec parts[2] = {{const_cast<char*>(head.data()), head.size()},
                      {const_cast<char*>(body.data()), body.size()}};
    msghdr message{};
    message.msg_iov = head.empty() ? &parts[1] : parts;
    message.msg_iovlen = head.empty() ? 1 : 2;
    const ssize_t n = ::sendmsg(c.fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      c.out_sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return Next::kWrite;
    return Next::kClose;  // the client went away
  }
  // Released, not only cleared: an idle connection holds no buffer memory
  // the budget no longer counts.
  std::string().swap(c.out_head);
  std::string().swap(c.out_body);
  c.out_shared.reset();
  c.out_sent = 0;
  return c.close_after_send ? Next::kClose : Next::kRead;
}

void HttpServer::SendFinal(Connection& c, const HttpResponse& r) {
  const std::string head = SerializeHead(r, false);
  iovec parts[2] = {{const_cast<char*>(head.data()), head.size()},
                    {const_cast<char*>(r.Body().data()), r.Body().size()}};
  msghdr message{};
  message.msg_iov = parts;
  message.msg_iovlen = 2;
  [[maybe_unused]] ssize_t n = ::sendmsg(c.fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
}

HttpServer::Next HttpServer::Answer(Connection& c, const HttpParse& parse) {
  c.continue_sent = false;
  c.answered = true;
  const auto start = Clock::now();
  HttpResponse response;
  if (buffered_bytes_ > options_.max_buffered_bytes) {
    response = ErrorAnswer(503, "the server holds too many unsent answers; retry later");
  } else {
    try {
      response = handler_(parse.request);
    } catch (const std::exception& e) {  // a bug, or memory exhausted: answer, never crash
      spdlog::error("{} {}: {}", parse.request.method, parse.request.path, e.what());
      response = ErrorAnswer(500, "internal error");
    }
  }
  c.in.erase(0, parse.consumed);
  if (c.in.empty()) std::string().swap(c.in);  // see Flush
  c.cursor = HttpParseCursor{};
  const bool keep = parse.keep_alive && !stopping_;
  // Logged before the answer goes out: whoever reads the access log after
  // getting an answer finds its line there.
  LogExchange(c.remote, parse.request, response,
              std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  const bool body = HasBody(response) && parse.request.method != "HEAD";
  c.out_head = SerializeHead(response, keep);
  if (body && response.shared_body) {
    c.out_shared = std::move(response.shared_body);
  } else if (body) {
    c.out_body = std::move(response.body);
  }
  c.out_sent = 0;
  c.close_after_send = !keep;
  const Next next = Flush(c);
  Account(c);
  return next;
}

}  // namespace floe::server
