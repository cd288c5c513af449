// An HTTP/1.1 server (cpp-httplib underneath) that hands every request to
// one handler as an HttpRequest value and logs each exchange as a JSON line.
// Limits: request bodies up to `max_body_bytes`, read and write timeouts, and
// idle keep-alive connections closed after a while.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "floe/server/http_message.h"
#include "floe/util/status.h"

namespace httplib {
class Server;
}

namespace floe::server {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 8181;  // 0: any free port (see HttpServer::port)
  size_t max_body_bytes = size_t{16} << 20;
  int read_timeout_seconds = 30;
  int write_timeout_seconds = 30;
  int keep_alive_timeout_seconds = 5;
};

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  // Binds the socket (so the port is known and in use on return).
  static Result<std::unique_ptr<HttpServer>> Bind(const HttpServerOptions& options,
                                                  Handler handler);

  // Made only by Bind (the tag cannot be named outside the class).
  struct PrivateTag {
    explicit PrivateTag() = default;
  };
  explicit HttpServer(PrivateTag);
  ~HttpServer();

  int port() const { return port_; }
  // Serves until Stop(); requests in flight when it is called are finished.
  Status Serve();
  // Stops accepting; may be called from any thread (a signal watcher).
  void Stop();

 private:
  std::unique_ptr<httplib::Server> server_;
  Handler handler_;
  int port_ = 0;
};

}  // namespace floe::server
