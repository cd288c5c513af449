#include "floe/columnar/column.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <span>

#include "floe/columnar/text_rows.h"

namespace floe {
namespace {

Schema NestedSchema() {
  return Schema(
      {NestedField(1, "id", false, Type::Long()), NestedField(2, "name", false, Type::String()),
       NestedField(3, "tags", false, Type::List(NestedField(4, "element", false, Type::String()))),
       NestedField(5, "point", false,
                   Type::Struct({NestedField(6, "x", false, Type::Int()),
                                 NestedField(7, "label", false, Type::String())}))});
}

std::string Lines(const RecordBatch& batch) {
  std::string out;
  AppendJsonLines(batch, 0, batch.num_rows, &out);
  return out;
}

// A truncated column is the column that never had the dropped slots: the
// same text, the same null counts, and appends after it land right.
// Rows of NestedSchema with nulls at every depth.
const char* const kRows[] = {
    R"({"id": 1, "name": "a", "tags": ["x", "y"], "point": {"x": 1, "label": "p"}})",
    R"({"id": null, "name": null, "tags": null, "point": null})",
    R"({"id": 3, "name": "ccc", "tags": [], "point": {"x": null, "label": "q"}})",
    R"({"id": 4, "name": "d", "tags": ["z", null], "point": {"x": 4, "label": null}})",
    R"({"id": 5, "name": "", "tags": ["w"], "point": {"x": 5, "label": "r"}})",
};

TEST(ColumnTest, TruncateTakesBackSlotsAtEveryDepth) {
  const std::span<const char* const> rows(kRows, 4);
  for (int keep = 0; keep <= 4; ++keep) {
    RecordBatch full = RecordBatch::Empty(NestedSchema());
    for (const char* r : rows) ASSERT_TRUE(AppendJsonRowTo(r, &full).ok());
    for (Column& c : full.columns) c.Truncate(keep);
    full.num_rows = keep;
    RecordBatch expected = RecordBatch::Empty(NestedSchema());
    for (int i = 0; i < keep; ++i) ASSERT_TRUE(AppendJsonRowTo(rows[i], &expected).ok());
    EXPECT_EQ(Lines(full), Lines(expected)) << "keep " << keep;
    for (size_t c = 0; c < full.columns.size(); ++c) {
      EXPECT_EQ(full.columns[c].null_count(), expected.columns[c].null_count()) << keep << "/" << c;
    }
    // Rows appended after the cut read back in place (the validity bits past
    // the end were reset, so a valid slot there is not taken for a null).
    for (int i = keep; i < 4; ++i) {
      ASSERT_TRUE(AppendJsonRowTo(rows[i], &full).ok());
      ASSERT_TRUE(AppendJsonRowTo(rows[i], &expected).ok());
    }
    EXPECT_EQ(Lines(full), Lines(expected)) << "keep " << keep;
  }
}

// A range copied in one piece is the rows appended one by one, after any
// prefix (with or without nulls of its own).
TEST(ColumnTest, AppendRangeEqualsAppendFromRowByRow) {
  const auto& rows = kRows;
  RecordBatch src = RecordBatch::Empty(NestedSchema());
  for (const char* r : rows) ASSERT_TRUE(AppendJsonRowTo(r, &src).ok());
  const char* prefixes[] = {nullptr, rows[0], rows[1]};
  for (const char* prefix : prefixes) {
    for (int64_t begin = 0; begin <= 5; ++begin) {
      for (int64_t end = begin; end <= 5; ++end) {
        RecordBatch ranged = RecordBatch::Empty(NestedSchema());
        RecordBatch expected = RecordBatch::Empty(NestedSchema());
        if (prefix != nullptr) {
          ASSERT_TRUE(AppendJsonRowTo(prefix, &ranged).ok());
          ASSERT_TRUE(AppendJsonRowTo(prefix, &expected).ok());
        }
        for (size_t c = 0; c < src.columns.size(); ++c) {
          ranged.columns[c].AppendRange(src.columns[c], begin, end);
          for (int64_t r = begin; r < end; ++r) expected.columns[c].AppendFrom(src.columns[c], r);
        }
        ranged.num_rows = expected.num_rows = ranged.columns[0].length();
        const std::string where = fmt::format("{} [{}, {})", prefix ? prefix : "-", begin, end);
        EXPECT_EQ(Lines(ranged), Lines(expected)) << where;
        for (size_t c = 0; c < src.columns.size(); ++c) {
          EXPECT_EQ(ranged.columns[c].length(), expected.columns[c].length()) << where;
          EXPECT_EQ(ranged.columns[c].null_count(), expected.columns[c].null_count()) << where;
        }
        // And rows appended after it land right.
        ASSERT_TRUE(AppendJsonRowTo(rows[1], &ranged).ok());
        ASSERT_TRUE(AppendJsonRowTo(rows[1], &expected).ok());
        ASSERT_TRUE(AppendJsonRowTo(rows[0], &ranged).ok());
        ASSERT_TRUE(AppendJsonRowTo(rows[0], &expected).ok());
        EXPECT_EQ(Lines(ranged), Lines(expected)) << where;
      }
    }
  }
}

TEST(ColumnTest, TruncateCutsChildrenOfAnUnfinishedSlot) {
  Column list(Type::List(NestedField(2, "element", false, Type::String())));
  list.child(0).AppendBytes("a");
  list.AppendListEnd();
  list.child(0).AppendBytes("half");  // a slot begun, never ended
  list.Truncate(1);
  EXPECT_EQ(list.child(0).length(), 1);
  Column point(Type::Struct({NestedField(1, "x", false, Type::Int())}));
  point.child(0).Append<int32_t>(5);  // ditto
  point.Truncate(0);
  EXPECT_EQ(point.child(0).length(), 0);
}

TEST(ColumnTest, TruncateIsANoOpWhenNotShorter) {
  Column c(Type::String());
  c.AppendBytes("a");
  c.AppendNull();
  c.Truncate(2);
  c.Truncate(5);
  EXPECT_EQ(c.length(), 2);
  EXPECT_EQ(c.null_count(), 1);
  EXPECT_EQ(c.Bytes(0), "a");
}

}  // namespace
}  // namespace floe
