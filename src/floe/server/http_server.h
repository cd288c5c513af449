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
// Answers go out without a worker waiting on a client: what the socket does
// not take at once is kept and sent as the client reads (the connection is
// armed for writing meanwhile and reads nothing new).
// Limits: header and body sizes (413 / 431), connections, the bytes held for
// all connections together (503 beyond them), a deadline for a whole
// request from its first byte (a client trickling bytes never resets it),
// a deadline for progress on an answer, and the keep-alive timeout.
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
  // A request must arrive whole within this many seconds of its first byte.
  int read_timeout_seconds = 30;
  // A client that takes no byte of its answer for this long is dropped.
  int write_timeout_seconds = 30;
  int keep_alive_timeout_seconds = 60;
  // Request bytes received and answer bytes not yet sent, held for all
  // connections together; a request that would go past it is answered 503.
  size_t max_buffered_bytes = size_t{256} << 20;
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
  // What a connection waits for after a worker served it.
  enum class Next { kRead, kWrite, kClose };
  // Sends what is left of an unsent answer, reads what arrived on `c` and
  // answers every whole request in it, until the socket blocks. kClose:
  // closed by the peer, a bad request, Connection: close, a stop.
  Next ServeConnection(Connection& c);
  // Runs the handler on `parse`'s request and starts sending the answer.
  Next Answer(Connection& c, const HttpParse& parse);
  // Sends c's unsent answer without blocking: kRead when all of it went out
  // (kClose if the connection ends after it), kWrite when the socket is full.
  Next Flush(Connection& c);
  // A small answer sent at once, as far as the socket takes it, before a close.
  void SendFinal(Connection& c, const HttpResponse& r);
  // Counts c's held bytes (received and unsent) in buffered_bytes_.
  void Account(Connection& c);
  void Rearm(Connection& c, bool for_writing);
  void Close(Connection& c);
  void Wake();

  const HttpServerOptions options_;
  const Handler handler_;
  const HttpParseLimits limits_;
  int listen_fd_ = -1, epoll_fd_ = -1, wake_fd_ = -1, stop_fd_ = -1, port_ = 0;
  std::atomic<bool> stopping_ = false;
  std::atomic<size_t> buffered_bytes_ = 0;
  bool accept_paused_ = false;  // out of descriptors: the listener is not watched
  std::mutex connections_mutex_;
  std::map<int, std::unique_ptr<Connection>> connections_;
};

}  // namespace floe::server
