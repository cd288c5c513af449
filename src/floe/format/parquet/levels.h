// Record shredding and assembly (the Dremel encoding Parquet uses for nesting).
//
// Each leaf column is stored as a stream of entries, one per leaf slot that
// exists in the data plus one per empty list or null ancestor; each entry has a
// definition level (how many optional / repeated ancestors are present) and a
// repetition level (at which list depth it starts a new element; 0 = new row).
// Only entries whose definition level is the leaf's maximum carry a value.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "floe/columnar/column.h"
#include "floe/format/parquet/schema_mapping.h"

namespace floe::parquet {

// One leaf column of a range of rows in Dremel form.
struct ShreddedLeaf {
  std::vector<int16_t> def_levels;   // one per entry; empty when max_def == 0
  std::vector<int16_t> rep_levels;   // one per entry; empty when max_rep == 0
  std::vector<int64_t> value_slots;  // slots of `values` holding the present values, in order
  const Column* values = nullptr;    // the leaf column inside the batch
  int64_t num_entries = 0;
  // Top-level primitive columns skip value_slots: the present values are the
  // valid slots of `values` from row flat_begin on, in order.
  bool flat = false;
  int64_t flat_begin = 0;
};

// Shreds rows [begin, end) of `batch` for `leaf`. `out` is reused to keep its
// buffers. REQUIRES: `batch` has the schema `leaf` was derived from.
void ShredLeaf(const RecordBatch& batch, const LeafColumn& leaf, int64_t begin, int64_t end,
               ShreddedLeaf* out);

// Entry ranges [first, last) of each row in a leaf's level stream: where the
// repetition level is 0. With no repetition every entry is a row.
std::vector<std::pair<int64_t, int64_t>> RowRanges(std::span<const int16_t> rep_levels,
                                                   int64_t num_entries);

// Appends the rows `rows` (entry ranges from RowRanges) of one leaf to the
// top-level column of `batch` the leaf belongs to. `values` holds only the
// present leaf values (no nulls), in entry order, starting at *next_value,
// which advances. The leaf whose path below a struct or list is all first
// children also appends that node's own slots (validity and offsets), so
// leaves must be assembled in schema order.
Status AssembleLeaf(const LeafColumn& leaf, std::span<const int16_t> def_levels,
                    std::span<const int16_t> rep_levels,
                    std::span<const std::pair<int64_t, int64_t>> rows, const Column& values,
                    int64_t* next_value, RecordBatch* batch);

// The same for a top-level primitive leaf (one entry per row), in bulk:
// appends entries [first, last) to `column`. When they are all of `values`
// without nulls and `column` is empty, the buffers are moved, not copied.
Status AssembleFlat(const LeafColumn& leaf, std::span<const int16_t> def_levels, int64_t first,
                    int64_t last, Column& values, int64_t* next_value, Column* column);

}  // namespace floe::parquet
