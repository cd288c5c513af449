#include "floe/format/parquet/column_writer.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include "floe/format/parquet/compression.h"
#include "floe/format/parquet/dictionary.h"
#include "floe/format/parquet/encoding/bit_util.h"
#include "floe/format/parquet/encoding/rle.h"
#include "floe/format/parquet/plain_order.h"
#include "floe/util/decimal.h"

namespace floe::parquet {
namespace {

void PutU32(std::string* out, uint32_t v) {
  char b[4];
  std::memcpy(b, &v, 4);  // little-endian hosts only (x86-64, aarch64)
  out->append(b, 4);
}

// Levels when the user leaves it at 0: pyarrow's defaults, which favour speed
// (zstd 1, brotli 8) over the libraries' own (zstd 3, brotli 11).
int DefaultLevel(CompressionCodec codec) {
  switch (codec) {
    case CompressionCodec::kZstd:
      return 1;
    case CompressionCodec::kBrotli:
      return 8;
    default:
      return 0;
  }
}

// How a leaf's values are staged for encoding: the physical representation.
enum class Stage : uint8_t { kBool, kInt32, kInt64, kFloat, kDouble, kBytes };

Stage StageOf(const LeafColumn& leaf) {
  switch (leaf.physical) {
    case PhysicalType::kBoolean:
      return Stage::kBool;
    case PhysicalType::kInt32:
      return Stage::kInt32;
    case PhysicalType::kInt64:
      return Stage::kInt64;
    case PhysicalType::kFloat:
      return Stage::kFloat;
    case PhysicalType::kDouble:
      return Stage::kDouble;
    default:
      return Stage::kBytes;
  }
}

// Calls f(slot) for each present value of the shredded entries [first, last).
// `value_index` tracks the position in value_slots across calls.
template <typename F>
void ForEachPresent(const ShreddedLeaf& s, int16_t max_def, int64_t first, int64_t last,
                    int64_t* value_index, F&& f) {
  if (s.flat) {
    const Column& c = *s.values;
    const bool nullable = c.null_count() > 0;
    for (int64_t e = first; e < last; ++e) {
      const int64_t slot = s.flat_begin + e;
      if (!nullable || c.IsValid(slot)) f(slot);
    }
    return;
  }
  for (int64_t e = first; e < last; ++e) {
    if (s.def_levels.empty() || s.def_levels[static_cast<size_t>(e)] == max_def) {
      f(s.value_slots[static_cast<size_t>((*value_index)++)]);
    }
  }
}

}  // namespace

class ColumnWriter::Impl {
 public:
  Impl(const LeafColumn& leaf, const WriterOptions& options)
      : leaf_(leaf),
        options_(options),
        stage_(StageOf(leaf)),
        level_(options.compression_level != 0 ? options.compression_level
                                              : DefaultLevel(options.codec)),
        dictionary_(leaf.physical == PhysicalType::kByteArray) {
    Reset();
  }

  Status Write(const ShreddedLeaf& s) {
    // Feed the entries in slices so that pages are cut near their target size;
    // a page only ends where a row ends (repetition level 0).
    constexpr int64_t kSlice = 4096;
    int64_t value_index = 0;
    for (int64_t first = 0; first < s.num_entries;) {
      int64_t last = std::min(s.num_entries, first + kSlice);
      if (!s.rep_levels.empty()) {
        while (last < s.num_entries && s.rep_levels[static_cast<size_t>(last)] != 0) ++last;
        page_rows_ += std::count(s.rep_levels.begin() + first, s.rep_levels.begin() + last, 0);
        rep_levels_.insert(rep_levels_.end(), s.rep_levels.begin() + first,
                           s.rep_levels.begin() + last);
      } else {
        page_rows_ += last - first;
      }
      if (!s.def_levels.empty()) {
        def_levels_.insert(def_levels_.end(), s.def_levels.begin() + first,
                           s.def_levels.begin() + last);
      }
      page_entries_ += last - first;
      StageValues(s, first, last, &value_index);
      AddStaged();
      first = last;
      if (fallback_pending_ || PageBytes() >= options_.page_bytes)
        FLOE_RETURN_IF_ERROR(FlushPage());
    }
    return Status::OK();
  }

