#include "floe/format/parquet/column_writer.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include "floe/format/parquet/compression.h"
#include "floe/format/parquet/encoding/rle.h"
#include "floe/util/decimal.h"

namespace floe::parquet {
namespace {

int BitWidth(uint32_t max_value) {
  return max_value == 0 ? 0 : std::bit_width(max_value);
}

void PutU32(std::string* out, uint32_t v) {
  char b[4];
  std::memcpy(b, &v, 4);  // little-endian hosts only (x86-64, aarch64)
  out->append(b, 4);
}

// Physical bytes of leaf value `slot`: what PLAIN writes for fixed-width
// types, and the payload (without length prefix) for BYTE_ARRAY.
class ValueEncoder {
 public:
  explicit ValueEncoder(const LeafColumn& leaf) : leaf_(leaf) {}

  // The value's PLAIN payload in `scratch` or a view into the column.
  std::string_view Physical(const Column& c, int64_t slot, char* scratch) const {
    const Type& t = *leaf_.type;
    if (t.id() == TypeId::kDecimal) {
      const Int128 v = c.Value<Int128>(slot);
      switch (leaf_.physical) {
        case PhysicalType::kInt32: {
          const auto narrow = static_cast<int32_t>(v);
          std::memcpy(scratch, &narrow, 4);
          return {scratch, 4};
        }
        case PhysicalType::kInt64: {
          const auto narrow = static_cast<int64_t>(v);
          std::memcpy(scratch, &narrow, 8);
          return {scratch, 8};
        }
        default:
          DecimalToBigEndian(v, leaf_.type_length, reinterpret_cast<uint8_t*>(scratch));
          return {scratch, static_cast<size_t>(leaf_.type_length)};
      }
    }
    return c.Bytes(slot);
  }

 private:
  const LeafColumn& leaf_;
};

// Min / max in the column's type-defined order, and the NaN count.
class StatsCollector {
 public:
  explicit StatsCollector(const LeafColumn& leaf) : leaf_(leaf) {}

  void Add(std::string_view v) {
    if (IsNaN(v)) {
      ++nan_count_;
      return;
    }
    if (!has_ || Less(v, min_)) min_.assign(v);
    if (!has_ || Less(max_, v)) max_.assign(v);
    has_ = true;
  }

  void Finish(ColumnChunkData* out) {
    out->nan_count = nan_count_;
    if (!has_) return;
    // Parquet: a zero bound is written as -0.0 for min and +0.0 for max, so
    // readers that filter on it include both zeros.
    if (leaf_.physical == PhysicalType::kFloat || leaf_.physical == PhysicalType::kDouble) {
      FixZero(&min_, true);
      FixZero(&max_, false);
    }
    out->min_value = min_;
    out->max_value = max_;
  }

  void Reset() {
    has_ = false;
    nan_count_ = 0;
  }

 private:
  template <typename T>
  static T Load(std::string_view v) {
    T x;
    std::memcpy(&x, v.data(), sizeof(T));
    return x;
  }

  bool IsNaN(std::string_view v) const {
    if (leaf_.physical == PhysicalType::kFloat) return std::isnan(Load<float>(v));
    if (leaf_.physical == PhysicalType::kDouble) return std::isnan(Load<double>(v));
    return false;
  }

  bool Less(std::string_view a, std::string_view b) const {
    switch (leaf_.physical) {
      case PhysicalType::kBoolean:
        return Load<uint8_t>(a) < Load<uint8_t>(b);
      case PhysicalType::kInt32:
        return Load<int32_t>(a) < Load<int32_t>(b);
      case PhysicalType::kInt64:
        return Load<int64_t>(a) < Load<int64_t>(b);
      case PhysicalType::kFloat:
        return Load<float>(a) < Load<float>(b);
      case PhysicalType::kDouble:
        return Load<double>(a) < Load<double>(b);
      default:
        break;
    }
    if (leaf_.type->id() == TypeId::kDecimal) {  // two's complement bytes: signed order
      return *DecimalFromBigEndian(a) < *DecimalFromBigEndian(b);
    }
    const int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
    return c < 0 || (c == 0 && a.size() < b.size());
  }

