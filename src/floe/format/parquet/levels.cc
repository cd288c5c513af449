#include "floe/format/parquet/levels.h"

#include <algorithm>
#include <cstring>

namespace floe::parquet {
namespace {

// A leaf entry while shredding: the slot it points at in the current column
// (-1 once an ancestor is null or an empty list), and its levels so far.
struct Entry {
  int64_t slot;
  int16_t def;
  int16_t rep;
};

}  // namespace

void ShredLeaf(const RecordBatch& batch, const LeafColumn& leaf, int64_t begin, int64_t end,
               ShreddedLeaf* out) {
  out->def_levels.clear();
  out->rep_levels.clear();
  out->value_slots.clear();
  out->flat = leaf.field_path.size() == 1;
  if (out->flat) {
    // A top-level primitive: its levels are its validity, its values its slots.
    const Column& c = batch.columns[static_cast<size_t>(leaf.field_path[0])];
    out->values = &c;
    out->num_entries = end - begin;
    out->flat_begin = begin;
    if (leaf.max_def > 0) {
      out->def_levels.resize(static_cast<size_t>(end - begin), 1);
      if (c.null_count() > 0) {
        for (int64_t i = begin; i < end; ++i)
          out->def_levels[static_cast<size_t>(i - begin)] = c.IsValid(i);
      }
    }
    return;
  }
  const Column* column = &batch.columns[static_cast<size_t>(leaf.field_path[0])];
  const NestedField* field = &batch.schema.fields()[static_cast<size_t>(leaf.field_path[0])];
  std::vector<Entry> entries;
  entries.reserve(static_cast<size_t>(end - begin));
  for (int64_t i = begin; i < end; ++i) entries.push_back({i, 0, 0});

  int16_t def = 0, rep = 0;
  size_t depth = 1;
  std::vector<Entry> expanded;
  while (true) {
    if (!field->required) {
      ++def;
      for (Entry& e : entries) {
        if (e.slot < 0) continue;
        if (column->IsValid(e.slot)) {
          e.def = def;
        } else {
          e.slot = -1;  // null here: the entry stops at the parent's level
        }
      }
    }
    const Type& type = *field->type;
    if (type.id() == TypeId::kStruct) {
      const int child = leaf.field_path[depth++];
      column = &column->child(static_cast<size_t>(child));
      field = &type.fields()[static_cast<size_t>(child)];
      continue;
    }
    if (type.id() == TypeId::kList || type.id() == TypeId::kMap) {
      const int16_t list_rep = static_cast<int16_t>(rep + 1);
      const int16_t element_def = static_cast<int16_t>(def + 1);
      expanded.clear();
      for (const Entry& e : entries) {
        if (e.slot < 0) {
          expanded.push_back(e);
          continue;
        }
        const int32_t first = column->Offset(e.slot), last = column->Offset(e.slot + 1);
        if (first == last) expanded.push_back({-1, def, e.rep});  // empty list
        for (int32_t j = first; j < last; ++j) {
          expanded.push_back({j, element_def, j == first ? e.rep : list_rep});
        }
      }
      entries.swap(expanded);
      def = element_def;
      rep = list_rep;
      const int child = type.id() == TypeId::kList ? 0 : leaf.field_path[depth];
      ++depth;
      column = &column->child(static_cast<size_t>(child));
      field = &type.fields()[static_cast<size_t>(child)];
      continue;
    }
    break;
  }

  out->values = column;
  out->num_entries = static_cast<int64_t>(entries.size());
  if (leaf.max_def > 0) out->def_levels.reserve(entries.size());
  if (leaf.max_rep > 0) out->rep_levels.reserve(entries.size());
  out->value_slots.reserve(entries.size());
  for (const Entry& e : entries) {
    if (leaf.max_def > 0) out->def_levels.push_back(e.def);
    if (leaf.max_rep > 0) out->rep_levels.push_back(e.rep);
    if (e.slot >= 0) out->value_slots.push_back(e.slot);
  }
}

std::vector<std::pair<int64_t, int64_t>> RowRanges(std::span<const int16_t> rep_levels,
                                                   int64_t num_entries) {
  std::vector<std::pair<int64_t, int64_t>> rows;
  if (rep_levels.empty()) {
    rows.reserve(static_cast<size_t>(num_entries));
    for (int64_t i = 0; i < num_entries; ++i) rows.emplace_back(i, i + 1);
    return rows;
  }
  for (int64_t i = 0; i < num_entries; ++i) {
    if (rep_levels[static_cast<size_t>(i)] == 0 || rows.empty()) {
      if (!rows.empty()) rows.back().second = i;
      rows.emplace_back(i, num_entries);
    }
  }
  return rows;
}

namespace {

using Ranges = std::vector<std::pair<int64_t, int64_t>>;

class Assembler {
 public:
  Assembler(const LeafColumn& leaf, std::span<const int16_t> def, std::span<const int16_t> rep,
            const Column& values, int64_t* next_value)
      : leaf_(leaf), def_(def), rep_(rep), values_(values), next_value_(next_value) {}

