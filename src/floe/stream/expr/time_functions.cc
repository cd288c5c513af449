// Time parsing and time zones:
//   parse_timestamp(text, format[, zone]) -> timestamptz: the wall time read
//     is in `zone` (default UTC) unless the text carries an offset (%z, %s);
//   parse_date(text, format) -> date: the date as written;
//   to_timezone(timestamptz, zone) -> timestamp: the wall time in `zone`;
//   from_timezone(timestamp, zone) -> timestamptz: a wall time in `zone`.
// Zones are "UTC", fixed offsets ("+05:30") or IANA names read from the
// system's zoneinfo ($TZDIR, else /usr/share/zoneinfo), loaded once per
// process. A constant zone is loaded when the expression compiles (a bad
// name is a compile error); a zone from a column is looked up per row (a bad
// name is that row's error).
#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>

#include "floe/io/file_io.h"
#include "floe/stream/expr/functions.h"
#include "floe/util/temporal.h"
#include "floe/util/time_format.h"
#include "floe/util/time_zone.h"

namespace floe::stream::expr {
namespace {

using ZonePtr = std::shared_ptr<const TimeZone>;

constexpr size_t kMaxZoneName = 128;
constexpr size_t kMaxCachedZones = 1024;  // past this, lookups still work, uncached

bool IsZoneName(std::string_view name) {
  if (name.empty() || name.size() > kMaxZoneName || name.front() == '/' || name.back() == '/') {
    return false;
  }
  // No empty, "." or ".." component: the name stays inside the zoneinfo directory.
  for (size_t start = 0; start <= name.size();) {
    const size_t end = std::min(name.find('/', start), name.size());
    const std::string_view part = name.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '/' || c == '_' || c == '-' || c == '+';
    if (!ok) return false;
  }
  return true;
}

Result<ZonePtr> LoadZone(const std::string& name) {
  if (name.empty()) return Status::InvalidArgument("an empty time zone name");
  if (name == "UTC" || name == "utc" || name == "Z" || name == "GMT") {
    return std::make_shared<const TimeZone>(TimeZone::Utc());
  }
  if (name.front() == '+' || name.front() == '-') {
    FLOE_ASSIGN_OR_RETURN(TimeZone zone, TimeZone::FixedOffset(name));
    return std::make_shared<const TimeZone>(std::move(zone));
  }
  if (!IsZoneName(name)) {
    return Status::InvalidArgument(
        "'{}' is not a time zone name (such as Europe/Paris, UTC or +05:30)",
        name.substr(0, kMaxZoneName));
  }
  const char* dir = std::getenv("TZDIR");
  const std::string path =
      std::string(dir != nullptr && *dir != '\0' ? dir : "/usr/share/zoneinfo") + "/" + name;
  Result<std::string> bytes = LocalFileIO().ReadAll(path);
  if (!bytes.ok()) {
    return Status::InvalidArgument("unknown time zone '{}' (not in {})", name, path);
  }
  const auto* data = reinterpret_cast<const uint8_t*>(bytes->data());
  FLOE_ASSIGN_OR_RETURN(TimeZone zone, TimeZone::FromTzif({data, bytes->size()}, name));
  return std::make_shared<const TimeZone>(std::move(zone));
}

// Process-wide: zones do not change while floe runs (a tzdata upgrade takes
// a restart, as it does for every program that caches zones).
Result<ZonePtr> FindZone(std::string_view name) {
  static std::mutex mu;
  static std::map<std::string, Result<ZonePtr>, std::less<>> cache;
  {
    std::lock_guard lock(mu);
    if (auto it = cache.find(name); it != cache.end()) return it->second;
  }
  std::string key(name);
  Result<ZonePtr> zone = LoadZone(key);
  std::lock_guard lock(mu);
  if (cache.size() < kMaxCachedZones) cache.emplace(std::move(key), zone);
  return zone;
}

// A zone argument: loaded once when constant, else per row.
class ZoneArg {
 public:
  static ZoneArg Utc() {
    ZoneArg z;
    z.constant_ = std::make_shared<const TimeZone>(TimeZone::Utc());
    return z;
  }
  static Result<ZoneArg> Bind(std::vector<NodePtr>& args, size_t i, const Signature& sig) {
    ZoneArg z;
    z.index_ = i;
    FLOE_RETURN_IF_ERROR(sig.Expect(i, TypeId::kString));
    if (args[i]->constant()) {
      FLOE_ASSIGN_OR_RETURN(std::string name, sig.ConstantString(args, i, "the time zone"));
      Result<ZonePtr> zone = FindZone(name);
      if (!zone.ok()) return sig.Error(zone.status().message());
      z.constant_ = *zone;
    }
    return z;
  }
  // The row's zone, or null after reporting the row's error.
  const TimeZone* Get(const Args& a, int64_t r, EvalContext& ctx, ZonePtr* holder) const {
    if (constant_ != nullptr) return constant_.get();
    Result<ZonePtr> zone = FindZone(a[index_].Bytes(r));
    if (!zone.ok()) {
      ctx.errors->Fail(r, std::string(zone.status().message()));
      return nullptr;
    }
    *holder = *zone;
    return holder->get();
  }