  int64_t buffered_bytes() const {
    return uncompressed_total_ + PageBytes() + static_cast<int64_t>(dictionary_.plain().size());
  }

  Result<ColumnChunkData> Finish() {
    if (page_entries_ > 0 || pages_.empty()) FLOE_RETURN_IF_ERROR(FlushPage());
    ColumnChunkData out;
    ColumnMetaData& m = out.meta;
    m.type = leaf_.physical;
    m.path_in_schema = leaf_.path;
    m.codec = options_.codec;
    if (dict_pages_ > 0) {
      FLOE_RETURN_IF_ERROR(
          AppendPage(PageType::kDictionaryPage, dictionary_.plain(), &out.dictionary_page));
      m.dictionary_page_offset = 0;
      m.encoding_stats.push_back({PageType::kDictionaryPage, Encoding::kPlain, 1});
    }
    m.data_page_offset = static_cast<int64_t>(out.dictionary_page.size());
    out.data_pages = std::move(pages_);
    pages_ = std::string();
    m.total_compressed_size =
        static_cast<int64_t>(out.dictionary_page.size() + out.data_pages.size());
    m.total_uncompressed_size = uncompressed_total_;
    m.num_values = total_entries_;
    // Encodings used by any page of the chunk, levels included.
    if (dict_pages_ > 0 || plain_pages_ > 0) m.encodings.push_back(Encoding::kPlain);
    if (leaf_.max_def > 0 || leaf_.max_rep > 0) m.encodings.push_back(Encoding::kRle);
    if (dict_pages_ > 0) {
      m.encodings.push_back(Encoding::kRleDictionary);
      m.encoding_stats.push_back({DataPageType(), Encoding::kRleDictionary, dict_pages_});
    }
    if (plain_pages_ > 0)
      m.encoding_stats.push_back({DataPageType(), Encoding::kPlain, plain_pages_});
    out.value_count = total_entries_;
    out.null_count = total_entries_ - total_values_;
    FinishStats(&out);
    Statistics st;
    st.null_count = out.null_count;
    // Very long values make poor bounds and bloat the footer; leave them out.
    constexpr size_t kMaxStatBytes = 4096;
    if (out.min_value && out.min_value->size() <= kMaxStatBytes &&
        out.max_value->size() <= kMaxStatBytes) {
      st.min_value = out.min_value;
      st.max_value = out.max_value;
    }
    m.statistics = std::move(st);
    Reset();
    return out;
  }

 private:
  PageType DataPageType() const {
    return options_.data_page_version == 2 ? PageType::kDataPageV2 : PageType::kDataPage;
  }

  int64_t PageBytes() const {
    const int64_t values = use_dictionary_
                               ? static_cast<int64_t>(indices_.size()) *
                                     BitWidth(static_cast<uint32_t>(dictionary_.size())) / 8
                               : static_cast<int64_t>(plain_.size() + bools_.size() / 8);
    return values + static_cast<int64_t>(def_levels_.size() + rep_levels_.size()) / 4;
  }

  // --- staging: the slice's present values in physical form -------------------

  template <typename T>
  void StageFixed(const ShreddedLeaf& s, int64_t first, int64_t last, int64_t* vi,
                  std::vector<T>* out) {
    out->clear();
    const Column& c = *s.values;
    const bool decimal = leaf_.type->id() == TypeId::kDecimal;
    ForEachPresent(s, leaf_.max_def, first, last, vi, [&](int64_t slot) {
      if constexpr (std::is_integral_v<T>) {
        if (decimal) {
          out->push_back(static_cast<T>(c.Value<Int128>(slot)));
          return;
        }
      }
      out->push_back(c.Value<T>(slot));
    });
  }

