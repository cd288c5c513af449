#include "floe/server/http_parser.h"

#include <gtest/gtest.h>

namespace floe::server {
namespace {

using State = HttpParse::State;

HttpParse Parse(std::string_view in, size_t max_body = 1 << 20) {
  return ParseHttpRequest(in, HttpParseLimits{4096, max_body});
}

TEST(HttpParserTest, ParsesARequestWithItsTargetDecoded) {
  const std::string in =
      "POST /v1/namespaces/a%1Fb/tables?pageSize=2&x=a+b%26c&flag HTTP/1.1\r\n"
      "Host: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
      "GET /next HTTP/1.1\r\n\r\n";
  HttpParse p = Parse(in);
  ASSERT_EQ(p.state, State::kComplete) << p.error;
  EXPECT_EQ(p.request.method, "POST");
  EXPECT_EQ(p.request.path,
            "/v1/namespaces/a\x1F"
            "b/tables");
  EXPECT_EQ(*p.request.Query("pageSize"), "2");
  EXPECT_EQ(*p.request.Query("x"), "a b&c");
  EXPECT_EQ(*p.request.Query("flag"), "");
  EXPECT_EQ(*p.request.Header("content-type"), "application/json");
  EXPECT_EQ(p.request.body, "{}");
  EXPECT_TRUE(p.keep_alive);
  // The pipelined request after it is left for the next call.
  EXPECT_EQ(in.substr(p.consumed), "GET /next HTTP/1.1\r\n\r\n");
  HttpParse next = Parse(std::string_view(in).substr(p.consumed));
  ASSERT_EQ(next.state, State::kComplete);
  EXPECT_EQ(next.request.path, "/next");
}

TEST(HttpParserTest, WaitsForTheWholeRequest) {
  const std::string in = "PUT /t HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcde";
  for (size_t n = 0; n < in.size(); ++n) {
    EXPECT_EQ(Parse(std::string_view(in).substr(0, n)).state, State::kNeedMore) << n;
  }
  EXPECT_EQ(Parse(in).state, State::kComplete);
  HttpParse expect = Parse("POST /t HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  EXPECT_EQ(expect.state, State::kNeedMore);
  EXPECT_TRUE(expect.expects_continue);
}

TEST(HttpParserTest, DecodesChunkedBodies) {
  const std::string in =
      "POST /t HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nTrailer: x\r\n\r\n";
  HttpParse p = Parse(in);
  ASSERT_EQ(p.state, State::kComplete) << p.error;
  EXPECT_EQ(p.request.body, "Wikipedia in\r\n\r\nchunks.");
  EXPECT_EQ(p.consumed, in.size());
  EXPECT_EQ(Parse(in.substr(0, in.size() - 2)).state, State::kNeedMore);
  EXPECT_EQ(
      Parse("POST /t HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n", 8)
          .error_status,
      413);
}

// Issue 11, item 7: a body arriving piecemeal is not parsed from the start
// on every read. With a cursor, a chunked body's framing is checked once
// and the body copied once, and a call before the next chunk (or before a
// Content-Length body) is complete does nothing.
TEST(HttpParserTest, ACursorResumesWhereTheLastCallStopped) {
  std::string in = "POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  std::string body;
  const std::string data(64, 'd');
  for (int i = 0; i < 500; ++i) {
    in += "40\r\n" + data + "\r\n";
    body += data;
  }
  in += "0\r\n\r\n";
  HttpParseCursor cursor;
  HttpParse p;
  size_t calls_that_looked = 0;
  for (size_t size = 1; size <= in.size(); ++size) {  // one byte more per call
    const size_t need = cursor.need;
    p = ParseHttpRequest(std::string_view(in).substr(0, size), HttpParseLimits{4096, 1 << 20},
                         &cursor);
    calls_that_looked += size >= need;
    if (p.state != State::kNeedMore) break;
    EXPECT_LE(cursor.chunks_verified, size);
  }
  ASSERT_EQ(p.state, State::kComplete) << p.error;
  EXPECT_EQ(p.request.body, body);
  EXPECT_EQ(p.consumed, in.size());
  // A chunk is looked at while its size line arrives and once its data is
  // whole, not once per byte of the request.
  EXPECT_LT(calls_that_looked, in.size() / 10);
  EXPECT_EQ(cursor.need, 0u);  // reset for the next request

  const std::string sized =
      "POST /p HTTP/1.1\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'x');
  HttpParseCursor c2;
  EXPECT_EQ(ParseHttpRequest(std::string_view(sized).substr(0, sized.size() - 50), {}, &c2).state,
            State::kNeedMore);
  EXPECT_EQ(c2.need, sized.size());
  EXPECT_EQ(ParseHttpRequest(sized, {}, &c2).request.body, std::string(100, 'x'));
}

TEST(HttpParserTest, ConnectionPersistence) {
  EXPECT_FALSE(Parse("GET / HTTP/1.0\r\n\r\n").keep_alive);
  EXPECT_TRUE(Parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").keep_alive);
  EXPECT_FALSE(Parse("GET / HTTP/1.1\r\nConnection: close\r\n\r\n").keep_alive);
}

TEST(HttpParserTest, AnswersMalformedRequests) {
  const std::pair<const char*, int> cases[] = {
      {"GET /\r\n\r\n", 400},
      {"GET  / HTTP/1.1\r\n\r\n", 400},
      {"G\x01T / HTTP/1.1\r\n\r\n", 400},
      {"GET / HTTP/2.0\r\n\r\n", 505},
      {"GET / FOO/1.1\r\n\r\n", 400},
      {"GET http://x/ HTTP/1.1\r\n\r\n", 400},
      {"GET /%zz HTTP/1.1\r\n\r\n", 400},
      {"GET /%4 HTTP/1.1\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nNo colon\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\n folded: x\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", 400},
      {"POST / HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n", 413},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n", 400},
  };
  for (const auto& [in, status] : cases) {
    HttpParse p = Parse(in);
    EXPECT_EQ(p.state, State::kError) << in;
    EXPECT_EQ(p.error_status, status) << in << ": " << p.error;
    EXPECT_FALSE(p.keep_alive);
  }
  // A header section over the limit is refused before it ends.
  EXPECT_EQ(Parse("GET / HTTP/1.1\r\nX: " + std::string(5000, 'a')).error_status, 431);
}

TEST(HttpParserTest, PercentDecoding) {
  std::string out;
  EXPECT_TRUE(PercentDecode("a%20b+c", false, &out));
  EXPECT_EQ(out, "a b+c");
  EXPECT_TRUE(PercentDecode("a%20b+c", true, &out));
  EXPECT_EQ(out, "a b c");
  EXPECT_FALSE(PercentDecode("%", false, &out));
  EXPECT_FALSE(PercentDecode("%a", false, &out));
  EXPECT_FALSE(PercentDecode("%gg", false, &out));
}

}  // namespace
}  // namespace floe::server
