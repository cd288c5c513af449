// An HTTP/1.1 server that hands every request to one handler as an
// HttpRequest value and logs each exchange as a JSON line.
//
// A small pool of workers waits on one epoll set of connections, each armed
// one-shot: the worker that gets a connection's event owns it until it
// re-arms it, and reads, runs the handler and writes the answer itself, so
// a request costs one thread wake-up. The thread in Serve() accepts, and
// times connections out by shutting their sockets down; the wake-up that
// gives goes to a worker, which closes them (only a connection's owner
// closes it). An idle keep-alive connection costs a file descriptor, not a
// thread: many idle clients never starve a new one, and a stop does not wait
// for idle connections, only for requests in flight.
// Limits: header and body sizes (413 / 431), connections, read, write and
// keep-alive timeouts.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
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
  // Threads running the handler; 0: one per hardware thread, at least 2.
  // Handlers mostly compute, and more runnable threads than cores only add
  // preemption to the latency tail (bench/catalog: loadTable p99 1.3 ms
  // with 2 workers on 2 cores, 4 ms with 8). Raise it when handlers wait
  // on I/O a lot (a remote PostgreSQL, commits to many tables at once).
  int workers = 0;
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
  size_t ConnectionCount();
  // A worker's loop: waits for a connection's event and serves it.
  void Work();
  // Reads what arrived on `c` and answers every whole request in it. False:
  // close it (closed by the peer, a bad request, Connection: close, a stop).
  bool ServeConnection(Connection& c);
  // Runs the handler on `parse`'s request and sends the answer. False: close.
  bool Answer(Connection& c, const HttpParse& parse);
  bool Send(int fd, std::string_view head, std::string_view body);
  void Rearm(Connection& c);
  void Close(Connection& c);
  void Wake();

  const HttpServerOptions options_;
  const Handler handler_;
  const HttpParseLimits limits_;
  int listen_fd_ = -1, epoll_fd_ = -1, wake_fd_ = -1, stop_fd_ = -1, port_ = 0;
  std::atomic<bool> stopping_ = false;
  bool accept_paused_ = false;  // out of descriptors: the listener is not watched
  std::mutex connections_mutex_;
  std::map<int, std::unique_ptr<Connection>> connections_;
};

}  // namespace floe::server
