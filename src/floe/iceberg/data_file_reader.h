// Reading one Parquet file of a table (a data file, or a delete file, whose
// columns carry the table's field ids or reserved ones) into batches of
// the table's columns.
#pragma once

#include <functional>

#include "floe/columnar/column.h"
#include "floe/iceberg/manifest.h"
#include "floe/iceberg/name_mapping.h"
#include "floe/io/file_io.h"

namespace floe::iceberg {

// Reads `fields` of one data file, batch by batch, matching columns by field
// id: a file written without field ids (imported with add_files, say) has
// them by name through the table's name mapping, when it has one (without
// one, floe numbers the file's fields in order, as Java's fallback does).
// The columns the file lacks (added later) read as their initial default or
// null. Stops after a batch once `*stop` is set.
Status ReadDataFile(FileIO& io, const DataFile& file, const Schema& fields,
                    const NameMapping* mapping, int64_t batch_rows, const bool* stop,
                    const std::function<Status(RecordBatch)>& sink);

}  // namespace floe::iceberg
