#include "floe/server/http_parser.h"

#include <cctype>

#include "floe/util/strings.h"

namespace floe::server {
namespace {

constexpr std::string_view kCrlf = "\r\n";

HttpParse Fail(int status, std::string why) {
  HttpParse p;
  p.state = HttpParse::State::kError;
  p.error_status = status;
  p.error = std::move(why);
  p.keep_alive = false;
  return p;
}

bool IsTokenChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool ParseSize(std::string_view digits, int base, size_t* out) {
  if (digits.empty() || digits.size() > 15) return false;
  size_t v = 0;
  for (char c : digits) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (base == 16 && c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (base == 16 && c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return false;
    }
    v = v * static_cast<size_t>(base) + static_cast<size_t>(d);
  }
  *out = v;
  return true;
}

// A chunked body from `in` on: kComplete with `consumed` set, kNeedMore, or
// an error. With `body` null it only checks the framing, from
// cursor->chunks_verified on, and records its progress there (need is
// relative to `in`); with `body` it copies the data of every chunk.
HttpParse ReadChunked(std::string_view in, size_t max_body, std::string* body, size_t* consumed,
                      HttpParseCursor* cursor) {
  size_t pos = body == nullptr ? cursor->chunks_verified : 0;
  size_t data = body == nullptr ? cursor->chunked_bytes : 0;
  auto need_more = [&](size_t need) {
    if (body == nullptr) *cursor = HttpParseCursor{need, pos, data};
    return HttpParse{};
  };
  while (true) {
    const size_t line_start = pos;
    const size_t eol = in.find(kCrlf, pos);
    if (eol == std::string_view::npos) {
      if (in.size() - pos > 1024) return Fail(400, "chunk size line too long");
      return need_more(in.size() + 1);
    }
    std::string_view line = in.substr(pos, eol - pos);
    if (const size_t semi = line.find(';'); semi != std::string_view::npos) {
      line = line.substr(0, semi);  // chunk extensions are ignored
    }
    size_t size = 0;
    if (!ParseSize(Trim(line), 16, &size)) return Fail(400, "bad chunk size");
    pos = eol + 2;
    if (size == 0) {
      // Trailer fields (ignored) up to an empty line.
      while (true) {
        const size_t end = in.find(kCrlf, pos);
        if (end == std::string_view::npos) {
          if (in.size() - pos > 8192) return Fail(431, "trailer section too large");
          pos = line_start;  // resumed at the last chunk: the trailers are at most 8 KB
          return need_more(in.size() + 1);
        }
        const bool empty = end == pos;
        pos = end + 2;
        if (empty) break;
      }
      *consumed = pos;
      HttpParse done;
      done.state = HttpParse::State::kComplete;
      return done;
    }
    if (size > max_body || data + size > max_body) {
      return Fail(413, "request body over " + std::to_string(max_body) + " bytes");
    }
    if (in.size() - pos < size + 2) {
      const size_t chunk_end = pos + size + 2;
      pos = line_start;  // resumed at this chunk's size line
      return need_more(chunk_end);
    }
    if (in.substr(pos + size, 2) != kCrlf) return Fail(400, "chunk not followed by CRLF");
    if (body != nullptr) body->append(in.substr(pos, size));
    data += size;
    pos += size + 2;
  }
}

bool ParseTarget(std::string_view target, HttpRequest* r) {
  if (target.empty() || target.front() != '/') return false;  // origin-form only
  const size_t q = target.find('?');
  if (!PercentDecode(target.substr(0, q), false, &r->path)) return false;
  if (q == std::string_view::npos) return true;
  std::string_view query = target.substr(q + 1);
  if (const size_t hash = query.find('#'); hash != std::string_view::npos) {
    query = query.substr(0, hash);
  }
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::string name, value;
    if (!PercentDecode(pair.substr(0, eq), true, &name)) return false;
    if (eq != std::string_view::npos && !PercentDecode(pair.substr(eq + 1), true, &value)) {
      return false;
    }
    r->query.emplace(std::move(name), std::move(value));
  }
  return true;
}

}  // namespace