 private:
  size_t index_ = 0;
  ZonePtr constant_;
};

constexpr int64_t kMaxSeconds = int64_t{9'000'000'000'000};  // micros fit an int64 below this

Result<NodePtr> BindParse(const std::string& name, std::vector<NodePtr>& args,
                          const Signature& sig) {
  const bool date = name == "parse_date";
  FLOE_RETURN_IF_ERROR(sig.Arity(2, date ? 2 : 3));
  FLOE_RETURN_IF_ERROR(sig.Expect(0, TypeId::kString));
  FLOE_ASSIGN_OR_RETURN(std::string format_text, sig.ConstantString(args, 1, "the format"));
  Result<TimeFormat> compiled = TimeFormat::Compile(format_text);
  if (!compiled.ok()) return sig.Error(compiled.status().message());
  auto format = std::make_shared<const TimeFormat>(std::move(*compiled));
  if (date) {
    return MakeRowFunction(Type::Date(), std::move(args),
                           [format](const Args& a, int64_t r, Column* out, EvalContext& ctx) {
                             Result<ParsedTime> t = format->Parse(a[0].Bytes(r));
                             if (!t.ok()) {
                               ctx.errors->Fail(r, std::string(t.status().message()));
                               return out->AppendNull();
                             }
                             const int64_t days = FloorDiv(t->local_seconds, 86400);
                             if (days < INT32_MIN || days > INT32_MAX) {
                               ctx.errors->Fail(r, "parse_date: date out of range");
                               return out->AppendNull();
                             }
                             out->Append<int32_t>(static_cast<int32_t>(days));
                           });
  }
  ZoneArg zone = ZoneArg::Utc();
  if (args.size() == 3) {
    FLOE_ASSIGN_OR_RETURN(zone, ZoneArg::Bind(args, 2, sig));
  }
  return MakeRowFunction(Type::TimestampTz(), std::move(args),
                         [format, zone](const Args& a, int64_t r, Column* out, EvalContext& ctx) {
                           Result<ParsedTime> t = format->Parse(a[0].Bytes(r));
                           if (!t.ok()) {
                             ctx.errors->Fail(r, std::string(t.status().message()));
                             return out->AppendNull();
                           }
                           if (t->nanos % 1000 != 0) {
                             ctx.errors->Fail(
                                 r, "parse_timestamp: a fraction finer than microseconds");
                             return out->AppendNull();
                           }
                           int64_t utc = 0;
                           if (t->offset_seconds) {
                             utc = t->local_seconds - *t->offset_seconds;
                           } else {
                             ZonePtr holder;
                             const TimeZone* z = zone.Get(a, r, ctx, &holder);
                             if (z == nullptr) return out->AppendNull();
                             utc = z->ToUtc(t->local_seconds);
                           }
                           if (utc > kMaxSeconds || utc < -kMaxSeconds) {
                             ctx.errors->Fail(r, "parse_timestamp: timestamp out of range");
                             return out->AppendNull();
                           }
                           out->Append<int64_t>(utc * 1'000'000 + t->nanos / 1000);
                         });
}

// to_timezone / from_timezone: between an instant and a wall time in a zone.
Result<NodePtr> BindConvert(const std::string& name, std::vector<NodePtr>& args,
                            const Signature& sig) {
  FLOE_RETURN_IF_ERROR(sig.Arity(2, 2));
  const bool to_local = name == "to_timezone";
  const TypeId id = args[0]->type()->id();
  const bool nanos = id == TypeId::kTimestampTzNs || id == TypeId::kTimestampNs;
  const bool ok = to_local ? id == TypeId::kTimestampTz || id == TypeId::kTimestampTzNs
                           : id == TypeId::kTimestamp || id == TypeId::kTimestampNs;
  if (!ok) {
    return sig.Error(fmt::format("the first argument must be a {}, not {}",
                                 to_local ? "timestamptz" : "timestamp (without zone)",
                                 args[0]->type()->ToString()));
  }
  FLOE_ASSIGN_OR_RETURN(ZoneArg zone, ZoneArg::Bind(args, 1, sig));
  const int64_t per_second = nanos ? 1'000'000'000 : 1'000'000;
  TypePtr type = to_local ? (nanos ? Type::TimestampNs() : Type::Timestamp())
                          : (nanos ? Type::TimestampTzNs() : Type::TimestampTz());
  return MakeRowFunction(
      std::move(type), std::move(args),
      [zone, to_local, per_second, name](const Args& a, int64_t r, Column* out, EvalContext& ctx) {
        ZonePtr holder;
        const TimeZone* z = zone.Get(a, r, ctx, &holder);
        if (z == nullptr) return out->AppendNull();
        const int64_t v = a[0].Get<int64_t>(r);
        const int64_t seconds = FloorDiv(v, per_second);
        const int64_t shift =
            to_local ? int64_t{z->OffsetAt(seconds)} : z->ToUtc(seconds) - seconds;
        int64_t result = 0;
        if (__builtin_mul_overflow(shift, per_second, &result) ||
            __builtin_add_overflow(v, result, &result)) {
          ctx.errors->Fail(r, name + ": timestamp out of range");
          return out->AppendNull();
        }
        out->Append<int64_t>(result);
      });
}

}  // namespace

Result<NodePtr> BindTimeFunction(const std::string& name, std::vector<NodePtr>& args,
                                 const Signature& sig) {
  if (name == "parse_timestamp" || name == "parse_date") return BindParse(name, args, sig);
  if (name == "to_timezone" || name == "from_timezone") return BindConvert(name, args, sig);
  return Status::NotFound("");
}

}  // namespace floe::stream::expr
