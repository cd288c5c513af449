// An HTTP/1.1 server that hands every request to one handler as an
// HttpRequest value and logs each exchange as a JSON line.
//
// One thread waits on all connections (epoll) and reads what arrives; a
// request read whole goes to a small pool of workers, which run the handler
// and write the answer. An idle keep-alive connection therefore costs a file
// descriptor, not a thread: many idle clients never starve a new one, and a
// stop does not wait for idle connections, only for requests in flight.
// Limits: header and body sizes (413 / 431), connections, read, write and
// keep-alive timeouts.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "floe/server/http_message.h"
#include "floe/server/http_parser.h"
#include "floe/util/status.h"

namespace floe::server {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 8181;  // 0: any free port (see HttpServer::port)
  size_t max_body_bytes = size_t{16} << 20;
  size_t max_connections = 4096;
  int workers = 8;  // threads running the handler
  int read_timeout_seconds = 30;
  int write_timeout_seconds = 30;
  int keep_alive_timeout_seconds = 60;
};

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  // Binds and listens (so the port is known and taken on return).
  static Result<std::unique_ptr<HttpServer>> Bind(const HttpServerOptions& options,
                                                  Handler handler);

  // Made only by Bind (the tag cannot be named outside the class).
  struct PrivateTag {
    explicit PrivateTag() = default;
  };
  HttpServer(PrivateTag, HttpServerOptions options, Handler handler);
  ~HttpServer();

  int port() const { return port_; }
  // Serves until Stop(); requests in flight when it is called are finished.
  Status Serve();
  // Stops accepting and closes idle connections; any thread may call it.
  void Stop();

 private:
  struct Connection;
  using Clock = std::chrono::steady_clock;

  void Accept();
  void Read(Connection& c);
  void Close(int fd);
  void Work();
  // Runs the handler on the request at the front of c.in, answers it, and
  // repeats while c.in holds another whole request. False: close it.
  bool Answer(Connection& c);
  bool Send(int fd, std::string_view bytes);
  void Rearm(Connection& c);
  void Wake();

  const HttpServerOptions options_;
  const Handler handler_;
  const HttpParseLimits limits_;
  int listen_fd_ = -1, epoll_fd_ = -1, wake_fd_ = -1, port_ = 0;
  std::atomic<bool> stopping_ = false;
  bool accept_paused_ = false;  // out of descriptors: the listening socket is not watched
  std::map<int, std::unique_ptr<Connection>> connections_;  // the event thread's

  std::mutex mutex_;  // guards the queues below
  std::condition_variable work_ready_;
  std::deque<Connection*> work_;                   // a whole request waits in each
  std::deque<std::pair<Connection*, bool>> done_;  // answered: keep it open?
  bool workers_stop_ = false;
};

}  // namespace floe::server
