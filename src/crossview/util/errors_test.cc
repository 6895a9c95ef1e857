#include "crossview/util/errors.h"

#include <gtest/gtest.h>

namespace crossview {
namespace {

TEST(ErrorsTest, CarriesMessageLocationContextAndHint) {
  try {
    throw CV_ERROR(NotFoundError, "map not found").With("path", "/data/map.tif").With("band", 3).Hint("pass --map");
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_EQ(e.message(), "map not found");
    ASSERT_EQ(e.context().size(), 2u);
    EXPECT_EQ(e.context()[0].first, "path");
    EXPECT_EQ(e.context()[0].second, "/data/map.tif");
    EXPECT_EQ(e.context()[1].second, "3");
    EXPECT_EQ(e.hint(), "pass --map");
    EXPECT_STREQ(e.what(), "map not found (path=/data/map.tif, band=3). pass --map");
    EXPECT_EQ(e.where().rfind("util/errors_test.cc:", 0), 0u) << e.where();
  }
}

TEST(ErrorsTest, ConcreteTypesAreCatchableByTypeAndBase) {
  EXPECT_THROW(throw CV_ERROR(InvalidArgumentError, "x"), InvalidArgumentError);
  EXPECT_THROW(throw CV_ERROR(IoError, "x"), Error);
  EXPECT_THROW(throw CV_ERROR(UnavailableError, "x"), std::exception);
  try {
    throw CV_ERROR(InternalError, "broken");
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInternal);
    EXPECT_STREQ(ErrorCodeName(e.code()), "internal error");
  }
}

TEST(ErrorsTest, WithContextAddsToRethrownError) {
  try {
    WithContext("index", "/tmp/idx", [] { throw CV_ERROR(IoError, "checksum mismatch").With("file", "tiles.db"); });
    FAIL() << "expected a throw";
  } catch (const IoError& e) {
    EXPECT_STREQ(e.what(), "checksum mismatch (file=tiles.db, index=/tmp/idx)");
  }
  EXPECT_EQ(WithContext("k", 1, [] { return 42; }), 42);
}

TEST(ErrorsTest, CheckThrowsInternalError) {
  EXPECT_NO_THROW(CV_CHECK(1 + 1 == 2));
  try {
    CV_CHECK(1 + 1 == 3);
    FAIL();
  } catch (const InternalError& e) {
    EXPECT_STREQ(e.what(), "internal check failed: 1 + 1 == 3");
  }
}

}  // namespace
}  // namespace crossview
