#include "floe/format/parquet/iceberg_metrics.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <cstring>
#include <set>
#include <vector>

#include "floe/util/decimal.h"

namespace floe::parquet {
namespace {

template <typename T>
T Load(std::string_view v) {
  T x;
  std::memcpy(&x, v.data(), sizeof(T));
  return x;
}

template <typename T>
std::string Store(T x) {
  std::string out(sizeof(T), '\0');
  std::memcpy(out.data(), &x, sizeof(T));
  return out;
}

bool IsFloating(const Type& t) {
  return t.id() == TypeId::kFloat || t.id() == TypeId::kDouble;
}

// Iceberg's order on single-value forms: -0.0 before +0.0 (spec note 2 on
// bounds), decimals and integers signed, bytes unsigned. NaN never gets here.
bool Less(const Type& type, std::string_view a, std::string_view b) {
  switch (type.id()) {
    case TypeId::kBoolean:
      return Load<uint8_t>(a) < Load<uint8_t>(b);
    case TypeId::kInt:
    case TypeId::kDate:
      return Load<int32_t>(a) < Load<int32_t>(b);
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs:
      return Load<int64_t>(a) < Load<int64_t>(b);
    case TypeId::kFloat: {
      const float x = Load<float>(a), y = Load<float>(b);
      return x < y || (x == y && std::signbit(x) && !std::signbit(y));
    }
    case TypeId::kDouble: {
      const double x = Load<double>(a), y = Load<double>(b);
      return x < y || (x == y && std::signbit(x) && !std::signbit(y));
    }
    case TypeId::kDecimal:
      return *DecimalFromBigEndian(a) < *DecimalFromBigEndian(b);
    default:
      return a < b;  // char_traits<char> compares as unsigned char
  }
}

bool IsNaN(const Type& type, std::string_view v) {
  if (type.id() == TypeId::kFloat) return std::isnan(Load<float>(v));
  if (type.id() == TypeId::kDouble) return std::isnan(Load<double>(v));
  return false;
}

// Parquet allows a writer to say +0.0 for a minimum when the data holds -0.0
// (and -0.0 for a maximum holding +0.0); Iceberg orders -0.0 first, so a zero
// lower bound becomes -0.0 and a zero upper bound +0.0 to cover both.
void WidenZero(const Type& type, bool lower, std::string* v) {
  if (type.id() == TypeId::kFloat && Load<float>(*v) == 0.0f) {
    *v = Store(lower ? -0.0f : 0.0f);
  } else if (type.id() == TypeId::kDouble && Load<double>(*v) == 0.0) {
    *v = Store(lower ? -0.0 : 0.0);
  }
}

size_t Utf8SequenceLength(uint8_t lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;  // a stray continuation or invalid byte counts as one unit
}

// Byte length of the first `length` code points of `utf8`.
size_t CodePointPrefix(std::string_view utf8, int length) {
  size_t i = 0;
  for (int n = 0; n < length && i < utf8.size(); ++n) {
    i += Utf8SequenceLength(static_cast<uint8_t>(utf8[i]));
  }
  return std::min(i, utf8.size());
}

// Strict decoding (no overlongs, surrogates or values past U+10FFFF).
std::optional<std::vector<char32_t>> DecodeUtf8(std::string_view s) {
  std::vector<char32_t> out;
  size_t i = 0;
  while (i < s.size()) {
    const auto lead = static_cast<uint8_t>(s[i]);
    const size_t n = Utf8SequenceLength(lead);
    if (n == 1 && lead >= 0x80) return std::nullopt;
    if (i + n > s.size()) return std::nullopt;
    char32_t cp = n == 1 ? lead : n == 2 ? (lead & 0x1F) : n == 3 ? (lead & 0x0F) : (lead & 0x07);
    for (size_t k = 1; k < n; ++k) {
      const auto c = static_cast<uint8_t>(s[i + k]);
      if ((c & 0xC0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (c & 0x3F);
    }
    static constexpr char32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return std::nullopt;
    }
    out.push_back(cp);
    i += n;
  }
  return out;
}

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string TruncateLower(const Type& type, const std::string& v, int length) {
  if (type.id() == TypeId::kString) return TruncateStringLowerBound(v, length);
  if (type.id() == TypeId::kBinary) return TruncateBinaryLowerBound(v, length);
  return v;  // truncate(N) is full for every other type
}

std::optional<std::string> TruncateUpper(const Type& type, const std::string& v, int length) {
  if (type.id() == TypeId::kString) return TruncateStringUpperBound(v, length);
  if (type.id() == TypeId::kBinary) return TruncateBinaryUpperBound(v, length);
  return v;
}

// One leaf's metrics while row groups are added.
struct Accumulator {
  int32_t field_id = 0;
  TypePtr type;
  bool top_level = false;  // a field of the schema's top-level struct
  int64_t compressed = 0;
  int64_t values = 0;
  int64_t nulls = 0;
  std::optional<int64_t> nans = std::nullopt;  // writer only
  bool nulls_known = true;
  // False once some chunk has values the bounds do not cover.
  bool bounds_valid = true;
  std::optional<std::string> lower = std::nullopt;  // single-value form, untruncated
  std::optional<std::string> upper = std::nullopt;

  void AddBounds(std::string lo, std::string hi) {
    if (IsNaN(*type, lo) || IsNaN(*type, hi)) {
      // NaN is never a bound (spec note 2); Java drops the field's bounds, as here.
      bounds_valid = false;
      return;
    }
    WidenZero(*type, true, &lo);
    WidenZero(*type, false, &hi);
    if (!lower || Less(*type, lo, *lower)) lower = std::move(lo);
    if (!upper || Less(*type, *upper, hi)) upper = std::move(hi);
  }
};

DataFileMetrics Assemble(const std::vector<Accumulator>& leaves, int64_t rows, int64_t file_size,
                         bool any_row_group, int truncate_length) {
  DataFileMetrics m;
  m.record_count = rows;
  m.file_size_in_bytes = file_size;
  // No row groups, no chunks to measure: PyIceberg and Java leave every map
  // empty rather than record zeros.
  if (!any_row_group) return m;
  for (const Accumulator& a : leaves) {
    m.column_sizes[a.field_id] = a.compressed;
    m.value_counts[a.field_id] = a.values;
    if (a.nulls_known) m.null_value_counts[a.field_id] = a.nulls;
    if (a.nans && IsFloating(*a.type)) m.nan_value_counts[a.field_id] = *a.nans;
    // PyIceberg: fields below the top level are `counts` only.
    if (!a.top_level || !a.bounds_valid || !a.lower) continue;
    m.lower_bounds[a.field_id] = TruncateLower(*a.type, *a.lower, truncate_length);
    if (auto upper = TruncateUpper(*a.type, *a.upper, truncate_length)) {
      m.upper_bounds[a.field_id] = *std::move(upper);
    }
  }
  return m;
}

// The physical type floe's writer gives a leaf of this type (schema_mapping).
PhysicalType WrittenPhysical(const Type& t) {
  switch (t.id()) {
    case TypeId::kBoolean:
      return PhysicalType::kBoolean;
    case TypeId::kInt:
    case TypeId::kDate:
      return PhysicalType::kInt32;
    case TypeId::kFloat:
      return PhysicalType::kFloat;
    case TypeId::kDouble:
      return PhysicalType::kDouble;
    case TypeId::kDecimal:
      return t.precision() <= 9    ? PhysicalType::kInt32
             : t.precision() <= 18 ? PhysicalType::kInt64
                                   : PhysicalType::kFixedLenByteArray;
    case TypeId::kString:
    case TypeId::kBinary:
      return PhysicalType::kByteArray;
    case TypeId::kUuid:
    case TypeId::kFixed:
      return PhysicalType::kFixedLenByteArray;
    default:
      return PhysicalType::kInt64;
  }
}

bool SignedPhysical(PhysicalType p) {
  return p == PhysicalType::kBoolean || p == PhysicalType::kInt32 || p == PhysicalType::kInt64 ||
         p == PhysicalType::kFloat || p == PhysicalType::kDouble;
}

struct MinMax {
  std::string_view min, max;
};

// The chunk's min/max when they may be trusted in the type's order:
// min_value/max_value under a TypeDefinedOrder. Without column orders (a
// pre-2.x writer) min_value/max_value and the deprecated min/max are trusted
// only for signed physical types, whose legacy signed order is the type order;
// a TypeDefinedOrder chunk with only the deprecated pair is read the same way.
// An unknown (newer) order is never trusted.
std::optional<MinMax> TrustedMinMax(const Statistics& st, const LeafColumn& leaf,
                                    std::optional<ColumnOrder> order) {
  if (order && *order != ColumnOrder::kTypeDefined) return std::nullopt;
  const bool legacy_ok = SignedPhysical(leaf.physical) && !leaf.unsigned_order;
  if (st.min_value && st.max_value && (order || legacy_ok)) {
    return MinMax{*st.min_value, *st.max_value};
  }
  if (st.min && st.max && legacy_ok) return MinMax{*st.min, *st.max};
  return std::nullopt;
}

void AppendHex(std::string_view bytes, std::string* out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (char c : bytes) {
    const auto b = static_cast<uint8_t>(c);
    out->push_back(kDigits[b >> 4]);
    out->push_back(kDigits[b & 0xF]);
  }
}

template <typename V, typename F>
void AppendMap(std::string_view name, const std::map<int32_t, V>& map, F value, std::string* out) {
  *out += fmt::format(",\"{}\":{{", name);
  bool first = true;
  for (const auto& [id, v] : map) {
    if (!first) out->push_back(',');
    first = false;
    *out += fmt::format("\"{}\":", id);
    value(v, out);
  }
  out->push_back('}');
}

}  // namespace

std::string TruncateStringLowerBound(std::string_view utf8, int length) {
  return std::string(utf8.substr(0, CodePointPrefix(utf8, length)));
}

std::string TruncateBinaryLowerBound(std::string_view bytes, int length) {
  return std::string(bytes.substr(0, static_cast<size_t>(std::max(length, 0))));
}

std::optional<std::string> TruncateStringUpperBound(std::string_view utf8, int length) {
  const size_t prefix = CodePointPrefix(utf8, length);
  if (prefix >= utf8.size()) return std::string(utf8);
  auto cps = DecodeUtf8(utf8.substr(0, prefix));
  if (!cps) return std::nullopt;  // no safe way to step past invalid text
  for (size_t i = cps->size(); i-- > 0;) {
    char32_t& cp = (*cps)[i];
    if (cp == 0x10FFFF) continue;
    // PyIceberg would produce the lone surrogate U+D800 here and fail to encode
    // it; Java steps to the next scalar value, U+E000, as floe does.
    cp = cp == 0xD7FF ? 0xE000 : cp + 1;
    // The code points after the incremented one (all U+10FFFF) are kept, as
    // PyIceberg does; Java drops them. Both are upper bounds of the prefix.
    std::string out;
    for (char32_t c : *cps) AppendUtf8(c, &out);
    return out;
  }
  return std::nullopt;
}

std::optional<std::string> TruncateBinaryUpperBound(std::string_view bytes, int length) {
  const auto n = static_cast<size_t>(std::max(length, 0));
  if (bytes.size() <= n) return std::string(bytes);
  std::string out(bytes.substr(0, n));
  for (size_t i = out.size(); i-- > 0;) {
    if (static_cast<uint8_t>(out[i]) == 0xFF) continue;
    out[i] = static_cast<char>(static_cast<uint8_t>(out[i]) + 1);
    return out;  // trailing 0xFF bytes kept, as PyIceberg (Java drops them)
  }
  return std::nullopt;
}

std::optional<std::string> IcebergBoundFromParquet(const LeafColumn& leaf, std::string_view plain) {
  const Type& type = *leaf.type;
  const PhysicalType p = leaf.physical;
  auto sized = [&](size_t n) { return plain.size() == n; };
  switch (type.id()) {
    case TypeId::kBoolean:
      if (plain.empty()) return std::nullopt;
      return std::string(1, plain[0] != 0 ? '\1' : '\0');
    case TypeId::kInt:
    case TypeId::kDate:
      if (p != PhysicalType::kInt32 || !sized(4)) return std::nullopt;
      return std::string(plain);
    case TypeId::kLong:
      if (p == PhysicalType::kInt32 && sized(4) &&
          leaf.conversion == ValueConversion::kUint32ToInt64) {
        return Store(static_cast<int64_t>(Load<uint32_t>(plain)));
      }
      if (p != PhysicalType::kInt64 || !sized(8)) return std::nullopt;
      return std::string(plain);
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs: {
      int64_t v = 0;
      if (p == PhysicalType::kInt32 && sized(4)) {
        v = Load<int32_t>(plain);
      } else if (p == PhysicalType::kInt64 && sized(8)) {
        v = Load<int64_t>(plain);
      } else {
        return std::nullopt;  // INT96 among them: Java and floe keep no bounds for it
      }
      if (leaf.conversion == ValueConversion::kMillisToMicros) {
        if (__builtin_mul_overflow(v, int64_t{1000}, &v)) return std::nullopt;
      } else if (leaf.conversion == ValueConversion::kNanosToMicros) {
        // Rounds toward negative infinity, as the reader converts values.
        v = v / 1000 - (v % 1000 < 0 ? 1 : 0);
      }
      return Store(v);
    }
    case TypeId::kFloat:
      if (p != PhysicalType::kFloat || !sized(4)) return std::nullopt;
      return std::string(plain);
    case TypeId::kDouble:
      if (p != PhysicalType::kDouble || !sized(8)) return std::nullopt;
      return std::string(plain);
    case TypeId::kDecimal: {
      Int128 unscaled = 0;
      if (p == PhysicalType::kInt32 && sized(4)) {
        unscaled = Load<int32_t>(plain);
      } else if (p == PhysicalType::kInt64 && sized(8)) {
        unscaled = Load<int64_t>(plain);
      } else if ((p == PhysicalType::kFixedLenByteArray || p == PhysicalType::kByteArray) &&
                 !plain.empty() && plain.size() <= 16) {
        auto v = DecimalFromBigEndian(plain);
        if (!v.ok()) return std::nullopt;
        unscaled = *v;
      } else {
        return std::nullopt;
      }
      return DecimalToMinimalBytes(unscaled);
    }
    case TypeId::kString:
    case TypeId::kBinary:
      return std::string(plain);
    case TypeId::kUuid:
      if (!sized(16)) return std::nullopt;
      return std::string(plain);
    case TypeId::kFixed:
      if (!sized(static_cast<size_t>(type.length()))) return std::nullopt;
      return std::string(plain);
    default:
      return std::nullopt;
  }
}

DataFileMetrics MetricsFromWriter(const FileWriter& writer, int truncate_length) {
  std::set<int32_t> top_level;
  for (const NestedField& f : writer.schema().fields()) top_level.insert(f.id);
  std::vector<Accumulator> leaves;
  for (const LeafSummary& s : writer.leaf_summaries()) {
    Accumulator a{.field_id = s.field_id,
                  .type = s.type,
                  .top_level = top_level.contains(s.field_id),
                  .compressed = s.compressed_bytes,
                  .values = s.value_count,
                  .nulls = s.null_count};
    if (IsFloating(*s.type)) a.nans = s.nan_count;
    // The summary's bounds already skip NaN and span every value (the footer's
    // may be left out for long values), so the writer's bounds are exact.
    if (s.min_value && s.max_value) {
      LeafColumn leaf;
      leaf.type = s.type;
      leaf.physical = WrittenPhysical(*s.type);
      auto lo = IcebergBoundFromParquet(leaf, *s.min_value);
      auto hi = IcebergBoundFromParquet(leaf, *s.max_value);
      if (lo && hi) {
        a.AddBounds(*std::move(lo), *std::move(hi));
      } else {
        a.bounds_valid = false;  // not reached: the writer made these bytes
      }
    }
    leaves.push_back(std::move(a));
  }
  return Assemble(leaves, writer.metadata().num_rows, writer.file_size(),
                  !writer.metadata().row_groups.empty(), truncate_length);
}

Result<DataFileMetrics> MetricsFromFooter(const FileMetaData& meta, const FileSchema& schema,
                                          int64_t file_size, int truncate_length) {
  const size_t n = schema.leaves.size();
  if (!meta.column_orders.empty() && meta.column_orders.size() != n) {
    return Status::Corruption("footer has {} column orders for {} leaf columns",
                              meta.column_orders.size(), n);
  }
  std::vector<Accumulator> leaves(n);
  std::set<int32_t> ids;
  for (size_t c = 0; c < n; ++c) {
    const LeafColumn& leaf = schema.leaves[c];
    if (!ids.insert(leaf.field_id).second) {
      return Status::Corruption("field id {} is on more than one leaf column", leaf.field_id);
    }
    leaves[c].field_id = leaf.field_id;
    leaves[c].type = leaf.type;
    leaves[c].top_level = leaf.field_path.size() == 1;
  }
  for (size_t g = 0; g < meta.row_groups.size(); ++g) {
    const RowGroup& group = meta.row_groups[g];
    if (group.columns.size() != n) {
      return Status::Corruption("row group {} has {} columns, the schema {}", g,
                                group.columns.size(), n);
    }
    for (size_t c = 0; c < n; ++c) {
      const LeafColumn& leaf = schema.leaves[c];
      Accumulator& a = leaves[c];
      if (!group.columns[c].meta_data) {
        return Status::NotSupported("row group {} column {}: no metadata (encrypted)", g,
                                    fmt::join(leaf.path, "."));
      }
      const ColumnMetaData& cm = *group.columns[c].meta_data;
      a.compressed += cm.total_compressed_size;
      a.values += cm.num_values;
      const Statistics* st = cm.statistics ? &*cm.statistics : nullptr;
      // Without a chunk's null count the file's is unknown. (PyIceberg drops the
      // field's null count when a chunk has no statistics at all, but sums the
      // others when statistics lack only null_count.)
      if (st && st->null_count) {
        a.nulls += *st->null_count;
      } else {
        a.nulls_known = false;
      }
      if (!a.top_level || !a.bounds_valid) continue;
      const bool has_values = !st || !st->null_count || *st->null_count < cm.num_values;
      std::optional<MinMax> mm;
      if (st && leaf.physical != PhysicalType::kInt96) {
        mm = TrustedMinMax(
            *st, leaf,
            meta.column_orders.empty() ? std::nullopt : std::optional(meta.column_orders[c]));
      }
      if (!mm) {
        // A chunk with values but no usable min/max (no statistics, values too
        // long for the writer to record, an untrusted order, INT96) leaves the
        // file without bounds. PyIceberg and Java instead bound the file by
        // the other chunks, which then need not cover these values.
        if (has_values) a.bounds_valid = false;
        continue;
      }
      auto lo = IcebergBoundFromParquet(leaf, mm->min);
      auto hi = IcebergBoundFromParquet(leaf, mm->max);
      if (!lo || !hi) {
        return Status::Corruption("row group {} column {}: statistics do not fit type {}", g,
                                  fmt::join(leaf.path, "."), leaf.type->ToString());
      }
      a.AddBounds(*std::move(lo), *std::move(hi));
    }
  }
  return Assemble(leaves, meta.num_rows, file_size, !meta.row_groups.empty(), truncate_length);
}

std::string DataFileMetricsToJson(const DataFileMetrics& m) {
  std::string out = fmt::format("{{\"record_count\":{},\"file_size_in_bytes\":{}", m.record_count,
                                m.file_size_in_bytes);
  auto number = [](int64_t v, std::string* o) { *o += std::to_string(v); };
  auto hex = [](const std::string& v, std::string* o) {
    o->push_back('"');
    AppendHex(v, o);
    o->push_back('"');
  };
  AppendMap("column_sizes", m.column_sizes, number, &out);
  AppendMap("value_counts", m.value_counts, number, &out);
  AppendMap("null_value_counts", m.null_value_counts, number, &out);
  AppendMap("nan_value_counts", m.nan_value_counts, number, &out);
  AppendMap("lower_bounds", m.lower_bounds, hex, &out);
  AppendMap("upper_bounds", m.upper_bounds, hex, &out);
  out.push_back('}');
  return out;
}

}  // namespace floe::parquet
