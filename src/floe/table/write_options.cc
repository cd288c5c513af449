#include "floe/table/write_options.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <set>

#include "floe/format/parquet/compression.h"

namespace floe::table {
namespace {

Result<int64_t> Positive(const std::map<std::string, std::string>& properties, const char* key,
                         int64_t fallback) {
  auto it = properties.find(key);
  if (it == properties.end()) return fallback;
  int64_t value = 0;
  const std::string& text = it->second;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value <= 0) {
    return Status::InvalidArgument("table property {} = '{}' must be a positive number", key, text);
  }
  return value;
}

// Full dotted names ("a.b", "tags.element", "attrs.value") of every field.
void NameFields(const std::vector<NestedField>& fields, const std::string& prefix,
                std::map<std::string, int32_t>* out) {
  for (const NestedField& f : fields) {
    const std::string name = prefix.empty() ? f.name : prefix + "." + f.name;
    (*out)[name] = f.id;
    if (f.type != nullptr && f.type->is_nested()) NameFields(f.type->fields(), name, out);
  }
}

}  // namespace

Result<MetricsMode> MetricsMode::Parse(std::string_view text) {
  if (text == "none") return MetricsMode{Kind::kNone, 0};
  if (text == "counts") return MetricsMode{Kind::kCounts, 0};
  if (text == "full") return MetricsMode{Kind::kFull, 0};
  if (text.starts_with("truncate(") && text.ends_with(")")) {
    const std::string_view digits = text.substr(9, text.size() - 10);
    int length = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (error == std::errc() && end == digits.data() + digits.size() && length > 0) {
      return MetricsMode{Kind::kTruncate, length};
    }
  }
  return Status::InvalidArgument(
      "metrics mode '{}' is not none, counts, truncate(N) with N > 0, or full", text);
}

Result<DataWriteOptions> DataWriteOptions::FromProperties(
    const std::map<std::string, std::string>& properties, const Schema& schema) {
  DataWriteOptions o;
  FLOE_ASSIGN_OR_RETURN(o.target_file_bytes,
                        Positive(properties, "write.target-file-size-bytes", o.target_file_bytes));
  FLOE_ASSIGN_OR_RETURN(
      o.parquet.row_group_bytes,
      Positive(properties, "write.parquet.row-group-size-bytes", o.parquet.row_group_bytes));
  FLOE_ASSIGN_OR_RETURN(o.parquet.page_bytes, Positive(properties, "write.parquet.page-size-bytes",
                                                       o.parquet.page_bytes));
  FLOE_ASSIGN_OR_RETURN(
      o.parquet.dictionary_page_bytes,
      Positive(properties, "write.parquet.dict-size-bytes", int64_t{2} << 20));  // Java's default
  if (auto it = properties.find("write.parquet.compression-codec"); it != properties.end()) {
    auto codec = parquet::ParseCompressionCodec(it->second);
    if (!codec.ok()) {
      return Status::InvalidArgument("table property write.parquet.compression-codec: {}",
                                     codec.status().message());
    }
    o.parquet.codec = *codec;
  }
  if (auto it = properties.find("write.parquet.compression-level"); it != properties.end()) {
    FLOE_ASSIGN_OR_RETURN(int64_t level,
                          Positive(properties, "write.parquet.compression-level", 1));
    o.parquet.compression_level = static_cast<int>(std::min<int64_t>(level, 22));
  }
  if (auto it = properties.find("write.metadata.metrics.default"); it != properties.end()) {
    auto mode = MetricsMode::Parse(it->second);
    if (!mode.ok()) {
      return Status::InvalidArgument("table property write.metadata.metrics.default: {}",
                                     mode.status().message());
    }
    o.default_metrics = *mode;
  }
  constexpr std::string_view kColumnPrefix = "write.metadata.metrics.column.";
  std::map<std::string, int32_t> names;
  NameFields(schema.fields(), "", &names);
  for (auto it = properties.lower_bound(std::string(kColumnPrefix));
       it != properties.end() && it->first.starts_with(kColumnPrefix); ++it) {
    auto mode = MetricsMode::Parse(it->second);
    if (!mode.ok()) {
      return Status::InvalidArgument("table property {}: {}", it->first, mode.status().message());
    }
    // Like Java, a column the schema no longer has is ignored.
    auto id = names.find(it->first.substr(kColumnPrefix.size()));
    if (id != names.end()) o.column_metrics[id->second] = *mode;
  }
  return o;
}

void SetFileMetrics(const parquet::DataFileMetrics& metrics, iceberg::DataFile* file) {
  file->record_count = metrics.record_count;
  file->file_size_in_bytes = metrics.file_size_in_bytes;
  file->column_sizes = metrics.column_sizes;
  file->value_counts = metrics.value_counts;
  file->null_value_counts = metrics.null_value_counts;
  file->nan_value_counts = metrics.nan_value_counts;
  file->lower_bounds = metrics.lower_bounds;
  file->upper_bounds = metrics.upper_bounds;
}

int LongestBoundNeeded(const DataWriteOptions& options) {
  int longest = 0;
  auto need = [&](const MetricsMode& mode) {
    if (mode.kind == MetricsMode::Kind::kFull) longest = std::numeric_limits<int>::max();
    if (mode.kind == MetricsMode::Kind::kTruncate) longest = std::max(longest, mode.length);
  };
  need(options.default_metrics);
  for (const auto& [id, mode] : options.column_metrics) need(mode);
  return std::max(longest, 1);
}

void ApplyMetricsModes(const DataWriteOptions& options, const Schema& schema,
                       parquet::DataFileMetrics* m) {
  std::set<int32_t> ids;  // every column with metrics (sizes and counts share ids)
  for (const auto& [id, size] : m->column_sizes) ids.insert(id);
  for (const auto& [id, count] : m->value_counts) ids.insert(id);
  const int gathered = LongestBoundNeeded(options);
  for (const int32_t id : ids) {
    auto custom = options.column_metrics.find(id);
    const MetricsMode mode =
        custom != options.column_metrics.end() ? custom->second : options.default_metrics;
    switch (mode.kind) {
      case MetricsMode::Kind::kNone:
        m->column_sizes.erase(id);
        m->value_counts.erase(id);
        m->null_value_counts.erase(id);
        m->nan_value_counts.erase(id);
        [[fallthrough]];
      case MetricsMode::Kind::kCounts:
        m->lower_bounds.erase(id);
        m->upper_bounds.erase(id);
        break;
      case MetricsMode::Kind::kTruncate: {
        if (mode.length >= gathered) break;  // gathered at this length already
        const NestedField* field = schema.FindById(id);
        if (field == nullptr || field->type == nullptr) break;
        const TypeId type = field->type->id();
        if (type != TypeId::kString && type != TypeId::kBinary) break;
        const bool text = type == TypeId::kString;
        if (auto lower = m->lower_bounds.find(id); lower != m->lower_bounds.end()) {
          lower->second = text ? parquet::TruncateStringLowerBound(lower->second, mode.length)
                               : parquet::TruncateBinaryLowerBound(lower->second, mode.length);
        }
        if (auto upper = m->upper_bounds.find(id); upper != m->upper_bounds.end()) {
          auto cut = text ? parquet::TruncateStringUpperBound(upper->second, mode.length)
                          : parquet::TruncateBinaryUpperBound(upper->second, mode.length);
          if (cut) {
            upper->second = *std::move(cut);
          } else {
            m->upper_bounds.erase(upper);
          }
        }
        break;
      }
      case MetricsMode::Kind::kFull:
        break;
    }
  }
}

}  // namespace floe::table