  // Appends `ranges` (one per slot of this node) to `column`, the node for
  // `field`; `depth` indexes leaf_.field_path for this node's child.
  Status Node(const NestedField& field, Column* column, size_t depth, int16_t parent_def,
              int16_t parent_rep, const Ranges& ranges) {
    const int16_t def_here = static_cast<int16_t>(parent_def + (field.required ? 0 : 1));
    const Type& type = *field.type;
    // The first leaf under a node appends the node's own slots.
    const bool builds = std::all_of(leaf_.field_path.begin() + static_cast<long>(depth),
                                    leaf_.field_path.end(), [](int i) { return i == 0; });
    // The other leaves must agree with the slots the first one appended: in a
    // corrupt file sibling leaves may disagree about the nesting, which would
    // leave a struct's children or a list's offsets out of step.
    if (!builds && static_cast<int64_t>(ranges.size()) != column->length()) return Disagree();
    switch (type.id()) {
      case TypeId::kStruct: {
        if (builds) {
          for (const auto& r : ranges) column->AppendStructSlot(Def(r.first) >= def_here);
        }
        const auto child = static_cast<size_t>(leaf_.field_path[depth]);
        return Node(type.fields()[child], &column->child(child), depth + 1, def_here, parent_rep,
                    ranges);
      }
      case TypeId::kList:
      case TypeId::kMap: {
        const int16_t list_rep = static_cast<int16_t>(parent_rep + 1);
        const int16_t element_def = static_cast<int16_t>(def_here + 1);
        Ranges elements;
        int32_t end = builds ? column->offsets().back() : 0;
        for (size_t slot = 0; slot < ranges.size(); ++slot) {
          const auto [first, last] = ranges[slot];
          const bool present = Def(first) >= def_here;
          if (Def(first) >= element_def) {
            int64_t start = first;
            for (int64_t k = first + 1; k < last; ++k) {
              if (Rep(k) == list_rep) {
                elements.emplace_back(start, k);
                start = k;
                ++end;
              }
            }
            elements.emplace_back(start, last);
            ++end;
          }
          if (builds) {
            column->AppendListSlot(present, end);
          } else if (column->Offset(static_cast<int64_t>(slot) + 1) != end) {
            return Disagree();
          }
        }
        const size_t child =
            type.id() == TypeId::kList ? 0 : static_cast<size_t>(leaf_.field_path[depth]);
        return Node(type.fields()[child], &column->child(child), depth + 1, element_def, list_rep,
                    elements);
      }
      default:
        return Leaf(column, def_here, ranges);
    }
  }

 private:
  Status Disagree() const {
    return Status::Corruption("column {}: levels disagree with the sibling columns' nesting",
                              fmt::join(leaf_.path, "."));
  }