  void FixZero(std::string* v, bool negative) const {
    if (leaf_.physical == PhysicalType::kFloat && Load<float>(*v) == 0.0f) {
      const float z = negative ? -0.0f : 0.0f;
      std::memcpy(v->data(), &z, 4);
    } else if (leaf_.physical == PhysicalType::kDouble && Load<double>(*v) == 0.0) {
      const double z = negative ? -0.0 : 0.0;
      std::memcpy(v->data(), &z, 8);
    }
  }

  const LeafColumn& leaf_;
  bool has_ = false;
  std::string min_, max_;
  int64_t nan_count_ = 0;
};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

}  // namespace

class ColumnWriter::Impl {
 public:
  Impl(const LeafColumn& leaf, const WriterOptions& options)
      : leaf_(leaf), options_(options), values_(leaf), stats_(leaf) {
    use_dictionary_ = options.dictionary && leaf.physical != PhysicalType::kBoolean;
  }

  Status Write(const ShreddedLeaf& s) {
    // Feed the entries in slices so that pages are cut near their target size;
    // a page only ends where a row ends (repetition level 0).
    constexpr int64_t kSlice = 4096;
    int64_t value_index = 0;
    int64_t entry = 0;
    char scratch[16];
    while (entry < s.num_entries) {
      int64_t end = std::min(s.num_entries, entry + kSlice);
      if (!s.rep_levels.empty()) {
        while (end < s.num_entries && s.rep_levels[static_cast<size_t>(end)] != 0) ++end;
      }
      for (int64_t e = entry; e < end; ++e) {
        const size_t k = static_cast<size_t>(e);
        const bool present = s.def_levels.empty() || s.def_levels[k] == leaf_.max_def;
        if (!s.def_levels.empty()) def_levels_.push_back(static_cast<uint32_t>(s.def_levels[k]));
        if (!s.rep_levels.empty()) {
          rep_levels_.push_back(static_cast<uint32_t>(s.rep_levels[k]));
          if (s.rep_levels[k] == 0) ++page_rows_;
        } else {
          ++page_rows_;
        }
        ++page_entries_;
        if (!present) continue;
        const std::string_view v =
            values_.Physical(*s.values, s.value_slots[static_cast<size_t>(value_index++)], scratch);
        stats_.Add(v);
        AddValue(v);
      }
      entry = end;
      if (PageBytes() >= options_.page_bytes) FLOE_RETURN_IF_ERROR(FlushPage());
    }
    return Status::OK();
  }

  int64_t buffered_bytes() const {
    return uncompressed_total_ + PageBytes() + static_cast<int64_t>(dict_plain_.size());
  }

