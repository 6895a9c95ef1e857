#include "crossview/checkpoint/safetensors_format.h"

#include <gtest/gtest.h>

#include "crossview/util/errors.h"

namespace crossview::checkpoint {
namespace {

// A file with this JSON header and `data_bytes` zero bytes of data.
std::string File(const std::string& json, size_t data_bytes) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((json.size() >> (8 * i)) & 0xFF);
  return out + json + std::string(data_bytes, '\0');
}

SafetensorsHeader Parse(const std::string& bytes) { return ParseSafetensorsHeader(MemorySource(bytes, "t.safetensors")); }

std::string What(const std::string& bytes) {
  try {
    Parse(bytes);
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

TEST(SafetensorsFormatTest, ParsesAValidHeader) {
  const SafetensorsHeader h = Parse(File(
      R"({"b":{"dtype":"F32","shape":[2,2],"data_offsets":[2,18]},"a":{"dtype":"I16","shape":[1],"data_offsets":[0,2]},)"
      R"("__metadata__":{"format":"pt"}})",
      18));
  ASSERT_EQ(h.entries.size(), 2u);
  EXPECT_EQ(h.entries[0].name, "a");  // ordered by offset
  EXPECT_EQ(h.entries[1].name, "b");
  EXPECT_EQ(h.entries[1].shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(h.metadata.at("format"), "pt");
}

TEST(SafetensorsFormatTest, RejectsBadOffsets) {
  const std::string a = R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})";
  EXPECT_NE(What(File("{" + a + R"(,"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", 12)).find("overlaps"),
            std::string::npos);
  EXPECT_NE(What(File("{" + a + R"(,"b":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}})", 16)).find("gap"),
            std::string::npos);
  EXPECT_NE(What(File("{" + a + "}", 4)).find("out of bounds"), std::string::npos);
  EXPECT_NE(What(File("{" + a + "}", 9)).find("buffer size"), std::string::npos);  // trailing byte
  EXPECT_NE(What(File(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8)).find("disagrees"),
            std::string::npos);
  EXPECT_NE(What(File(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", 8)).find("disagrees"),
            std::string::npos);
  EXPECT_NE(What(File(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", 8)).find("non-negative"),
            std::string::npos);
  EXPECT_NE(What(File(R"({"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}})", 8))
                .find("too large"),
            std::string::npos);
  EXPECT_NE(What(File("{" + a + "," + a + "}", 8)).find("duplicate"), std::string::npos);
}

TEST(SafetensorsFormatTest, RejectsMalformedHeaders) {
  EXPECT_THROW(Parse("abc"), IoError);
  std::string huge(16, '\0');
  huge[7] = 0x10;  // header length 2^60
  EXPECT_THROW(Parse(huge), IoError);
  EXPECT_THROW(Parse(File(R"({"a":1})", 0).substr(0, 12)), IoError);  // truncated header
  EXPECT_THROW(Parse(File("[1,2]", 0)), IoError);
  EXPECT_THROW(Parse(File("{not json", 0)), IoError);
  EXPECT_THROW(Parse(File(std::string(100000, '[') + std::string(100000, ']'), 0)), IoError);
  EXPECT_THROW(Parse(File(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}})", 4)), IoError);
  EXPECT_THROW(Parse(File(R"({"__metadata__":{"k":1}})", 0)), IoError);
  EXPECT_THROW(Parse(File(R"({"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}})", 1)), UnavailableError);
}

TEST(SafetensorsFormatTest, SerializedHeaderParsesBackAndIsAligned) {
  std::vector<SafetensorsEntry> entries(3);
  entries[0] = {"x", DType::kBFloat16, {3}, 0, 0};
  entries[1] = {"y", DType::kBool, {}, 0, 0};
  entries[2] = {"z", DType::kInt64, {2, 0}, 0, 0};
  const std::string header = SerializeSafetensorsHeader(entries, {{"k", "v"}});
  EXPECT_EQ(header.size() % 8, 0u);
  EXPECT_EQ(entries[1].begin, 6u);
  EXPECT_EQ(entries[1].end, 7u);
  const SafetensorsHeader parsed = Parse(header + std::string(7, '\0'));
  ASSERT_EQ(parsed.entries.size(), 3u);
  EXPECT_EQ(parsed.metadata.at("k"), "v");
  std::vector<SafetensorsEntry> dup = {{"x", DType::kFloat32, {1}, 0, 0}, {"x", DType::kFloat32, {1}, 0, 0}};
  EXPECT_THROW(SerializeSafetensorsHeader(dup, {}), InvalidArgumentError);
  std::vector<SafetensorsEntry> reserved = {{"__metadata__", DType::kFloat32, {1}, 0, 0}};
  EXPECT_THROW(SerializeSafetensorsHeader(reserved, {}), InvalidArgumentError);
}

}  // namespace
}  // namespace crossview::checkpoint
