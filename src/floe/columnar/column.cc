#include "floe/columnar/column.h"

#include <algorithm>

namespace floe {

Column::Column(TypePtr type) : type_(std::move(type)), width_(FixedWidth(*type_)) {
  switch (type_->id()) {
    case TypeId::kString:
    case TypeId::kBinary:
    case TypeId::kList:
    case TypeId::kMap:
      offsets_.push_back(0);
      break;
    default:
      break;
  }
  for (const NestedField& f : type_->fields()) children_.emplace_back(f.type);
}

void Column::AppendNull() {
  switch (type_->id()) {
    case TypeId::kString:
    case TypeId::kBinary:
      offsets_.push_back(offsets_.back());
      break;
    case TypeId::kList:
    case TypeId::kMap:
      offsets_.push_back(static_cast<int32_t>(children_[0].length()));
      break;
    case TypeId::kStruct:
      for (Column& c : children_) c.AppendNull();
      break;
    default:
      data_.resize(data_.size() + static_cast<size_t>(FixedWidth(*type_)), 0);
      break;
  }
  FinishSlot(false);
}

void Column::AppendBytes(std::string_view bytes) {
  if (!offsets_.empty() && data_.size() + bytes.size() > kMaxDataBytes) {
    overflowed_ = true;  // an offset past int32 would wrap: keep the column consistent instead
    bytes = {};
  }
  if (!bytes.empty()) {
    const size_t at = data_.size();
    GrowFor(data_, bytes.size());
    data_.resize(at + bytes.size());
    std::memcpy(data_.data() + at, bytes.data(), bytes.size());
  }
  if (!offsets_.empty()) {
    GrowFor(offsets_, 1);
    offsets_.push_back(static_cast<int32_t>(data_.size()));
  }
  FinishSlot(true);
}

bool Column::overflowed() const {
  return overflowed_ || std::any_of(children_.begin(), children_.end(),
                                    [](const Column& c) { return c.overflowed(); });
}

void Column::AppendFrom(const Column& src, int64_t row) {
  if (!src.IsValid(row)) {
    AppendNull();
    return;
  }
  switch (type_->id()) {
    case TypeId::kStruct:
      for (size_t c = 0; c < children_.size(); ++c) children_[c].AppendFrom(src.children_[c], row);
      AppendStruct();
      return;
    case TypeId::kList:
    case TypeId::kMap:
      for (int32_t e = src.Offset(row); e < src.Offset(row + 1); ++e) {
        for (size_t c = 0; c < children_.size(); ++c) children_[c].AppendFrom(src.children_[c], e);
      }
      AppendListEnd();
      return;
    default:
      AppendBytes(src.Bytes(row));
      return;
  }
}

void Column::AppendRange(const Column& src, int64_t begin, int64_t end) {
  if (begin >= end) return;
  switch (type_->id()) {
    case TypeId::kStruct:
      for (size_t c = 0; c < children_.size(); ++c)
        children_[c].AppendRange(src.children_[c], begin, end);
      break;
    case TypeId::kList:
    case TypeId::kMap:
      AppendOffsets(src, begin, end);
      for (size_t c = 0; c < children_.size(); ++c) {
        children_[c].AppendRange(src.children_[c], src.offsets_[begin], src.offsets_[end]);
      }
      break;
    case TypeId::kString:
    case TypeId::kBinary: {
      const auto first = static_cast<size_t>(src.offsets_[begin]);
      const auto last = static_cast<size_t>(src.offsets_[end]);
      if (data_.size() + (last - first) > kMaxDataBytes) {
        // Past the offsets' limit: slot by slot, so the column keeps what fits.
        for (int64_t r = begin; r < end; ++r) AppendFrom(src, r);
        return;
      }
      AppendOffsets(src, begin, end);
      const size_t at = data_.size();
      GrowFor(data_, last - first);
      data_.resize(at + (last - first));
      if (last > first) std::memcpy(data_.data() + at, src.data_.data() + first, last - first);
      break;
    }
    default: {
      const auto width = static_cast<size_t>(width_);
      const size_t at = data_.size();
      GrowFor(data_, width * static_cast<size_t>(end - begin));
      data_.resize(at + width * static_cast<size_t>(end - begin));
      std::memcpy(data_.data() + at, src.data_.data() + width * static_cast<size_t>(begin),
                  width * static_cast<size_t>(end - begin));
      break;
    }
  }
  AppendValidity(src, begin, end - begin);
}

void Column::AppendOffsets(const Column& src, int64_t begin, int64_t end) {
  const int32_t shift = offsets_.back() - src.offsets_[begin];
  const size_t at = offsets_.size();
  GrowFor(offsets_, static_cast<size_t>(end - begin));
  offsets_.resize(at + static_cast<size_t>(end - begin));
  for (int64_t i = begin; i < end; ++i) {
    offsets_[at + static_cast<size_t>(i - begin)] = src.offsets_[i + 1] + shift;
  }
}

void Column::AppendValidity(const Column& src, int64_t begin, int64_t n) {
  if (src.null_count_ == 0) {
    // All valid: FinishSlot keeps the bits past the end set, so new bytes are too.
    length_ += n;
    if (!validity_.empty()) validity_.resize(static_cast<size_t>((length_ + 7) >> 3), 0xFF);
    return;
  }
  for (int64_t i = begin; i < begin + n; ++i) FinishSlot(src.IsValid(i));
}

void Column::Truncate(int64_t length) {
  if (length > length_) return;
  // Children are cut even when this column keeps its length: a decoder may
  // have appended to them for a slot it never finished.
  switch (type_->id()) {
    case TypeId::kString:
    case TypeId::kBinary:
      data_.resize(static_cast<size_t>(offsets_[length]));
      offsets_.resize(static_cast<size_t>(length) + 1);
      break;
    case TypeId::kList:
    case TypeId::kMap: {
      const int32_t entries = offsets_[length];
      offsets_.resize(static_cast<size_t>(length) + 1);
      for (Column& c : children_) c.Truncate(entries);
      break;
    }
    case TypeId::kStruct:
      for (Column& c : children_) c.Truncate(length);
      break;
    default:
      data_.resize(static_cast<size_t>(length * width_));
      break;
  }
  if (!validity_.empty() && length < length_) {
    for (int64_t i = length; i < length_; ++i) {
      if (!IsValid(i)) --null_count_;
    }
    // FinishSlot expects the bits past the end set (it only clears nulls').
    validity_.resize(static_cast<size_t>((length + 7) >> 3));
    if ((length & 7) != 0) validity_.back() |= static_cast<uint8_t>(0xFF << (length & 7));
  }
  length_ = length;
}

void Column::FinishSlot(bool valid) {
  const int64_t i = length_++;
  if (!valid) {
    if (validity_.empty()) validity_.assign(static_cast<size_t>((i >> 3) + 1), 0xFF);
    ++null_count_;
  }
  if (validity_.empty()) return;
  if (static_cast<size_t>(i >> 3) >= validity_.size()) validity_.push_back(0xFF);
  if (!valid) validity_[i >> 3] &= static_cast<uint8_t>(~(1u << (i & 7)));
}

RecordBatch RecordBatch::Empty(Schema schema) {
  RecordBatch batch;
  for (const NestedField& f : schema.fields()) batch.columns.emplace_back(f.type);
  batch.schema = std::move(schema);
  return batch;
}

RecordBatch SelectRows(RecordBatch batch, const std::vector<uint8_t>& keep) {
  const int64_t kept = std::count_if(keep.begin(), keep.end(), [](uint8_t k) { return k != 0; });
  if (kept == batch.num_rows) return batch;
  RecordBatch out = RecordBatch::Empty(batch.schema);
  out.num_rows = kept;
  // Kept rows come in runs (deletes and filters leave most neighbours
  // together): each run is copied a buffer at a time, not row by row.
  std::vector<std::pair<int64_t, int64_t>> runs;
  for (int64_t r = 0; r < batch.num_rows;) {
    if (!keep[static_cast<size_t>(r)]) {
      ++r;
      continue;
    }
    const int64_t begin = r;
    while (r < batch.num_rows && keep[static_cast<size_t>(r)]) ++r;
    runs.emplace_back(begin, r);
  }
  for (size_t c = 0; c < batch.columns.size(); ++c) {
    for (const auto& [begin, end] : runs) out.columns[c].AppendRange(batch.columns[c], begin, end);
  }
  return out;
}

}  // namespace floe
