#include "floe/iceberg/table_scan.h"

#include <algorithm>

#include "floe/format/parquet/file_reader.h"
#include "floe/io/file.h"

namespace floe::iceberg {

Result<std::vector<DataFile>> PlanFiles(const Snapshot& snapshot) {
  FLOE_ASSIGN_OR_RETURN(auto manifests, ReadManifestList(snapshot.manifest_list));
  std::vector<DataFile> files;
  for (const ManifestFile& m : manifests) {
    FLOE_ASSIGN_OR_RETURN(auto entries, ReadManifest(m));
    for (ManifestEntry& e : entries) {
      if (e.status == 2) continue;  // deleted by this snapshot
      files.push_back(std::move(e.data_file));
    }
  }
  return files;
}

Status ScanTable(const TableMetadata& metadata, const Snapshot& snapshot,
                 const ScanOptions& options,
                 const std::function<Status(const RecordBatch&)>& sink) {
  const Schema* schema = metadata.CurrentSchema();
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
  FLOE_ASSIGN_OR_RETURN(std::vector<DataFile> files, PlanFiles(snapshot));
  for (const DataFile& file : files) {
    if (file.content != 0) {
      return Status::NotSupported(
          "snapshot {} has delete files; reading them is not implemented yet",
          snapshot.snapshot_id);
    }
    if (file.file_format != "PARQUET" && file.file_format != "parquet") {
      return Status::NotSupported("{}: {} data files are not supported", file.file_path,
                                  file.file_format);
    }
    FLOE_ASSIGN_OR_RETURN(auto input, OpenLocalInputFile(LocalPath(file.file_path)));
    FLOE_ASSIGN_OR_RETURN(auto reader, parquet::FileReader::Open(std::move(input)));
    // Columns by field id; those the file lacks (added later) read as null.
    const auto& file_fields = reader->file_schema().schema.fields();
    parquet::ReadOptions read;
    read.batch_rows = options.batch_rows;
    std::vector<int> source(projected.size(), -1);
    for (size_t i = 0; i < projected.size(); ++i) {
      auto it = std::find_if(file_fields.begin(), file_fields.end(),
                             [&](const NestedField& f) { return f.id == projected[i].id; });
      if (it == file_fields.end()) continue;
      source[i] = static_cast<int>(read.field_ids.size());
      read.field_ids.push_back(projected[i].id);
    }
    if (read.field_ids.empty()) {
      // Nothing to read but the row count: one column of the file gives it.
      read.field_ids.push_back(file_fields.front().id);
    }
    FLOE_RETURN_IF_ERROR(reader->Select(read).status());
    while (true) {
      FLOE_ASSIGN_OR_RETURN(RecordBatch in, reader->Next());
      if (in.num_rows == 0) break;
      RecordBatch out = RecordBatch::Empty(out_schema);
      out.num_rows = in.num_rows;
      for (size_t i = 0; i < projected.size(); ++i) {
        if (source[i] >= 0) {
          Column& c = in.columns[static_cast<size_t>(source[i])];
          if (!(*c.type() == *projected[i].type)) {
            return Status::NotSupported("{}: column {} is {} in the file and {} in the table",
                                        file.file_path, projected[i].name, c.type()->ToString(),
                                        projected[i].type->ToString());
          }
          out.columns[i] = std::move(c);
        } else {
          if (projected[i].required) {
            return Status::Corruption("{}: required column {} is missing", file.file_path,
                                      projected[i].name);
          }
          for (int64_t r = 0; r < in.num_rows; ++r) out.columns[i].AppendNull();
        }
      }
      FLOE_RETURN_IF_ERROR(sink(out));
    }
  }
  return Status::OK();
}

}  // namespace floe::iceberg
