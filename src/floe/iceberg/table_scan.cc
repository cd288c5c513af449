#include "floe/iceberg/table_scan.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>

#include "floe/iceberg/data_file_reader.h"
#include "floe/iceberg/delete_index.h"
#include "floe/iceberg/delete_loader.h"
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

// A scan's planned files and what reading them needs: the delete index of
// the snapshot and a loader that reads each delete file once.
class LiveRows {
 public:
  // REQUIRES: every argument outlives this.
  LiveRows(FileIO& io, const Schema& schema, const NameMapping* mapping, const DeleteIndex& deletes)
      : io_(io), schema_(schema), mapping_(mapping), deletes_(deletes), loader_(io, schema) {}

  // Reads `projected` of `entry`'s file, batch by batch, and calls
  // `rows(batch, position, match)`: the batch holds `projected` first and
  // then the columns the residual and equality deletes need; position is its
  // first row's in the file; match[r] is set where row r is live (not in
  // `deleted`, Deleted(entry), and no equality delete applies) and passes
  // `residual` (bound to the schema).
  Status Read(const ManifestEntry& entry, const DeletedRows& deleted, const Expression& residual,
              const std::vector<NestedField>& projected, int64_t batch_rows, const bool* done,
              const std::function<Status(RecordBatch, int64_t, std::vector<uint8_t>&)>& rows) {
    const DataFile& file = entry.data_file;
    const DeleteIndex::ForFile applicable = deletes_.For(entry);
    FLOE_ASSIGN_OR_RETURN(const std::vector<const EqualityDeletes*> equalities,
                          loader_.Equalities(applicable));
    std::vector<NestedField> fields = ColumnsToRead(schema_, projected, residual);
    for (const EqualityDeletes* e : equalities) {
      FLOE_ASSIGN_OR_RETURN(std::vector<NestedField> keys, EqualityFields(schema_, e->field_ids()));
      for (NestedField& k : keys) {
        const bool present = std::any_of(fields.begin(), fields.end(),
                                         [&](const NestedField& f) { return f.id == k.id; });
        if (!present) fields.push_back(std::move(k));
      }
    }
    const Schema read_schema(fields);
    FLOE_ASSIGN_OR_RETURN(RowFilter filter, RowFilter::Make(residual, read_schema));
    int64_t position = 0;  // of the batch's first row in the file
    std::vector<uint8_t> match, filtered;
    return ReadDataFile(io_, file, read_schema, mapping_, batch_rows, done,
                        [&](RecordBatch batch) -> Status {
                          // Deletes first (by position in the file), then the filter.
                          match.assign(static_cast<size_t>(batch.num_rows), 1);
                          deleted.Apply(position, match);
                          for (const EqualityDeletes* e : equalities)
                            FLOE_RETURN_IF_ERROR(e->Apply(batch, match));
                          if (residual.op != Op::kTrue) {
                            filter.Evaluate(batch, &filtered);
                            for (size_t r = 0; r < match.size(); ++r) match[r] &= filtered[r];
                          }
                          const int64_t first = position;
                          position += batch.num_rows;
                          return rows(std::move(batch), first, match);
                        });
  }

  // The positions of `entry`'s file its deletion vector or position delete
  // files delete.
  Result<DeletedRows> Deleted(const ManifestEntry& entry) {
    return loader_.Positions(entry.data_file, deletes_.For(entry));
  }

 private:
  FileIO& io_;
  const Schema& schema_;
  const NameMapping* mapping_;
  const DeleteIndex& deletes_;
  DeleteLoader loader_;
};

// A snapshot's planned data files and its delete index.
struct Plan {
  std::vector<ManifestEntry> data;
  DeleteIndex deletes;
};