  int16_t Def(int64_t k) const { return def_.empty() ? 0 : def_[static_cast<size_t>(k)]; }
  int16_t Rep(int64_t k) const { return rep_.empty() ? 0 : rep_[static_cast<size_t>(k)]; }

  Status Leaf(Column* column, int16_t def_here, const Ranges& ranges) {
    const int64_t available = values_.length();
    for (const auto& [first, last] : ranges) {
      if (last - first != 1) {
        return Status::Corruption("column {}: repetition levels do not match the schema",
                                  leaf_.path.back());
      }
      const int16_t d = Def(first);
      if (d > leaf_.max_def) {
        return Status::Corruption("column {}: definition level {} above the maximum {}",
                                  leaf_.path.back(), d, leaf_.max_def);
      }
      if (d < def_here) {
        column->AppendNull();
        continue;
      }
      if (*next_value_ >= available) {
        return Status::Corruption("column {}: fewer values than definition levels",
                                  leaf_.path.back());
      }
      column->AppendBytes(values_.Bytes((*next_value_)++));
    }
    return Status::OK();
  }

  const LeafColumn& leaf_;
  std::span<const int16_t> def_;
  std::span<const int16_t> rep_;
  const Column& values_;
  int64_t* next_value_;
};

}  // namespace

namespace {

// Turns a column of `present` dense values into one of def_levels.size()
// slots, nulls where the level is below the maximum, in its own buffers:
// fixed-width values move backwards to their slots; variable-width data stays
// where it is (nulls are empty) and only the offsets are spread.
void SpreadForNulls(const LeafColumn& leaf, std::span<const int16_t> def_levels, Column* column) {
  const auto n = static_cast<int64_t>(def_levels.size());
  const int64_t present = column->length();
  auto& validity = column->mutable_validity();
  validity.assign(static_cast<size_t>((n + 7) / 8), 0);
  for (int64_t i = 0; i < n; ++i) {
    if (def_levels[static_cast<size_t>(i)] == leaf.max_def) {
      validity[static_cast<size_t>(i >> 3)] |= static_cast<uint8_t>(1u << (i & 7));
    }
  }
  const int width = FixedWidth(*leaf.type);
  if (width > 0) {
    const auto w = static_cast<size_t>(width);
    auto& data = column->mutable_data();
    data.resize(static_cast<size_t>(n) * w);
    int64_t src = present - 1;
    for (int64_t i = n - 1; i >= 0 && src < i; --i) {  // once src == i the rest is in place
      uint8_t* slot = data.data() + static_cast<size_t>(i) * w;
      if (def_levels[static_cast<size_t>(i)] == leaf.max_def) {
        std::memmove(slot, data.data() + static_cast<size_t>(src--) * w, w);
      } else {
        std::memset(slot, 0, w);
      }
    }
  } else {
    auto& offsets = column->mutable_offsets();
    offsets.resize(static_cast<size_t>(n) + 1);
    int64_t src = present;
    for (int64_t i = n; i > 0 && src < i; --i) {  // offsets[i] ends slot i - 1
      if (def_levels[static_cast<size_t>(i - 1)] == leaf.max_def) {
        offsets[static_cast<size_t>(i)] = offsets[static_cast<size_t>(src--)];
      } else {
        offsets[static_cast<size_t>(i)] = offsets[static_cast<size_t>(src)];
      }
    }
  }
  column->SetLength(n, n - present);
}

}  // namespace

Status AssembleFlat(const LeafColumn& leaf, std::span<const int16_t> def_levels, int64_t first,
                    int64_t last, Column& values, int64_t* next_value, Column* column) {
  const int64_t n = last - first;
  int64_t present = n;
  if (!def_levels.empty()) {
    present = std::count(def_levels.begin() + first, def_levels.begin() + last, leaf.max_def);
  }
  const int64_t v0 = *next_value;
  if (present > values.length() - v0) {
    return Status::Corruption("column {}: fewer values than definition levels", leaf.path.back());
  }
  // The shortcut needs the call to take the rest of the chunk: with more
  // entries to come, later calls still read from `values`.
  const bool rest_of_chunk =
      def_levels.empty() ? last == values.length() : static_cast<size_t>(last) == def_levels.size();
  if (rest_of_chunk && v0 == 0 && present == values.length() && column->length() == 0) {
    // All of the chunk's values go into an empty column: its buffers are
    // handed over instead of copied, and spread out for nulls in place.
    *column = std::move(values);
    values = Column(leaf.type);
    *next_value = present;
    if (present != n)
      SpreadForNulls(leaf, def_levels.subspan(static_cast<size_t>(first), static_cast<size_t>(n)),
                     column);
    return Status::OK();
  }
  const int64_t base = column->length();
  const int64_t nulls = n - present;
  // Validity: one bit per row, set where the level says present.
  if (nulls > 0 || !column->validity().empty()) {
    auto& validity = column->mutable_validity();
    if (validity.empty()) validity.assign(static_cast<size_t>((base + 7) / 8), 0xFF);
    validity.resize(static_cast<size_t>((base + n + 7) / 8), 0);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t bit = base + i;
      const bool valid =
          def_levels.empty() || def_levels[static_cast<size_t>(first + i)] == leaf.max_def;
      if (valid) {
        validity[static_cast<size_t>(bit >> 3)] |= static_cast<uint8_t>(1u << (bit & 7));
      } else {
        validity[static_cast<size_t>(bit >> 3)] &= static_cast<uint8_t>(~(1u << (bit & 7)));
      }
    }
  }
  const int width = FixedWidth(*leaf.type);
  auto& data = column->mutable_data();
  if (width > 0) {
    const auto w = static_cast<size_t>(width);
    const uint8_t* src = values.data().data() + static_cast<size_t>(v0) * w;
    if (nulls == 0) {
      data.insert(data.end(), src, src + static_cast<size_t>(n) * w);
    } else {
      const size_t at = data.size();
      data.resize(at + static_cast<size_t>(n) * w, 0);
      uint8_t* dst = data.data() + at;
      for (int64_t i = 0; i < n; ++i, dst += w) {
        if (def_levels[static_cast<size_t>(first + i)] == leaf.max_def) {
          std::memcpy(dst, src, w);
          src += w;
        }
      }
    }
  } else {
    // Variable width: the values' bytes in one copy, offsets rebased.
    const auto in_offsets = values.offsets();
    const int32_t begin = in_offsets[static_cast<size_t>(v0)];
    const int32_t end = in_offsets[static_cast<size_t>(v0 + present)];
    const auto shift = static_cast<int32_t>(data.size()) - begin;
    data.insert(data.end(), values.data().begin() + begin, values.data().begin() + end);
    auto& offsets = column->mutable_offsets();
    int64_t v = v0;
    for (int64_t i = 0; i < n; ++i) {
      if (def_levels.empty() || def_levels[static_cast<size_t>(first + i)] == leaf.max_def) ++v;
      offsets.push_back(in_offsets[static_cast<size_t>(v)] + shift);
    }
  }
  column->SetLength(base + n, column->null_count() + nulls);
  *next_value = v0 + present;
  return Status::OK();
}

Status AssembleLeaf(const LeafColumn& leaf, std::span<const int16_t> def_levels,
                    std::span<const int16_t> rep_levels,
                    std::span<const std::pair<int64_t, int64_t>> rows, const Column& values,
                    int64_t* next_value, RecordBatch* batch) {
  const auto top = static_cast<size_t>(leaf.field_path[0]);
  Assembler assembler(leaf, def_levels, rep_levels, values, next_value);
  Ranges ranges(rows.begin(), rows.end());
  return assembler.Node(batch->schema.fields()[top], &batch->columns[top], 1, 0, 0, ranges);
}

}  // namespace floe::parquet