  void StageValues(const ShreddedLeaf& s, int64_t first, int64_t last, int64_t* vi) {
    const Column& c = *s.values;
    switch (stage_) {
      case Stage::kBool:
        staged_bool_.clear();
        ForEachPresent(s, leaf_.max_def, first, last, vi,
                       [&](int64_t slot) { staged_bool_.push_back(c.Value<uint8_t>(slot)); });
        return;
      case Stage::kInt32:
        StageFixed(s, first, last, vi, &staged_i32_);
        return;
      case Stage::kInt64:
        StageFixed(s, first, last, vi, &staged_i64_);
        return;
      case Stage::kFloat:
        StageFixed(s, first, last, vi, &staged_f32_);
        return;
      case Stage::kDouble:
        StageFixed(s, first, last, vi, &staged_f64_);
        return;
      case Stage::kBytes: {
        staged_bytes_.clear();
        if (leaf_.type->id() == TypeId::kDecimal) {
          // Big-endian FLBA decimals are made here; the scratch is sized first
          // so the views into it stay valid.
          const auto width = static_cast<size_t>(leaf_.type_length);
          decimal_scratch_.resize(static_cast<size_t>(last - first) * width);
          char* at = decimal_scratch_.data();
          ForEachPresent(s, leaf_.max_def, first, last, vi, [&](int64_t slot) {
            DecimalToBigEndian(c.Value<Int128>(slot), leaf_.type_length,
                               reinterpret_cast<uint8_t*>(at));
            staged_bytes_.emplace_back(at, width);
            at += width;
          });
        } else {
          ForEachPresent(s, leaf_.max_def, first, last, vi,
                         [&](int64_t slot) { staged_bytes_.push_back(c.Bytes(slot)); });
        }
        return;
      }
    }
  }

  // --- statistics, dictionary or plain, for the staged values -------------------

  void AddStaged() {
    switch (stage_) {
      case Stage::kBool:
        AddBools();
        return;
      case Stage::kInt32:
        AddFixed(staged_i32_);
        return;
      case Stage::kInt64:
        AddFixed(staged_i64_);
        return;
      case Stage::kFloat:
        AddFixed(staged_f32_);
        return;
      case Stage::kDouble:
        AddFixed(staged_f64_);
        return;
      case Stage::kBytes:
        AddBytes();
        return;
    }
  }

  template <typename T>
  void AddFixed(const std::vector<T>& values) {
    if (values.empty()) return;
    page_values_ += static_cast<int64_t>(values.size());
    // Min / max in the type's order; NaN is counted and left out of bounds.
    T lo = 0, hi = 0;
    bool any = false;
    for (T v : values) {
      if constexpr (std::is_floating_point_v<T>) {
        if (std::isnan(v)) {
          ++nan_count_;
          continue;
        }
      }
      if (!any) {
        lo = hi = v;
        any = true;
      } else {
        lo = v < lo ? v : lo;
        hi = hi < v ? v : hi;
      }
    }
    if (any)
      UpdateBounds(std::string_view(reinterpret_cast<const char*>(&lo), sizeof(T)),
                   std::string_view(reinterpret_cast<const char*>(&hi), sizeof(T)));
    if (use_dictionary_) {
      using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
      for (T v : values) {
        Bits bits;
        std::memcpy(&bits, &v, sizeof(T));
        indices_.push_back(dictionary_.InsertFixed(bits));
      }
      CheckDictionaryBudget();
    } else {
      plain_.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
    }
  }

  void AddBytes() {
    if (staged_bytes_.empty()) return;
    page_values_ += static_cast<int64_t>(staged_bytes_.size());
    // Bounds are compared only when the value changes (runs of one value are
    // common) and, with a dictionary, only for values new to it.
    std::string_view lo = staged_bytes_[0], hi = staged_bytes_[0];
    auto bound = [&](std::string_view v) {
      if (Less(v, lo)) lo = v;
      if (Less(hi, v)) hi = v;
    };
    std::string_view last;
    bool has_last = false;
    if (use_dictionary_) {
      uint32_t last_index = 0;
      for (std::string_view v : staged_bytes_) {
        if (!has_last || v != last) {
          const size_t before = dictionary_.size();
          last_index = dictionary_.Insert(v, HashBytes(v.data(), v.size()));
          if (dictionary_.size() != before) bound(v);
          last = v;
          has_last = true;
        }
        indices_.push_back(last_index);
      }
      CheckDictionaryBudget();
    } else {
      const bool byte_array = leaf_.physical == PhysicalType::kByteArray;
      for (std::string_view v : staged_bytes_) {
        if (!has_last || v != last) {
          bound(v);
          last = v;
          has_last = true;
        }
        if (byte_array) PutU32(&plain_, static_cast<uint32_t>(v.size()));
        plain_.append(v);
      }
    }
    UpdateBounds(lo, hi);
  }

