// HTTP/1.1 request framing (RFC 9112) over the bytes a connection has
// received: the request line, header fields, and a body sized by
// Content-Length or sent chunked. Untrusted bytes: every size is bounded
// and anything malformed is an answer (400, 413, 431, 501, 505), never a
// crash or an unbounded allocation. Fuzzed (fuzz/http_parser_fuzzer.cc).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "floe/server/http_message.h"

namespace floe::server {

struct HttpParseLimits {
  size_t max_header_bytes = 64 << 10;  // request line and header fields
  size_t max_body_bytes = 16 << 20;
};

struct HttpParse {
  enum class State { kNeedMore, kComplete, kError };
  State state = State::kNeedMore;
  HttpRequest request;  // when complete
  size_t consumed = 0;  // bytes of the input the request took, when complete
  bool keep_alive = true;
  // The client waits for "100 Continue" before sending the body (kNeedMore
  // with the header section read).
  bool expects_continue = false;
  int error_status = 0;  // when kError: the status to answer with
  std::string error;     // and why
};

// Parses the first request in `input` (bytes received so far, possibly
// several pipelined requests or only part of one).
HttpParse ParseHttpRequest(std::string_view input, const HttpParseLimits& limits);

// Percent-decodes `text`; with `plus_is_space` (query strings, as HTML forms
// and Java's URLEncoder write them) '+' is a space. False for a bad escape.
bool PercentDecode(std::string_view text, bool plus_is_space, std::string* out);

}  // namespace floe::server
