#include "crossview/train/drl_loss.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "crossview/util/errors.h"

namespace crossview::train {
namespace {

TEST(DrlLossTest, TargetBoxFollowsReferenceRules) {
  // Centre 0.5·(384−1) = 191.5 → banker's rounding → 192; R = 31 → rows/cols 177..207.
  at::Tensor t = DrlTarget({{0.5, 0.5}}, 384, 384, 31);
  EXPECT_EQ(t.sum().item<double>(), 31 * 31);
  EXPECT_EQ(t[0][0][177][177].item<float>(), 1.0f);
  EXPECT_EQ(t[0][0][176][192].item<float>(), 0.0f);
  EXPECT_EQ(t[0][0][207][207].item<float>(), 1.0f);
  // Clipped at the border.
  at::Tensor c = DrlTarget({{0.0, 1.0}}, 96, 96, 7);
  EXPECT_EQ(c.sum().item<double>(), 4 * 4);
  // Even R ≠ 2 keeps the reference's side R + 1; R = 2 uses floor and a 2×2 box.
  EXPECT_EQ(DrlTarget({{0.5, 0.5}}, 50, 50, 4).sum().item<double>(), 25);
  at::Tensor two = DrlTarget({{0.5, 0.5}}, 24, 24, 2);  // x = 11.5 → rows 11, 12
  EXPECT_EQ(two.sum().item<double>(), 4);
  EXPECT_EQ(two[0][0][11][11].item<float>(), 1.0f);
  EXPECT_EQ(two[0][0][12][12].item<float>(), 1.0f);
  // R = 1: a single pixel; 2.5 rounds half to even → 2.
  at::Tensor one = DrlTarget({{2.5 / 5, 0.0}}, 6, 6, 1);
  EXPECT_EQ(one[0][0][2][0].item<float>(), 1.0f);
}

TEST(DrlLossTest, WeightedBalanceLossHasNormalisedMasses) {
  // With all-zero logits BCE = log 2 everywhere, so L = log 2 whatever the weights.
  at::Tensor zeros = torch::zeros({2, 1, 20, 20});
  DrlLossOptions o;
  o.r = 3;
  at::Tensor l = DrlLoss(zeros, {{0.5, 0.5}, {0.1, 0.9}}, o);
  EXPECT_NEAR(l.item<double>(), std::log(2.0), 1e-6);
  // Positive mass 1/(1+w_neg): with logits only on positives large, loss = negatives' share·log 2.
  at::Tensor target = DrlTarget({{0.5, 0.5}}, 20, 20, 3);
  at::Tensor logits = target * 100.0;  // positives ≈ 0 loss, negatives log 2
  double want = 130.0 / 131.0 * std::log(2.0);
  EXPECT_NEAR(WeightedBalanceLoss(logits, target, 130.0).item<double>(), want, 1e-6);
  // Gradient flows to the logits.
  at::Tensor x = torch::zeros({1, 1, 8, 8}, torch::requires_grad());
  DrlLoss(x, {{0.5, 0.5}}, o).backward();
  EXPECT_LT(x.grad()[0][0][4][4].item<float>(), 0.0f);  // push positives up
  EXPECT_GT(x.grad()[0][0][0][0].item<float>(), 0.0f);  // negatives down
}

TEST(DrlLossTest, AlternativeLosses) {
  at::Tensor zeros = torch::zeros({1, 1, 10, 10});
  DrlLossOptions o;
  o.r = 3;
  o.kind = "bce";
  EXPECT_NEAR(DrlLoss(zeros, {{0.5, 0.5}}, o).item<double>(), std::log(2.0), 1e-6);
  o.kind = "focal";  // (1 − 0.5)² · log 2
  EXPECT_NEAR(DrlLoss(zeros, {{0.5, 0.5}}, o).item<double>(), 0.25 * std::log(2.0), 1e-6);
  o.kind = "hinge";
  EXPECT_THROW(DrlLoss(zeros, {{0.5, 0.5}}, o), InvalidArgumentError);
  o.kind = "wbl";
  EXPECT_THROW(DrlLoss(zeros, {{0.5, 0.5}, {0.5, 0.5}}, o), InvalidArgumentError);
}

}  // namespace
}  // namespace crossview::train