  void AddBools() {
    if (staged_bool_.empty()) return;
    page_values_ += static_cast<int64_t>(staged_bool_.size());
    uint8_t lo = 1, hi = 0;
    for (uint8_t b : staged_bool_) {
      lo = std::min(lo, b);
      hi = std::max(hi, b);
    }
    UpdateBounds(std::string_view(reinterpret_cast<const char*>(&lo), 1),
                 std::string_view(reinterpret_cast<const char*>(&hi), 1));
    bools_.insert(bools_.end(), staged_bool_.begin(), staged_bool_.end());
  }

  void CheckDictionaryBudget() {
    // Over budget: the open page stays dictionary-encoded; the rest of the
    // chunk is PLAIN (pyarrow and parquet-java fall back the same way).
    if (static_cast<int64_t>(dictionary_.plain().size()) > options_.dictionary_page_bytes)
      fallback_pending_ = true;
  }

  bool Less(std::string_view a, std::string_view b) const { return PlainLess(leaf_, a, b); }

  template <typename T>
  static T Load(std::string_view v) {
    return LoadPlain<T>(v);
  }

  void UpdateBounds(std::string_view lo, std::string_view hi) {
    if (!has_bounds_ || Less(lo, min_)) min_.assign(lo);
    if (!has_bounds_ || Less(max_, hi)) max_.assign(hi);
    has_bounds_ = true;
  }

  void FinishStats(ColumnChunkData* out) {
    out->nan_count = nan_count_;
    if (!has_bounds_) return;
    // Parquet: a zero bound is written as -0.0 for min and +0.0 for max, so
    // readers that filter on it include both zeros.
    if (stage_ == Stage::kFloat && Load<float>(min_) == 0.0f) {
      const float z = -0.0f;
      std::memcpy(min_.data(), &z, 4);
    }
    if (stage_ == Stage::kFloat && Load<float>(max_) == 0.0f) {
      const float z = 0.0f;
      std::memcpy(max_.data(), &z, 4);
    }
    if (stage_ == Stage::kDouble && Load<double>(min_) == 0.0) {
      const double z = -0.0;
      std::memcpy(min_.data(), &z, 8);
    }
    if (stage_ == Stage::kDouble && Load<double>(max_) == 0.0) {
      const double z = 0.0;
      std::memcpy(max_.data(), &z, 8);
    }
    out->min_value = min_;
    out->max_value = max_;
  }

  Status FlushPage() {
    // The value section goes straight into body_ after the levels (v1) or on
    // its own (v2); buffers are members so their capacity is reused.
    values_.clear();
    if (use_dictionary_ && dict_pages_ == 0 && !dictionary_.empty() && !DictionaryPays())
      DropDictionary();
    Encoding encoding = Encoding::kPlain;
    // A page without values before any dictionary entry exists (all nulls so
    // far) is PLAIN: an RLE_DICTIONARY page needs a dictionary page.
    if (use_dictionary_ && !dictionary_.empty()) {
      encoding = Encoding::kRleDictionary;
      const int width = BitWidth(static_cast<uint32_t>(dictionary_.size() - 1));
      values_.push_back(static_cast<char>(width));
      RleBitPackedEncoder enc(width);
      for (uint32_t i : indices_) enc.Put(i);
      values_ += enc.Flush();
      ++dict_pages_;
    } else if (leaf_.physical == PhysicalType::kBoolean) {
      values_.assign((bools_.size() + 7) / 8, '\0');
      for (size_t i = 0; i < bools_.size(); ++i) {
        if (bools_[i]) values_[i / 8] = static_cast<char>(values_[i / 8] | (1 << (i % 8)));
      }
      ++plain_pages_;
    } else {
      ++plain_pages_;
    }
    // PLAIN values are already encoded in plain_.
    const std::string_view values =
        encoding == Encoding::kPlain && leaf_.physical != PhysicalType::kBoolean
            ? std::string_view(plain_)
            : std::string_view(values_);
    const std::string rep = EncodeLevels(rep_levels_, leaf_.max_rep);
    const std::string def = EncodeLevels(def_levels_, leaf_.max_def);
    if (options_.data_page_version == 2) {
      FLOE_RETURN_IF_ERROR(AppendPageV2(encoding, rep, def, values));
    } else {
      body_.clear();
      if (leaf_.max_rep > 0) {
        PutU32(&body_, static_cast<uint32_t>(rep.size()));
        body_ += rep;
      }
      if (leaf_.max_def > 0) {
        PutU32(&body_, static_cast<uint32_t>(def.size()));
        body_ += def;
      }
      body_ += values;
      pending_encoding_ = encoding;
      FLOE_RETURN_IF_ERROR(AppendPage(PageType::kDataPage, body_, &pages_));
    }
    total_entries_ += page_entries_;
    total_values_ += page_values_;
    page_entries_ = page_values_ = page_rows_ = 0;
    def_levels_.clear();
    rep_levels_.clear();
    indices_.clear();
    plain_.clear();
    bools_.clear();
    if (fallback_pending_) {
      use_dictionary_ = false;
      fallback_pending_ = false;
    }
    return Status::OK();
  }

