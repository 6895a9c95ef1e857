#include "crossview/datasets/university1652.h"

namespace crossview::datasets {

const char* U1652SplitName(U1652Split split) { return split == U1652Split::kTrain ? "train" : "test"; }

const std::vector<std::string>& University1652::KnownViews(U1652Split split) {
  static const std::vector<std::string> kTrain = {"satellite", "drone", "street", "google"};
  static const std::vector<std::string> kTest = {"query_satellite", "query_drone",    "query_street", "gallery_satellite",
                                                 "gallery_drone",   "gallery_street", "4K_drone"};
  return split == U1652Split::kTrain ? kTrain : kTest;
}

University1652 University1652::Open(const fs::path& root, const University1652Options& options) {
  std::vector<SplitSpec> splits(2);
  splits[0].name = "train";
  splits[0].known_views = KnownViews(U1652Split::kTrain);
  splits[0].required_views = {"satellite", "drone"};
  splits[0].allow_empty_views = {"google"};
  splits[1].name = "test";
  splits[1].known_views = KnownViews(U1652Split::kTest);
  splits[1].required_views = {"query_drone", "gallery_satellite", "query_satellite", "gallery_drone"};
  return University1652(SplitLayout("University-1652", root, std::move(splits), options.scope));
}

EvalPair University1652::Evaluation(Direction direction) const {
  if (direction == Direction::kDroneToSatellite) {
    ViewListing query = List(U1652Split::kTest, "query_drone");
    ViewListing gallery = List(U1652Split::kTest, "gallery_satellite");
    return MakeEvalPair(direction, std::move(query), std::move(gallery));
  }
  ViewListing query = List(U1652Split::kTest, "query_satellite");
  ViewListing gallery = List(U1652Split::kTest, "gallery_drone");
  return MakeEvalPair(direction, std::move(query), std::move(gallery));
}

}  // namespace crossview::datasets