  Result<ColumnChunkData> Finish() {
    if (page_entries_ > 0 || pages_.empty()) FLOE_RETURN_IF_ERROR(FlushPage());
    ColumnChunkData out;
    ColumnMetaData& m = out.meta;
    m.type = leaf_.physical;
    m.path_in_schema = leaf_.path;
    m.codec = options_.codec;
    int64_t uncompressed = uncompressed_total_;
    if (dictionary_used_) {
      std::string page;
      FLOE_RETURN_IF_ERROR(BuildPage(PageType::kDictionaryPage, dict_plain_, &page));
      m.dictionary_page_offset = 0;
      m.encoding_stats.push_back({PageType::kDictionaryPage, Encoding::kPlain, 1});
      uncompressed += last_header_bytes_ + static_cast<int64_t>(dict_plain_.size());
      out.bytes = std::move(page);
    }
    m.data_page_offset = static_cast<int64_t>(out.bytes.size());
    out.bytes += pages_;
    m.total_compressed_size = static_cast<int64_t>(out.bytes.size());
    m.total_uncompressed_size = uncompressed;
    m.num_values = total_entries_;
    // Encodings used by any page of the chunk, levels included.
    if (dictionary_used_) m.encodings.push_back(Encoding::kPlain);
    if (leaf_.max_def > 0 || leaf_.max_rep > 0) m.encodings.push_back(Encoding::kRle);
    if (dict_pages_ > 0) {
      m.encodings.push_back(Encoding::kRleDictionary);
      m.encoding_stats.push_back({DataPageType(), Encoding::kRleDictionary, dict_pages_});
    }
    if (plain_pages_ > 0) {
      if (!dictionary_used_) m.encodings.push_back(Encoding::kPlain);
      m.encoding_stats.push_back({DataPageType(), Encoding::kPlain, plain_pages_});
    }
    out.value_count = total_entries_;
    out.null_count = total_entries_ - total_values_;
    stats_.Finish(&out);
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

  void AppendPlain(std::string_view v) {
    if (leaf_.physical == PhysicalType::kByteArray)
      PutU32(&plain_, static_cast<uint32_t>(v.size()));
    if (leaf_.physical == PhysicalType::kBoolean) {
      // Booleans are bit-packed, LSB first; collected as bytes, packed at flush.
      bools_.push_back(static_cast<uint8_t>(v[0] != 0));
      return;
    }
    plain_.append(v);
  }

  void AddValue(std::string_view v) {
    ++page_values_;
    if (!use_dictionary_) {
      AppendPlain(v);
      return;
    }
    auto it = dictionary_.find(v);
    if (it == dictionary_.end()) {
      const auto index = static_cast<uint32_t>(dictionary_.size());
      it = dictionary_.emplace(std::string(v), index).first;
      if (leaf_.physical == PhysicalType::kByteArray)
        PutU32(&dict_plain_, static_cast<uint32_t>(v.size()));
      dict_plain_.append(v);
    }
    indices_.push_back(it->second);
    dictionary_used_ = true;
    if (static_cast<int64_t>(dict_plain_.size()) > options_.dictionary_page_bytes) {
      // Over budget: the page so far stays dictionary-encoded; the rest of
      // the chunk is PLAIN. Levels already buffered belong to this page.
      fallback_pending_ = true;
    }
  }

  Status FlushPage() {
    std::string values;
    Encoding encoding = Encoding::kPlain;
    // A page without values before any dictionary entry exists (all nulls so
    // far) is PLAIN: an RLE_DICTIONARY page needs a dictionary page.
    if (use_dictionary_ && !dictionary_.empty()) {
      encoding = Encoding::kRleDictionary;
      const int width =
          BitWidth(dictionary_.empty() ? 0 : static_cast<uint32_t>(dictionary_.size() - 1));
      values.push_back(static_cast<char>(width));
      RleBitPackedEncoder enc(width);
      for (uint32_t i : indices_) enc.Put(i);
      values += enc.Flush();
      ++dict_pages_;
    } else {
      if (leaf_.physical == PhysicalType::kBoolean) {
        std::string packed((bools_.size() + 7) / 8, '\0');
        for (size_t i = 0; i < bools_.size(); ++i) {
          if (bools_[i]) packed[i / 8] = static_cast<char>(packed[i / 8] | (1 << (i % 8)));
        }
        values = std::move(packed);
      } else {
        values = std::move(plain_);
      }
      ++plain_pages_;
    }
    std::string rep = EncodeLevels(rep_levels_, leaf_.max_rep);
    std::string def = EncodeLevels(def_levels_, leaf_.max_def);
    std::string page;
    if (options_.data_page_version == 2) {
      FLOE_RETURN_IF_ERROR(BuildPageV2(encoding, rep, def, values, &page));
    } else {
      std::string body;
      if (leaf_.max_rep > 0) {
        PutU32(&body, static_cast<uint32_t>(rep.size()));
        body += rep;
      }
      if (leaf_.max_def > 0) {
        PutU32(&body, static_cast<uint32_t>(def.size()));
        body += def;
      }
      body += values;
      pending_encoding_ = encoding;
      FLOE_RETURN_IF_ERROR(BuildPage(PageType::kDataPage, body, &page));
      uncompressed_total_ += last_header_bytes_ + static_cast<int64_t>(body.size());
    }
    pages_ += page;
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

  static std::string EncodeLevels(const std::vector<uint32_t>& levels, int16_t max_level) {
    if (max_level == 0) return {};
    RleBitPackedEncoder enc(BitWidth(static_cast<uint32_t>(max_level)));
    for (uint32_t l : levels) enc.Put(l);
    return enc.Flush();
  }

  // A v1 data page or a dictionary page: the whole body compressed.
  Status BuildPage(PageType type, std::string_view body, std::string* out) {
    std::string compressed;
    FLOE_RETURN_IF_ERROR(
        Compress(options_.codec, AsBytes(body), options_.compression_level, &compressed));
    PageHeader h;
    h.type = type;
    h.uncompressed_page_size = static_cast<int32_t>(body.size());
    h.compressed_page_size = static_cast<int32_t>(compressed.size());
    if (type == PageType::kDictionaryPage) {
      h.dictionary_page_header = DictionaryPageHeader{static_cast<int32_t>(dictionary_.size()),
                                                      Encoding::kPlain, std::nullopt};
    } else {
      h.data_page_header = DataPageHeader{static_cast<int32_t>(page_entries_), pending_encoding_,
                                          Encoding::kRle, Encoding::kRle, std::nullopt};
    }
    const std::string header = EncodePageHeader(h);
    last_header_bytes_ = static_cast<int64_t>(header.size());
    *out = header + compressed;
    return Status::OK();
  }

  // A v2 data page: levels uncompressed before the compressed values.
  Status BuildPageV2(Encoding encoding, std::string_view rep, std::string_view def,
                     std::string_view values, std::string* out) {
    std::string compressed;
    FLOE_RETURN_IF_ERROR(
        Compress(options_.codec, AsBytes(values), options_.compression_level, &compressed));
    PageHeader h;
    h.type = PageType::kDataPageV2;
    const auto levels = static_cast<int32_t>(rep.size() + def.size());
    h.uncompressed_page_size = levels + static_cast<int32_t>(values.size());
    h.compressed_page_size = levels + static_cast<int32_t>(compressed.size());
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
    *out = header;
    out->append(rep);
    out->append(def);
    out->append(compressed);
    return Status::OK();
  }

  static std::span<const uint8_t> AsBytes(std::string_view s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
  }

  void Reset() {
    pages_.clear();
    dictionary_.clear();
    dict_plain_.clear();
    use_dictionary_ = options_.dictionary && leaf_.physical != PhysicalType::kBoolean;
    dictionary_used_ = fallback_pending_ = false;
    dict_pages_ = plain_pages_ = 0;
    total_entries_ = total_values_ = 0;
    uncompressed_total_ = 0;
    stats_.Reset();
  }

  const LeafColumn& leaf_;
  const WriterOptions& options_;
  ValueEncoder values_;
  StatsCollector stats_;

  // The open page.
  std::vector<uint32_t> def_levels_, rep_levels_;
  std::vector<uint32_t> indices_;
  std::string plain_;
  std::vector<uint8_t> bools_;
  int64_t page_entries_ = 0, page_values_ = 0, page_rows_ = 0;
  Encoding pending_encoding_ = Encoding::kPlain;

  // The chunk so far.
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> dictionary_;
  std::string dict_plain_;
  bool use_dictionary_ = true, dictionary_used_ = false, fallback_pending_ = false;
  int32_t dict_pages_ = 0, plain_pages_ = 0;
  std::string pages_;
  int64_t total_entries_ = 0, total_values_ = 0;
  int64_t uncompressed_total_ = 0;
  int64_t last_header_bytes_ = 0;
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