  // Whether the first page is smaller dictionary-encoded, dictionary page
  // included, than PLAIN. parquet-java decides the same way at the first
  // page: a column of distinct values (ids, timestamps) is then written
  // PLAIN, which is smaller and reads without a gather through the dictionary.
  bool DictionaryPays() const {
    const auto width = static_cast<uint64_t>(BitWidth(static_cast<uint32_t>(dictionary_.size())));
    const uint64_t encoded = dictionary_.plain().size() + 1 + (indices_.size() * width + 7) / 8;
    uint64_t plain = 0;
    for (uint32_t i : indices_) plain += dictionary_.PlainEntry(i).size();
    return encoded < plain;
  }

  // Re-stages the open page's values as PLAIN and writes the rest of the
  // chunk without a dictionary.
  void DropDictionary() {
    plain_.clear();
    for (uint32_t i : indices_) plain_.append(dictionary_.PlainEntry(i));
    indices_.clear();
    dictionary_.Clear();
    use_dictionary_ = fallback_pending_ = false;
  }

  static std::string EncodeLevels(const std::vector<int16_t>& levels, int16_t max_level) {
    if (max_level == 0) return {};
    RleBitPackedEncoder enc(BitWidth(static_cast<uint32_t>(max_level)));
    for (int16_t l : levels) enc.Put(static_cast<uint32_t>(l));
    return enc.Flush();
  }

  // Appends a v1 data page or a dictionary page (header, then the whole body
  // compressed) to `dest`.
  Status AppendPage(PageType type, std::string_view body, std::string* dest) {
    compressed_.clear();
    FLOE_RETURN_IF_ERROR(Compress(options_.codec, AsBytes(body), level_, &compressed_));
    FLOE_RETURN_IF_ERROR(CheckPageSize(body.size(), compressed_.size()));
    PageHeader h;
    h.type = type;
    h.uncompressed_page_size = static_cast<int32_t>(body.size());
    h.compressed_page_size = static_cast<int32_t>(compressed_.size());
    if (type == PageType::kDictionaryPage) {
      h.dictionary_page_header = DictionaryPageHeader{static_cast<int32_t>(dictionary_.size()),
                                                      Encoding::kPlain, std::nullopt};
    } else {
      h.data_page_header = DataPageHeader{static_cast<int32_t>(page_entries_), pending_encoding_,
                                          Encoding::kRle, Encoding::kRle, std::nullopt};
    }
    const std::string header = EncodePageHeader(h);
    uncompressed_total_ += static_cast<int64_t>(header.size() + body.size());
    dest->append(header);
    dest->append(compressed_);
    return Status::OK();
  }

