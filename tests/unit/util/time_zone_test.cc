// TimeZone against Python's zoneinfo: the expected offsets and instants
// below were computed by zoneinfo from the same tzdata files (Debian's
// /usr/share/zoneinfo), for zones with unusual rules: half-hour DST (Lord
// Howe), a skipped day (Apia, 2011-12-30), negative DST (Dublin), rules with
// negative times (Nuuk), a DST that was abolished (Sao Paulo), a two-hour DST
// (Troll), and instants before the first transition and past the last (the
// footer's POSIX rule). tests/interop/test_pipeline_transform.py checks the
// same functions against zoneinfo live, through a pipeline.
#include "floe/util/time_zone.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "floe/io/file_io.h"

namespace floe {
namespace {

struct ZoneCase {
  std::string name;
  std::vector<int32_t> offsets;  // at kInstants
  std::vector<int64_t> utc;      // of kWallTimes, as zoneinfo with fold=0
};

// instants: 1800-01-01T00:00, 1970-01-01T00:00, 2011-12-30T10:00, 2021-03-14T07:30,
// 2021-11-07T05:30, 2021-11-07T06:30, 2026-03-29T01:00, 2026-10-25T00:59, 2026-10-25T01:00,
// 2026-07-01T12:00, 2099-07-01T12:00, 2300-01-15T00:00
const std::vector<int64_t> kInstants = {-5364662400, 0,          1325239200, 1615707000,
                                        1636263000,  1636266600, 1774746000, 1792889940,
                                        1792890000,  1782907200, 4086590400, 10415001600};
// wall times: 2021-03-14T02:30, 2021-11-07T01:30, 2026-03-29T02:30, 2026-10-25T02:30,
// 2011-12-30T12:00, 2026-04-05T02:15, 2026-10-04T02:15, 2026-01-01T00:00, 2150-06-01T08:00
const std::vector<int64_t> kWallTimes = {1615689000, 1636248600, 1774751400, 1792895400, 1325246400,
                                         1775355300, 1791080100, 1767225600, 5693356800};
const std::vector<ZoneCase> kCases = {
    {"America/New_York",
     {-17762, -18000, -18000, -14400, -14400, -18000, -14400, -14400, -14400, -14400, -14400,
      -18000},
     {1615707000, 1636263000, 1774765800, 1792909800, 1325264400, 1775369700, 1791094500,
      1767243600, 5693371200}},
    {"Europe/Paris",
     {561, 3600, 3600, 3600, 3600, 3600, 7200, 7200, 3600, 7200, 7200, 3600},
     {1615685400, 1636245000, 1774747800, 1792888200, 1325242800, 1775348100, 1791072900,
      1767222000, 5693349600}},
    {"Australia/Lord_Howe",
     {38180, 36000, 39600, 39600, 39600, 39600, 39600, 39600, 39600, 37800, 37800, 39600},
     {1615649400, 1636209000, 1774711800, 1792855800, 1325206800, 1775317500, 1791042300,
      1767186000, 5693319000}},
    {"Asia/Kolkata",
     {21208, 19800, 19800, 19800, 19800, 19800, 19800, 19800, 19800, 19800, 19800, 19800},
     {1615669200, 1636228800, 1774731600, 1792875600, 1325226600, 1775335500, 1791060300,
      1767205800, 5693337000}},
    {"America/Sao_Paulo",
     {-11188, -10800, -7200, -10800, -10800, -10800, -10800, -10800, -10800, -10800, -10800,
      -10800},
     {1615699800, 1636259400, 1774762200, 1792906200, 1325253600, 1775366100, 1791090900,
      1767236400, 5693367600}},
    {"Pacific/Apia",
     {45184, -39600, 50400, 50400, 46800, 46800, 46800, 46800, 46800, 46800, 46800, 46800},
     {1615638600, 1636201800, 1774704600, 1792848600, 1325282400, 1775308500, 1791033300,
      1767178800, 5693310000}},
    {"Europe/Dublin",
     {-1521, 3600, 0, 0, 0, 0, 3600, 3600, 0, 3600, 3600, 0},
     {1615689000, 1636248600, 1774747800, 1792895400, 1325246400, 1775351700, 1791076500,
      1767225600, 5693353200}},
    {"America/Nuuk",
     {-12416, -10800, -10800, -10800, -10800, -10800, -3600, -3600, -7200, -3600, -3600, -7200},
     {1615699800, 1636259400, 1774755000, 1792902600, 1325257200, 1775358900, 1791083700,
      1767232800, 5693360400}},
    {"Africa/Casablanca",
     {-1820, 0, 0, 3600, 3600, 3600, 3600, 3600, 3600, 3600, 3600, 3600},
     {1615685400, 1636245000, 1774747800, 1792891800, 1325246400, 1775351700, 1791076500,
      1767222000, 5693353200}},
    {"Antarctica/Troll",
     {0, 0, 0, 0, 0, 0, 7200, 7200, 0, 7200, 7200, 0},
     {1615689000, 1636248600, 1774751400, 1792888200, 1325246400, 1775348100, 1791072900,
      1767225600, 5693349600}},
    {"Asia/Tehran",
     {12344, 12600, 12600, 12600, 12600, 12600, 12600, 12600, 12600, 12600, 12600, 12600},
     {1615676400, 1636236000, 1774738800, 1792882800, 1325233800, 1775342700, 1791067500,
      1767213000, 5693344200}},
    {"Pacific/Chatham",
     {44028, 45900, 49500, 49500, 49500, 49500, 49500, 49500, 49500, 45900, 45900, 49500},
     {1615639500, 1636199100, 1774701900, 1792845900, 1325196900, 1775305800, 1791030600,
      1767176100, 5693310900}},
};

// The zoneinfo file's bytes; tzdata is installed by scripts/setup.
std::string ZoneFile(const std::string& name) {
  Result<std::string> bytes = LocalFileIO().ReadAll("/usr/share/zoneinfo/" + name);
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  return bytes.ok() ? *bytes : std::string();
}

Result<TimeZone> FromBytes(const std::string& bytes, const std::string& name) {
  return TimeZone::FromTzif({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}, name);
}

Result<TimeZone> LoadSystemZone(const std::string& name) {
  return FromBytes(ZoneFile(name), name);
}

TEST(TimeZoneTest, AgreesWithZoneinfo) {
  for (const ZoneCase& c : kCases) {
    SCOPED_TRACE(c.name);
    Result<TimeZone> zone = LoadSystemZone(c.name);
    ASSERT_TRUE(zone.ok()) << zone.status().ToString();
    for (size_t i = 0; i < kInstants.size(); ++i) {
      EXPECT_EQ(zone->OffsetAt(kInstants[i]), c.offsets[i]) << "at instant " << i;
    }
    for (size_t i = 0; i < kWallTimes.size(); ++i) {
      EXPECT_EQ(zone->ToUtc(kWallTimes[i]), c.utc[i]) << "of wall time " << i;
    }
  }
}

TEST(TimeZoneTest, PosixRuleAlone) {
  // The US rule since 2007, without a table: 2026-03-08 02:00 EST and
  // 2026-11-01 02:00 EDT.
  Result<TimeZone> us = TimeZone::FromPosixRule("EST5EDT,M3.2.0,M11.1.0", "US");
  ASSERT_TRUE(us.ok()) << us.status().ToString();
  EXPECT_EQ(us->OffsetAt(1772953200 - 1), -18000);
  EXPECT_EQ(us->OffsetAt(1772953200), -14400);
  EXPECT_EQ(us->OffsetAt(1793512800 - 1), -14400);
  EXPECT_EQ(us->OffsetAt(1793512800), -18000);
  // Southern hemisphere: daylight time spans the new year.
  Result<TimeZone> nz = TimeZone::FromPosixRule("NZST-12NZDT,M9.5.0,M4.1.0/3", "NZ");
  ASSERT_TRUE(nz.ok());
  EXPECT_EQ(nz->OffsetAt(1767225600), 13 * 3600);  // 2026-01-01
  EXPECT_EQ(nz->OffsetAt(1782907200), 12 * 3600);  // 2026-07-01
  // Daylight time all year (an end that meets the next start), and a
  // quoted abbreviation with a fractional offset.
  Result<TimeZone> always = TimeZone::FromPosixRule("EST5EDT,0/0,J365/25", "always");
  ASSERT_TRUE(always.ok());
  for (int64_t t : {int64_t{0}, int64_t{1767225600}, int64_t{1782907200}, int64_t{1798761599}}) {
    EXPECT_EQ(always->OffsetAt(t), -14400) << t;
  }
  Result<TimeZone> india = TimeZone::FromPosixRule("<+0530>-5:30", "IN");
  ASSERT_TRUE(india.ok());
  EXPECT_EQ(india->OffsetAt(0), 19800);
  EXPECT_EQ(india->ToUtc(19800), 0);
}

TEST(TimeZoneTest, BadRulesAreRefused) {
  for (const char* rule :
       {"", "E", "EST", "EST5EDT", "EST5EDT,M3.2.0", "EST5EDT,M13.2.0,M11.1.0",
        "EST5EDT,M3.6.0,M11.1.0", "EST5EDT,M3.2.7,M11.1.0", "EST5EDT,J0,J365", "EST5EDT,366,0",
        "EST25", "EST5EDT,M3.2.0/168,M11.1.0", "EST5EDT,M3.2.0,M11.1.0x", "<+05", "<>5"}) {
    EXPECT_FALSE(TimeZone::FromPosixRule(rule, "x").ok()) << rule;
  }
}

TEST(TimeZoneTest, FixedOffsets) {
  for (const auto& [text, offset] :
       std::vector<std::pair<std::string, int32_t>>{{"Z", 0},
                                                    {"+05:30", 19800},
                                                    {"-0800", -28800},
                                                    {"+01", 3600},
                                                    {"-03:30:15", -12615},
                                                    {"+123456", 45296}}) {
    Result<TimeZone> zone = TimeZone::FixedOffset(text);
    ASSERT_TRUE(zone.ok()) << text;
    EXPECT_EQ(zone->OffsetAt(123456789), offset) << text;
    EXPECT_EQ(zone->ToUtc(1000), 1000 - offset) << text;
  }
  for (const char* text :
       {"", "+", "5", "+5", "+0530x", "+05:3", "+05:60", "+0530:00", "+26", "UTC", "+05:30:"}) {
    EXPECT_FALSE(TimeZone::FixedOffset(text).ok()) << text;
  }
}

TEST(TimeZoneTest, EveryTruncationIsAnErrorNotACrash) {
  const std::string bytes = ZoneFile("Europe/Paris");
  ASSERT_GT(bytes.size(), 100u);
  for (size_t n = 0; n < bytes.size(); ++n) {
    Result<TimeZone> zone = FromBytes(bytes.substr(0, n), "Europe/Paris");
    ASSERT_FALSE(zone.ok()) << n;
    EXPECT_EQ(zone.status().code(), StatusCode::kCorruption) << n;
  }
  EXPECT_TRUE(FromBytes(bytes, "Europe/Paris").ok());
}

TEST(TimeZoneTest, HostileHeadersAreRefusedBeforeAllocating) {
  const std::string bytes = ZoneFile("Europe/Paris");
  ASSERT_GT(bytes.size(), 100u);
  // `value` written over the bytes at `at`.
  auto with = [&](size_t at, std::string_view value) {
    std::string b = bytes;
    b.replace(at, value.size(), value);
    return FromBytes(b, "x").status().code();
  };
  EXPECT_EQ(with(32, "\xff\xff\xff\xff"), StatusCode::kCorruption);    // 4 billion transitions
  EXPECT_EQ(with(36, std::string(4, '\0')), StatusCode::kCorruption);  // no types
  EXPECT_EQ(with(20, std::string("\0\0\x7f\xff", 4)),
            StatusCode::kCorruption);                               // isutcnt != typecnt
  EXPECT_EQ(with(4, "9"), StatusCode::kCorruption);                 // unknown version
  EXPECT_EQ(with(0, "X"), StatusCode::kCorruption);                 // magic
  EXPECT_EQ(with(bytes.size() - 2, "?"), StatusCode::kCorruption);  // a bad footer rule
  // Leap-second zones keep TAI-like time: refused, not misread.
  EXPECT_EQ(LoadSystemZone("right/UTC").status().code(), StatusCode::kNotSupported);
}

}  // namespace
}  // namespace floe
