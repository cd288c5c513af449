#include "floe/table/delete_rows.h"

#include <fmt/format.h>

#include <algorithm>

#include "floe/iceberg/table_builder.h"
#include "floe/iceberg/table_scan.h"
#include "floe/table/data_file_writer.h"
#include "floe/table/delete_writer.h"
#include "floe/table/table_commit.h"

namespace floe::table {
namespace {

// One plan of the delete on `m`: the delta and the files written for it.
struct Planned {
  RowDelta delta;
  std::vector<std::string> written;
  int64_t rows = 0, files_removed = 0;
};

// The top-level fields equality deletes are to compare, by name.
Result<std::vector<NestedField>> KeyFields(const Schema& schema,
                                           const std::vector<std::string>& names) {
  std::vector<NestedField> out;
  for (const std::string& name : names) {
    const auto& fields = schema.fields();
    auto it = std::find_if(fields.begin(), fields.end(),
                           [&](const NestedField& f) { return f.name == name; });
    if (it == fields.end()) {
      return Status::InvalidArgument("no top-level column named '{}' for equality deletes", name);
    }
    if (it->type->is_nested() || it->type->id() == TypeId::kFloat ||
        it->type->id() == TypeId::kDouble) {
      return Status::InvalidArgument(
          "equality deletes compare primitive columns other than float and double, not {} ({})",
          name, it->type->ToString());
    }
    out.push_back(*it);
  }
  return out;
}

// `update`, when given, makes it an update: the matched rows come back changed.
Result<Planned> Plan(FileIO& io, const iceberg::TableMetadata& m, const iceberg::Expression& filter,
                     const RowUpdate* update, const DeleteOptions& options) {
  Planned out;
  const iceberg::Snapshot* snapshot = m.CurrentSnapshot();
  if (snapshot == nullptr) return out;
  FLOE_ASSIGN_OR_RETURN(const std::vector<NestedField> keys,
                        KeyFields(*m.CurrentSchema(), options.equality_columns));
  if (!keys.empty() && m.format_version < 2) {
    return Status::NotSupported("format version 1 tables hold no equality deletes");
  }
  out.delta.base_snapshot_id = snapshot->snapshot_id;
  out.delta.conflict_filter = filter;
  DeleteFileWriter writer(io, m);
  std::unique_ptr<DataFileWriter> rows_out;
  if (update != nullptr) {
    FLOE_ASSIGN_OR_RETURN(rows_out, DataFileWriter::Open(io, m, *m.DefaultSpec()));
  }
  auto remove_scoped = [&](const iceberg::FileMatch& match) {
    // Position delete files of this data file alone go with it (or with
    // its new vector, which holds their positions).
    for (const iceberg::ManifestEntry& p : match.position_files) {
      if (p.data_file.referenced_data_file == match.entry.data_file.file_path) {
        out.delta.removed.push_back(p);
      }
    }
    if (match.vector) out.delta.removed.push_back(*match.vector);
  };
  Status s = iceberg::MatchRows(
      io, m, *snapshot, filter, update != nullptr || !keys.empty(),
      [&](iceberg::FileMatch match) -> Status {
        const auto matched = static_cast<int64_t>(match.matched.size());
        out.rows += matched;
        if (!keys.empty()) {  // by key: the matched rows' keys, whatever else the file holds
          RecordBatch key_rows{Schema(keys), {}, match.rows.num_rows};
          for (const NestedField& k : keys) {
            const auto& fields = match.rows.schema.fields();
            const auto at = std::find_if(fields.begin(), fields.end(),
                                         [&](const NestedField& f) { return f.id == k.id; });
            key_rows.columns.push_back(
                match.rows.columns[static_cast<size_t>(at - fields.begin())]);
          }
          FLOE_RETURN_IF_ERROR(writer.AddEquality(match.entry.data_file, key_rows));
        }
        if (update != nullptr) {
          FLOE_ASSIGN_OR_RETURN(RecordBatch changed,
                                (*update)(*m.CurrentSchema(), std::move(match.rows)));
          if (changed.num_rows != matched) {
            return Status::Internal("an update turned {} rows into {}", matched, changed.num_rows);
          }
          FLOE_RETURN_IF_ERROR(rows_out->Add(std::move(changed)));
        }
        if (!keys.empty()) return Status::OK();
        if (!match.has_equality_deletes && matched == match.live_rows) {
          out.delta.removed.push_back(match.entry);
          ++out.files_removed;
          remove_scoped(match);
          return Status::OK();
        }
        if (m.format_version < 2) {
          return Status::NotSupported(
              "deleting some rows of {} needs row-level deletes, which format version 1 tables "
              "cannot hold (floe table upgrade --format-version 2)",
              match.entry.data_file.file_path);
        }
        if (!writer.deletion_vectors()) {
          return writer.Add(match.entry.data_file, iceberg::DeletedRows(std::move(match.matched)));
        }
        iceberg::DeletedRows merged(std::move(match.matched));
        for (int64_t p : match.deleted.positions()) merged.Add(p);
        merged.Finish();
        remove_scoped(match);
        return writer.Add(match.entry.data_file, merged);
      });
  if (s.ok()) {
    auto files = writer.Finish();
    if (files.ok()) out.delta.added_deletes = *std::move(files);
    s = files.status();
  }
  out.written = writer.written();
  if (s.ok() && rows_out != nullptr) {
    auto files = rows_out->Finish();
    if (files.ok()) {
      for (const iceberg::DataFile& f : *files) out.written.push_back(f.file_path);
      out.delta.added_data = *std::move(files);
    }
    s = files.status();
  }
  if (!s.ok()) {
    for (const std::string& path : out.written) (void)io.Delete(path);
    return s;
  }
  return out;
}

Result<DeleteResult> RewriteWhere(catalog::Catalog& catalog, const catalog::TableIdentifier& id,
                                  const iceberg::Expression& filter, const RowUpdate* update,
                                  const DeleteOptions& options) {
  FileIO& io = catalog.io();
  DeleteResult result;
  Status last;
  for (result.plans = 1; result.plans <= options.max_attempts; ++result.plans) {
    if (result.plans > 1) BackOffBeforeRetry(result.plans - 1);
    FLOE_ASSIGN_OR_RETURN(const std::string location, catalog.LoadTable(id));
    FLOE_ASSIGN_OR_RETURN(const iceberg::TableMetadata m,
                          iceberg::ReadTableMetadataFile(io, location));
    FLOE_ASSIGN_OR_RETURN(Planned planned, Plan(io, m, filter, update, options));
    planned.delta.summary = options.summary;
    auto committed = CommitRowDelta(catalog, id, planned.delta);
    if (committed.ok()) {
      result.delta = *std::move(committed);
      result.rows_deleted = planned.rows;
      result.files_removed = planned.files_removed;
      return result;
    }
    last = committed.status();
    // Files of a commit that may have landed stay; a refused plan's go.
    if (!catalog::CommitCertainlyFailed(last)) return last;
    for (const std::string& path : planned.written) (void)io.Delete(path);
    if (last.code() != StatusCode::kConflict) return last;
  }
  return last.WithContext(fmt::format("gave up after {} plans", options.max_attempts));
}

}  // namespace

Result<DeleteResult> DeleteWhere(catalog::Catalog& catalog, const catalog::TableIdentifier& id,
                                 const iceberg::Expression& filter, const DeleteOptions& options) {
  return RewriteWhere(catalog, id, filter, nullptr, options);
}

Result<DeleteResult> UpdateWhere(catalog::Catalog& catalog, const catalog::TableIdentifier& id,
                                 const iceberg::Expression& filter, const RowUpdate& update,
                                 const DeleteOptions& options) {
  return RewriteWhere(catalog, id, filter, &update, options);
}

}  // namespace floe::table
