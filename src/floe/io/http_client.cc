#include "floe/io/http_client.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "floe/util/strings.h"

namespace floe {

std::string PercentEncode(std::string_view text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

Result<std::unique_ptr<HttpClient>> HttpClient::Make(std::string_view base,
                                                     std::chrono::seconds timeout) {
  if (base.starts_with("https://")) {
    return Status::NotSupported("{}: floe's REST client speaks plain http:// only", base);
  }
  if (!base.starts_with("http://"))
    return Status::InvalidArgument("{} is not an http:// URI", base);
  std::string_view rest = base.substr(7);
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string prefix(slash == std::string_view::npos ? "" : rest.substr(slash));
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  const size_t colon = authority.rfind(':');
  int port = 80;
  if (colon != std::string_view::npos) {
    const std::string digits(authority.substr(colon + 1));
    if (digits.empty() || digits.size() > 5 ||
        digits.find_first_not_of("0123456789") != std::string::npos || std::stoi(digits) > 65535) {
      return Status::InvalidArgument("{}: bad port", base);
    }
    port = std::stoi(digits);
    authority = authority.substr(0, colon);
  }
  if (authority.empty()) return Status::InvalidArgument("{}: no host", base);
  return std::make_unique<HttpClient>(PrivateTag{}, std::string(base), std::string(authority), port,
                                      prefix, timeout);
}

HttpClient::HttpClient(PrivateTag, std::string base, std::string host, int port, std::string prefix,
                       std::chrono::seconds timeout)
    : base_(std::move(base)),
      host_(std::move(host)),
      prefix_(std::move(prefix)),
      port_(port),
      timeout_(timeout) {}

HttpClient::~HttpClient() {
  Disconnect();
}

void HttpClient::Disconnect() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
}

Status HttpClient::Connect() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(port_);
  if (const int rc = ::getaddrinfo(host_.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return Status::Unavailable("{}: {}", base_, ::gai_strerror(rc));
  }
  Status last = Status::Unavailable("{}: no address", base_);
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      fd_ = fd;
      break;
    }
    last = Status::Unavailable("cannot reach {}: {}", base_, std::strerror(errno));
    ::close(fd);
  }
  ::freeaddrinfo(found);
  return fd_ >= 0 ? Status::OK() : last;
}

