#include "floe/columnar/text_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "floe/columnar/text_rows.h"

namespace floe {
namespace {

constexpr size_t kBatchTextBytes = 256u << 20;

// Whether a CSV record ends inside a quoted field (an odd number of quotes:
// doubled quotes inside a field count two).
bool HasOpenQuote(std::string_view record) {
  return std::count(record.begin(), record.end(), '"') % 2 == 1;
}

bool GetLine(std::istream& in, std::string* line) {
  if (!std::getline(in, *line)) return false;
  if (!line->empty() && line->back() == '\r') line->pop_back();
  return true;
}

}  // namespace

Result<TextFormat> TextFormatOf(const std::string& path) {
  if (path.ends_with(".csv")) return TextFormat::kCsv;
  if (path.ends_with(".jsonl") || path.ends_with(".json") || path == "-")
    return TextFormat::kJsonLines;
  return Status::InvalidArgument("{}: text input must be .jsonl or .csv", path);
}

Status ReadTextRows(std::istream& in, const std::string& name, TextFormat format,
                    const Schema& schema, const std::function<Status(const RecordBatch&)>& sink,
                    int64_t batch_rows) {
  const bool csv = format == TextFormat::kCsv;
  RecordBatch batch = RecordBatch::Empty(schema);
  std::string line;
  std::vector<std::string> fields;
  std::vector<bool> quoted;
  int64_t line_no = 0;
  auto at = [&](Status s) {
    return s.ok() ? s : s.WithContext(fmt::format("{}:{}", name, line_no));
  };
  // CSV: which header column feeds each schema field (-1: none, null).
  std::vector<int> source_of_field(schema.fields().size(), -1);
  size_t header_columns = 0;
  if (csv && GetLine(in, &line)) {
    ++line_no;
    FLOE_RETURN_IF_ERROR(at(SplitCsvRecord(line, &fields, &quoted)));
    for (size_t h = 0; h < fields.size(); ++h) {
      const auto& all = schema.fields();
      auto it = std::find_if(all.begin(), all.end(),
                             [&](const NestedField& f) { return f.name == fields[h]; });
      if (it == all.end()) {
        return at(Status::InvalidArgument(
            "header names column '{}', which the schema does not have", fields[h]));
      }
      source_of_field[static_cast<size_t>(it - all.begin())] = static_cast<int>(h);
    }
    header_columns = fields.size();
  }
  std::vector<std::string> ordered(schema.fields().size());
  std::vector<bool> ordered_quoted(schema.fields().size());
  size_t batch_text = 0;
  while (GetLine(in, &line)) {
    ++line_no;
    if (line.empty()) continue;
    if (csv) {
      // A quoted field may hold line breaks: the record goes on to the next line.
      std::string more;
      while (HasOpenQuote(line) && GetLine(in, &more)) {
        ++line_no;
        line += '\n';
        line += more;
      }
      FLOE_RETURN_IF_ERROR(at(SplitCsvRecord(line, &fields, &quoted)));
      if (fields.size() != header_columns) {
        return at(
            Status::InvalidArgument("{} fields, the header has {}", fields.size(), header_columns));
      }
      for (size_t f = 0; f < ordered.size(); ++f) {
        const int from = source_of_field[f];
        ordered[f] = from >= 0 ? fields[static_cast<size_t>(from)] : std::string();
        ordered_quoted[f] = from >= 0 && quoted[static_cast<size_t>(from)];
      }
      FLOE_RETURN_IF_ERROR(at(AppendCsvRowTo(ordered, ordered_quoted, &batch)));
    } else {
      FLOE_RETURN_IF_ERROR(at(AppendJsonRowTo(line, &batch)));
    }
    batch_text += line.size();
    if (batch.num_rows >= batch_rows || batch_text >= kBatchTextBytes) {
      FLOE_RETURN_IF_ERROR(sink(batch));
      batch = RecordBatch::Empty(schema);
      batch_text = 0;
    }
  }
  return batch.num_rows > 0 ? sink(batch) : Status::OK();
}

}  // namespace floe
