// Ordering of column values, shared by predicates, bounds and partition
// summaries.
#pragma once

#include <cstdint>

#include "floe/columnar/column.h"

namespace floe {

// Three-way comparison of two non-null slots of columns of the same primitive
// type, in the type's order (numbers by value, text and bytes unsigned
// lexicographically, decimals signed): -1, 0 or 1. NaN compares unordered:
// returns 2.
int CompareSlots(const Column& a, int64_t i, const Column& b, int64_t j);

}  // namespace floe
