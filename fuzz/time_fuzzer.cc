// libFuzzer target for time zones and time formats (util/time_zone,
// util/time_format). The first byte picks the parser: a TZif file, a POSIX
// TZ rule, or "format\ntext" for TimeFormat. What parses is then asked for
// offsets and instants across and beyond its range. Whatever the input: no
// crash, no allocation the bytes do not justify, and answers within the
// offsets a zone may have.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "floe/util/time_format.h"
#include "floe/util/time_zone.h"

namespace {

void Probe(const floe::TimeZone& zone) {
  for (const int64_t t : {INT64_MIN, int64_t{-1} << 40, int64_t{-5364662400}, int64_t{-1},
                          int64_t{0}, int64_t{1774746000}, int64_t{4086590400},
                          int64_t{10415001600}, int64_t{1} << 40, INT64_MAX}) {
    const int32_t offset = zone.OffsetAt(t);
    if (offset < -26 * 3600 || offset > 26 * 3600) std::abort();
    const int64_t utc = zone.ToUtc(t);
    // An instant no more than a day and a bit from the wall time, except
    // where the wall time itself was clamped.
    if (t > -(int64_t{1} << 50) && t < (int64_t{1} << 50) && (utc - t > 93600 || t - utc > 93600)) {
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::span<const uint8_t> rest(data + 1, size - 1);
  const std::string_view text(reinterpret_cast<const char*>(rest.data()), rest.size());
  switch (data[0] % 3) {
    case 0: {
      floe::Result<floe::TimeZone> zone = floe::TimeZone::FromTzif(rest, "fuzz");
      if (zone.ok()) Probe(*zone);
      break;
    }
    case 1: {
      floe::Result<floe::TimeZone> zone = floe::TimeZone::FromPosixRule(text, "fuzz");
      if (zone.ok()) Probe(*zone);
      break;
    }
    default: {
      const size_t newline = text.find('\n');
      if (newline == std::string_view::npos) return 0;
      floe::Result<floe::TimeFormat> format = floe::TimeFormat::Compile(text.substr(0, newline));
      if (!format.ok()) return 0;
      floe::Result<floe::ParsedTime> parsed = format->Parse(text.substr(newline + 1));
      if (parsed.ok() && (parsed->nanos < 0 || parsed->nanos > 999'999'999)) std::abort();
      break;
    }
  }
  return 0;
}
