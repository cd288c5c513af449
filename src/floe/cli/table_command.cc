// `floe table create|register|list|drop|rename|metadata-location|describe|
// snapshots|history|refs`: tables in the catalog, read from their metadata.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <tuple>

#include "floe/cli/catalog_options.h"
#include "floe/cli/command.h"
#include "floe/cli/row_update.h"
#include "floe/cli/row_writer.h"
#include "floe/columnar/text_rows.h"
#include "floe/iceberg/manifest.h"
#include "floe/iceberg/table_builder.h"
#include "floe/iceberg/table_scan.h"
#include "floe/iceberg/table_update.h"
#include "floe/io/file.h"
#include "floe/table/delete_rows.h"
#include "floe/table/table_append.h"
#include "floe/table/table_commit.h"
#include "floe/util/temporal.h"

namespace floe::cli {
namespace {

struct TableOptions {
  CatalogOptions catalog;
  std::string table;
  std::string target;  // register: metadata location; rename: new name; tag/branch: ref name
  std::optional<int64_t> snapshot;
  std::optional<int64_t> max_ref_age_ms;
  std::vector<std::string> keys;     // remove-property
  std::string ref;                   // files/manifests/scan: --ref
  std::vector<std::string> columns;  // scan
  std::vector<std::string> inputs;   // append
  int64_t limit = -1;                // scan
  std::string format = "jsonl";      // scan
  std::string where;                 // files/scan: --where
  bool stats = false;                // scan: --stats
  bool fast_append = false;          // append: --fast
  std::string as_of;                 // files/manifests: --as-of
  std::string schema_path;
  std::string partition;
  std::vector<std::string> properties;
  std::vector<std::string> snapshot_properties;  // append/delete/update: KEY=VALUE
  std::vector<std::string> sets;                 // update: "column = expression"
  int format_version = 0;                        // upgrade
  std::vector<std::string> equality_columns;     // delete/update: by key
};

struct LoadedTable {
  catalog::TableIdentifier id;
  std::string metadata_location;
  iceberg::TableMetadata metadata;
};

Result<LoadedTable> Load(catalog::Catalog& cat, const std::string& name) {
  LoadedTable t;
  FLOE_ASSIGN_OR_RETURN(t.id, catalog::TableIdentifier::Parse(name));
  FLOE_ASSIGN_OR_RETURN(t.metadata_location, cat.LoadTable(t.id));
  FLOE_ASSIGN_OR_RETURN(t.metadata, iceberg::ReadTableMetadataFile(cat.io(), t.metadata_location));
  return t;
}

std::string Millis(int64_t ms) {
  return FormatTimestamp(ms * 1000, false, true).substr(0, 23) + "Z";  // millisecond precision
}

Status RunCreate(const TableOptions& o) {
  FLOE_ASSIGN_OR_RETURN(auto cat, OpenCatalog(o.catalog));
  FLOE_ASSIGN_OR_RETURN(catalog::TableIdentifier id, catalog::TableIdentifier::Parse(o.table));
  FLOE_ASSIGN_OR_RETURN(std::string schema_text, ReadLocalFile(o.schema_path));
  auto schema = SchemaFromJson(schema_text);
  if (!schema.ok()) return schema.status().WithContext(o.schema_path);
  FLOE_ASSIGN_OR_RETURN(iceberg::PartitionSpec spec,
                        iceberg::ParsePartitionSpec(o.partition, *schema));
  FLOE_ASSIGN_OR_RETURN(auto properties, ParseProperties(o.properties));
  FLOE_ASSIGN_OR_RETURN(const int format_version, iceberg::TakeFormatVersion(&properties));
  const std::string warehouse = LocalUri(o.catalog.warehouse);
  const std::string location = catalog::DefaultTableLocation(warehouse, id);
  FLOE_ASSIGN_OR_RETURN(iceberg::TableMetadata metadata,
                        iceberg::NewTableMetadata(*schema, spec, iceberg::SortOrder{}, location,
                                                  std::move(properties), format_version));
  FLOE_ASSIGN_OR_RETURN(const std::string path, cat->CreateTableFrom(id, metadata));
  std::printf("%s\n", path.c_str());
  return Status::OK();
}

Status RunRegister(const TableOptions& o) {
  FLOE_ASSIGN_OR_RETURN(auto cat, OpenCatalog(o.catalog));
  FLOE_ASSIGN_OR_RETURN(catalog::TableIdentifier id, catalog::TableIdentifier::Parse(o.table));
  // Only metadata floe can read is adopted.
  FLOE_RETURN_IF_ERROR(iceberg::ReadTableMetadataFile(cat->io(), o.target).status());
  return cat->CreateTable(id, o.target);
}

Status RunList(const TableOptions& o) {
  FLOE_ASSIGN_OR_RETURN(auto cat, OpenCatalog(o.catalog));
  FLOE_ASSIGN_OR_RETURN(catalog::Namespace ns, catalog::ParseNamespace(o.table));
  FLOE_ASSIGN_OR_RETURN(auto tables, cat->ListTables(ns));
  for (const auto& t : tables) std::printf("%s\n", t.ToString().c_str());
  return Status::OK();
}

Status RunDrop(const TableOptions& o) {
  FLOE_ASSIGN_OR_RETURN(auto cat, OpenCatalog(o.catalog));
  FLOE_ASSIGN_OR_RETURN(catalog::TableIdentifier id, catalog::TableIdentifier::Parse(o.table));
  return cat->DropTable(id);
}

Status RunRename(const TableOptions& o) {
  FLOE_ASSIGN_OR_RETURN(auto cat, OpenCatalog(o.catalog));
  FLOE_ASSIGN_OR_RETURN(catalog::TableIdentifier from, catalog::TableIdentifier::Parse(o.table));
  FLOE_ASSIGN_OR_RETURN(catalog::TableIdentifier to, catalog::TableIdentifier::Parse(o.target));
  return cat->RenameTable(from, to);
}

Status RunMetadataLocation(const TableOptions& o) {
  FLOE_ASSIGN_OR_RETURN(auto cat, OpenCatalog(o.catalog));
  FLOE_ASSIGN_OR_RETURN(catalog::TableIdentifier id, catalog::TableIdentifier::Parse(o.table));
  FLOE_ASSIGN_OR_RETURN(std::string location, cat->LoadTable(id));
  std::printf("%s\n", location.c_str());
  return Status::OK();
}

Status RunMetrics(const TableOptions& o) {
  FLOE_ASSIGN_OR_RETURN(auto cat, OpenCatalog(o.catalog));
  FLOE_ASSIGN_OR_RETURN(catalog::TableIdentifier id, catalog::TableIdentifier::Parse(o.table));
  FLOE_RETURN_IF_ERROR(cat->LoadTable(id).status());
  FLOE_ASSIGN_OR_RETURN(auto reports, cat->ListMetricsReports(id, o.limit < 0 ? 100 : o.limit));
  for (const auto& r : reports) {
    std::printf("{\"received_at\":\"%s\",\"report\":%s}\n", Millis(r.received_ms).c_str(),
                r.report.c_str());
  }
  return Status::OK();
}

Status RunDescribe(const TableOptions& o) {
  FLOE_ASSIGN_OR_RETURN(auto cat, OpenCatalog(o.catalog));
  FLOE_ASSIGN_OR_RETURN(LoadedTable t, Load(*cat, o.table));
  const iceberg::TableMetadata& m = t.metadata;
  std::string out = fmt::format(
      "table       {}\nlocation    {}\nmetadata    {}\nuuid        {}\nformat      v{}\n",
      t.id.ToString(), m.location, t.metadata_location, m.table_uuid, m.format_version);
  const Schema* schema = m.CurrentSchema();
  out += fmt::format("schema      id {}\n", schema->schema_id());
  for (const NestedField& f : schema->fields()) {
    out += fmt::format("  {:>4}  {:<24} {:<10} {}\n", f.id, f.name,
                       f.required ? "required" : "optional", f.type->ToString());
  }
  const iceberg::PartitionSpec* spec = m.DefaultSpec();
  out += fmt::format("partition   spec {}{}\n", spec->spec_id,
                     spec->unpartitioned() ? " (unpartitioned)" : "");
  for (const iceberg::PartitionField& f : spec->fields) {
    const NestedField* source = schema->FindById(f.source_id);
    out += fmt::format("  {:>4}  {:<24} {}({})\n", f.field_id, f.name, f.transform.ToString(),
                       source ? source->name : std::to_string(f.source_id));
  }
  for (const auto& [k, v] : m.properties) out += fmt::format("property    {} = {}\n", k, v);
  if (const iceberg::Snapshot* s = m.CurrentSnapshot()) {
    out += fmt::format("current     snapshot {} ({}, {})\n", s->snapshot_id, s->operation(),
                       Millis(s->timestamp_ms));
    // Counted from the manifests, not the summary: other writers may omit
    // its totals.
    FLOE_ASSIGN_OR_RETURN(auto entries, iceberg::PlanFiles(cat->io(), m, *s));
    int64_t data = 0, rows = 0, bytes = 0, vectors = 0, vector_rows = 0, positions = 0,
            position_rows = 0, equalities = 0, equality_rows = 0;
    for (const iceberg::ManifestEntry& e : entries) {
      const iceberg::DataFile& f = e.data_file;
      if (f.content == 0) {
        ++data;
        rows += f.record_count;
        bytes += f.file_size_in_bytes;
      } else if (f.content == 2) {
        ++equalities;
        equality_rows += f.record_count;
      } else if (f.content_offset) {
        ++vectors;
        vector_rows += f.record_count;
      } else {
        ++positions;
        position_rows += f.record_count;
      }
    }
    out += fmt::format("data        {} files, {} rows, {} bytes\n", data, rows, bytes);
    out += fmt::format(
        "deletes     {} deletion vectors ({} rows), {} position delete files ({} rows), {} "
        "equality delete files ({} keys)\n",
        vectors, vector_rows, positions, position_rows, equalities, equality_rows);
  } else {
    out += "current     no snapshot (empty table)\n";
  }
  out += fmt::format("snapshots   {}\n", m.snapshots.size());
  std::fputs(out.c_str(), stdout);
  return Status::OK();
}

Status RunSnapshots(const TableOptions& o) {
  FLOE_ASSIGN_OR_RETURN(auto cat, OpenCatalog(o.catalog));
  FLOE_ASSIGN_OR_RETURN(LoadedTable t, Load(*cat, o.table));
  std::printf("%-20s %-20s %-8s %-24s %-10s %s\n", "snapshot_id", "parent_id", "sequence",
              "committed_at", "operation", "summary");
  for (const iceberg::Snapshot& s : t.metadata.snapshots) {
    std::string summary;
    for (const auto& [k, v] : s.summary) {
      if (k != "operation") summary += fmt::format("{}{}={}", summary.empty() ? "" : " ", k, v);
    }
    std::printf("%-20lld %-20s %-8lld %-24s %-10s %s\n", static_cast<long long>(s.snapshot_id),
                s.parent_snapshot_id ? std::to_string(*s.parent_snapshot_id).c_str() : "-",
                static_cast<long long>(s.sequence_number), Millis(s.timestamp_ms).c_str(),
                s.operation().c_str(), summary.c_str());
  }
  return Status::OK();
}

Status RunHistory(const TableOptions& o) {
  FLOE_ASSIGN_OR_RETURN(auto cat, OpenCatalog(o.catalog));
  FLOE_ASSIGN_OR_RETURN(LoadedTable t, Load(*cat, o.table));
  // A snapshot is a current ancestor when the current snapshot's parent chain reaches it.
  std::vector<int64_t> ancestors;
  for (const iceberg::Snapshot* s = t.metadata.CurrentSnapshot(); s != nullptr;
       s = s->parent_snapshot_id ? t.metadata.SnapshotById(*s->parent_snapshot_id) : nullptr) {
    ancestors.push_back(s->snapshot_id);
  }
  std::printf("%-24s %-20s %s\n", "made_current_at", "snapshot_id", "is_current_ancestor");
  for (const iceberg::SnapshotLogEntry& e : t.metadata.snapshot_log) {
    const bool ancestor =
        std::find(ancestors.begin(), ancestors.end(), e.snapshot_id) != ancestors.end();
    std::printf("%-24s %-20lld %s\n", Millis(e.timestamp_ms).c_str(),
                static_cast<long long>(e.snapshot_id), ancestor ? "true" : "false");
  }
  return Status::OK();
}

Status RunRefs(const TableOptions& o) {
  FLOE_ASSIGN_OR_RETURN(auto cat, OpenCatalog(o.catalog));
  FLOE_ASSIGN_OR_RETURN(LoadedTable t, Load(*cat, o.table));
  std::printf("%-24s %-7s %-20s %s\n", "name", "type", "snapshot_id", "retention");
  for (const auto& [name, ref] : t.metadata.refs) {
    std::string retention;
    if (ref.max_ref_age_ms) retention += fmt::format("max-ref-age-ms={} ", *ref.max_ref_age_ms);
    if (ref.max_snapshot_age_ms)
      retention += fmt::format("max-snapshot-age-ms={} ", *ref.max_snapshot_age_ms);
    if (ref.min_snapshots_to_keep)
      retention += fmt::format("min-snapshots-to-keep={}", *ref.min_snapshots_to_keep);
    std::printf("%-24s %-7s %-20lld %s\n", name.c_str(),
                ref.type == iceberg::SnapshotRef::Type::kTag ? "tag" : "branch",
                static_cast<long long>(ref.snapshot_id),
                retention.empty() ? "-" : retention.c_str());
  }
  return Status::OK();
}

// The snapshot a read chooses: --snapshot ID, --ref NAME or --as-of TIME
// (the snapshot current then), else the current one; nullptr for an empty table.
Result<const iceberg::Snapshot*> ChooseSnapshot(const TableOptions& o,
                                                const iceberg::TableMetadata& m) {
  if (o.snapshot) {
    const iceberg::Snapshot* s = m.SnapshotById(*o.snapshot);
    if (s == nullptr) return Status::NotFound("snapshot {} does not exist", *o.snapshot);
    return s;
  }
  if (!o.ref.empty()) {
    auto it = m.refs.find(o.ref);
    if (it == m.refs.end()) return Status::NotFound("no branch or tag named {}", o.ref);
    return m.SnapshotById(it->second.snapshot_id);
  }
  if (!o.as_of.empty()) {
    FLOE_ASSIGN_OR_RETURN(int64_t micros, ParseTimestamp(o.as_of, false, true));
    const iceberg::Snapshot* s = m.SnapshotAsOf(micros / 1000);
    if (s == nullptr) return Status::NotFound("the table had no snapshot at {}", o.as_of);
    return s;
  }
  return m.CurrentSnapshot();
}

// The schema a scan of `snapshot` reads in: time travel (a snapshot id, a
// time or a tag) reads in the snapshot's schema; the current state and
// branches read in the current one.
const Schema* ScanSchema(const TableOptions& o, const iceberg::TableMetadata& m,
                         const iceberg::Snapshot* snapshot) {
  bool time_travel = o.snapshot.has_value() || !o.as_of.empty();
  if (auto it = m.refs.find(o.ref); it != m.refs.end()) {
    time_travel = it->second.type == iceberg::SnapshotRef::Type::kTag;
  }
  if (time_travel && snapshot != nullptr && snapshot->schema_id) {
    if (const Schema* s = m.SchemaById(*snapshot->schema_id)) return s;
  }
  return m.CurrentSchema();
}

std::string JsonString(std::string_view s) {
  Column c(Type::String());
  c.AppendBytes(s);
  std::string out;
  AppendJsonValue(c, 0, &out);
  return out;
}

template <typename V, typename F>
std::string JsonMap(const std::map<int32_t, V>& m, F&& render) {
  std::string out = "{";
  for (const auto& [k, v] : m)
    out += fmt::format("{}\"{}\":{}", out.size() > 1 ? "," : "", k, render(v));
  return out + "}";
}

std::string Hex(const std::string& bytes) {
  std::string out = "\"";
  for (unsigned char c : bytes) out += fmt::format("{:02x}", c);
  return out + "\"";
}

Status RunManifests(const TableOptions& o) {
  FLOE_ASSIGN_OR_RETURN(auto cat, OpenCatalog(o.catalog));
  FLOE_ASSIGN_OR_RETURN(LoadedTable t, Load(*cat, o.table));
  FLOE_ASSIGN_OR_RETURN(const iceberg::Snapshot* snapshot, ChooseSnapshot(o, t.metadata));
  if (snapshot == nullptr) return Status::OK();
  FLOE_ASSIGN_OR_RETURN(auto manifests,
                        iceberg::ReadManifestList(cat->io(), snapshot->manifest_list));
  std::string out;
  for (const iceberg::ManifestFile& m : manifests) {
    auto opt = [](auto v) { return v ? std::to_string(*v) : std::string("null"); };
    out += fmt::format(
        "{{\"content\":{},\"path\":{},\"length\":{},\"partition_spec_id\":{},\"added_snapshot_id\":"
        "{},"
        "\"sequence_number\":{},\"min_sequence_number\":{},\"added_data_files_count\":{},"
        "\"existing_data_files_count\":{},\"deleted_data_files_count\":{},\"added_rows_count\":{},"
        "\"existing_rows_count\":{},\"deleted_rows_count\":{}}}\n",
        m.content, JsonString(m.manifest_path), m.manifest_length, m.partition_spec_id,
        m.added_snapshot_id, m.sequence_number, m.min_sequence_number, opt(m.added_files_count),
        opt(m.existing_files_count), opt(m.deleted_files_count), opt(m.added_rows_count),
        opt(m.existing_rows_count), opt(m.deleted_rows_count));
  }
  std::fputs(out.c_str(), stdout);
  return Status::OK();
}

Status RunFiles(const TableOptions& o) {
  FLOE_ASSIGN_OR_RETURN(auto cat, OpenCatalog(o.catalog));
  FLOE_ASSIGN_OR_RETURN(LoadedTable t, Load(*cat, o.table));
  FLOE_ASSIGN_OR_RETURN(const iceberg::Snapshot* snapshot, ChooseSnapshot(o, t.metadata));
  if (snapshot == nullptr) return Status::OK();
  // Every live file, or with --where the files planning keeps.
  iceberg::Expression filter;
  if (!o.where.empty()) {
    FLOE_ASSIGN_OR_RETURN(filter, iceberg::ParseExpression(o.where));
    FLOE_ASSIGN_OR_RETURN(filter, iceberg::Bind(filter, *ScanSchema(o, t.metadata, snapshot)));
  }
  FLOE_ASSIGN_OR_RETURN(auto entries, iceberg::PlanFiles(cat->io(), t.metadata, *snapshot, filter));
  std::string out;
  auto number = [](int64_t v) { return std::to_string(v); };
  auto optional = [](const std::optional<int64_t>& v) {
    return v ? std::to_string(*v) : std::string("null");
  };
  for (const iceberg::ManifestEntry& e : entries) {
    const iceberg::DataFile& f = e.data_file;
    out += fmt::format(
        "{{\"content\":{},\"file_path\":{},\"file_format\":{},\"spec_id\":{},\"partition\":{},"
        "\"record_count\":{},\"file_size_in_bytes\":{},\"column_sizes\":{},\"value_counts\":{},"
        "\"null_value_counts\":{},\"nan_value_counts\":{},\"lower_bounds\":{},\"upper_bounds\":{}"
        ","
        "\"equality_ids\":[{}],\"referenced_data_file\":{},\"content_offset\":{},"
        "\"content_size_in_bytes\":{},\"first_row_id\":{},"
        "\"status\":{},\"snapshot_id\":{},\"sequence_number\":{}}}\n",
        f.content, JsonString(f.file_path), JsonString(f.file_format), f.spec_id, f.partition_json,
        f.record_count, f.file_size_in_bytes, JsonMap(f.column_sizes, number),
        JsonMap(f.value_counts, number), JsonMap(f.null_value_counts, number),
        JsonMap(f.nan_value_counts, number), JsonMap(f.lower_bounds, Hex),
        JsonMap(f.upper_bounds, Hex), fmt::join(f.equality_ids, ","),
        f.referenced_data_file ? JsonString(*f.referenced_data_file) : "null",
        optional(f.content_offset), optional(f.content_size_in_bytes), optional(f.first_row_id),
        e.status, e.snapshot_id, optional(e.sequence_number));
  }
  std::fputs(out.c_str(), stdout);
  return Status::OK();
}

void PrintScanStats(const iceberg::ScanStats& s) {
  std::fprintf(stderr,
               "planned %lld of %lld data files in %.1f ms: %lld of %lld manifests (%lld files) "
               "skipped by partition summaries, %lld files by partition values, %lld by column "
               "metrics\n"
               "scanned %lld rows in %.1f ms (planning and reading; printing not included)\n",
               static_cast<long long>(s.files_planned()), static_cast<long long>(s.files),
               s.planning_ms, static_cast<long long>(s.manifests_skipped),
               static_cast<long long>(s.manifests),
               static_cast<long long>(s.files_in_skipped_manifests),
               static_cast<long long>(s.files_skipped_by_partition),
               static_cast<long long>(s.files_skipped_by_metrics), static_cast<long long>(s.rows),
               s.scan_ms);
}

Status RunScan(const TableOptions& o) {
  FLOE_ASSIGN_OR_RETURN(RowWriter out, RowWriter::Open(o.format));
  FLOE_ASSIGN_OR_RETURN(auto cat, OpenCatalog(o.catalog));
  FLOE_ASSIGN_OR_RETURN(LoadedTable t, Load(*cat, o.table));
  FLOE_ASSIGN_OR_RETURN(const iceberg::Snapshot* snapshot, ChooseSnapshot(o, t.metadata));
  const Schema* schema = ScanSchema(o, t.metadata, snapshot);
  iceberg::ScanOptions options;
  options.schema_id = schema->schema_id();
  options.columns = o.columns;
  iceberg::ScanStats stats;
  options.stats = &stats;
  options.limit = o.limit;
  if (!o.where.empty()) {
    FLOE_ASSIGN_OR_RETURN(options.filter, iceberg::ParseExpression(o.where));
  }
  if (snapshot != nullptr) {
    FLOE_RETURN_IF_ERROR(iceberg::ScanTable(cat->io(), t.metadata, *snapshot, options,
                                            [&](const RecordBatch& b) { return out.Write(b); }));
  }
  // An empty result still gets its CSV header.
  std::vector<NestedField> fields;
  for (const std::string& name : o.columns) {
    if (const NestedField* f = schema->FindByName(name)) fields.push_back(*f);
  }
  out.Finish(o.columns.empty() ? *schema : Schema(fields));
  if (o.stats) PrintScanStats(stats);
  return Status::OK();
}

Status RunAppend(const TableOptions& o) {
  FLOE_ASSIGN_OR_RETURN(auto cat, OpenCatalog(o.catalog));
  FLOE_ASSIGN_OR_RETURN(catalog::TableIdentifier id, catalog::TableIdentifier::Parse(o.table));
  table::AppendOptions options;
  if (o.fast_append) options.merge_manifests = false;
  FLOE_ASSIGN_OR_RETURN(options.summary, ParseProperties(o.snapshot_properties));
  FLOE_ASSIGN_OR_RETURN(table::AppendResult r, table::AppendFiles(*cat, id, o.inputs, options));
  std::string merged;
  if (r.manifests_merged > 0) {
    merged = fmt::format(", {} manifests merged away", r.manifests_merged);
  }
  std::fprintf(stderr, "appended %lld rows in %lld data files as snapshot %lld (%d attempt%s%s)\n",
               static_cast<long long>(r.records), static_cast<long long>(r.data_files),
               static_cast<long long>(r.snapshot_id), r.commit.attempts,
               r.commit.attempts == 1 ? "" : "s", merged.c_str());
  std::printf("%s\n", r.commit.metadata_location.c_str());
  return Status::OK();
}

// What a delete or update committed, on stderr; the metadata file on stdout.
void PrintRowChange(const char* verb, const TableOptions& o, const table::DeleteResult& r) {
  if (r.delta.snapshot_id == 0) {
    std::fprintf(stderr, "no live row matches %s: nothing committed\n", o.where.c_str());
  } else {
    const table::RowDeltaResult& d = r.delta;
    std::fprintf(
        stderr,
        "%s %lld rows as snapshot %lld (%s): %lld data files added, %lld removed whole, "
        "%lld delete files added (%lld positions, %lld keys), %lld replaced%s\n",
        verb, static_cast<long long>(r.rows_deleted), static_cast<long long>(d.snapshot_id),
        d.operation.c_str(), static_cast<long long>(d.counts.added_data_files),
        static_cast<long long>(d.counts.removed_data_files),
        static_cast<long long>(d.counts.added_delete_files),
        static_cast<long long>(d.counts.added_position_deletes),
        static_cast<long long>(d.counts.added_equality_deletes),
        static_cast<long long>(d.counts.removed_delete_files),
        r.plans > 1 ? fmt::format(" ({} plans: concurrent commits)", r.plans).c_str() : "");
  }
  std::printf("%s\n", r.delta.commit.metadata_location.c_str());
}

Result<table::DeleteOptions> RowChangeOptions(const TableOptions& o) {
  table::DeleteOptions options;
  FLOE_ASSIGN_OR_RETURN(options.summary, ParseProperties(o.snapshot_properties));
  options.equality_columns = o.equality_columns;
  return options;
}

Status RunDelete(const TableOptions& o) {
  FLOE_ASSIGN_OR_RETURN(auto cat, OpenCatalog(o.catalog));
  FLOE_ASSIGN_OR_RETURN(catalog::TableIdentifier id, catalog::TableIdentifier::Parse(o.table));
  FLOE_ASSIGN_OR_RETURN(const iceberg::Expression filter, iceberg::ParseExpression(o.where));
  FLOE_ASSIGN_OR_RETURN(const table::DeleteOptions options, RowChangeOptions(o));
  FLOE_ASSIGN_OR_RETURN(const table::DeleteResult r, table::DeleteWhere(*cat, id, filter, options));
  PrintRowChange("deleted", o, r);
  return Status::OK();
}

Status RunUpdate(const TableOptions& o) {
  FLOE_ASSIGN_OR_RETURN(auto cat, OpenCatalog(o.catalog));
  FLOE_ASSIGN_OR_RETURN(LoadedTable t, Load(*cat, o.table));
  FLOE_ASSIGN_OR_RETURN(const iceberg::Expression filter, iceberg::ParseExpression(o.where));
  FLOE_ASSIGN_OR_RETURN(const table::RowUpdate update,
                        CompileRowUpdate(*t.metadata.CurrentSchema(), o.sets));
  FLOE_ASSIGN_OR_RETURN(const table::DeleteOptions options, RowChangeOptions(o));
  FLOE_ASSIGN_OR_RETURN(const table::DeleteResult r,
                        table::UpdateWhere(*cat, t.id, filter, update, options));
  PrintRowChange("updated", o, r);
  return Status::OK();
}

// Commits `change` and reports the new metadata file.
Status Commit(const TableOptions& o, const std::function<Status(iceberg::TableMetadata&)>& change) {
  FLOE_ASSIGN_OR_RETURN(auto cat, OpenCatalog(o.catalog));
  FLOE_ASSIGN_OR_RETURN(catalog::TableIdentifier id, catalog::TableIdentifier::Parse(o.table));
  FLOE_ASSIGN_OR_RETURN(table::CommitResult result, table::CommitTableChange(*cat, id, change));
  std::printf("%s\n", result.metadata_location.c_str());
  return Status::OK();
}

// The snapshot a ref command points at: --snapshot, else the current one.
Result<int64_t> TargetSnapshot(const TableOptions& o, const iceberg::TableMetadata& m) {
  if (o.snapshot) return *o.snapshot;
  if (!m.current_snapshot_id)
    return Status::InvalidArgument("the table has no snapshot yet; give --snapshot");
  return *m.current_snapshot_id;
}

Status RunRef(const TableOptions& o, iceberg::SnapshotRef::Type type) {
  return Commit(o, [&](iceberg::TableMetadata& m) -> Status {
    iceberg::SnapshotRef ref;
    FLOE_ASSIGN_OR_RETURN(ref.snapshot_id, TargetSnapshot(o, m));
    ref.type = type;
    ref.max_ref_age_ms = o.max_ref_age_ms;
    return iceberg::SetRef(o.target, ref, table::NowMillis(), &m);
  });
}

Status RunTag(const TableOptions& o) {
  return RunRef(o, iceberg::SnapshotRef::Type::kTag);
}
Status RunBranch(const TableOptions& o) {
  return RunRef(o, iceberg::SnapshotRef::Type::kBranch);
}

Status RunRemoveRef(const TableOptions& o) {
  return Commit(o, [&](iceberg::TableMetadata& m) { return iceberg::RemoveRef(o.target, &m); });
}

Status RunSetProperty(const TableOptions& o) {
  FLOE_ASSIGN_OR_RETURN(auto properties, ParseProperties(o.properties));
  if (properties.empty()) return Status::InvalidArgument("give at least one KEY=VALUE");
  return Commit(o,
                [&](iceberg::TableMetadata& m) { return iceberg::SetProperties(properties, &m); });
}

Status RunUpgrade(const TableOptions& o) {
  return Commit(o, [&](iceberg::TableMetadata& m) {
    return iceberg::UpgradeFormatVersion(o.format_version, &m);
  });
}

Status RunRemoveProperty(const TableOptions& o) {
  return Commit(o,
                [&](iceberg::TableMetadata& m) { return iceberg::RemoveProperties(o.keys, &m); });
}

Status RunRollback(const TableOptions& o) {
  return Commit(o, [&](iceberg::TableMetadata& m) {
    return iceberg::RollbackTo(*o.snapshot, table::NowMillis(), &m);
  });
}

Status RunSetCurrent(const TableOptions& o) {
  return Commit(o, [&](iceberg::TableMetadata& m) {
    return iceberg::SetCurrentSnapshot(*o.snapshot, table::NowMillis(), &m);
  });
}

}  // namespace

void AddTableCommand(CLI::App& app) {
  CLI::App* cmd =
      app.add_subcommand("table", "Create, register, inspect and drop tables in the catalog");
  cmd->require_subcommand(1);
  auto o = std::make_shared<TableOptions>();
  auto add = [&](const char* name, const char* help, Status (*run)(const TableOptions&),
                 const char* arg_name, const char* arg_help) {
    CLI::App* sub = cmd->add_subcommand(name, help);
    sub->add_option(arg_name, o->table, arg_help)->required();
    AddCatalogOptions(sub, o->catalog);
    sub->callback([o, run] { ExitOnError(run(*o)); });
    return sub;
  };
  CLI::App* create =
      add("create", "Create an empty table (format v2)", RunCreate, "TABLE", "NAMESPACE.NAME");
  create->add_option("--schema", o->schema_path, "Iceberg schema JSON file")->required();
  create->add_option("--partition", o->partition,
                     "e.g. \"day(audit_ts), bucket(16, subject_key), study_oid\"");
  create->add_option("--property", o->properties, "KEY=VALUE, repeatable")->allow_extra_args(false);
  CLI::App* reg =
      add("register", "Adopt a table another engine wrote", RunRegister, "TABLE", "NAMESPACE.NAME");
  reg->add_option("METADATA_LOCATION", o->target, "Its current metadata.json")->required();
  add("list", "List the tables of a namespace", RunList, "NAMESPACE", "Namespace");
  add("drop", "Drop a table from the catalog (its files stay)", RunDrop, "TABLE", "NAMESPACE.NAME");
  CLI::App* rename = add("rename", "Rename a table", RunRename, "TABLE", "NAMESPACE.NAME");
  rename->add_option("NEW_NAME", o->target, "NAMESPACE.NAME")->required();
  add("metadata-location", "Print the current metadata.json path", RunMetadataLocation, "TABLE",
      "NAMESPACE.NAME");
  add("describe", "Schema, partitioning, properties and current snapshot", RunDescribe, "TABLE",
      "NAMESPACE.NAME");
  add("snapshots", "List the table's snapshots", RunSnapshots, "TABLE", "NAMESPACE.NAME");
  add("history", "When each snapshot became current", RunHistory, "TABLE", "NAMESPACE.NAME");
  add("refs", "Branches and tags", RunRefs, "TABLE", "NAMESPACE.NAME");
  CLI::App* metrics =
      add("metrics", "Scan and commit reports clients sent (JSON lines, newest first)", RunMetrics,
          "TABLE", "NAMESPACE.NAME");
  metrics->add_option("--limit", o->limit, "At most N reports (default 100)");
  for (auto [name, help, run] :
       {std::tuple{"files", "The data and delete files of a snapshot, as JSON lines", &RunFiles},
        std::tuple{"manifests", "The manifests of a snapshot, as JSON lines", &RunManifests},
        std::tuple{"scan", "The rows of a snapshot (the current one by default)", &RunScan}}) {
    CLI::App* sub = add(name, help, run, "TABLE", "NAMESPACE.NAME");
    sub->add_option("--snapshot", o->snapshot, "Snapshot id (default: the current one)");
    sub->add_option("--ref", o->ref, "Branch or tag");
    sub->add_option("--as-of", o->as_of, "The snapshot current at this time (ISO 8601)");
    if (std::string_view(name) == "scan") {
      sub->add_option("--columns", o->columns, "Columns to read (comma-separated)")->delimiter(',');
      sub->add_option("--limit", o->limit, "Print at most N rows");
      sub->add_option("--format", o->format, "jsonl or csv")->capture_default_str();
      sub->add_flag("--stats", o->stats,
                    "Print to stderr how many manifests and files planning pruned");
    }
    if (std::string_view(name) != "manifests") {
      sub->add_option("--where", o->where,
                      "Only rows (files: files that may hold rows) matching a filter, e.g. "
                      "\"site = 'S01' AND ts >= '2026-01-01'\" (see docs/filters.md)");
    }
  }
  CLI::App* append = add("append", "Append rows from .parquet, .jsonl or .csv files", RunAppend,
                         "TABLE", "NAMESPACE.NAME");
  append->add_option("FILES", o->inputs, "Input files")->required();
  append->add_flag("--fast", o->fast_append,
                   "Fast append: never merge manifests (by default they merge as the table's "
                   "commit.manifest-merge.enabled, commit.manifest.min-count-to-merge (100) and "
                   "commit.manifest.target-size-bytes (8 MiB) say)");
  CLI::App* del = add("delete",
                      "Delete the rows matching a filter (deletion vectors on v3 tables, position "
                      "delete files on v2; files whose rows all match are removed whole)",
                      RunDelete, "TABLE", "NAMESPACE.NAME");
  CLI::App* update = add("update",
                         "Set columns of the rows matching a filter (their old versions deleted as "
                         "by delete, the new ones added, in one snapshot)",
                         RunUpdate, "TABLE", "NAMESPACE.NAME");
  update
      ->add_option("--set", o->sets,
                   "\"column = expression\", repeatable (docs/design/expressions.md)")
      ->required()
      ->allow_extra_args(false);
  update->add_option("--where", o->where, "Filter, e.g. \"site = 'S01'\" (see docs/filters.md)")
      ->required();
  for (CLI::App* sub : {del, update}) {
    sub->add_option("--equality-columns", o->equality_columns,
                    "Delete by key with equality delete files on these columns "
                    "(comma-separated): every older row with a matched row's key goes")
        ->delimiter(',');
  }
  for (CLI::App* sub : {append, del, update}) {
    sub->add_option("--snapshot-property", o->snapshot_properties,
                    "KEY=VALUE for the new snapshot's summary, repeatable (the standard entries "
                    "win)")
        ->allow_extra_args(false);
  }
  del->add_option("--where", o->where, "Filter, e.g. \"site = 'S01'\" (see docs/filters.md)")
      ->required();
  CLI::App* tag =
      add("tag", "Tag a snapshot (the current one by default)", RunTag, "TABLE", "NAMESPACE.NAME");
  CLI::App* branch = add("branch", "Create or move a branch", RunBranch, "TABLE", "NAMESPACE.NAME");
  for (CLI::App* sub : {tag, branch}) {
    sub->add_option("NAME", o->target, "Tag or branch name")->required();
    sub->add_option("--snapshot", o->snapshot, "Snapshot id (default: the current one)");
    sub->add_option("--max-ref-age-ms", o->max_ref_age_ms, "Keep the ref at most this long");
  }
  CLI::App* remove_ref =
      add("remove-ref", "Remove a tag or branch", RunRemoveRef, "TABLE", "NAMESPACE.NAME");
  remove_ref->add_option("NAME", o->target)->required();
  CLI::App* set_property =
      add("set-property", "Set table properties", RunSetProperty, "TABLE", "NAMESPACE.NAME");
  set_property->add_option("PROPERTY", o->properties, "KEY=VALUE ...")->required();
  CLI::App* upgrade =
      add("upgrade", "Raise the table's format version (3: deletion vectors, row lineage)",
          RunUpgrade, "TABLE", "NAMESPACE.NAME");
  upgrade->add_option("--format-version", o->format_version, "2 or 3")
      ->required()
      ->check(CLI::Range(1, 3));
  CLI::App* remove_property = add("remove-property", "Remove table properties", RunRemoveProperty,
                                  "TABLE", "NAMESPACE.NAME");
  remove_property->add_option("KEY", o->keys, "Property names")->required();
  CLI::App* rollback = add("rollback", "Make an ancestor snapshot current again", RunRollback,
                           "TABLE", "NAMESPACE.NAME");
  rollback->add_option("--snapshot", o->snapshot, "Snapshot id")->required();
  CLI::App* set_current =
      add("set-current", "Make any snapshot current", RunSetCurrent, "TABLE", "NAMESPACE.NAME");
  set_current->add_option("--snapshot", o->snapshot, "Snapshot id")->required();
}

}  // namespace floe::cli
