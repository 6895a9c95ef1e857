#include "crossview/train/schedule.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "crossview/util/errors.h"

namespace crossview::train {
namespace {

TEST(ScheduleTest, EpochSchedules) {
  OptimOptions o;
  o.schedule = "step";
  o.step_size = 80;
  EXPECT_DOUBLE_EQ(LrMultiplier(o, 79, 120), 1.0);
  EXPECT_NEAR(LrMultiplier(o, 80, 120), 0.1, 1e-12);
  o.schedule = "multistep";
  o.milestones = {70, 110};
  EXPECT_NEAR(LrMultiplier(o, 110, 120), 0.01, 1e-12);
  o.schedule = "cosine";
  EXPECT_NEAR(LrMultiplier(o, 60, 120), 0.5, 1e-12);
  o.warmup_epochs = 4;
  EXPECT_NEAR(LrMultiplier(o, 0, 120), 1.0 / 5, 1e-12);
}

TEST(ScheduleTest, DrlIterationScheduleMatchesSpec) {
  OptimOptions o;
  o.schedule = "warmup-cosine-iter";
  o.warmup_iters = 500;
  o.floor_ratio = 0.01;
  EXPECT_DOUBLE_EQ(LrMultiplier(o, 0, 12, 0, 10152), 0.01);  // λ(0) = ρ
  EXPECT_NEAR(LrMultiplier(o, 0, 12, 250, 10152), 0.99 * 0.5 + 0.01, 1e-12);
  EXPECT_NEAR(LrMultiplier(o, 0, 12, 500, 10152), 1.0, 1e-12);
  EXPECT_NEAR(LrMultiplier(o, 0, 12, 10152, 10152), 0.01, 1e-12);  // cosine floor
}

TEST(ScheduleTest, OptimizerHasBackboneAndHeadGroups) {
  torch::Tensor a = torch::zeros({2}, torch::requires_grad()), b = torch::zeros({3}, torch::requires_grad());
  OptimOptions o;
  o.lr = 0.01;
  o.backbone_lr_mult = 0.1;
  auto opt = MakeOptimizer(o, {a}, {b});
  ASSERT_EQ(opt->param_groups().size(), 2u);
  EXPECT_NEAR(opt->param_groups()[0].options().get_lr(), 0.001, 1e-12);
  ApplyLr(*opt, o, 0.5);
  EXPECT_NEAR(opt->param_groups()[1].options().get_lr(), 0.005, 1e-12);
  o.optimizer = "adam";
  EXPECT_THROW(MakeOptimizer(o, {a}, {b}), InvalidArgumentError);
}

}  // namespace
}  // namespace crossview::train
