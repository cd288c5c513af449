#include "floe/format/parquet/thrift_compact.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

namespace floe::parquet {
namespace {

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string Hex(const std::string& s) {
  std::string out;
  for (unsigned char c : s) out += fmt::format("{:02x}", c);
  return out;
}

std::string Raw(std::initializer_list<uint8_t> bytes) {
  return std::string(bytes.begin(), bytes.end());
}

// A reader over bytes it keeps alive (CompactReader only views its input).
class OwningReader {
 public:
  explicit OwningReader(std::string bytes) : bytes_(std::move(bytes)), reader_(Bytes(bytes_)) {}
  OwningReader(const OwningReader&) = delete;
  OwningReader& operator=(const OwningReader&) = delete;
  CompactReader* operator->() { return &reader_; }

 private:
  std::string bytes_;
  CompactReader reader_;
};

TEST(ThriftCompactTest, VarintMatchesTheSpecExample) {
  CompactWriter w;
  w.WriteVarint(50399);
  EXPECT_EQ(Hex(w.buffer()), "df8903");
  CompactReader r(Bytes(w.buffer()));
  EXPECT_EQ(*r.ReadVarint(32), 50399u);
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(ThriftCompactTest, ZigZagI32EdgeValues) {
  const std::pair<int32_t, const char*> cases[] = {
      {0, "00"},
      {-1, "01"},
      {1, "02"},
      {-64, "7f"},
      {64, "8001"},
      {std::numeric_limits<int32_t>::max(), "feffffff0f"},
      {std::numeric_limits<int32_t>::min(), "ffffffff0f"},
  };
  for (const auto& [value, hex] : cases) {
    CompactWriter w;
    w.WriteI32(value);
    EXPECT_EQ(Hex(w.buffer()), hex) << value;
    CompactReader r(Bytes(w.buffer()));
    auto read = r.ReadI32();
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    EXPECT_EQ(*read, value);
    EXPECT_EQ(r.remaining(), 0u);
  }
}

TEST(ThriftCompactTest, ZigZagI64EdgeValues) {
  const std::pair<int64_t, const char*> cases[] = {
      {0, "00"},
      {-1, "01"},
      {int64_t{1} << 40, "808080808040"},
      {std::numeric_limits<int64_t>::max(), "feffffffffffffffff01"},
      {std::numeric_limits<int64_t>::min(), "ffffffffffffffffff01"},
  };
  for (const auto& [value, hex] : cases) {
    CompactWriter w;
    w.WriteI64(value);
    EXPECT_EQ(Hex(w.buffer()), hex) << value;
    CompactReader r(Bytes(w.buffer()));
    auto read = r.ReadI64();
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    EXPECT_EQ(*read, value);
  }
}

TEST(ThriftCompactTest, I8AndI16RoundTripAndI16RejectsWideValues) {
  CompactWriter w;
  w.WriteI8(-128);
  w.WriteI8(127);
  w.WriteI16(std::numeric_limits<int16_t>::min());
  w.WriteI16(std::numeric_limits<int16_t>::max());
  w.WriteI32(40000);  // not an i16
  CompactReader r(Bytes(w.buffer()));
  EXPECT_EQ(*r.ReadI8(), -128);
  EXPECT_EQ(*r.ReadI8(), 127);
  EXPECT_EQ(*r.ReadI16(), std::numeric_limits<int16_t>::min());
  EXPECT_EQ(*r.ReadI16(), std::numeric_limits<int16_t>::max());
  EXPECT_EQ(r.ReadI16().status().code(), StatusCode::kCorruption);
}

TEST(ThriftCompactTest, DoubleIsLittleEndianIeee754) {
  CompactWriter w;
  w.WriteDouble(1.0);
  EXPECT_EQ(Hex(w.buffer()), "000000000000f03f");
  const double values[] = {0.0,
                           -0.0,
                           3.5e300,
                           -1e-300,
                           std::numeric_limits<double>::infinity(),
                           std::numeric_limits<double>::quiet_NaN()};
  CompactWriter all;
  for (double v : values) all.WriteDouble(v);
  CompactReader r(Bytes(all.buffer()));
  for (double v : values) {
    auto read = r.ReadDouble();
    ASSERT_TRUE(read.ok());
    EXPECT_EQ(std::bit_cast<uint64_t>(*read), std::bit_cast<uint64_t>(v));
  }
}

TEST(ThriftCompactTest, BinaryRoundTrips) {
  const std::string big(1000, 'x');
  CompactWriter w;
  w.WriteBinary("");
  w.WriteBinary(std::string("a\0b", 3));
  w.WriteBinary(big);
  CompactReader r(Bytes(w.buffer()));
  EXPECT_EQ(*r.ReadBinary(), "");
  EXPECT_EQ(*r.ReadBinary(), std::string_view("a\0b", 3));
  EXPECT_EQ(*r.ReadBinary(), big);
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(ThriftCompactTest, FieldHeadersUseDeltasUpTo15AndLongFormBeyond) {
  CompactWriter w;
  w.WriteStructBegin();
  w.WriteFieldBegin(ThriftType::kI32, 1);  // delta 1: short
  w.WriteI32(7);
  w.WriteFieldBegin(ThriftType::kI32, 16);  // delta 15: short
  w.WriteI32(7);
  w.WriteFieldBegin(ThriftType::kI32, 32);  // delta 16: long
  w.WriteI32(7);
  w.WriteFieldBegin(ThriftType::kI32, 5);  // backwards: long
  w.WriteI32(7);
  w.WriteFieldBegin(ThriftType::kI64, -3);  // negative id: long
  w.WriteI64(7);
  w.WriteFieldBegin(ThriftType::kI64, 32767);
  w.WriteI64(7);
  w.WriteFieldStop();
  w.WriteStructEnd();
  EXPECT_EQ(Hex(w.buffer()), "150ef50e05400e050a0e06050e06feff030e00");

  CompactReader r(Bytes(w.buffer()));
  ASSERT_TRUE(r.ReadStructBegin().ok());
  for (int16_t want : {1, 16, 32, 5, -3, 32767}) {
    auto field = r.ReadFieldBegin();
    ASSERT_TRUE(field.ok()) << field.status().ToString();
    EXPECT_EQ(field->id, want);
    ASSERT_TRUE(r.Skip(field->type).ok());
  }
  EXPECT_EQ(r.ReadFieldBegin()->type, ThriftType::kStop);
  EXPECT_TRUE(r.ReadStructEnd().ok());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(ThriftCompactTest, BoolFieldsCarryTheirValueInTheHeader) {
  CompactWriter w;
  w.WriteStructBegin();
  w.WriteFieldBegin(ThriftType::kBool, 1);
  w.WriteBool(true);
  w.WriteFieldBegin(ThriftType::kBool, 2);
  w.WriteBool(false);
  w.WriteFieldBegin(ThriftType::kBool, 40);
  w.WriteBool(true);
  w.WriteFieldBegin(ThriftType::kList, 41);
  w.WriteListBegin(ThriftType::kBool, 2);
  w.WriteBool(true);
  w.WriteBool(false);
  w.WriteFieldStop();
  w.WriteStructEnd();
  EXPECT_EQ(Hex(w.buffer()),
            "11120150192201"
            "0000");

  CompactReader r(Bytes(w.buffer()));
  ASSERT_TRUE(r.ReadStructBegin().ok());
  for (bool want : {true, false, true}) {
    auto field = r.ReadFieldBegin();
    ASSERT_TRUE(field.ok());
    EXPECT_EQ(field->type, ThriftType::kBool);
    EXPECT_EQ(*r.ReadBool(), want);
  }
  ASSERT_EQ(r.ReadFieldBegin()->type, ThriftType::kList);
  auto list = r.ReadListBegin();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->elem_type, ThriftType::kBool);
  EXPECT_EQ(list->size, 2u);
  EXPECT_TRUE(*r.ReadBool());
  EXPECT_FALSE(*r.ReadBool());
  EXPECT_TRUE(r.ReadListEnd().ok());
}

TEST(ThriftCompactTest, BoolElementsAcceptBothWireConventions) {
  // Element type 1 (what some writers use) and false written as 2 are read too.
  OwningReader r(Raw({0x31, 0x01, 0x02, 0x00}));
  auto list = r->ReadListBegin();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->elem_type, ThriftType::kBool);
  EXPECT_TRUE(*r->ReadBool());
  EXPECT_FALSE(*r->ReadBool());
  EXPECT_FALSE(*r->ReadBool());

  OwningReader bad(Raw({0x03}));
  EXPECT_EQ(bad->ReadBool().status().code(), StatusCode::kCorruption);
}

TEST(ThriftCompactTest, NestedStructsKeepTheirOwnFieldIds) {
  CompactWriter w;
  w.WriteStructBegin();
  w.WriteFieldBegin(ThriftType::kI32, 10);
  w.WriteI32(1);
  w.WriteFieldBegin(ThriftType::kStruct, 11);
  w.WriteStructBegin();
  w.WriteFieldBegin(ThriftType::kI32, 1);  // delta from 0, not from 11
  w.WriteI32(2);
  w.WriteFieldStop();
  w.WriteStructEnd();
  w.WriteFieldBegin(ThriftType::kI32, 12);  // delta from 11
  w.WriteI32(3);
  w.WriteFieldStop();
  w.WriteStructEnd();
  EXPECT_EQ(Hex(w.buffer()), "a5021c150400150600");
}

TEST(ThriftCompactTest, ListHeadersUseShortFormBelow15) {
  CompactWriter w;
  w.WriteListBegin(ThriftType::kI32, 14);
  EXPECT_EQ(Hex(w.buffer()), "e5");
  CompactWriter l;
  l.WriteListBegin(ThriftType::kI32, 15);
  EXPECT_EQ(Hex(l.buffer()), "f50f");
  CompactWriter e;
  e.WriteListBegin(ThriftType::kBinary, 0);
  EXPECT_EQ(Hex(e.buffer()), "08");
}

TEST(ThriftCompactTest, ListsOfStructsRoundTrip) {
  CompactWriter w;
  w.WriteListBegin(ThriftType::kStruct, 20);
  for (int i = 0; i < 20; ++i) {
    w.WriteStructBegin();
    w.WriteFieldBegin(ThriftType::kI64, 1);
    w.WriteI64(i * 1000);
    w.WriteFieldBegin(ThriftType::kBinary, 2);
    w.WriteBinary(std::to_string(i));
    w.WriteFieldStop();
    w.WriteStructEnd();
  }
  CompactReader r(Bytes(w.buffer()));
  auto list = r.ReadListBegin();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size, 20u);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(r.ReadStructBegin().ok());
    auto f1 = r.ReadFieldBegin();
    EXPECT_EQ(f1->id, 1);
    EXPECT_EQ(*r.ReadI64(), i * 1000);
    auto f2 = r.ReadFieldBegin();
    EXPECT_EQ(f2->id, 2);
    EXPECT_EQ(*r.ReadBinary(), std::to_string(i));
    EXPECT_EQ(r.ReadFieldBegin()->type, ThriftType::kStop);
    ASSERT_TRUE(r.ReadStructEnd().ok());
  }
  EXPECT_TRUE(r.ReadListEnd().ok());
  EXPECT_EQ(r.remaining(), 0u);
}

// A struct holding one field of every type (ids 1..14), then field 99 = 4242.
std::string EveryTypeStruct() {
  CompactWriter w;
  w.WriteStructBegin();
  w.WriteFieldBegin(ThriftType::kBool, 1);
  w.WriteBool(true);
  w.WriteFieldBegin(ThriftType::kI8, 2);
  w.WriteI8(-5);
  w.WriteFieldBegin(ThriftType::kI16, 3);
  w.WriteI16(-300);
  w.WriteFieldBegin(ThriftType::kI32, 4);
  w.WriteI32(123456);
  w.WriteFieldBegin(ThriftType::kI64, 5);
  w.WriteI64(-1);
  w.WriteFieldBegin(ThriftType::kDouble, 6);
  w.WriteDouble(2.5);
  w.WriteFieldBegin(ThriftType::kBinary, 7);
  w.WriteBinary("skip me");
  w.WriteFieldBegin(ThriftType::kList, 8);
  w.WriteListBegin(ThriftType::kI32, 16);
  for (int i = 0; i < 16; ++i) w.WriteI32(i);
  w.WriteFieldBegin(ThriftType::kSet, 9);
  w.WriteSetBegin(ThriftType::kBinary, 2);
  w.WriteBinary("a");
  w.WriteBinary("b");
  w.WriteFieldBegin(ThriftType::kMap, 10);
  w.WriteMapBegin(ThriftType::kBinary, ThriftType::kBool, 2);
  w.WriteBinary("k1");
  w.WriteBool(true);
  w.WriteBinary("k2");
  w.WriteBool(false);
  w.WriteFieldBegin(ThriftType::kMap, 11);
  w.WriteMapBegin(ThriftType::kI32, ThriftType::kI32, 0);
  w.WriteFieldBegin(ThriftType::kStruct, 12);
  w.WriteStructBegin();
  w.WriteFieldBegin(ThriftType::kList, 1);
  w.WriteListBegin(ThriftType::kStruct, 1);
  w.WriteStructBegin();
  w.WriteFieldBegin(ThriftType::kBool, 3);
  w.WriteBool(false);
  w.WriteFieldBegin(ThriftType::kDouble, 4);
  w.WriteDouble(-1);
  w.WriteFieldStop();
  w.WriteStructEnd();
  w.WriteFieldStop();
  w.WriteStructEnd();
  w.WriteFieldBegin(ThriftType::kUuid, 13);
  w.WriteUuid({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
  w.WriteFieldBegin(ThriftType::kList, 14);
  w.WriteListBegin(ThriftType::kDouble, 2);
  w.WriteDouble(1);
  w.WriteDouble(2);
  w.WriteFieldBegin(ThriftType::kI32, 99);
  w.WriteI32(4242);
  w.WriteFieldStop();
  w.WriteStructEnd();
  return std::move(w).Finish();
}

TEST(ThriftCompactTest, SkipPassesOverEveryType) {
  const std::string bytes = EveryTypeStruct();
  CompactReader r(Bytes(bytes));
  ASSERT_TRUE(r.ReadStructBegin().ok());
  const ThriftType want[] = {ThriftType::kBool,   ThriftType::kI8,   ThriftType::kI16,
                             ThriftType::kI32,    ThriftType::kI64,  ThriftType::kDouble,
                             ThriftType::kBinary, ThriftType::kList, ThriftType::kSet,
                             ThriftType::kMap,    ThriftType::kMap,  ThriftType::kStruct,
                             ThriftType::kUuid,   ThriftType::kList};
  for (ThriftType type : want) {
    auto field = r.ReadFieldBegin();
    ASSERT_TRUE(field.ok()) << field.status().ToString();
    EXPECT_EQ(field->type, type) << ThriftTypeName(type);
    const Status skipped = r.Skip(field->type);
    ASSERT_TRUE(skipped.ok()) << skipped.ToString();
  }
  auto marker = r.ReadFieldBegin();
  ASSERT_TRUE(marker.ok());
  EXPECT_EQ(marker->id, 99);
  EXPECT_EQ(*r.ReadI32(), 4242);
  EXPECT_EQ(r.ReadFieldBegin()->type, ThriftType::kStop);
  EXPECT_TRUE(r.ReadStructEnd().ok());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(ThriftCompactTest, SkipWholeStructThenNothingLeft) {
  const std::string bytes = EveryTypeStruct();
  CompactReader r(Bytes(bytes));
  const Status s = r.Skip(ThriftType::kStruct);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(ThriftCompactTest, TruncationAtEveryOffsetIsAnError) {
  const std::string bytes = EveryTypeStruct();
  for (size_t n = 0; n < bytes.size(); ++n) {
    CompactReader r(Bytes(bytes).first(n));
    const Status s = r.Skip(ThriftType::kStruct);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << "prefix " << n << ": " << s.ToString();
  }
}

TEST(ThriftCompactTest, HugeListIsRejectedBeforeAnyElement) {
  CompactWriter w;
  w.WriteListBegin(ThriftType::kStruct, 1'000'000'000);
  std::string bytes = w.buffer() + std::string(10, '\0');
  CompactReader r(Bytes(bytes));
  auto list = r.ReadListBegin();
  EXPECT_EQ(list.status().code(), StatusCode::kCorruption);
  EXPECT_NE(list.status().message().find("1000000000"), std::string_view::npos);

  // Doubles take 8 bytes each: 2 of them do not fit in 15.
  CompactWriter d;
  d.WriteListBegin(ThriftType::kDouble, 2);
  bytes = d.buffer() + std::string(15, '\0');
  CompactReader rd(Bytes(bytes));
  EXPECT_FALSE(rd.ReadListBegin().ok());

  // A size beyond int32 (varint 0xFFFFFFFF).
  OwningReader neg(Raw({0xF5, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0, 0}));
  EXPECT_FALSE(neg->ReadListBegin().ok());
}

TEST(ThriftCompactTest, HugeMapAndBinaryAreRejected) {
  CompactWriter m;
  m.WriteMapBegin(ThriftType::kI32, ThriftType::kI32, 6);
  std::string bytes = m.buffer() + std::string(11, '\0');  // 6 pairs need 12
  CompactReader rm(Bytes(bytes));
  EXPECT_EQ(rm.ReadMapBegin().status().code(), StatusCode::kCorruption);

  CompactWriter b;
  b.WriteVarint(1'000'000);
  bytes = b.buffer() + "abc";
  CompactReader rb(Bytes(bytes));
  EXPECT_EQ(rb.ReadBinary().status().code(), StatusCode::kCorruption);

  OwningReader neg(Raw({0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 'a'}));
  EXPECT_EQ(neg->ReadBinary().status().code(), StatusCode::kCorruption);
}

TEST(ThriftCompactTest, NestingBeyondTheLimitIsRejected) {
  // Structs: field 1 of each holds the next struct.
  auto nested = [](int depth) {
    std::string s;
    for (int i = 0; i < depth - 1; ++i) s.push_back(0x1C);
    s.append(static_cast<size_t>(depth), '\0');
    return s;
  };
  const std::string ok = nested(CompactReader::kMaxDepth);
  CompactReader r_ok(Bytes(ok));
  EXPECT_TRUE(r_ok.Skip(ThriftType::kStruct).ok());
  const std::string deep = nested(CompactReader::kMaxDepth + 1);
  CompactReader r_deep(Bytes(deep));
  EXPECT_EQ(r_deep.Skip(ThriftType::kStruct).code(), StatusCode::kCorruption);

  // Lists of lists count too; 100000 levels must not exhaust the stack.
  std::string lists(100000, 0x19);
  CompactReader r_lists(Bytes(lists));
  EXPECT_EQ(r_lists.Skip(ThriftType::kList).code(), StatusCode::kCorruption);
}

TEST(ThriftCompactTest, BadVarintsAreRejected) {
  // Eleven continuation bytes.
  OwningReader r64(std::string(11, '\xff'));
  EXPECT_EQ(r64->ReadI64().status().code(), StatusCode::kCorruption);
  // The tenth byte of an i64 may only hold bit 63.
  OwningReader r64b(Raw({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}));
  EXPECT_EQ(r64b->ReadI64().status().code(), StatusCode::kCorruption);
  // The fifth byte of an i32 may only hold 4 bits.
  OwningReader r32(Raw({0xff, 0xff, 0xff, 0xff, 0x10}));
  EXPECT_EQ(r32->ReadI32().status().code(), StatusCode::kCorruption);
  OwningReader r32b(Raw({0x80, 0x80, 0x80, 0x80, 0x80, 0x00}));
  EXPECT_EQ(r32b->ReadI32().status().code(), StatusCode::kCorruption);
  // Truncated in the middle.
  OwningReader cut(Raw({0x80, 0x80}));
  EXPECT_EQ(cut->ReadI32().status().code(), StatusCode::kCorruption);
  // Over-long but in range (a redundant zero group) is accepted, as other readers do.
  OwningReader padded(Raw({0x82, 0x00}));
  EXPECT_EQ(*padded->ReadI32(), 1);
}

TEST(ThriftCompactTest, BadHeadersAreRejected) {
  // Field type nibbles 14 and 15 do not exist.
  for (uint8_t byte : {0x1E, 0x1F, 0x10}) {
    OwningReader r(Raw({byte, 0}));
    ASSERT_TRUE(r->ReadStructBegin().ok());
    EXPECT_EQ(r->ReadFieldBegin().status().code(), StatusCode::kCorruption) << int{byte};
  }
  // Element type 0 or 14.
  for (uint8_t byte : {0x10, 0x1E}) {
    OwningReader r(Raw({byte, 0, 0}));
    EXPECT_FALSE(r->ReadListBegin().ok()) << int{byte};
  }
  // A delta pushing the field id past INT16_MAX.
  CompactWriter w;
  w.WriteStructBegin();
  w.WriteFieldBegin(ThriftType::kI8, 32767);
  w.WriteI8(0);
  std::string bytes = w.buffer() + Raw({0x13, 0x00, 0x00});
  CompactReader r(Bytes(bytes));
  ASSERT_TRUE(r.ReadStructBegin().ok());
  ASSERT_TRUE(r.ReadFieldBegin().ok());
  ASSERT_TRUE(r.ReadI8().ok());
  EXPECT_EQ(r.ReadFieldBegin().status().code(), StatusCode::kCorruption);
}

TEST(ThriftCompactTest, EveryCorruptedByteIsHandled) {
  // Each byte replaced with a few values: any outcome but a crash is fine.
  const std::string bytes = EveryTypeStruct();
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (uint8_t v : {0x00, 0x0F, 0x7F, 0x80, 0xFF}) {
      std::string mutated = bytes;
      mutated[i] = static_cast<char>(v);
      CompactReader r(Bytes(mutated));
      (void)r.Skip(ThriftType::kStruct);
    }
  }
}

}  // namespace
}  // namespace floe::parquet
