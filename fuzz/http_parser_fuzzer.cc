// libFuzzer target for floe server's HTTP/1.1 request framing: the input is
// the bytes a connection received. Requests are parsed one after another, as
// the server does with pipelined ones; every outcome must be consistent (a
// complete request consumed some bytes and at most the input, an error has
// an error status) and bounded by the limits. Crashes, leaks, hangs and
// over-allocations are findings (scripts/fuzz).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "floe/server/http_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const floe::server::HttpParseLimits limits{4096, 1 << 16};
  using State = floe::server::HttpParse::State;
  while (true) {
    const floe::server::HttpParse p = floe::server::ParseHttpRequest(input, limits);
    if (p.state == State::kError) {
      if (p.error_status < 400 || p.error_status > 599 || p.error.empty()) std::abort();
      return 0;
    }
    if (p.state == State::kNeedMore) return 0;
    if (p.consumed == 0 || p.consumed > input.size()) std::abort();
    if (p.request.body.size() > limits.max_body_bytes) std::abort();
    input.remove_prefix(p.consumed);
  }
}