  // Appends a v2 data page: levels uncompressed before the compressed values.
  Status AppendPageV2(Encoding encoding, std::string_view rep, std::string_view def,
                      std::string_view values) {
    compressed_.clear();
    FLOE_RETURN_IF_ERROR(Compress(options_.codec, AsBytes(values), level_, &compressed_));
    FLOE_RETURN_IF_ERROR(CheckPageSize(rep.size() + def.size() + values.size(),
                                       rep.size() + def.size() + compressed_.size()));
    PageHeader h;
    h.type = PageType::kDataPageV2;
    const auto levels = static_cast<int32_t>(rep.size() + def.size());
    h.uncompressed_page_size = levels + static_cast<int32_t>(values.size());
    h.compressed_page_size = levels + static_cast<int32_t>(compressed_.size());
    DataPageHeaderV2 v2;
    v2.num_values = static_cast<int32_t>(page_entries_);
    v2.num_nulls = static_cast<int32_t>(page_entries_ - page_values_);
    v2.num_rows = static_cast<int32_t>(page_rows_);
    v2.encoding = encoding;
    v2.definition_levels_byte_length = static_cast<int32_t>(def.size());
    v2.repetition_levels_byte_length = static_cast<int32_t>(rep.size());
    v2.is_compressed = true;
    h.data_page_header_v2 = v2;
    const std::string header = EncodePageHeader(h);
    uncompressed_total_ += static_cast<int64_t>(header.size()) + h.uncompressed_page_size;
    pages_.append(header);
    pages_.append(rep);
    pages_.append(def);
    pages_.append(compressed_);
    return Status::OK();
  }

  // Page headers hold sizes and counts as i32: a page (one row of a huge
  // list cannot be split) past that is refused rather than written wrong.
  Status CheckPageSize(size_t uncompressed, size_t compressed) const {
    if (uncompressed > size_t{INT32_MAX} || compressed > size_t{INT32_MAX} ||
        page_entries_ > INT32_MAX) {
      return Status::InvalidArgument(
          "column {}: a page of {} bytes and {} values is too large for Parquet",
          fmt::format("{}", fmt::join(leaf_.path, ".")), uncompressed, page_entries_);
    }
    return Status::OK();
  }

  static std::span<const uint8_t> AsBytes(std::string_view s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
  }

  void Reset() {
    pages_.clear();
    dictionary_.Clear();
    use_dictionary_ = options_.dictionary && stage_ != Stage::kBool;
    fallback_pending_ = false;
    dict_pages_ = plain_pages_ = 0;
    total_entries_ = total_values_ = 0;
    uncompressed_total_ = 0;
    has_bounds_ = false;
    nan_count_ = 0;
  }

  const LeafColumn& leaf_;
  const WriterOptions& options_;
  const Stage stage_;
  const int level_;

  // The slice being added, staged in physical form.
  std::vector<uint8_t> staged_bool_;
  std::vector<int32_t> staged_i32_;
  std::vector<int64_t> staged_i64_;
  std::vector<float> staged_f32_;
  std::vector<double> staged_f64_;
  std::vector<std::string_view> staged_bytes_;
  std::string decimal_scratch_;

  // The open page.
  std::vector<int16_t> def_levels_, rep_levels_;
  std::vector<uint32_t> indices_;
  std::string plain_;
  std::vector<uint8_t> bools_;
  int64_t page_entries_ = 0, page_values_ = 0, page_rows_ = 0;
  Encoding pending_encoding_ = Encoding::kPlain;

  // The chunk so far.
  Dictionary dictionary_;
  bool use_dictionary_ = true, fallback_pending_ = false;
  int32_t dict_pages_ = 0, plain_pages_ = 0;
  std::string pages_;
  int64_t total_entries_ = 0, total_values_ = 0;
  int64_t uncompressed_total_ = 0;
  std::string body_, values_, compressed_;  // scratch for building pages
  bool has_bounds_ = false;
  std::string min_, max_;
  int64_t nan_count_ = 0;
};

ColumnWriter::ColumnWriter(const LeafColumn& leaf, const WriterOptions& options)
    : impl_(std::make_unique<Impl>(leaf, options)) {}
ColumnWriter::~ColumnWriter() = default;
ColumnWriter::ColumnWriter(ColumnWriter&&) noexcept = default;
ColumnWriter& ColumnWriter::operator=(ColumnWriter&&) noexcept = default;

Status ColumnWriter::Write(const ShreddedLeaf& shredded) {
  return impl_->Write(shredded);
}
int64_t ColumnWriter::buffered_bytes() const {
  return impl_->buffered_bytes();
}
Result<ColumnChunkData> ColumnWriter::Finish() {
  return impl_->Finish();
}

}  // namespace floe::parquet