bool PercentDecode(std::string_view text, bool plus_is_space, std::string* out) {
  out->clear();
  out->reserve(text.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return false;
      const int hi = hex(text[i + 1]), lo = hex(text[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out->push_back(static_cast<char>(hi << 4 | lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out->push_back(' ');
    } else {
      out->push_back(c);
    }
  }
  return true;
}

HttpParse ParseHttpRequest(std::string_view input, const HttpParseLimits& limits,
                           HttpParseCursor* cursor) {
  HttpParseCursor scratch;
  if (cursor == nullptr) cursor = &scratch;
  if (input.size() < cursor->need) return HttpParse{};  // nothing new to look at
  // Empty lines before a request are ignored (RFC 9112 section 2.2).
  size_t start = 0;
  while (input.substr(start, 2) == kCrlf) start += 2;
  const size_t header_end = input.find("\r\n\r\n", start);
  if (header_end == std::string_view::npos) {
    if (input.size() - start > limits.max_header_bytes) {
      return Fail(
          431, "request header section over " + std::to_string(limits.max_header_bytes) + " bytes");
    }
    return HttpParse{};
  }
  if (header_end - start > limits.max_header_bytes) {
    return Fail(431, "request header section too large");
  }
  HttpParse p;
  HttpRequest& r = p.request;
  std::string_view head = input.substr(start, header_end - start);
  const size_t line_end = head.find(kCrlf);
  const std::string_view line = head.substr(0, line_end);
  head = line_end == std::string_view::npos ? std::string_view() : head.substr(line_end + 2);

  // request-line = method SP request-target SP HTTP-version
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp1 == 0 || sp2 == std::string_view::npos ||
      line.find(' ', sp2 + 1) != std::string_view::npos) {
    return Fail(400, "malformed request line");
  }
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  for (char c : method) {
    if (!IsTokenChar(c)) return Fail(400, "malformed method");
  }
  if (version != "HTTP/1.1" && version != "HTTP/1.0") {
    return Fail(version.starts_with("HTTP/") ? 505 : 400, "unsupported HTTP version");
  }
  r.method = std::string(method);
  if (!ParseTarget(target, &r)) return Fail(400, "malformed request target");
  p.keep_alive = version == "HTTP/1.1";

  while (!head.empty()) {
    const size_t eol = head.find(kCrlf);
    const std::string_view field = head.substr(0, eol);
    head = eol == std::string_view::npos ? std::string_view() : head.substr(eol + 2);
    const size_t colon = field.find(':');
    if (colon == 0 || colon == std::string_view::npos) return Fail(400, "malformed header field");
    for (char c : field.substr(0, colon)) {
      if (!IsTokenChar(c)) return Fail(400, "malformed header field name");  // no folding either
    }
    std::string name = AsciiLower(field.substr(0, colon));
    const std::string_view value = Trim(field.substr(colon + 1));
    for (char c : value) {
      if (c == '\r' || c == '\n' || c == '\0') return Fail(400, "malformed header field value");
    }
    auto [it, inserted] = r.headers.emplace(name, std::string(value));
    if (!inserted) {
      if (name == "content-length" || name == "host") return Fail(400, "repeated " + name);
      it->second += ", " + std::string(value);  // a list-valued field sent twice
    }
  }
  if (const std::string* c = r.Header("connection")) {
    const std::string v = AsciiLower(*c);
    if (v.find("close") != std::string::npos) p.keep_alive = false;
    if (v.find("keep-alive") != std::string::npos) p.keep_alive = true;
  }

  const size_t body_start = header_end + 4;
  const std::string_view rest = input.substr(body_start);
  const std::string* te = r.Header("transfer-encoding");
  const std::string* cl = r.Header("content-length");
  if (te != nullptr) {
    if (cl != nullptr) return Fail(400, "both Transfer-Encoding and Content-Length");
    if (AsciiLower(Trim(*te)) != "chunked") return Fail(501, "unsupported transfer coding " + *te);
    size_t consumed = 0;
    HttpParse chunked = ReadChunked(rest, limits.max_body_bytes, nullptr, &consumed, cursor);
    if (chunked.state == HttpParse::State::kError) return chunked;
    if (chunked.state == HttpParse::State::kNeedMore) {
      cursor->need += body_start;
      HttpParse more;
      more.expects_continue = r.Header("expect") != nullptr && rest.empty();
      return more;
    }
    r.body.reserve(cursor->chunked_bytes);
    (void)ReadChunked(rest, limits.max_body_bytes, &r.body, &consumed, cursor);  // whole, checked
    *cursor = HttpParseCursor{};
    p.consumed = body_start + consumed;
  } else {
    size_t length = 0;
    if (cl != nullptr && !ParseSize(*cl, 10, &length)) return Fail(400, "bad Content-Length");
    if (length > limits.max_body_bytes) {
      return Fail(413, "request body over " + std::to_string(limits.max_body_bytes) + " bytes");
    }
    if (rest.size() < length) {
      cursor->need = body_start + length;
      HttpParse more;
      more.expects_continue = r.Header("expect") != nullptr && rest.empty();
      return more;
    }
    *cursor = HttpParseCursor{};
    r.body = std::string(rest.substr(0, length));
    p.consumed = body_start + length;
  }
  p.state = HttpParse::State::kComplete;
  return p;
}

}  // namespace floe::server
