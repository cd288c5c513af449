// The function library: strings, regular expressions (RE2: linear time,
// whatever the pattern and the input), hashing for pseudonymization
// (OpenSSL) and date truncation. Time parsing is in time_functions.cc.
#include "floe/stream/expr/functions.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <re2/re2.h>

#include <array>

#include "floe/util/strings.h"
#include "floe/util/temporal.h"

namespace floe::stream::expr {
namespace {

size_t CharEnd(std::string_view s, size_t i) {
  const size_t n = Utf8SequenceLength(s, i);
  return i + (n == 0 ? 1 : n);
}

int64_t CodePoints(std::string_view s) {
  int64_t n = 0;
  for (size_t i = 0; i < s.size(); i = CharEnd(s, i)) ++n;
  return n;
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void AppendHex(std::span<const unsigned char> bytes, Column* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::array<char, 2 * EVP_MAX_MD_SIZE> text{};
  for (size_t i = 0; i < bytes.size(); ++i) {
    text[2 * i] = kHex[bytes[i] >> 4];
    text[2 * i + 1] = kHex[bytes[i] & 15];
  }
  out->AppendBytes(std::string_view(text.data(), 2 * bytes.size()));
}

Result<NodePtr> BindStringFunction(const std::string& name, std::vector<NodePtr>& args,
                                   const Signature& sig) {
  const TypePtr str = Type::String();
  if (name == "lower" || name == "upper") {
    FLOE_RETURN_IF_ERROR(sig.Arity(1, 1));
    FLOE_RETURN_IF_ERROR(sig.Expect(0, TypeId::kString));
    const bool lower = name == "lower";
    return MakeRowFunction(str, std::move(args),
                           [lower](const Args& a, int64_t r, Column* out, EvalContext&) {
                             std::string s(a[0].Bytes(r));
                             for (char& c : s) {
                               if (lower && c >= 'A' && c <= 'Z')
                                 c = static_cast<char>(c - 'A' + 'a');
                               if (!lower && c >= 'a' && c <= 'z')
                                 c = static_cast<char>(c - 'a' + 'A');
                             }
                             out->AppendBytes(s);
                           });
  }
  if (name == "trim" || name == "ltrim" || name == "rtrim") {
    FLOE_RETURN_IF_ERROR(sig.Arity(1, 1));
    FLOE_RETURN_IF_ERROR(sig.Expect(0, TypeId::kString));
    const bool left = name != "rtrim", right = name != "ltrim";
    return MakeRowFunction(str, std::move(args),
                           [left, right](const Args& a, int64_t r, Column* out, EvalContext&) {
                             std::string_view s = a[0].Bytes(r);
                             while (left && !s.empty() && IsSpace(s.front())) s.remove_prefix(1);
                             while (right && !s.empty() && IsSpace(s.back())) s.remove_suffix(1);
                             out->AppendBytes(s);
                           });
  }
  if (name == "length") {
    FLOE_RETURN_IF_ERROR(sig.Arity(1, 1));
    FLOE_RETURN_IF_ERROR(sig.Expect(0, TypeId::kString));
    return MakeRowFunction(Type::Int(), std::move(args),
                           [](const Args& a, int64_t r, Column* out, EvalContext&) {
                             out->Append<int32_t>(static_cast<int32_t>(CodePoints(a[0].Bytes(r))));
                           });
  }
  if (name == "substring" || name == "substr") {
    // substring(s, start[, length]), in characters from 1, as SQL counts.
    FLOE_RETURN_IF_ERROR(sig.Arity(2, 3));
    FLOE_RETURN_IF_ERROR(sig.Expect(0, TypeId::kString));
    FLOE_RETURN_IF_ERROR(sig.ExpectInteger(args, 1));
    if (args.size() == 3) FLOE_RETURN_IF_ERROR(sig.ExpectInteger(args, 2));
    return MakeRowFunction(
        str, std::move(args), [](const Args& a, int64_t r, Column* out, EvalContext& ctx) {
          const std::string_view s = a[0].Bytes(r);
          const int64_t start = a[1].Get<int64_t>(r);
          int64_t end = INT64_MAX;
          if (a.size() == 3) {
            const int64_t len = a[2].Get<int64_t>(r);
            if (len < 0) {
              ctx.errors->Fail(r, "substring: negative length");
              return out->AppendNull();
            }
            // Exclusive, in characters; past INT64_MAX is the end anyway.
            if (__builtin_add_overflow(start, len, &end)) end = INT64_MAX;
          }
          size_t from = s.size(), to = s.size();
          int64_t ch = 1;
          for (size_t i = 0; i <= s.size(); i = CharEnd(s, i), ++ch) {
            if (ch == std::max<int64_t>(start, 1) && from == s.size()) from = i;
            if (ch == end) {
              to = i;
              break;
            }
            if (i == s.size()) break;
          }
          out->AppendBytes(from < to ? s.substr(from, to - from) : std::string_view());
        });
  }
  if (name == "concat") {
    // concat(a, b, ...): every argument as text; nulls are skipped.
    FLOE_RETURN_IF_ERROR(sig.Arity(1, 64));
    for (size_t i = 0; i < args.size(); ++i) {
      if (!CanCast(*args[i]->type(), *str)) {
        return sig.Error(fmt::format("argument {} is a {}: only scalars join as text", i + 1,
                                     args[i]->type()->ToString()));
      }
      if (args[i]->type()->id() != TypeId::kString) args[i] = MakeCast(args[i], str, false);
    }
    return MakeNullableRowFunction(str, std::move(args),
                                   [](const Args& a, int64_t r, Column* out, EvalContext&) {
                                     std::string s;
                                     for (const Vec& v : a) {
                                       if (v.Valid(r)) s += v.Bytes(r);
                                     }
                                     out->AppendBytes(s);
                                   });
  }
  if (name == "replace") {
    FLOE_RETURN_IF_ERROR(sig.Arity(3, 3));
    for (size_t i = 0; i < 3; ++i) FLOE_RETURN_IF_ERROR(sig.Expect(i, TypeId::kString));
    return MakeRowFunction(
        str, std::move(args), [](const Args& a, int64_t r, Column* out, EvalContext&) {
          const std::string_view s = a[0].Bytes(r), from = a[1].Bytes(r), to = a[2].Bytes(r);
          if (from.empty()) return out->AppendBytes(s);
          std::string result;
          size_t i = 0;
          for (size_t at; (at = s.find(from, i)) != std::string_view::npos; i = at + from.size()) {
            result.append(s.substr(i, at - i)).append(to);
          }
          result.append(s.substr(i));
          out->AppendBytes(result);
        });
  }
  if (name == "split") {
    // split(s, separator): a list of the pieces.
    FLOE_RETURN_IF_ERROR(sig.Arity(2, 2));
    FLOE_RETURN_IF_ERROR(sig.Expect(0, TypeId::kString));
    FLOE_RETURN_IF_ERROR(sig.Expect(1, TypeId::kString));
    TypePtr list = Type::List(NestedField(0, "element", false, str));
    return MakeRowFunction(
        list, std::move(args), [](const Args& a, int64_t r, Column* out, EvalContext& ctx) {
          const std::string_view s = a[0].Bytes(r), sep = a[1].Bytes(r);
          if (sep.empty()) {
            ctx.errors->Fail(r, "split: empty separator");
            return out->AppendNull();
          }
          size_t i = 0;
          for (size_t at; (at = s.find(sep, i)) != std::string_view::npos; i = at + sep.size()) {
            out->child(0).AppendBytes(s.substr(i, at - i));
          }
          out->child(0).AppendBytes(s.substr(i));
          out->AppendListEnd();
        });
  }
  return Status::NotFound("");
}

Result<NodePtr> BindRegexpFunction(const std::string& name, std::vector<NodePtr>& args,
                                   const Signature& sig) {
  if (name != "regexp_extract" && name != "regexp_like" && name != "regexp_replace") {
    return Status::NotFound("");
  }
  FLOE_RETURN_IF_ERROR(sig.Arity(2, name == "regexp_like" ? 2 : 3));
  FLOE_RETURN_IF_ERROR(sig.Expect(0, TypeId::kString));
  FLOE_ASSIGN_OR_RETURN(std::string pattern, sig.ConstantString(args, 1, "the pattern"));
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_shared<const RE2>(pattern, options);
  if (!re->ok()) return sig.Error(fmt::format("bad pattern '{}': {}", pattern, re->error()));
  if (name == "regexp_like") {
    return MakeRowFunction(Type::Boolean(), std::move(args),
                           [re](const Args& a, int64_t r, Column* out, EvalContext&) {
                             out->Append<uint8_t>(RE2::PartialMatch(a[0].Bytes(r), *re) ? 1 : 0);
                           });
  }
  if (name == "regexp_replace") {
    FLOE_RETURN_IF_ERROR(sig.Arity(3, 3));
    FLOE_ASSIGN_OR_RETURN(std::string rewrite, sig.ConstantString(args, 2, "the replacement"));
    std::string why;
    if (!re->CheckRewriteString(rewrite, &why)) return sig.Error("bad replacement: " + why);
    return MakeRowFunction(Type::String(), std::move(args),
                           [re, rewrite](const Args& a, int64_t r, Column* out, EvalContext&) {
                             std::string s(a[0].Bytes(r));
                             RE2::GlobalReplace(&s, *re, rewrite);
                             out->AppendBytes(s);
                           });
  }
  // regexp_extract(s, pattern[, group]): the group's text of the first
  // match (group 1 by default when the pattern has one, else the match);
  // null when nothing matches.
  int group = re->NumberOfCapturingGroups() > 0 ? 1 : 0;
  if (args.size() == 3) {
    FLOE_ASSIGN_OR_RETURN(group, sig.ConstantInt(args, 2, "the group"));
    if (group < 0 || group > re->NumberOfCapturingGroups()) {
      return sig.Error(fmt::format("the pattern has no group {}", group));
    }
  }
  return MakeRowFunction(
      Type::String(), std::move(args),
      [re, group](const Args& a, int64_t r, Column* out, EvalContext&) {
        const std::string_view s = a[0].Bytes(r);
        std::array<re2::StringPiece, 16> groups;
        if (group >= static_cast<int>(groups.size()) ||
            !re->Match(s, 0, s.size(), RE2::UNANCHORED, groups.data(), group + 1) ||
            groups[static_cast<size_t>(group)].data() == nullptr) {
          return out->AppendNull();
        }
        out->AppendBytes(std::string_view(groups[static_cast<size_t>(group)].data(),
                                          groups[static_cast<size_t>(group)].size()));
      });
}

Result<NodePtr> BindHashFunction(const std::string& name, std::vector<NodePtr>& args,
                                 const Signature& sig) {
  if (name != "sha256" && name != "hmac_sha256") return Status::NotFound("");
  FLOE_RETURN_IF_ERROR(sig.Arity(name == "sha256" ? 1 : 2, name == "sha256" ? 1 : 2));
  for (size_t i = 0; i < args.size(); ++i) FLOE_RETURN_IF_ERROR(sig.ExpectBytes(i));
  if (name == "sha256") {
    return MakeRowFunction(Type::String(), std::move(args),
                           [](const Args& a, int64_t r, Column* out, EvalContext&) {
                             const std::string_view s = a[0].Bytes(r);
                             std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
                             unsigned int len = 0;
                             EVP_Digest(s.data(), s.size(), md.data(), &len, EVP_sha256(), nullptr);
                             AppendHex(std::span(md.data(), len), out);
                           });
  }
  // hmac_sha256(value, key): a keyed pseudonym; without the key nobody can
  // recompute it from a guessed value, as they can a bare sha256.
  return MakeRowFunction(
      Type::String(), std::move(args), [](const Args& a, int64_t r, Column* out, EvalContext&) {
        const std::string_view s = a[0].Bytes(r), key = a[1].Bytes(r);
        std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
        unsigned int len = 0;
        HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(s.data()), s.size(), md.data(), &len);
        AppendHex(std::span(md.data(), len), out);
      });
}

enum class Unit : uint8_t { kYear, kQuarter, kMonth, kWeek, kDay, kHour, kMinute, kSecond };

// Floors `v` (days for dates, else micros or nanos per `per_second`) to the unit.
int64_t Truncate(Unit unit, int64_t v, bool is_date, int64_t per_second) {
  const int64_t per_day = per_second * 86400;
  const int64_t days = is_date ? v : FloorDiv(v, per_day);
  auto from_days = [&](int64_t d) { return is_date ? d : d * per_day; };
  const CivilDate c = CivilFromDays(days);
  switch (unit) {
    case Unit::kYear:
      return from_days(DaysFromCivil(c.year, 1, 1));
    case Unit::kQuarter:
      return from_days(DaysFromCivil(c.year, (c.month - 1) / 3 * 3 + 1, 1));
    case Unit::kMonth:
      return from_days(DaysFromCivil(c.year, c.month, 1));
    case Unit::kWeek:  // to Monday; 1970-01-01 was a Thursday
      return from_days(days - ((days + 3) % 7 + 7) % 7);
    case Unit::kDay:
      return from_days(days);
    case Unit::kHour:
      return is_date ? v : FloorDiv(v, per_second * 3600) * per_second * 3600;
    case Unit::kMinute:
      return is_date ? v : FloorDiv(v, per_second * 60) * per_second * 60;
    default:
      return is_date ? v : FloorDiv(v, per_second) * per_second;
  }
}

Result<NodePtr> BindDateTrunc(std::vector<NodePtr>& args, const Signature& sig) {
  FLOE_RETURN_IF_ERROR(sig.Arity(2, 2));
  FLOE_ASSIGN_OR_RETURN(std::string unit_name, sig.ConstantString(args, 0, "the unit"));
  static constexpr std::pair<std::string_view, Unit> kUnits[] = {
      {"year", Unit::kYear},     {"quarter", Unit::kQuarter}, {"month", Unit::kMonth},
      {"week", Unit::kWeek},     {"day", Unit::kDay},         {"hour", Unit::kHour},
      {"minute", Unit::kMinute}, {"second", Unit::kSecond}};
  std::optional<Unit> unit;
  for (const auto& [n, u] : kUnits) {
    if (EqualsIgnoreCase(unit_name, n)) unit = u;
  }
  if (!unit) {
    return sig.Error(
        fmt::format("unknown unit '{}' (year, quarter, month, week, day, hour, "
                    "minute or second)",
                    unit_name));
  }
  const TypeId id = args[1]->type()->id();
  const bool is_date = id == TypeId::kDate;
  const bool nanos = id == TypeId::kTimestampNs || id == TypeId::kTimestampTzNs;
  if (!is_date && id != TypeId::kTimestamp && id != TypeId::kTimestampTz && !nanos) {
    return sig.Error("the second argument must be a date or a timestamp, not " +
                     args[1]->type()->ToString());
  }
  const int64_t per_second = nanos ? 1000000000 : 1000000;
  TypePtr type = args[1]->type();
  return MakeRowFunction(
      type, std::move(args),
      [u = *unit, is_date, per_second](const Args& a, int64_t r, Column* out, EvalContext&) {
        if (is_date) {
          out->Append<int32_t>(static_cast<int32_t>(Truncate(u, a[1].Get<int32_t>(r), true, 0)));
        } else {
          out->Append<int64_t>(Truncate(u, a[1].Get<int64_t>(r), false, per_second));
        }
      });
}

}  // namespace

Status Signature::Arity(size_t min, size_t max) const {
  if (args_.size() >= min && args_.size() <= max) return Status::OK();
  if (min == max) return Error(fmt::format("takes {} argument(s), not {}", min, args_.size()));
  return Error(fmt::format("takes {} to {} arguments, not {}", min, max, args_.size()));
}

Status Signature::Expect(size_t i, TypeId id) const {
  if (args_[i]->type()->id() == id) return Status::OK();
  const TypePtr want = id == TypeId::kString ? Type::String() : Type::Boolean();
  return Error(fmt::format("argument {} must be a {}, not {} (CAST it)", i + 1, want->ToString(),
                           args_[i]->type()->ToString()));
}

Status Signature::ExpectBytes(size_t i) const {
  const TypeId id = args_[i]->type()->id();
  if (id == TypeId::kString || id == TypeId::kBinary) return Status::OK();
  return Error(fmt::format("argument {} must be a string or binary, not {} (CAST it)", i + 1,
                           args_[i]->type()->ToString()));
}

Status Signature::ExpectInteger(std::vector<NodePtr>& args, size_t i) const {
  const TypeId id = args[i]->type()->id();
  if (id == TypeId::kInt) args[i] = MakeCast(args[i], Type::Long(), false);
  if (id == TypeId::kInt || id == TypeId::kLong) return Status::OK();
  return Error(
      fmt::format("argument {} must be an integer, not {}", i + 1, args[i]->type()->ToString()));
}

Result<std::string> Signature::ConstantString(const std::vector<NodePtr>& args, size_t i,
                                              std::string_view what) const {
  if (!args[i]->constant() || args[i]->type()->id() != TypeId::kString) {
    return Error(fmt::format("{} (argument {}) must be a constant string", what, i + 1));
  }
  EvalContext ctx;
  RowErrors errors;
  errors.Reset(1);
  ctx.num_rows = 1;
  ctx.errors = &errors;
  const Vec v = args[i]->Eval(ctx, Mask{1});
  if (!v.Valid(0)) return Error(fmt::format("{} (argument {}) is null", what, i + 1));
  return std::string(v.Bytes(0));
}

Result<int> Signature::ConstantInt(const std::vector<NodePtr>& args, size_t i,
                                   std::string_view what) const {
  if (!args[i]->constant() || args[i]->type()->id() != TypeId::kInt) {
    return Error(fmt::format("{} (argument {}) must be a constant integer", what, i + 1));
  }
  EvalContext ctx;
  RowErrors errors;
  errors.Reset(1);
  ctx.num_rows = 1;
  ctx.errors = &errors;
  const Vec v = args[i]->Eval(ctx, Mask{1});
  if (!v.Valid(0)) return Error(fmt::format("{} (argument {}) is null", what, i + 1));
  return v.Get<int32_t>(0);
}

Status Signature::Error(std::string_view why) const {
  return Status::InvalidArgument("{}(): {} at column {}", name_, why, offset_ + 1);
}

Result<NodePtr> BindFunction(const std::string& name, std::vector<NodePtr> args, size_t offset) {
  const Signature sig(name, args, offset);
  for (auto bind : {BindStringFunction, BindRegexpFunction, BindHashFunction, BindTimeFunction}) {
    Result<NodePtr> node = bind(name, args, sig);
    if (node.ok() || node.status().code() != StatusCode::kNotFound) return node;
  }
  if (name == "date_trunc") return BindDateTrunc(args, sig);
  return Status::InvalidArgument("unknown function '{}' at column {}", name, offset + 1);
}

}  // namespace floe::stream::expr