Result<HttpResult> HttpClient::Send(std::string_view method, std::string_view path,
                                    std::string_view body) {
  std::string request = std::string(method) + " " + prefix_ + std::string(path) + " HTTP/1.1\r\n";
  request += "Host: " + host_ + ":" + std::to_string(port_) + "\r\n";
  request += "User-Agent: floe\r\nAccept: application/json\r\n";
  if (!body.empty() || method == "POST" || method == "PUT") {
    request +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += "\r\n";
  request += body;
  const bool reused = fd_ >= 0;
  Progress progress;
  Result<HttpResult> result = Exchange(request, method == "HEAD", &progress);
  // A kept-alive connection the server had closed: the request never
  // reached it whole, or the server closed without a byte of answer (as it
  // does to idle connections). Once more, afresh. Never after a timeout or a
  // partial answer: the server may have acted on the request.
  const bool unanswered = !progress.sent_all || (progress.closed && !progress.answered);
  bool sent_whole = progress.sent_all;  // by any attempt: the server may have acted on it
  if (!result.ok() && reused && unanswered) {
    Disconnect();
    progress = Progress();
    result = Exchange(request, method == "HEAD", &progress);
    if (result.ok()) result->resent = true;
    sent_whole = sent_whole || progress.sent_all;
  }
  if (!result.ok()) {
    Disconnect();
    const bool safe = method == "GET" || method == "HEAD";
    if (sent_whole && !safe) {
      return Status::CommitStateUnknown(
          "{} {}: the request was sent but its answer was lost, so it may have been applied: {}",
          method, path, result.status().message());
    }
  }
  return result;
}

Result<HttpResult> HttpClient::Exchange(const std::string& request, bool head, Progress* progress) {
  if (fd_ < 0) FLOE_RETURN_IF_ERROR(Connect());
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  auto wait = [&](short events) -> Status {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    pollfd p{fd_, events, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) {
      return Status::Unavailable("{}: no answer within {} s", base_, timeout_.count());
    }
    return Status::OK();
  };
  for (size_t sent = 0; sent < request.size();) {
    const ssize_t n = ::send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::Unavailable("{}: {}", base_, std::strerror(errno));
    sent += static_cast<size_t>(n);
  }
  progress->sent_all = true;
  progress->answered = !buffer_.empty();
  // Receives at most `max` bytes into `dst`, waiting only when none are
  // there yet; sets `eof` when the server closed the connection.
  bool eof = false;
  auto receive = [&](char* dst, size_t max, size_t* got) -> Status {
    while (true) {
      const ssize_t n = ::recv(fd_, dst, max, MSG_DONTWAIT);
      if (n >= 0) {
        *got = static_cast<size_t>(n);
        eof = n == 0;
        progress->closed = eof;
        progress->answered = progress->answered || n > 0;
        return Status::OK();
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        FLOE_RETURN_IF_ERROR(wait(POLLIN));
      } else if (errno != EINTR) {
        progress->closed = errno == ECONNRESET;
        return Status::Unavailable("{}: {}", base_, std::strerror(errno));
      }
    }
  };
  // Appends what arrives next to `buffer_`.
  auto fill = [&]() -> Status {
    char chunk[16384];
    size_t got = 0;
    FLOE_RETURN_IF_ERROR(receive(chunk, sizeof chunk, &got));
    buffer_.append(chunk, got);
    return Status::OK();
  };
  HttpResult out;
  while (true) {  // 1xx interim answers are skipped
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (eof) return Status::Unavailable("{}: connection closed before an answer", base_);
      if (buffer_.size() > (1 << 20)) return Status::IOError("{}: answer header too large", base_);
      FLOE_RETURN_IF_ERROR(fill());
    }
    const std::string head_text = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
    size_t line_end = head_text.find("\r\n");
    const std::string status_line = head_text.substr(0, line_end);
    if (!status_line.starts_with("HTTP/1.") || status_line.size() < 12) {
      return Status::IOError("{}: not an HTTP answer: {}", base_, status_line);
    }
    out.status = std::atoi(status_line.c_str() + 9);
    out.headers.clear();
    while (line_end != std::string::npos) {
      const size_t next = head_text.find("\r\n", line_end + 2);
      const std::string field = head_text.substr(line_end + 2, next - line_end - 2);
      line_end = next;
      const size_t colon = field.find(':');
      if (colon == std::string::npos) continue;
      std::string value = field.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      out.headers[AsciiLower(field.substr(0, colon))] = value;
    }
    if (out.status >= 200) break;
  }
  const bool bodiless = head || out.status == 204 || out.status == 304;
  if (!bodiless) {
    if (auto te = out.headers.find("transfer-encoding");
        te != out.headers.end() && AsciiLower(te->second) == "chunked") {
      while (true) {
        size_t eol;
        while ((eol = buffer_.find("\r\n")) == std::string::npos) {
          if (eof) return Status::Unavailable("{}: connection closed inside an answer", base_);
          FLOE_RETURN_IF_ERROR(fill());
        }
        const size_t size = std::strtoull(buffer_.c_str(), nullptr, 16);
        buffer_.erase(0, eol + 2);
        if (size > (size_t{1} << 31)) return Status::IOError("{}: chunk too large", base_);
        while (buffer_.size() < size + 2) {
          if (eof) return Status::Unavailable("{}: connection closed inside an answer", base_);
          FLOE_RETURN_IF_ERROR(fill());
        }
        if (size == 0) {
          buffer_.erase(0, 2);  // no trailers from floe server
          break;
        }
        out.body += buffer_.substr(0, size);
        buffer_.erase(0, size + 2);
      }
    } else if (auto cl = out.headers.find("content-length"); cl != out.headers.end()) {
      const size_t length = std::strtoull(cl->second.c_str(), nullptr, 10);
      if (length > (size_t{1} << 31)) return Status::IOError("{}: answer too large", base_);
      // What came with the header section, then the rest straight into place.
      size_t have = std::min(length, buffer_.size());
      out.body.resize(length);
      buffer_.copy(out.body.data(), have);
      buffer_.erase(0, have);
      while (have < length) {
        size_t got = 0;
        FLOE_RETURN_IF_ERROR(receive(out.body.data() + have, length - have, &got));
        if (eof) return Status::Unavailable("{}: connection closed inside an answer", base_);
        have += got;
      }
    } else {
      while (!eof) FLOE_RETURN_IF_ERROR(fill());  // the body runs to the connection's end
      out.body = std::move(buffer_);
      buffer_.clear();
    }
  }
  if (auto c = out.headers.find("connection");
      eof || (c != out.headers.end() && AsciiLower(c->second) == "close")) {
    Disconnect();
  }
  return out;
}

}  // namespace floe
