#include "crossview/train/retrieval_losses.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

namespace crossview::train {
namespace {

TEST(RetrievalLossesTest, CrossEntropySumVersusMean) {
  at::Tensor l = torch::zeros({2, 4});  // uniform: CE = log 4 per head
  at::Tensor y = torch::tensor({0, 3}, torch::kLong);
  EXPECT_NEAR(CrossEntropyHeads({l, l, l}, y, HeadReduction::kSum).item<double>(), 3 * std::log(4.0), 1e-6);
  EXPECT_NEAR(CrossEntropyHeads({l, l, l}, y, HeadReduction::kMean).item<double>(), std::log(4.0), 1e-6);
}

TEST(RetrievalLossesTest, KlIsBatchmeanWithDetachedDroneTarget) {
  at::Tensor s = torch::tensor({{0.0, 0.0}}, torch::requires_grad());
  at::Tensor d = torch::tensor({{std::log(3.0), 0.0}}, torch::requires_grad());  // softmax (0.75, 0.25)
  at::Tensor loss = KlMutualLoss({s}, {d});
  double want = 0.75 * std::log(0.75 / 0.5) + 0.25 * std::log(0.25 / 0.5);
  EXPECT_NEAR(loss.item<double>(), want, 1e-6);
  loss.backward();
  EXPECT_TRUE(s.grad().defined());
  EXPECT_FALSE(d.grad().defined());  // stop-gradient on the drone target
  // Batchmean: duplicating the batch keeps the value.
  at::Tensor s2 = torch::zeros({2, 2}), d2 = torch::tensor({{std::log(3.0), 0.0}, {std::log(3.0), 0.0}});
  EXPECT_NEAR(KlMutualLoss({s2}, {d2}).item<double>(), want, 1e-6);
  EXPECT_NEAR(KlMutualLoss({s2}, {d2}, true).item<double>() - want, 0.5 * std::log(0.5 / 0.75) + 0.5 * std::log(0.5 / 0.25), 1e-6);
}

TEST(RetrievalLossesTest, CrossViewTripletOnCraftedFeatures) {
  // Two classes; satellite and drone features are unit vectors at known angles.
  at::Tensor sat = torch::tensor({{1.0, 0.0}, {0.0, 1.0}});
  at::Tensor dr = torch::tensor({{1.0, 0.0}, {0.6, 0.8}});
  at::Tensor y = torch::tensor({0, 1}, torch::kLong);
  // Distances: |s0-d0| = 0 (pos), |s0-d1| = √0.8 (neg); |s1-d1| = √0.4, |s1-d0| = √2;
  // |d0-s0| = 0, |d0-s1| = √2; |d1-s1| = √0.4, |d1-s0| = √0.8.
  const double eps = std::sqrt(1e-6);  // distances are clamped at 1e-6 under the root
  double l0 = std::max(0.0, eps - std::sqrt(0.8) + 0.3);
  double l1 = std::max(0.0, std::sqrt(0.4) - std::sqrt(2.0) + 0.3);
  double l2 = std::max(0.0, eps - std::sqrt(2.0) + 0.3);
  double l3 = std::max(0.0, std::sqrt(0.4) - std::sqrt(0.8) + 0.3);
  double want = (l0 + l1 + l2 + l3) / 4;
  EXPECT_NEAR(CrossViewTriplet(sat, dr, y).item<double>(), want, 1e-4);
  // One class only: no negatives, zero loss.
  EXPECT_DOUBLE_EQ(CrossViewTriplet(sat, dr, torch::tensor({1, 1}, torch::kLong)).item<double>(), 0.0);
  // Soft margin and the DRCL radius (distances scale by the radius).
  TripletOptions soft;
  soft.soft_margin = true;
  EXPECT_GT(CrossViewTriplet(sat, dr, y, soft).item<double>(), 0.0);
  TripletOptions drcl;
  drcl.sphere_radius = 2.0;
  drcl.margin = 0.6;
  EXPECT_NEAR(CrossViewTriplet(sat, dr, y, drcl).item<double>(), 2 * want, 2e-3);
}

}  // namespace
}  // namespace crossview::train