Result<Plan> PlanScan(FileIO& io, const TableMetadata& metadata, const Snapshot& snapshot,
                      const Expression& bound_filter, ScanStats* stats) {
  FLOE_ASSIGN_OR_RETURN(std::vector<ManifestEntry> entries,
                        PlanFiles(io, metadata, snapshot, bound_filter, stats));
  // Delete files come after the data files: they go to the index.
  const auto first_delete =
      std::find_if(entries.begin(), entries.end(),
                   [](const ManifestEntry& e) { return e.data_file.content != 0; });
  Plan plan;
  FLOE_ASSIGN_OR_RETURN(plan.deletes,
                        DeleteIndex::Make(metadata, std::vector<ManifestEntry>(
                                                        std::make_move_iterator(first_delete),
                                                        std::make_move_iterator(entries.end()))));
  entries.erase(first_delete, entries.end());
  plan.data = std::move(entries);
  return plan;
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
  FLOE_ASSIGN_OR_RETURN(const Plan plan, PlanScan(io, metadata, snapshot, filter, &stats));
  stats.planning_ms = ms(Clock::now() - start);
  LiveRows live(io, *schema, mapping_ptr, plan.deletes);
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
  for (const ManifestEntry& entry : plan.data) {
    if (done) break;
    const DataFile& file = entry.data_file;
    // Rows need checking only where the file's metrics leave doubt, and only
    // then are the columns the filter alone needs read.
    const Expression residual = ResidualForFile(rewritten, file);
    if (residual.op == Op::kTrue && plan.deletes.For(entry).empty()) {
      FLOE_RETURN_IF_ERROR(
          ReadDataFile(io, file, out_schema, mapping_ptr, options.batch_rows, &done, emit));
      continue;
    }
    FLOE_ASSIGN_OR_RETURN(const DeletedRows deleted, live.Deleted(entry));
    FLOE_RETURN_IF_ERROR(
        live.Read(entry, deleted, residual, projected, options.batch_rows, &done,
                  [&](RecordBatch batch, int64_t, std::vector<uint8_t>& match) -> Status {
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

Status MatchRows(FileIO& io, const TableMetadata& metadata, const Snapshot& snapshot,
                 const Expression& filter, bool with_rows,
                 const std::function<Status(FileMatch)>& sink) {
  const Schema* schema = metadata.CurrentSchema();
  if (schema == nullptr) return Status::Corruption("no current schema");
  FLOE_ASSIGN_OR_RETURN(Expression bound, Bind(filter, *schema));
  FLOE_ASSIGN_OR_RETURN(const std::optional<NameMapping> mapping, DefaultNameMapping(metadata));
  FLOE_ASSIGN_OR_RETURN(const Plan plan, PlanScan(io, metadata, snapshot, bound, nullptr));
  LiveRows live(io, *schema, mapping ? &*mapping : nullptr, plan.deletes);
  const Expression rewritten = RewriteNot(bound);
  const bool done = false;
  for (const ManifestEntry& entry : plan.data) {
    FileMatch m;
    m.entry = entry;
    const DeleteIndex::ForFile applicable = plan.deletes.For(entry);
    if (applicable.vector != nullptr) m.vector = *applicable.vector;
    for (const ManifestEntry* p : applicable.positions) m.position_files.push_back(*p);
    m.has_equality_deletes = !applicable.equalities.empty();
    FLOE_ASSIGN_OR_RETURN(m.deleted, live.Deleted(entry));
    m.live_rows = entry.data_file.record_count - m.deleted.size();
    const Expression residual = ResidualForFile(rewritten, entry.data_file);
    if (residual.op == Op::kFalse) continue;
    if (residual.op == Op::kTrue && !m.has_equality_deletes && !with_rows) {
      // The filter covers the file by its metrics: its live rows all match,
      // and nothing but its deletes is read.
      std::span<const int64_t> gone = m.deleted.positions();
      for (int64_t p = 0, g = 0; p < entry.data_file.record_count; ++p) {
        while (g < static_cast<int64_t>(gone.size()) && gone[g] < p) ++g;
        if (g == static_cast<int64_t>(gone.size()) || gone[g] != p) m.matched.push_back(p);
      }
    } else {
      // Only the columns the filter and the equality deletes need are read,
      // or every column for the rows.
      const std::vector<NestedField> projected =
          with_rows ? schema->fields() : std::vector<NestedField>();
      if (with_rows) m.rows = RecordBatch::Empty(Schema(projected));
      FLOE_RETURN_IF_ERROR(live.Read(
          entry, m.deleted, residual, projected, int64_t{1} << 30, &done,
          [&](RecordBatch batch, int64_t position, std::vector<uint8_t>& match) -> Status {
            for (size_t r = 0; r < match.size(); ++r) {
              if (match[r]) m.matched.push_back(position + static_cast<int64_t>(r));
            }
            if (!with_rows) return Status::OK();
            batch = SelectRows(std::move(batch), match);
            if (m.rows.num_rows == 0) {  // most files are one batch: no second copy
              m.rows = std::move(batch);
              return Status::OK();
            }
            for (size_t c = 0; c < projected.size(); ++c) {
              m.rows.columns[c].AppendRange(batch.columns[c], 0, batch.num_rows);
            }
            m.rows.num_rows += batch.num_rows;
            return Status::OK();
          }));
    }
    if (!m.matched.empty()) FLOE_RETURN_IF_ERROR(sink(std::move(m)));
  }
  return Status::OK();
}

}  // namespace floe::iceberg
