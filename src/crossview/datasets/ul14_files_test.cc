#include "crossview/datasets/ul14_files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "crossview/datasets/fake_datasets.h"
#include "crossview/util/errors.h"

namespace crossview::datasets {
namespace {

using testing::ErrorMessage;
using ::testing::HasSubstr;
using testing::WorkedExampleGpsInfo;
using testing::WorkedExampleLabels;

TEST(Ul14FilesTest, FolderNamesSplitAtTheLastTwoUnderscores) {
  const Ul14FolderName a = ParseUl14FolderName("town-europe_100_0007");
  EXPECT_EQ(a.place, "town-europe");
  EXPECT_EQ(a.height_m, 100);
  EXPECT_EQ(a.index, 7);
  const Ul14FolderName b = ParseUl14FolderName("uk-countryside2_80_1234");
  EXPECT_EQ(b.place, "uk-countryside2");
  EXPECT_EQ(b.height_m, 80);
  EXPECT_EQ(b.index, 1234);
  EXPECT_EQ(ParseUl14FolderName("Some_Univ_90_12").place, "Some_Univ");
  for (const char* bad :
       {"town", "town_100", "town_x_0001", "_100_0001", "town_100_", "town__0001", "town_0_0001", "town_100_00000000001", ""}) {
    EXPECT_THAT(ErrorMessage<InvalidArgumentError>([&] { ParseUl14FolderName(bad); }),
                HasSubstr("is not <Place>_<Height>_<Index>"))
        << bad;
  }
}

// data.md §4.3: the worked example parses to exactly its numbers, and its label maps back within
// 0.2 px (E, columns) and 0.4 px (N, rows) of "UAV".
TEST(Ul14FilesTest, WorkedExampleParsesAndIsConsistentWithinOnePixel) {
  const auto labels = ParseUl14Labels(WorkedExampleLabels(), "labels.json");
  ASSERT_EQ(labels.size(), 1u);
  EXPECT_EQ(labels.at("0.jpg").row, 230);
  EXPECT_EQ(labels.at("0.jpg").col, 499);

  const Ul14GpsInfo gps = ParseUl14GpsInfo(WorkedExampleGpsInfo(), "GPS_info.json");
  EXPECT_DOUBLE_EQ(gps.uav.lon_deg, -29.698962189421792);
  EXPECT_DOUBLE_EQ(gps.uav.lat_deg, 40.001003867330006);
  ASSERT_EQ(gps.maps.size(), 1u);
  const geo::Ul14SearchMapGps& m = gps.maps.at("0.jpg");
  EXPECT_DOUBLE_EQ(m.tl_e_deg, -29.70124889069581);
  EXPECT_DOUBLE_EQ(m.tl_n_deg, 40.00181235108571);
  EXPECT_DOUBLE_EQ(m.br_e_deg, -29.697730888735784);
  EXPECT_DOUBLE_EQ(m.br_n_deg, 39.99911740523335);
  EXPECT_DOUBLE_EQ(m.center_distribute_x, 0.4);
  EXPECT_DOUBLE_EQ(m.center_distribute_y, -0.3);
  EXPECT_EQ(m.map_size, 300);

  Ul14LabelViolation v;
  EXPECT_FALSE(CheckUl14Label("s", "0.jpg", m, labels.at("0.jpg"), gps.uav, 1.0, 768, &v));
  // With a tighter tolerance the same check reports the exact offsets.
  ASSERT_TRUE(CheckUl14Label("town-europe_100_0017", "0.jpg", m, labels.at("0.jpg"), gps.uav, 0.3, 768, &v));
  EXPECT_NEAR(v.uav_px.row, 0.3 * 768, 1e-6);
  EXPECT_NEAR(v.uav_px.col, 0.65 * 768, 1e-6);
  EXPECT_NEAR(v.error_row_px, 0.4, 1e-6);
  EXPECT_NEAR(v.error_col_px, 0.2, 1e-6);
  // 300 m over 768 px: 0.39 m/px, so (0.4, 0.2) px ≈ 0.175 m.
  EXPECT_NEAR(v.error_m, std::hypot(0.4, 0.2) * 300.0 / 768.0, 2e-3);
  EXPECT_EQ(v.sample, "town-europe_100_0017");
  EXPECT_THAT(v.problem, HasSubstr("label [230, 499] is 0.4"));
}

TEST(Ul14FilesTest, ViolationsAreReportedNotThrown) {
  const Ul14GpsInfo gps = ParseUl14GpsInfo(WorkedExampleGpsInfo(), "GPS_info.json");
  geo::Ul14SearchMapGps m = gps.maps.at("0.jpg");
  Ul14LabelViolation v;
  ASSERT_TRUE(CheckUl14Label("s", "3.jpg", m, {235, 499}, gps.uav, 1.0, 768, &v));
  EXPECT_NEAR(v.error_row_px, -4.6, 1e-6);
  EXPECT_NEAR(v.error_col_px, 0.2, 1e-6);
  EXPECT_EQ(v.map, "3.jpg");
  // Swapped rows/cols (X is the row!) are far off too.
  EXPECT_TRUE(CheckUl14Label("s", "3.jpg", m, {499, 230}, gps.uav, 1.0, 768, &v));
  // Degenerate corners: reported with a reason, no exception.
  m.br_e_deg = m.tl_e_deg;
  ASSERT_TRUE(CheckUl14Label("s", "3.jpg", m, {230, 499}, gps.uav, 1.0, 768, &v));
  EXPECT_THAT(v.problem, HasSubstr("not a north-up box"));
}

TEST(Ul14FilesTest, MalformedLabelsNameTheFileAndKey) {
  struct Case {
    std::string json;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"", "JSON file is empty (file=t/labels.json)"},
      {"  \n", "JSON file is empty"},
      {R"({"0.jpg": [1,)", "malformed JSON (file=t/labels.json, parser="},
      {"[1, 2]", "expected an object (file=t/labels.json, key=(top level), got=array)"},
      {"{}", "labels.json holds no labels"},
      {R"({"0.jpg": "230,499"})", "a label must be [row, col] (file=t/labels.json, key=[\"0.jpg\"], got=string)"},
      {R"({"0.jpg": [230]})", "got=an array of 1"},
      {R"({"0.jpg": [230, 499, 1]})", "got=an array of 3"},
      {R"({"0.jpg": [true, 499]})", "expected a number (file=t/labels.json, key=[\"0.jpg\"][0], got=boolean)"},
      {R"({"0.jpg": [230.5, 499]})", "expected an integer"},
      {R"({"0.jpg": [768, 0]})", "label lies outside the search map (file=t/labels.json, key=[\"0.jpg\"], row=768, col=0"},
      {R"({"0.jpg": [0, -1]})", "label lies outside the search map"},
      {R"({"0.jpg": [1e400, 0]})", "malformed JSON"},
      {R"({"0.jpg": [99999999999999999999999, 0]})", "integer out of range"},
      {R"({"0.jpg": [18446744073709551615, 0]})", "integer out of range"},
      {R"({"../../etc/passwd": [1, 2]})", "key is not a plain file name"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(ErrorMessage<IoError>([&] { ParseUl14Labels(c.json, "t/labels.json"); }), HasSubstr(c.expected)) << c.json;
  }
  // Integral floats are accepted; the stored size bounds the label.
  EXPECT_EQ(ParseUl14Labels(R"({"0.jpg": [230.0, 499]})", "x").at("0.jpg").row, 230);
  EXPECT_THAT(ErrorMessage<IoError>([&] { ParseUl14Labels(R"({"0.jpg": [300, 10]})", "x", 256); }), HasSubstr("map_size_px=256"));
}

TEST(Ul14FilesTest, MalformedGpsInfoNamesTheFileAndKey) {
  const std::string map = R"("tl_E": 1, "tl_N": 2, "br_E": 1.1, "br_N": 1.9, "center_distribute_X": 0, "center_distribute_Y": 0)";
  struct Case {
    std::string json;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"", "JSON file is empty (file=g.json)"},
      {"null", "expected an object"},
      {R"({"Satellite": {}})", "missing key (file=g.json, key=UAV)"},
      {R"({"UAV": {"E": "120.3", "N": 30}, "Satellite": {}})", "expected a number (file=g.json, key=UAV.E, got=string)"},
      {R"({"UAV": {"E": 120, "N": 95}, "Satellite": {}})", "coordinate out of range (file=g.json, key=UAV.N, value=95"},
      {R"({"UAV": {"E": 120, "N": 30}})", "missing key (file=g.json, key=Satellite)"},
      {R"({"UAV": {"E": 120, "N": 30}, "Satellite": []})", "expected an object (file=g.json, key=Satellite, got=array)"},
      {R"({"UAV": {"E": 120, "N": 30}, "Satellite": {}})", "lists no satellite maps"},
      {R"({"UAV": {"E": 120, "N": 30}, "Satellite": {"0.jpg": 5}})", "key=Satellite[\"0.jpg\"], got=number"},
      {R"({"UAV": {"E": 120, "N": 30}, "Satellite": {"0.jpg": {)" + map + R"(}}})",
       "missing key (file=g.json, key=Satellite[\"0.jpg\"].map_size)"},
      {R"({"UAV": {"E": 120, "N": 30}, "Satellite": {"0.jpg": {)" + map + R"(, "map_size": -3}}})", "map_size out of range"},
      {R"({"UAV": {"E": 120, "N": 30}, "Satellite": {"0.jpg": {)" + map + R"(, "map_size": 1e300}}})", "map_size out of range"},
      {R"({"UAV": {"E": 120, "N": 30}, "Satellite": {"0.jpg": {)" + map + R"(, "map_size": 1e999}}})", "malformed JSON"},
      {R"({"UAV": {"E": 1e308, "N": 30}, "Satellite": {}})", "coordinate out of range (file=g.json, key=UAV.E"},
      {R"({"UAV": {"E": 120, "N": 30}, "Satellite": {"a/0.jpg": {}}})", "key is not a plain file name"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(ErrorMessage<IoError>([&] { ParseUl14GpsInfo(c.json, "g.json"); }), HasSubstr(c.expected)) << c.json;
  }
  // Unknown members are ignored; map_size is rounded.
  const Ul14GpsInfo ok = ParseUl14GpsInfo(R"({"UAV": {"E": 120, "N": 30, "H": 90}, "note": [1], "Satellite": {"0.jpg": {)" + map +
                                              R"(, "map_size": 700.4, "year": 2020}}})",
                                          "g.json");
  EXPECT_EQ(ok.maps.at("0.jpg").map_size, 700);
}

TEST(Ul14FilesTest, HostileJsonNeverCrashes) {
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  EXPECT_THAT(ErrorMessage<IoError>([&] { ParseUl14Labels(deep, "deep.json"); }), HasSubstr("expected an object"));
  EXPECT_THAT(ErrorMessage<IoError>([&] { ParseUl14GpsInfo(std::string(100000, '{'), "open.json"); }),
              HasSubstr("malformed JSON"));
  EXPECT_THAT(ErrorMessage<IoError>([&] { ParseUl14Labels(std::string("\0\xff\xfe", 3), "bin.json"); }),
              HasSubstr("malformed JSON"));
  const std::string long_key = "{\"" + std::string(100000, 'k') + "\": [1, 2, 3]}";
  const std::string msg = ErrorMessage<IoError>([&] { ParseUl14Labels(long_key, "long.json"); });
  EXPECT_THAT(msg, HasSubstr("got=an array of 3"));
  EXPECT_LT(msg.size(), 1000u);  // the key is cut in the message
}

}  // namespace
}  // namespace crossview::datasets
