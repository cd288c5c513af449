// TimeFormat: the expected wall times are what Python's datetime.strptime
// reads from the same text and format (checked when these cases were
// written; the pipeline interop test compares against Python live).
#include "floe/util/time_format.h"

#include <gtest/gtest.h>

#include "floe/util/temporal.h"

namespace floe {
namespace {

// Seconds since the epoch of an ISO wall time, by floe's own ISO parser.
int64_t Wall(std::string_view iso) {
  Result<int64_t> micros = ParseTimestamp(iso, false, false);
  EXPECT_TRUE(micros.ok()) << iso;
  return micros.ok() ? *micros / 1'000'000 : 0;
}

ParsedTime MustParse(std::string_view format, std::string_view text) {
  Result<TimeFormat> tf = TimeFormat::Compile(format);
  EXPECT_TRUE(tf.ok()) << format << ": " << tf.status().ToString();
  if (!tf.ok()) return {};
  Result<ParsedTime> t = tf->Parse(text);
  EXPECT_TRUE(t.ok()) << format << " / " << text << ": " << t.status().ToString();
  return t.ok() ? *t : ParsedTime{};
}

Status ParseError(std::string_view format, std::string_view text) {
  Result<TimeFormat> tf = TimeFormat::Compile(format);
  if (!tf.ok()) return tf.status();
  return tf->Parse(text).status();
}

TEST(TimeFormatTest, ReadsWhatStrptimeReads) {
  struct Case {
    const char* format;
    const char* text;
    const char* wall;  // as Python's strptime reads it
  };
  for (const Case& c : std::vector<Case>{
           {"%d/%m/%Y %H:%M", "25/11/2026 13:45", "2026-11-25T13:45:00"},
           {"%d %b %Y %I:%M %p", "5 Mar 2026 12:30 AM", "2026-03-05T00:30:00"},
           {"%d %B %Y %I:%M %p", "5 march 2026 1:05 pm", "2026-03-05T13:05:00"},
           {"%d %b %Y %I:%M %p", "5 Mar 2026 12:30 PM", "2026-03-05T12:30:00"},
           {"%Y%m%d", "20260102", "2026-01-02T00:00:00"},
           {"%Y-%j", "2024-366", "2024-12-31T00:00:00"},
           {"%Y-%j", "2026-060", "2026-03-01T00:00:00"},
           {"%y", "68", "2068-01-01T00:00:00"},
           {"%y", "69", "1969-01-01T00:00:00"},
           {"%e.%m.%Y", " 5.03.2026", "2026-03-05T00:00:00"},
           {"%Y-%m-%d %H", "2026-01-01 \t 07", "2026-01-01T07:00:00"},
           {"%Y-%m-%dt%H", "2026-01-01T07", "2026-01-01T07:00:00"},
           {"%Y%m%d", "2026131", "2026-01-31T00:00:00"},  // %m takes 1: 13 is no month
           {"%F %T", "2024-02-29 23:59:59", "2024-02-29T23:59:59"},
           {"%D %R", "11/25/26 09:05", "2026-11-25T09:05:00"},
           {"%A %d %B %Y", "Wednesday 25 November 2026", "2026-11-25T00:00:00"},
           {"%Y %%d", "2026 %d", "2026-01-01T00:00:00"},
       }) {
    const ParsedTime t = MustParse(c.format, c.text);
    EXPECT_EQ(t.local_seconds, Wall(c.wall)) << c.format << " / " << c.text;
    EXPECT_FALSE(t.offset_seconds.has_value()) << c.format;
    EXPECT_EQ(t.nanos, 0);
  }
}

TEST(TimeFormatTest, OffsetsFractionsAndEpochs) {
  ParsedTime t = MustParse("%Y-%m-%dT%H:%M:%S.%f%z", "2026-11-25T13:45:00.123456+01:00");
  EXPECT_EQ(t.local_seconds, Wall("2026-11-25T13:45:00"));
  EXPECT_EQ(t.nanos, 123456000);
  EXPECT_EQ(t.offset_seconds, 3600);

  t = MustParse("%a, %d %b %Y %H:%M:%S %z", "Wed, 25 Nov 2026 13:45:00 -0500");
  EXPECT_EQ(t.offset_seconds, -18000);
  t = MustParse("%FT%T%z", "2026-11-25T13:45:00Z");
  EXPECT_EQ(t.offset_seconds, 0);
  t = MustParse("%S.%f %Y", "07.000000001 2026");
  EXPECT_EQ(t.nanos, 1);
  EXPECT_EQ(t.local_seconds, Wall("2026-01-01T00:00:07"));

  t = MustParse("%s", "-1");
  EXPECT_EQ(t.local_seconds, -1);
  EXPECT_EQ(t.offset_seconds, 0);
  t = MustParse("%s.%f", "1700000000.5");
  EXPECT_EQ(t.local_seconds, 1700000000);
  EXPECT_EQ(t.nanos, 500000000);
}

TEST(TimeFormatTest, ImpossibleValuesAndMismatchesAreErrors) {
  for (const auto& [format, text] : std::vector<std::pair<const char*, const char*>>{
           {"%F", "2026-02-29"},        // not a leap year
           {"%F", "2026-04-31"},        // April has 30 days
           {"%Y-%j", "2025-366"},       // nor has 2025 a day 366
           {"%F %H", "2026-01-01 24"},  // leaves "4"
           {"%F", "2026-01-01 "},       // text remains
           {"%F", "2026-1"},            // cut short
           {"%Y", "26"},                // %Y is four digits
           {"%F %z", "2026-01-01 +24:00"},
           {"%F %p", "2026-01-01 XM"},
           {"%F %b", "2026-01-01 Mai"},
           {"%s", "99999999999999999999"},  // more than 18 digits
           {"%F", ""},
       }) {
    const Status st = ParseError(format, text);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << format << " / " << text;
  }
  const Status st = ParseError("%d/%m/%Y", "25/13/2026");
  EXPECT_NE(st.message().find("'25/13/2026' does not match '%d/%m/%Y' at position 5"),
            std::string::npos)
      << st.ToString();
}

TEST(TimeFormatTest, BadFormatsAreRefusedAtCompile) {
  for (const std::string& format :
       {std::string("%Q %Y"), std::string("%Y %"), std::string("%H:%M"), std::string("%I %p"),
        std::string(""), std::string("%Y") + std::string(300, ' ')}) {
    EXPECT_EQ(TimeFormat::Compile(format).status().code(), StatusCode::kInvalidArgument) << format;
  }
}

}  // namespace
}  // namespace floe
