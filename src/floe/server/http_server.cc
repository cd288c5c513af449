#include "floe/server/http_server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <cctype>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

namespace floe::server {
namespace {

HttpRequest ToRequest(const httplib::Request& in) {
  HttpRequest out;
  out.method = in.method;
  out.path = in.path;
  for (const auto& [k, v] : in.params) out.query.emplace(k, v);
  for (const auto& [k, v] : in.headers) {
    std::string name = k;
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers.emplace(std::move(name), v);
  }
  out.body = in.body;
  return out;
}

}  // namespace

HttpServer::HttpServer(PrivateTag) {}
HttpServer::~HttpServer() = default;

Result<std::unique_ptr<HttpServer>> HttpServer::Bind(const HttpServerOptions& options,
                                                     Handler handler) {
  auto s = std::make_unique<HttpServer>(PrivateTag{});
  s->server_ = std::make_unique<httplib::Server>();
  s->handler_ = std::move(handler);
  httplib::Server& server = *s->server_;
  server.set_payload_max_length(options.max_body_bytes);
  server.set_read_timeout(options.read_timeout_seconds);
  server.set_write_timeout(options.write_timeout_seconds);
  server.set_keep_alive_timeout(options.keep_alive_timeout_seconds);
  // Every request goes to the one handler, whatever its method or path (HEAD
  // requests arrive through the GET route).
  auto handle = [self = s.get()](const httplib::Request& in, httplib::Response& out) {
    const auto start = std::chrono::steady_clock::now();
    const HttpResponse r = self->handler_(ToRequest(in));
    out.status = r.status;
    for (const auto& [k, v] : r.headers) out.set_header(k, v);
    if (!r.body.empty()) out.set_content(r.body, r.content_type);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    // The access log: one JSON object per request.
    spdlog::info("{}", nlohmann::json{{"remote", in.remote_addr},
                                      {"method", in.method},
                                      {"path", in.path},
                                      {"status", r.status},
                                      {"bytes", r.body.size()},
                                      {"ms", std::round(ms * 1000) / 1000}}
                           .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  };
  const std::string any = ".*";
  server.Get(any, handle).Post(any, handle).Put(any, handle).Delete(any, handle);
  server.Patch(any, handle).Options(any, handle);
  if (options.port == 0) {
    s->port_ = server.bind_to_any_port(options.host);
    if (s->port_ < 0) return Status::IOError("cannot bind {}:any port", options.host);
  } else {
    if (!server.bind_to_port(options.host, options.port)) {
      return Status::IOError("cannot bind {}:{} (in use, or not an address of this machine)",
                             options.host, options.port);
    }
    s->port_ = options.port;
  }
  return s;
}

Status HttpServer::Serve() {
  if (!server_->listen_after_bind()) return Status::IOError("the server stopped with an error");
  return Status::OK();
}

void HttpServer::Stop() {
  server_->stop();
}

}  // namespace floe::server
