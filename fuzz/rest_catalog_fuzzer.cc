// libFuzzer target for the REST catalog's request handling: the input is one
// request, "METHOD /path?query" on the first line and the body after it,
// answered by a RestCatalog over an in-memory embedded catalog. Every answer
// must be well-formed (a status in range, a JSON error body for errors);
// crashes, leaks and hangs are findings (scripts/fuzz).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "floe/server/rest_catalog.h"

namespace {

// One service for the whole run: state carries over between inputs, as it
// would between requests.
floe::server::RestCatalog& Service() {
  static const auto service = [] {
    auto catalog = floe::catalog::OpenSqliteCatalog(":memory:");
    if (!catalog.ok()) std::abort();
    return std::make_unique<floe::server::RestCatalog>(std::move(*catalog),
                                                       "/nonexistent/warehouse");
  }();
  return *service;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t line_end = input.find('\n');
  const std::string line = input.substr(0, line_end);
  floe::server::HttpRequest request;
  request.body = line_end == std::string::npos ? "" : input.substr(line_end + 1);
  const size_t space = line.find(' ');
  request.method = line.substr(0, space);
  std::string target = space == std::string::npos ? "/" : line.substr(space + 1);
  if (const size_t q = target.find('?'); q != std::string::npos) {
    std::string query = target.substr(q + 1);
    target.resize(q);
    size_t start = 0;
    while (start <= query.size()) {
      size_t amp = query.find('&', start);
      if (amp == std::string::npos) amp = query.size();
      const std::string pair = query.substr(start, amp - start);
      const size_t eq = pair.find('=');
      request.query.emplace(pair.substr(0, eq), eq == std::string::npos ? "" : pair.substr(eq + 1));
      start = amp + 1;
    }
  }
  request.path = target;
  const floe::server::HttpResponse response = Service().Handle(request);
  if (response.status < 100 || response.status > 599) std::abort();
  if (response.status >= 400 && !response.Body().empty()) {
    auto j = nlohmann::json::parse(response.Body(), nullptr, false);
    if (j.is_discarded() || !j.contains("error")) std::abort();
  }
  return 0;
}
