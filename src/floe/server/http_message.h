// HTTP requests and responses as plain values, so the REST catalog is a
// function from one to the other: testable and fuzzable without sockets.
// server/http_server.h moves them over the network.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace floe::server {

struct HttpRequest {
  std::string method;                             // "GET", "HEAD", "POST", "DELETE", ...
  std::string path;                               // percent-decoded, without the query
  std::multimap<std::string, std::string> query;  // decoded names and values
  std::map<std::string, std::string> headers;     // names in lower case
  std::string body;

  // The first value of query parameter `name`, or nullptr.
  const std::string* Query(std::string_view name) const;
  // Header `name` (lower case), or nullptr.
  const std::string* Header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string body;  // JSON unless content_type says otherwise; empty for 204 / 304
  // A body shared with a cache, sent instead of `body` without being copied
  // (a large table's LoadTableResult is hundreds of kilobytes).
  std::shared_ptr<const std::string> shared_body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;

  std::string_view Body() const { return shared_body ? std::string_view(*shared_body) : body; }
};

}  // namespace floe::server
