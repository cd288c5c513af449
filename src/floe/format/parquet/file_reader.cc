#include "floe/format/parquet/file_reader.h"

#include <algorithm>
#include <cstring>

#include "floe/format/parquet/compression.h"
#include "floe/format/parquet/encoding/bit_util.h"
#include "floe/format/parquet/encoding/rle.h"
#include "floe/format/parquet/levels.h"
#include "floe/format/parquet/value_decoder.h"

namespace floe::parquet {
namespace {

constexpr int64_t kFooterTail = 8;  // metadata length (4) + "PAR1"
// A page may hold more entries than bytes (RLE runs of nulls), but no writer
// puts more than this in one page; more is taken as a lie about the count.
constexpr int64_t kMaxPageEntries = 1 << 24;
constexpr int64_t kMaxPageBytes = 1ll << 30;

// Pages up to this size are decompressed whatever their ratio; larger ones
// must be justified by their compressed size (MaxExpansion).
constexpr int64_t kMaxUnjustifiedPageBytes = 16ll << 20;

// The most one compressed byte can expand to: the format's limit for snappy
// (a 3-byte copy emits at most 64 bytes), LZ4 (each length byte adds 255) and
// deflate (1032:1). ZSTD and BROTLI can go further in theory; 4096:1 is a
// policy no real page over 16 MiB comes near. Checked before the buffer is
// allocated, so a small page cannot claim a gigabyte.
int64_t MaxExpansion(CompressionCodec codec) {
  switch (codec) {
    case CompressionCodec::kUncompressed:
      return 1;
    case CompressionCodec::kSnappy:
      return 32;
    case CompressionCodec::kLz4:
    case CompressionCodec::kLz4Raw:
      return 256;
    case CompressionCodec::kGzip:
      return 1032;
    default:
      return 4096;
  }
}

// Where a page's levels go. Definition levels of a top-level primitive are
// kept implicit (not stored) while every one is the maximum, which is the
// common case of an optional column without nulls.
struct LevelSink {
  std::vector<int16_t>* levels;
  int64_t* implicit_max = nullptr;  // entries at the maximum not stored; nullptr: always store
  int64_t at_max = 0;               // out: entries of this page at the maximum
};

// Levels of `count` entries from `data`; returns the bytes consumed.
Result<size_t> DecodeLevels(std::span<const uint8_t> data, Encoding encoding, int16_t max_level,
                            int64_t count, bool length_prefixed, LevelSink* sink) {
  std::vector<uint32_t> levels(static_cast<size_t>(count));
  size_t consumed = 0;
  if (encoding == Encoding::kBitPacked) {
    FLOE_ASSIGN_OR_RETURN(
        consumed, DecodeBitPackedLevels(data, BitWidth(static_cast<uint64_t>(max_level)), levels));
  } else if (encoding == Encoding::kRle) {
    std::span<const uint8_t> runs = data;
    if (length_prefixed) {
      FLOE_ASSIGN_OR_RETURN(runs, ReadLengthPrefixedRuns(data, &consumed));
    } else {
      consumed = data.size();
    }
    RleBitPackedDecoder decoder(runs, BitWidth(static_cast<uint64_t>(max_level)));
    FLOE_RETURN_IF_ERROR(decoder.GetExactly(levels));
  } else {
    return Status::NotSupported("level encoding {}", static_cast<int>(encoding));
  }
  const auto max = static_cast<uint32_t>(max_level);
  int64_t at_max = 0;
  for (uint32_t l : levels) {
    if (l > max) return Status::Corruption("level {} above the maximum {}", l, max_level);
    at_max += l == max;
  }
  sink->at_max = at_max;
  if (sink->implicit_max != nullptr && sink->levels->empty()) {
    if (at_max == count) {
      *sink->implicit_max += count;
      return consumed;
    }
    sink->levels->assign(static_cast<size_t>(*sink->implicit_max), max_level);  // materialize
    *sink->implicit_max = 0;
  }
  sink->levels->reserve(sink->levels->size() + levels.size());
  for (uint32_t l : levels) sink->levels->push_back(static_cast<int16_t>(l));
  return consumed;
}

// Where a column chunk's first page is: its dictionary page when it has one.
int64_t ChunkStart(const ColumnMetaData& m) {
  return m.dictionary_page_offset && *m.dictionary_page_offset > 0
             ? std::min(*m.dictionary_page_offset, m.data_page_offset)
             : m.data_page_offset;
}

}  // namespace

// One leaf of the current row group, fully decoded.
struct FileReader::DecodedLeaf {
  const LeafColumn* leaf = nullptr;
  size_t chunk = 0;     // index of the column chunk in the row group
  size_t position = 0;  // index of its top-level field in the projection
  std::vector<int16_t> def, rep;
  int64_t implicit_def = 0;  // leading entries at the maximum level that `def` does not hold
  Column values;             // present values only
  int64_t num_entries = 0;
  std::vector<std::pair<int64_t, int64_t>> rows;
  int64_t next_value = 0;
};

FileReader::~FileReader() = default;

Result<std::unique_ptr<FileReader>> FileReader::Open(std::unique_ptr<InputFile> file) {
  const std::string path = file->path();
  const int64_t size = file->size();
  auto corrupt = [&](std::string_view what) { return Status::Corruption("{}: {}", path, what); };
  if (size < 12) return corrupt(fmt::format("{} bytes is too small for a Parquet file", size));
  uint8_t head[4], tail[kFooterTail];
  FLOE_RETURN_IF_ERROR(file->ReadAt(0, head));
  FLOE_RETURN_IF_ERROR(file->ReadAt(size - kFooterTail, tail));
  if (std::memcmp(tail + 4, "PAR1", 4) != 0) {
    if (std::memcmp(tail + 4, "PARE", 4) == 0) {
      return Status::NotSupported("{}: encrypted Parquet files are not supported", path);
    }
    return corrupt("no PAR1 magic at the end (not a Parquet file, or truncated)");
  }
  if (std::memcmp(head, "PAR1", 4) != 0) return corrupt("no PAR1 magic at the start");
  uint32_t footer_len;
  std::memcpy(&footer_len, tail, 4);
  if (footer_len == 0 || static_cast<int64_t>(footer_len) > size - 12) {
    return corrupt(
        fmt::format("footer length {} does not fit in the file's {} bytes", footer_len, size));
  }
  std::vector<uint8_t> footer(footer_len);
  FLOE_RETURN_IF_ERROR(file->ReadAt(size - kFooterTail - footer_len, footer));
  std::unique_ptr<FileReader> r(new FileReader());
  auto metadata = DecodeFileMetaData(footer);
  if (!metadata.ok()) return metadata.status().WithContext(path + ": footer");
  r->metadata_ = std::move(*metadata);
  auto schema = FromParquetSchema(r->metadata_.schema);
  if (!schema.ok()) return schema.status().WithContext(path);
  r->schema_ = std::move(*schema);
  // Check the row groups against the schema and the file before anything trusts them.
  int64_t rows = 0;
  for (size_t g = 0; g < r->metadata_.row_groups.size(); ++g) {
    const RowGroup& group = r->metadata_.row_groups[g];
    if (group.columns.size() != r->schema_.leaves.size()) {
      return corrupt(fmt::format("row group {} has {} columns, the schema {}", g,
                                 group.columns.size(), r->schema_.leaves.size()));
    }
    if (group.num_rows < 0)
      return corrupt(fmt::format("row group {} has {} rows", g, group.num_rows));
    if (__builtin_add_overflow(rows, group.num_rows, &rows)) return corrupt("row counts overflow");
    for (size_t c = 0; c < group.columns.size(); ++c) {
      const ColumnChunk& chunk = group.columns[c];
      if (chunk.file_path) return Status::NotSupported("{}: column chunks in other files", path);
      if (!chunk.meta_data)
        return corrupt(fmt::format("row group {} column {} has no metadata", g, c));
      const ColumnMetaData& m = *chunk.meta_data;
      const int64_t start = ChunkStart(m);
      // The chunks of an empty row group are never read; writers give them
      // no real place (pyarrow: data_page_offset 0), so only their types count.
      const bool read = group.num_rows > 0;
      if (read && (start < 4 || m.total_compressed_size < 0 || start > size - kFooterTail ||
                   m.total_compressed_size > size - kFooterTail - start)) {
        return corrupt(
            fmt::format("row group {} column {}: chunk at {} of {} bytes lies outside the file", g,
                        c, start, m.total_compressed_size));
      }
      if (m.type != r->schema_.leaves[c].physical) {
        return corrupt(
            fmt::format("row group {} column {}: physical type differs from the schema", g, c));
      }
      // A top-level primitive has one value (null or not) per row; anything
      // else is a lie that would make the reader allocate for nothing.
      if (r->schema_.leaves[c].field_path.size() == 1 && m.num_values != group.num_rows) {
        return corrupt(fmt::format("row group {} column {}: {} values for {} rows", g, c,
                                   m.num_values, group.num_rows));
      }
      if (m.num_values < 0)
        return corrupt(fmt::format("row group {} column {}: {} values", g, c, m.num_values));
    }
  }
  if (rows != r->metadata_.num_rows) {
    return corrupt(
        fmt::format("row groups hold {} rows, the footer says {}", rows, r->metadata_.num_rows));
  }
  r->file_ = std::move(file);
  FLOE_RETURN_IF_ERROR(r->Select({}).status());  // all columns until told otherwise
  return r;
}

Result<Schema> FileReader::Select(const ReadOptions& options) {
  const Schema& all = schema_.schema;
  projected_fields_.clear();
  if (!options.field_ids.empty()) {
    for (int32_t id : options.field_ids) {
      auto it = std::find_if(all.fields().begin(), all.fields().end(),
                             [&](const NestedField& f) { return f.id == id; });
      if (it == all.fields().end())
        return Status::NotFound("{}: no top-level field with id {}", path(), id);
      projected_fields_.push_back(static_cast<int>(it - all.fields().begin()));
    }
  } else if (!options.columns.empty()) {
    for (const std::string& name : options.columns) {
      auto it = std::find_if(all.fields().begin(), all.fields().end(),
                             [&](const NestedField& f) { return f.name == name; });
      if (it == all.fields().end())
        return Status::NotFound("{}: no column named '{}'", path(), name);
      projected_fields_.push_back(static_cast<int>(it - all.fields().begin()));
    }
  } else {
    for (size_t i = 0; i < all.fields().size(); ++i)
      projected_fields_.push_back(static_cast<int>(i));
  }
  std::vector<NestedField> fields;
  for (int i : projected_fields_) fields.push_back(all.fields()[static_cast<size_t>(i)]);
  projected_ = Schema(std::move(fields));
  failed_ = Status::OK();
  predicates_.clear();
  for (const ColumnPredicate& p : options.skip_unless) {
    auto bound = BoundPredicate::Bind(p, schema_);
    if (!bound.ok()) return bound.status().WithContext(path());
    predicates_.push_back(std::move(*bound));
  }
  row_groups_skipped_ = 0;
  batch_rows_ = std::max<int64_t>(1, options.batch_rows);
  const size_t threads =
      options.threads >= 0 ? static_cast<size_t>(options.threads) : DefaultWorkerThreads();
  pool_ = std::make_unique<ThreadPool>(
      std::min(threads, std::max<size_t>(schema_.leaves.size(), 1) - 1));  // the caller works too
  next_row_group_ = 0;
  leaves_.clear();
  row_group_rows_ = next_row_ = 0;
  return projected_;
}

Status FileReader::LoadRowGroup(int index) {
  const RowGroup& group = metadata_.row_groups[static_cast<size_t>(index)];
  leaves_.clear();
  for (size_t position = 0; position < projected_fields_.size(); ++position) {
    for (size_t c = 0; c < schema_.leaves.size(); ++c) {
      if (schema_.leaves[c].field_path[0] != projected_fields_[position]) continue;
      DecodedLeaf d;
      d.leaf = &schema_.leaves[c];
      d.chunk = c;
      d.position = position;
      d.values = Column(d.leaf->type);
      leaves_.push_back(std::move(d));
    }
  }
  // Chunks are read and decoded in parallel: each task has its own buffer.
  // An empty row group's chunks are not read (see Open): its leaves stay empty.
  std::vector<Status> status(leaves_.size());
  pool_->ParallelFor(group.num_rows > 0 ? leaves_.size() : 0, [&](size_t k) {
    DecodedLeaf& d = leaves_[k];
    const LeafColumn& leaf = *d.leaf;
    const ColumnMetaData& m = *group.columns[d.chunk].meta_data;
    const int64_t start = ChunkStart(m);
    const std::string where =
        fmt::format("{}: row group {} column {}", path(), index, fmt::join(leaf.path, "."));
    Buffer<uint8_t> chunk(static_cast<size_t>(m.total_compressed_size));  // read over whole
    Status s = file_->ReadAt(start, chunk);
    if (s.ok()) s = DecodeChunk(leaf, m, chunk, &d);
    if (!s.ok()) {
      status[k] = s.WithContext(where);
      return;
    }
    const int64_t rows =
        leaf.field_path.size() > 1 ? static_cast<int64_t>(d.rows.size()) : d.num_entries;
    if (rows != group.num_rows) {
      status[k] =
          Status::Corruption("{}: {} rows, the row group says {}", where, rows, group.num_rows);
    }
  });
  for (Status& s : status) FLOE_RETURN_IF_ERROR(s);
  row_group_rows_ = group.num_rows;
  next_row_ = 0;
  return Status::OK();
}

Status FileReader::DecodeChunk(const LeafColumn& leaf, const ColumnMetaData& meta,
                               std::span<const uint8_t> chunk, DecodedLeaf* out) {
  std::optional<Column> dictionary;
  Buffer<uint8_t> buffer;  // decompressed pages, each overwriting it whole
  const bool compressed = meta.codec != CompressionCodec::kUncompressed;
  const int direct_width =
      compressed && leaf.field_path.size() == 1 && leaf.max_def == 0 ? PlainColumnWidth(leaf) : 0;
  size_t pos = 0;
  while (pos < chunk.size() && out->num_entries < meta.num_values) {
    size_t header_len = 0;
    FLOE_ASSIGN_OR_RETURN(PageHeader h, DecodePageHeader(chunk.subspan(pos), &header_len));
    pos += header_len;
    if (h.compressed_page_size < 0 ||
        static_cast<size_t>(h.compressed_page_size) > chunk.size() - pos) {
      return Status::Corruption("page of {} bytes runs past the column chunk",
                                h.compressed_page_size);
    }
    if (h.uncompressed_page_size < 0 || h.uncompressed_page_size > kMaxPageBytes) {
      return Status::Corruption("page claims {} uncompressed bytes", h.uncompressed_page_size);
    }
    const auto page = chunk.subspan(pos, static_cast<size_t>(h.compressed_page_size));
    pos += page.size();
    // Decompresses `in` (`size` bytes once decompressed) to `into` from
    // `at` on; uncompressed pages are used where they are.
    auto decompress_to = [&](std::span<const uint8_t> in, size_t size, Buffer<uint8_t>& into,
                             size_t at) -> Result<std::span<const uint8_t>> {
      if (meta.codec == CompressionCodec::kUncompressed) {
        if (in.size() != size)
          return Status::Corruption("uncompressed page of {} bytes, header says {}", in.size(),
                                    size);
        return in;
      }
      if (static_cast<int64_t>(size) > kMaxUnjustifiedPageBytes &&
          static_cast<int64_t>(size) / MaxExpansion(meta.codec) > static_cast<int64_t>(in.size())) {
        return Status::Corruption("{} page of {} bytes cannot decompress to the {} it claims",
                                  CompressionCodecName(meta.codec), in.size(), size);
      }
      into.resize(at + size);
      const std::span<uint8_t> target(into.data() + at, size);
      FLOE_RETURN_IF_ERROR(Decompress(meta.codec, in, target));
      return std::span<const uint8_t>(target);
    };
    auto decompress = [&](std::span<const uint8_t> in, size_t size) {
      return decompress_to(in, size, buffer, 0);
    };
    // PLAIN values of a required flat fixed-width column are decompressed
    // straight into the column: no page buffer, no copy.
    auto append_plain_page = [&](std::span<const uint8_t> in, size_t size,
                                 int64_t entries) -> Status {
      auto& data = out->values.mutable_data();
      const size_t at = data.size();
      FLOE_ASSIGN_OR_RETURN(auto bytes, decompress_to(in, size, data, at));
      const size_t need = static_cast<size_t>(entries) * static_cast<size_t>(direct_width);
      if (bytes.size() < need) {
        data.resize(at);
        return Status::Corruption("column {}: PLAIN values run past the end of the page",
                                  leaf.path.back());
      }
      data.resize(at + need);
      out->values.SetLength(out->values.length() + entries, 0);
      out->num_entries += entries;
      return Status::OK();
    };
    if (h.type == PageType::kDictionaryPage) {
      if (!h.dictionary_page_header || dictionary)
        return Status::Corruption("unexpected dictionary page");
      const int32_t n = h.dictionary_page_header->num_values;
      if (n < 0 || n > int64_t{h.uncompressed_page_size} * 8 + 1)
        return Status::Corruption("dictionary of {} values", n);
      FLOE_ASSIGN_OR_RETURN(auto body,
                            decompress(page, static_cast<size_t>(h.uncompressed_page_size)));
      dictionary.emplace(leaf.type);
      FLOE_RETURN_IF_ERROR(DecodeValues(leaf, Encoding::kPlain, body, n, nullptr, &*dictionary));
      continue;
    }
    if (h.type != PageType::kDataPage && h.type != PageType::kDataPageV2) continue;  // index pages
    const bool v2 = h.type == PageType::kDataPageV2;
    if ((v2 && !h.data_page_header_v2) || (!v2 && !h.data_page_header)) {
      return Status::Corruption("data page without its header");
    }
    const int64_t entries = v2 ? h.data_page_header_v2->num_values : h.data_page_header->num_values;
    if (entries < 0 ||
        entries > std::max<int64_t>(kMaxPageEntries, int64_t{h.uncompressed_page_size} * 8) ||
        entries > meta.num_values - out->num_entries) {
      return Status::Corruption("data page claims {} values", entries);
    }
    // Only top-level primitives may keep their definition levels implicit.
    LevelSink rep_sink{&out->rep}, def_sink{&out->def};
    if (leaf.field_path.size() == 1) def_sink.implicit_max = &out->implicit_def;
    std::span<const uint8_t> values;
    Encoding encoding;
    if (!v2) {
      const DataPageHeader& dh = *h.data_page_header;
      encoding = dh.encoding;
      if (direct_width > 0 && encoding == Encoding::kPlain) {
        FLOE_RETURN_IF_ERROR(
            append_plain_page(page, static_cast<size_t>(h.uncompressed_page_size), entries));
        continue;
      }
      FLOE_ASSIGN_OR_RETURN(auto body,
                            decompress(page, static_cast<size_t>(h.uncompressed_page_size)));
      size_t at = 0;
      if (leaf.max_rep > 0) {
        FLOE_ASSIGN_OR_RETURN(size_t n, DecodeLevels(body, dh.repetition_level_encoding,
                                                     leaf.max_rep, entries, true, &rep_sink));
        at += n;
      }
      if (leaf.max_def > 0) {
        FLOE_ASSIGN_OR_RETURN(size_t n, DecodeLevels(body.subspan(at), dh.definition_level_encoding,
                                                     leaf.max_def, entries, true, &def_sink));
        at += n;
      }
      values = body.subspan(at);
    } else {
      const DataPageHeaderV2& dh = *h.data_page_header_v2;
      encoding = dh.encoding;
      const int64_t rep_len = dh.repetition_levels_byte_length,
                    def_len = dh.definition_levels_byte_length;
      if (rep_len < 0 || def_len < 0 || rep_len + def_len > static_cast<int64_t>(page.size()) ||
          rep_len + def_len > h.uncompressed_page_size) {
        return Status::Corruption("v2 page level lengths {} + {} exceed the page", rep_len,
                                  def_len);
      }
      if (leaf.max_rep > 0) {
        FLOE_RETURN_IF_ERROR(DecodeLevels(page.subspan(0, static_cast<size_t>(rep_len)),
                                          Encoding::kRle, leaf.max_rep, entries, false, &rep_sink)
                                 .status());
      }
      if (leaf.max_def > 0) {
        FLOE_RETURN_IF_ERROR(
            DecodeLevels(page.subspan(static_cast<size_t>(rep_len), static_cast<size_t>(def_len)),
                         Encoding::kRle, leaf.max_def, entries, false, &def_sink)
                .status());
      }
      const auto rest = page.subspan(static_cast<size_t>(rep_len + def_len));
      const auto size = static_cast<size_t>(h.uncompressed_page_size - rep_len - def_len);
      if (dh.is_compressed && direct_width > 0 && encoding == Encoding::kPlain) {
        FLOE_RETURN_IF_ERROR(append_plain_page(rest, size, entries));
        continue;
      }
      if (dh.is_compressed) {
        FLOE_ASSIGN_OR_RETURN(values, decompress(rest, size));
      } else {
        if (rest.size() != size) return Status::Corruption("v2 page sizes disagree");
        values = rest;
      }
    }
    const int64_t present = leaf.max_def > 0 ? def_sink.at_max : entries;
    FLOE_RETURN_IF_ERROR(DecodeValues(leaf, encoding, values, present,
                                      dictionary ? &*dictionary : nullptr, &out->values));
    out->num_entries += entries;
  }
  if (out->num_entries != meta.num_values) {
    return Status::Corruption("pages hold {} values, the column chunk says {}", out->num_entries,
                              meta.num_values);
  }
  // Top-level primitives have one entry per row and need no row ranges.
  if (leaf.field_path.size() > 1) out->rows = RowRanges(out->rep, out->num_entries);
  return Status::OK();
}

bool FileReader::RowGroupMightMatch(int index) const {
  const RowGroup& group = metadata_.row_groups[static_cast<size_t>(index)];
  for (const BoundPredicate& p : predicates_) {
    const size_t leaf = p.leaf_index();
    // Bounds are ordered as the type defines only when the file says so.
    const bool type_defined = leaf < metadata_.column_orders.size() &&
                              metadata_.column_orders[leaf] == ColumnOrder::kTypeDefined;
    if (!p.MightMatch(group.columns[leaf], type_defined)) return false;
  }
  return true;
}

Result<RecordBatch> FileReader::Next() {
  // After an error the row group being read is half consumed: the reader
  // repeats the error until the next Select instead of skipping or misaligning.
  if (!failed_.ok()) return failed_;
  Result<RecordBatch> batch = NextBatch();
  if (!batch.ok()) failed_ = batch.status();
  return batch;
}

Result<RecordBatch> FileReader::NextBatch() {
  while (next_row_ >= row_group_rows_) {
    if (next_row_group_ >= static_cast<int>(metadata_.row_groups.size())) {
      return RecordBatch::Empty(projected_);
    }
    const int group = next_row_group_++;
    if (!RowGroupMightMatch(group)) {
      ++row_groups_skipped_;
      continue;
    }
    FLOE_RETURN_IF_ERROR(LoadRowGroup(group));
  }
  RecordBatch batch = RecordBatch::Empty(projected_);
  const int64_t end = std::min(row_group_rows_, next_row_ + batch_rows_);
  // Projected fields are assembled in parallel; the leaves of one field in
  // schema order, since the first leaf under a node builds the node.
  std::vector<Status> status(projected_fields_.size());
  pool_->ParallelFor(projected_fields_.size(), [&](size_t position) {
    for (DecodedLeaf& d : leaves_) {
      if (d.position != position) continue;
      Status s;
      if (d.leaf->field_path.size() == 1) {
        s = AssembleFlat(*d.leaf, d.def, next_row_, end, d.values, &d.next_value,
                         &batch.columns[position]);
      } else {
        LeafColumn local = *d.leaf;
        local.field_path[0] = static_cast<int>(position);
        const auto rows = std::span(d.rows).subspan(static_cast<size_t>(next_row_),
                                                    static_cast<size_t>(end - next_row_));
        s = AssembleLeaf(local, d.def, d.rep, rows, d.values, &d.next_value, &batch);
      }
      if (!s.ok()) {
        status[position] = s.WithContext(path());
        return;
      }
    }
  });
  for (Status& s : status) FLOE_RETURN_IF_ERROR(s);
  batch.num_rows = end - next_row_;
  next_row_ = end;
  return batch;
}

}  // namespace floe::parquet
