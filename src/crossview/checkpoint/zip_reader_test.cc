#include "crossview/checkpoint/zip_reader.h"

#include <gtest/gtest.h>

#include <memory>

#include "crossview/checkpoint/test_builders.h"
#include "crossview/util/errors.h"

namespace crossview::checkpoint {
namespace {

using testing::MakeZip;

std::shared_ptr<const ByteSource> Source(std::string bytes) {
  return std::make_shared<MemorySource>(std::move(bytes), "test.zip");
}

const testing::Entries kEntries = {
    {"arch/data.pkl", "pickle bytes"},
    {"arch/data/0", std::string(1000, '\x7f')},
    {"arch/version", "3\n"},
};

void ExpectEntries(const ZipReader& zip) {
  ASSERT_EQ(zip.entries().size(), kEntries.size());
  for (size_t i = 0; i < kEntries.size(); ++i) {
    const ZipEntry& e = zip.entries()[i];
    EXPECT_EQ(e.name, kEntries[i].first);
    EXPECT_EQ(e.size, kEntries[i].second.size());
    EXPECT_EQ(e.data_offset % 64, 0u) << e.name;
    EXPECT_EQ(zip.ReadString(e, 1 << 20, true), kEntries[i].second);
  }
  EXPECT_EQ(zip.Find("arch/missing"), nullptr);
  try {
    zip.Get("arch/missing");
    FAIL();
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("arch/missing"), std::string::npos);
  }
}

TEST(ZipReaderTest, ReadsStoredAlignedEntries) {
  const ZipReader zip(Source(MakeZip(kEntries)));
  ExpectEntries(zip);
}

TEST(ZipReaderTest, ReadsZip64Records) {
  const std::string bytes = MakeZip(kEntries, /*force_zip64=*/true);
  ASSERT_NE(bytes.find(std::string("PK\x06\x06", 4)), std::string::npos);  // the ZIP64 end record is there
  const ZipReader zip(Source(bytes));
  ExpectEntries(zip);
}

TEST(ZipReaderTest, EveryTruncationIsAnIoError) {
  for (bool zip64 : {false, true}) {
    const std::string bytes = MakeZip(kEntries, zip64);
    for (size_t cut = 0; cut < bytes.size(); ++cut) {
      EXPECT_THROW(ZipReader(Source(bytes.substr(0, cut))), IoError) << "cut at " << cut << " zip64 " << zip64;
    }
  }
}

TEST(ZipReaderTest, CompressedEntryIsUnavailableWithAClearMessage) {
  std::string bytes = MakeZip({{"a/data.pkl", "xyz"}});
  // Patch the method field (stored -> deflate) in the local and the central header.
  for (const char* sig : {"PK\x03\x04", "PK\x01\x02"}) {
    const size_t at = bytes.find(sig);
    const size_t method = at + (sig[2] == '\x03' ? 8 : 10);
    bytes[method] = 8;
  }
  const ZipReader zip(Source(bytes));
  try {
    zip.ReadString(zip.entries()[0], 100, true);
    FAIL();
  } catch (const UnavailableError& e) {
    EXPECT_NE(std::string(e.what()).find("compressed"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("a/data.pkl"), std::string::npos) << e.what();
  }
}

TEST(ZipReaderTest, CrcMismatchIsDetected) {
  std::string bytes = MakeZip({{"a/data/0", "0123456789"}});
  bytes[bytes.find("0123456789") + 3] = 'X';
  const ZipReader zip(Source(bytes));
  EXPECT_THROW(zip.ReadString(zip.entries()[0], 100, true), IoError);
  EXPECT_EQ(zip.ReadString(zip.entries()[0], 100, false), "012X456789");
}

TEST(ZipReaderTest, CorruptOffsetsAndCountsAreIoErrors) {
  const std::string good = MakeZip(kEntries);
  const size_t cd = good.find("PK\x01\x02");
  const size_t eocd = good.rfind("PK\x05\x06");
  auto patch32 = [&](size_t at, uint32_t v) {
    std::string bytes = good;
    for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
    return bytes;
  };
  EXPECT_THROW(ZipReader(Source(patch32(cd + 42, 0x7FFFFFF0))), IoError);   // local header offset
  EXPECT_THROW(ZipReader(Source(patch32(cd + 24, 0x7FFFFFF0))), IoError);   // entry size
  EXPECT_THROW(ZipReader(Source(patch32(eocd + 16, 0x7FFFFFF0))), IoError); // central directory offset
  EXPECT_THROW(ZipReader(Source(patch32(eocd + 12, 0x7FFFFFF0))), IoError); // central directory size
  EXPECT_THROW(ZipReader(Source(patch32(eocd + 8, 0x00FF00FF))), IoError);  // entry counts
  EXPECT_THROW(ZipReader(Source(patch32(cd, 0x12345678))), IoError);       // signature
  // A duplicate name is refused rather than silently shadowing the first entry.
  EXPECT_THROW(ZipReader(Source(MakeZip({{"a", "1"}, {"a", "2"}}))), IoError);
  EXPECT_THROW(ZipReader(Source("not a zip at all, just some text.")), IoError);
}

TEST(ZipReaderTest, EntryLargerThanTheCapIsRefusedBeforeReading) {
  const ZipReader zip(Source(MakeZip(kEntries)));
  EXPECT_THROW(zip.ReadString(zip.entries()[1], 999, true), IoError);
}

TEST(ZipReaderTest, Crc32MatchesTheStandardCheckValue) {
  EXPECT_EQ(Crc32("123456789", 9), 0xCBF43926u);
  EXPECT_EQ(Crc32("6789", 4, Crc32("12345", 5)), 0xCBF43926u);
}

}  // namespace
}  // namespace crossview::checkpoint
