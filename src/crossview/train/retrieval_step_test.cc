#include "crossview/train/retrieval_step.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "crossview/train/retrieval_losses.h"
#include "crossview/train/retrieval_trainer.h"
#include "crossview/util/errors.h"

namespace crossview::train {
namespace {

namespace F = torch::nn::functional;

models::RetrievalNetOptions SmallMfrl() {
  models::RetrievalNetOptions o;
  o.method = "mfrl";
  o.convnext = models::ConvNextOptions::Small();
  o.mfrl.sge_groups = 8;
  o.num_classes = 5;
  o.bottleneck = 16;
  o.dropout = 0.0;  // deterministic training-mode features
  return o;
}

models::RetrievalNetOptions SmallIml() {
  models::RetrievalNetOptions o;
  o.method = "imlnet";
  o.backbone.base_width = 4;
  o.iml.unit_channels = 8;
  o.num_classes = 4;
  o.bottleneck = 8;
  o.dropout = 0.0;
  return o;
}

TEST(RetrievalStepTest, MfrlHybridLossWeightsSatelliteAndDroneCe) {
  torch::manual_seed(0);
  models::RetrievalNet net(SmallMfrl());
  net->train();
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.0));  // lr 0: the step leaves the weights alone
  StepBatch b;
  b.satellite = torch::randn({4, 3, 64, 64});
  b.drone = torch::randn({4, 3, 64, 64});
  b.labels = torch::tensor({0, 1, 2, 3}, torch::kLong);
  RetrievalLossOptions lo = RetrievalTrainOptions::Preset("paper", "mfrl").loss;
  EXPECT_EQ(lo.w_sat, 1.5);
  EXPECT_EQ(lo.w_drone, 0.5);
  StepResult r = TrainStep(net, opt, b, lo);
  EXPECT_EQ(r.optimizer_steps, 1);
  EXPECT_EQ(r.drone_scores.sizes(), (std::vector<int64_t>{4, 5}));

  models::RetrievalOutput os = net->forward(b.satellite, models::View::kSatellite);
  models::RetrievalOutput od = net->forward(b.drone, models::View::kDrone);
  ASSERT_EQ(os.logits.size(), 2u);
  auto mean_ce = [&](const models::RetrievalOutput& o) {
    return (F::cross_entropy(o.logits[0], b.labels) + F::cross_entropy(o.logits[1], b.labels)).item<double>() / 2;
  };
  double triplet = CrossViewTripletHeads(os.features, od.features, b.labels).item<double>();
  double want = 1.5 * mean_ce(os) + 0.5 * mean_ce(od) + triplet;
  EXPECT_NEAR(r.loss, want, 1e-4 * std::abs(want));
}

TEST(RetrievalStepTest, ImlNetJointAndCmalSchedules) {
  torch::manual_seed(1);
  models::RetrievalNet net(SmallIml());
  net->train();
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.01));
  StepBatch b;
  b.satellite = torch::randn({3, 3, 32, 32});
  b.drone = torch::randn({3, 3, 32, 32});
  b.satellite_target = b.satellite.clone();
  b.labels = torch::tensor({0, 1, 2}, torch::kLong);
  RetrievalLossOptions lo = RetrievalTrainOptions::Preset("paper", "imlnet").loss;
  torch::Tensor before = net->muml()->parameters()[0].clone();
  StepResult joint = TrainStep(net, opt, b, lo);
  EXPECT_EQ(joint.optimizer_steps, 1);
  EXPECT_TRUE(std::isfinite(joint.loss));
  EXPECT_GT(joint.loss, 0.0);
  EXPECT_FALSE(torch::equal(before, net->muml()->parameters()[0]));  // the unit CE trains G_1
  lo.muml.schedule = "cmal";
  StepResult cmal = TrainStep(net, opt, b, lo);
  EXPECT_EQ(cmal.optimizer_steps, 5);  // one per unit, deepest first, then the combined step
  EXPECT_TRUE(std::isfinite(cmal.loss));
  StepBatch no_target = b;
  no_target.satellite_target = torch::Tensor();
  EXPECT_THROW(TrainStep(net, opt, no_target, lo), InvalidArgumentError);
}

TEST(RetrievalStepTest, MumlCropsUseTheChosenUnitsMap) {
  torch::manual_seed(2);
  models::RetrievalNet net(SmallIml());
  net->train();
  // Make every CAM the channel sum of the unit map: W1 = 1, w2 = 1 for every class.
  {
    torch::NoGradGuard ng;
    for (auto& p : net->muml()->named_parameters()) {
      if (p.key().find(".1.weight") != std::string::npos || p.key().find(".4.weight") != std::string::npos) p.value().fill_(1.0);
    }
  }
  const int64_t n = 2, s = 20;
  torch::Tensor images = torch::arange(n * 3 * s * s, torch::kFloat).reshape({n, 3, s, s});
  models::RetrievalOutput out;
  for (int u = 0; u < 4; ++u) {
    torch::Tensor m = torch::zeros({n, 8, 5, 5});
    m.index_put_({0, torch::indexing::Slice(), u, u}, 1.0);  // image 0: a hot cell on the diagonal, per unit
    m.index_put_({1, torch::indexing::Slice(), 4, 0}, 1.0);  // image 1: bottom-left corner
    out.unit_maps.push_back(m);
    out.logits.push_back(torch::zeros({n, 4}));
  }
  models::MumlOptions mo;
  // Image 0 uses unit 2: its hot cell (2, 2) of 5×5, resized to 20×20 with align_corners, has the
  // row/col tent 1 − |4i/19 − 2|, peak 0.8947² between pixels 9 and 10; the normalised map exceeds
  // 0.5 where the tent exceeds 0.4474: rows/cols 7..12, box ±2 → [5, 14).
  // Image 1 uses unit 0: the corner cell (4, 0) → rows 17..19, cols 0..2 → rows [15, 20), cols [0, 4).
  torch::Tensor crops = MumlCrops(net, images, out, torch::tensor({0, 1}, torch::kLong), torch::tensor({2, 0}, torch::kLong), mo);
  torch::Tensor m0 = models::AttentionMaps(torch::zeros({1, 5, 5}).index_put_({0, 2, 2}, 1.0), s, s)[0];
  models::CropBox b0 = models::AttentionBox(m0, mo);
  EXPECT_EQ(b0, (models::CropBox{5, 14, 5, 14}));
  models::CropBox b1 = models::AttentionBox(models::AttentionMaps(torch::zeros({1, 5, 5}).index_put_({0, 4, 0}, 1.0), s, s)[0], mo);
  EXPECT_EQ(b1, (models::CropBox{15, 20, 0, 4}));
  torch::Tensor want = models::CropAndResize(images, {b0, b1});
  EXPECT_TRUE(torch::allclose(crops, want));
  EXPECT_EQ(crops.sizes(), images.sizes());
}

}  // namespace
}  // namespace crossview::train
