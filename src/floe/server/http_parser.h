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

// How far an incomplete request was parsed, so that a caller receiving it
// piecemeal does not parse it from the start on every read: a chunked body
// is verified once (the body is copied when it is whole), and a call on
// input shorter than `need` cannot progress. Belongs to one request: reset
// it (to {}) once that request is complete or the input is dropped.
struct HttpParseCursor {
  size_t need = 0;             // the input size the next call needs to make progress
  size_t chunks_verified = 0;  // the body's bytes whose chunk framing was checked
  size_t chunked_bytes = 0;    // data bytes in those chunks
};

// Parses the first request in `input` (bytes received so far, possibly
// several pipelined requests or only part of one). `cursor`, when given,
// carries the progress between calls on growing input of one request.
HttpParse ParseHttpRequest(std::string_view input, const HttpParseLimits& limits,
                           HttpParseCursor* cursor = nullptr);

// Percent-decodes `text`; with `plus_is_space` (query strings, as HTML forms
// and Java's URLEncoder write them) '+' is a space. False for a bad escape.
bool PercentDecode(std::string_view text, bool plus_is_space, std::string* out);

}  // namespace floe::server
