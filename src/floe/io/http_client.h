// A small HTTP/1.1 client for floe's REST catalog client: plain http://
// only (floe server listens on loopback or a trusted network), one kept-alive
// connection per client, JSON bodies. Not for the open internet: no TLS, no
// redirects, no proxies.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "floe/util/status.h"

namespace floe {

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  // The request went out a second time, on a fresh connection, because the
  // first one was closed without an answer. A non-idempotent request may
  // then have been applied twice over, or the answer may be about the
  // second copy (a commit refused because the first one landed): callers
  // check the outcome.
  bool resent = false;
};

class HttpClient {
 public:
  // `base` is "http://HOST:PORT" with an optional path prefix; kInvalidArgument otherwise.
  static Result<std::unique_ptr<HttpClient>> Make(
      std::string_view base, std::chrono::seconds timeout = std::chrono::seconds(60));
  struct PrivateTag {  // made only by Make
    explicit PrivateTag() = default;
  };
  HttpClient(PrivateTag, std::string base, std::string host, int port, std::string prefix,
             std::chrono::seconds timeout);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request (path after the base, query included, already
  // percent-encoded) and reads the answer. A kept-alive connection the
  // server closed before answering is reopened once (see HttpResult::resent).
  // kUnavailable when the server cannot be reached or the request did not
  // get out whole; kCommitStateUnknown when a request other than GET or HEAD
  // went out but its answer did not arrive whole (a timeout, a connection
  // closed mid-answer): the server may have acted on it.
  Result<HttpResult> Send(std::string_view method, std::string_view path,
                          std::string_view body = {});

  const std::string& base() const { return base_; }

 private:
  Status Connect();
  // How far an exchange got, to tell whether the server may have acted.
  struct Progress {
    bool sent_all = false;  // every byte of the request was handed to the kernel
    bool answered = false;  // a byte of the answer arrived
    bool closed = false;    // the server closed (or reset) the connection
  };
  Result<HttpResult> Exchange(const std::string& request, bool head, Progress* progress);
  void Disconnect();

  std::string base_, host_, prefix_;
  int port_;
  std::chrono::seconds timeout_;
  int fd_ = -1;
  std::string buffer_;  // bytes read past the previous answer
};

// Percent-encodes one path segment or query value (RFC 3986 unreserved kept).
std::string PercentEncode(std::string_view text);

}  // namespace floe
