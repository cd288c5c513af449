#include "floe/iceberg/table_scan.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>

#include "floe/format/parquet/file_reader.h"
#include "floe/iceberg/default_value.h"
#include "floe/iceberg/expression/manifest_evaluator.h"
#include "floe/iceberg/expression/metrics_evaluator.h"
#include "floe/iceberg/expression/projection.h"
#include "floe/iceberg/expression/row_filter.h"
#include "floe/iceberg/name_mapping.h"
#include "floe/io/file_io.h"

namespace floe::iceberg {
namespace {

// A filter projected onto one partition spec.
struct SpecFilter {
  TypePtr partition_type;
  Expression projected;  // on partition field ids
  RowFilter partitions;  // evaluates `projected` on batches of partition tuples
};

Result<SpecFilter> MakeSpecFilter(const TableMetadata& metadata, int32_t spec_id,
                                  const Expression& filter) {
  const PartitionSpec* spec = metadata.SpecById(spec_id);
  if (spec == nullptr) return Status::Corruption("manifest of unknown partition spec {}", spec_id);
  SpecFilter out;
  FLOE_ASSIGN_OR_RETURN(out.partition_type, metadata.PartitionTypeOf(spec_id));
  FLOE_ASSIGN_OR_RETURN(out.projected, ProjectInclusive(filter, *spec));
  FLOE_ASSIGN_OR_RETURN(out.partitions,
                        RowFilter::Make(out.projected, Schema(out.partition_type->fields())));
  return out;
}

// A manifest's entries, or its error naming the manifest list that lists it
// (a damaged list can name a manifest that does not exist).
Result<std::vector<ManifestEntry>> InList(const Snapshot& snapshot,
                                          Result<std::vector<ManifestEntry>> entries) {
  if (entries.ok()) return entries;
  return entries.status().WithContext("manifest list " + snapshot.manifest_list);
}

}  // namespace

Result<std::vector<ManifestEntry>> PlanFiles(FileIO& io, const TableMetadata& metadata,
                                             const Snapshot& snapshot, const Expression& filter,
                                             ScanStats* stats) {
  ScanStats local;
  ScanStats& st = stats != nullptr ? *stats : local;
  const bool filtering = filter.op != Op::kTrue;
  const Expression rewritten = RewriteNot(filter);
  std::map<int32_t, SpecFilter> spec_filters;
  std::map<int32_t, TypePtr> partition_types;  // when not filtering, by spec id
  FLOE_ASSIGN_OR_RETURN(auto manifests, ReadManifestList(io, snapshot.manifest_list));
  std::vector<ManifestEntry> files, deletes;
  for (const ManifestFile& m : manifests) {
    if (m.content != 0) {  // delete files: all of them, after the data files
      FLOE_ASSIGN_OR_RETURN(
          auto entries,
          InList(snapshot,
                 ReadManifest(io, m, nullptr, [](int32_t status, const std::vector<Column>&) {
                   return status != 2;
                 })));
      std::move(entries.begin(), entries.end(), std::back_inserter(deletes));
      continue;
    }
    ++st.manifests;
    const SpecFilter* spec_filter = nullptr;
    if (filtering) {
      auto it = spec_filters.find(m.partition_spec_id);
      if (it == spec_filters.end()) {
        FLOE_ASSIGN_OR_RETURN(SpecFilter f,
                              MakeSpecFilter(metadata, m.partition_spec_id, rewritten));
        it = spec_filters.emplace(m.partition_spec_id, std::move(f)).first;
      }
      spec_filter = &it->second;
      if (!ManifestMightMatch(spec_filter->projected, m, *spec_filter->partition_type)) {
        // Its live files, from the manifest list's counts (they were not read).
        const int64_t live = m.added_files_count.value_or(0) + m.existing_files_count.value_or(0);
        ++st.manifests_skipped;
        st.files += live;
        st.files_in_skipped_manifests += live;
        continue;
      }
    }
    // Deleted entries, and with a filter the partitions it rules out, are
    // dropped while the manifest is read.
    std::vector<uint8_t> keep;
    int64_t skipped_by_partition = 0;
    auto entry_filter = [&](int32_t status, const std::vector<Column>& partition) {
      if (status == 2) return false;  // deleted by this snapshot
      if (spec_filter == nullptr) return true;
      spec_filter->partitions.Evaluate(partition, 1, &keep);
      if (!keep[0]) ++skipped_by_partition;
      return keep[0] != 0;
    };
    // The partition type gives typed tuples and the spec's field names.
    TypePtr partition_type = spec_filter != nullptr ? spec_filter->partition_type : nullptr;
    if (partition_type == nullptr) {
      auto [it, inserted] = partition_types.try_emplace(m.partition_spec_id);
      if (inserted) {
        auto type = metadata.PartitionTypeOf(m.partition_spec_id);
        if (type.ok()) it->second = *type;  // else Avro names and no typed tuples
      }
      partition_type = it->second;
    }
    FLOE_ASSIGN_OR_RETURN(auto entries,
                          InList(snapshot, ReadManifest(io, m, partition_type, entry_filter)));
    st.files += static_cast<int64_t>(entries.size()) + skipped_by_partition;
    st.files_skipped_by_partition += skipped_by_partition;
    for (ManifestEntry& e : entries) {
      if (spec_filter != nullptr && !FileMightMatch(rewritten, e.data_file)) {
        ++st.files_skipped_by_metrics;
      } else {
        files.push_back(std::move(e));
      }
    }
  }
  std::move(deletes.begin(), deletes.end(), std::back_inserter(files));
  return files;
}

namespace {

// `projected` followed by the top-level fields of `schema` that `filter`
// references and `projected` lacks: the columns to read for it.
std::vector<NestedField> ColumnsToRead(const Schema& schema,
                                       const std::vector<NestedField>& projected,
                                       const Expression& filter) {
  std::vector<NestedField> fields = projected;
  std::vector<int32_t> ids;
  CollectFieldIds(filter, &ids);
  for (const NestedField& top : schema.fields()) {
    const Schema one({top});
    const bool needed = std::any_of(ids.begin(), ids.end(),
                                    [&](int32_t id) { return one.FindById(id) != nullptr; });
    const bool present = std::any_of(fields.begin(), fields.end(),
                                     [&](const NestedField& f) { return f.id == top.id; });
    if (needed && !present) fields.push_back(top);
  }
  return fields;
}

// INT96 timestamps (imported Spark and Hive files) decode to nanoseconds;
// the table's column counts microseconds, and Java reads them so too.
Column Int96ToMicros(const Column& nanos, const TypePtr& type) {
  Column out(type);
  const int64_t n = nanos.length();
  out.mutable_data().resize(static_cast<size_t>(n) * sizeof(int64_t));
  for (int64_t i = 0; i < n; ++i) {
    const int64_t v = nanos.Value<int64_t>(i);
    const int64_t micros = v / 1000 - (v % 1000 < 0 ? 1 : 0);  // floor, as for instants
    std::memcpy(out.mutable_data().data() + i * 8, &micros, sizeof micros);
  }
  out.mutable_validity().assign(nanos.validity().begin(), nanos.validity().end());
  out.SetLength(n, nanos.null_count());
  return out;
}

// Reads `fields` of one data file, batch by batch, matching columns by field
// id: a file written without field ids (imported with add_files, say) has
// them by name through the table's name mapping, when it has one (without
// one, floe numbers the file's fields in order, as Java's fallback does).
// The columns the file lacks (added later) read as their initial default or
// null. Stops after a batch once `*stop` is set.
Status ReadDataFile(FileIO& io, const DataFile& file, const Schema& fields,
                    const NameMapping* mapping, int64_t batch_rows, const bool* stop,
                    const std::function<Status(RecordBatch)>& sink) {
  if (file.content != 0) {
    return Status::NotSupported("{}: reading delete files is not implemented yet", file.file_path);
  }
  if (file.file_format != "PARQUET" && file.file_format != "parquet") {
    return Status::NotSupported("{}: {} data files are not supported", file.file_path,
                                file.file_format);
  }
  FLOE_ASSIGN_OR_RETURN(auto input, io.OpenInput(file.file_path));
  FLOE_ASSIGN_OR_RETURN(auto reader, parquet::FileReader::Open(std::move(input)));
  const parquet::FileSchema& file_schema = reader->file_schema();
  const auto& file_fields = file_schema.schema.fields();
  const bool by_name = !file_schema.has_field_ids && mapping != nullptr;
  const auto& wanted = fields.fields();
  parquet::ReadOptions read;
  read.batch_rows = batch_rows;
  std::vector<int> source(wanted.size(), -1);
  std::vector<bool> int96(wanted.size(), false);
  for (size_t i = 0; i < wanted.size(); ++i) {
    const std::vector<std::string>* names = by_name ? mapping->NamesOf(wanted[i].id) : nullptr;
    if (by_name && names == nullptr) continue;  // unmapped: missing from the file
    auto it = std::find_if(file_fields.begin(), file_fields.end(), [&](const NestedField& f) {
      return by_name ? std::find(names->begin(), names->end(), f.name) != names->end()
                     : f.id == wanted[i].id;
    });
    if (it == file_fields.end()) continue;
    if (by_name && it->type->is_nested()) {
      return Status::NotSupported(
          "{}: nested column {} in a file without field ids (name mapping of nested fields is "
          "not implemented yet)",
          file.file_path, wanted[i].name);
    }
    const int position = static_cast<int>(it - file_fields.begin());
    int96[i] = std::any_of(file_schema.leaves.begin(), file_schema.leaves.end(),
                           [&](const parquet::LeafColumn& l) {
                             return l.field_path == std::vector<int>{position} &&
                                    l.physical == parquet::PhysicalType::kInt96;
                           });
    source[i] = static_cast<int>(read.field_ids.size());
    read.field_ids.push_back(it->id);
  }
  if (read.field_ids.empty()) {
    // Nothing to read but the row count: one column of the file gives it.
    read.field_ids.push_back(file_fields.front().id);
  }
  FLOE_RETURN_IF_ERROR(reader->Select(read).status());
  while (true) {
    FLOE_ASSIGN_OR_RETURN(RecordBatch in, reader->Next());
    if (in.num_rows == 0) return Status::OK();
    RecordBatch batch = RecordBatch::Empty(fields);
    batch.num_rows = in.num_rows;
    for (size_t i = 0; i < wanted.size(); ++i) {
      if (source[i] >= 0) {
        Column& c = in.columns[static_cast<size_t>(source[i])];
        if (int96[i] && (wanted[i].type->id() == TypeId::kTimestampTz ||
                         wanted[i].type->id() == TypeId::kTimestamp)) {
          c = Int96ToMicros(c, wanted[i].type);
        }
        if (!(*c.type() == *wanted[i].type)) {
          return Status::NotSupported("{}: column {} is {} in the file and {} in the table",
                                      file.file_path, wanted[i].name, c.type()->ToString(),
                                      wanted[i].type->ToString());
        }
        batch.columns[i] = std::move(c);
      } else if (wanted[i].initial_default) {
        // A column added after the file was written (v3): its initial default.
        FLOE_ASSIGN_OR_RETURN(batch.columns[i], InitialDefaultColumn(wanted[i], in.num_rows));
      } else {
        if (wanted[i].required) {
          return Status::Corruption("{}: required column {} is missing", file.file_path,
                                    wanted[i].name);
        }
        for (int64_t r = 0; r < in.num_rows; ++r) batch.columns[i].AppendNull();
      }
    }
    FLOE_RETURN_IF_ERROR(sink(std::move(batch)));
    if (*stop) return Status::OK();
  }
}

}  // namespace

Status ScanTable(FileIO& io, const TableMetadata& metadata, const Snapshot& snapshot,
                 const ScanOptions& options,
                 const std::function<Status(const RecordBatch&)>& sink) {
  const Schema* schema =
      options.schema_id ? metadata.SchemaById(*options.schema_id) : metadata.CurrentSchema();
  if (schema == nullptr) return Status::Corruption("no schema {}", options.schema_id.value_or(-1));
  std::vector<NestedField> projected;
  if (options.columns.empty()) {
    projected = schema->fields();
  } else {
    for (const std::string& name : options.columns) {
      const NestedField* f = schema->FindByName(name);
      if (f == nullptr) return Status::NotFound("no column named '{}' in the table", name);
      projected.push_back(*f);
    }
  }
  const Schema out_schema(projected);
  FLOE_ASSIGN_OR_RETURN(Expression filter, Bind(options.filter, *schema));
  FLOE_ASSIGN_OR_RETURN(const std::optional<NameMapping> mapping, DefaultNameMapping(metadata));
  const NameMapping* mapping_ptr = mapping ? &*mapping : nullptr;

  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
  ScanStats local;
  ScanStats& stats = options.stats != nullptr ? *options.stats : local;
  const auto start = Clock::now();
  FLOE_ASSIGN_OR_RETURN(std::vector<ManifestEntry> entries,
                        PlanFiles(io, metadata, snapshot, filter, &stats));
  stats.planning_ms = ms(Clock::now() - start);
  for (const ManifestEntry& e : entries) {
    if (e.data_file.content != 0) {  // checked before any row is produced
      return Status::NotSupported(
          "snapshot {} has delete files ({}); applying them is not "
          "implemented yet",
          snapshot.snapshot_id, e.data_file.file_path);
    }
  }
  // Rows go to the sink through `emit`, which cuts them at the limit and
  // keeps the sink's time out of the scan's.
  Clock::duration in_sink{};
  bool done = options.limit == 0;
  std::vector<uint8_t> keep;
  auto emit = [&](RecordBatch batch) -> Status {
    if (options.limit >= 0 && stats.rows + batch.num_rows > options.limit) {
      keep.assign(static_cast<size_t>(batch.num_rows), 0);
      std::fill_n(keep.begin(), options.limit - stats.rows, 1);
      batch = SelectRows(std::move(batch), keep);
    }
    stats.rows += batch.num_rows;
    done = options.limit >= 0 && stats.rows >= options.limit;
    const auto sink_start = Clock::now();
    Status s = sink(batch);
    in_sink += Clock::now() - sink_start;
    return s;
  };
  const Expression rewritten = RewriteNot(filter);
  for (const ManifestEntry& entry : entries) {
    if (done) break;
    const DataFile& file = entry.data_file;
    // Rows need checking only where the file's metrics leave doubt, and only
    // then are the columns the filter alone needs read.
    const Expression residual = ResidualForFile(rewritten, file);
    if (residual.op == Op::kTrue) {
      FLOE_RETURN_IF_ERROR(
          ReadDataFile(io, file, out_schema, mapping_ptr, options.batch_rows, &done, emit));
      continue;
    }
    const Schema read_schema(ColumnsToRead(*schema, projected, residual));
    FLOE_ASSIGN_OR_RETURN(RowFilter rows, RowFilter::Make(residual, read_schema));
    FLOE_RETURN_IF_ERROR(ReadDataFile(io, file, read_schema, mapping_ptr, options.batch_rows, &done,
                                      [&](RecordBatch batch) {
                                        std::vector<uint8_t> match;
                                        rows.Evaluate(batch, &match);
                                        batch = SelectRows(std::move(batch), match);
                                        if (batch.num_rows == 0) return Status::OK();
                                        batch.columns.resize(projected.size());
                                        batch.schema = out_schema;
                                        return emit(std::move(batch));
                                      }));
  }
  stats.scan_ms = ms(Clock::now() - start - in_sink);
  return Status::OK();
}

}  // namespace floe::iceberg
