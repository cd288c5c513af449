// `floe table update --set "col = expr"`: the new values of matched rows,
// computed with the pipelines' expression language (stream/expr) over the
// table's columns, whole batches at a time.
#pragma once

#include <string>
#include <vector>

#include "floe/table/delete_rows.h"

namespace floe::cli {

// An update setting each "column = expression" of `sets` (the expressions
// read the row's values before the update). Checked against `schema` now
// (kInvalidArgument naming the bad assignment) and compiled again against
// the schema each batch comes in. A row whose expression fails, or that
// would set a required column to null, fails the update.
Result<table::RowUpdate> CompileRowUpdate(const Schema& schema,
                                          const std::vector<std::string>& sets);

}  // namespace floe::cli
