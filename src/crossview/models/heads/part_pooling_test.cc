#include "crossview/models/heads/part_pooling.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace crossview::models {
namespace {

void ExpectParts(const torch::Tensor& parts, std::vector<double> want, double tol = 1e-4) {
  ASSERT_EQ(parts.size(2), static_cast<int64_t>(want.size()));
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(parts[0][0][i].item<double>(), want[i], tol) << "part " << i;
}

TEST(PartPoolingTest, LpnAllOnesMatchesSpec) {
  // 16×16 (256 input, stride 1) and 8×8 (stride 2) give the same values on an all-ones map.
  ExpectParts(LpnPartition(torch::ones({1, 1, 16, 16})), {1.0, 0.75, 5.0 / 9.0, 0.4375});
  ExpectParts(LpnPartition(torch::ones({1, 1, 8, 8})), {1.0, 0.75, 5.0 / 9.0, 0.4375});
}

TEST(PartPoolingTest, LpnRingsDivideByFullSquareOnCraftedMap) {
  // Value = ring index + 1 painted into each ring of a 16×16 map (per = 2).
  torch::Tensor x = torch::zeros({1, 1, 16, 16});
  x.index_put_({0, 0}, 4.0);
  x.index_put_({0, 0, torch::indexing::Slice(2, 14), torch::indexing::Slice(2, 14)}, 3.0);
  x.index_put_({0, 0, torch::indexing::Slice(4, 12), torch::indexing::Slice(4, 12)}, 2.0);
  x.index_put_({0, 0, torch::indexing::Slice(6, 10), torch::indexing::Slice(6, 10)}, 1.0);
  // ring2: 48 px of 2 over 64; ring3: 80 px of 3 over 144; outer: 112 px of 4 over 256.
  ExpectParts(LpnPartition(x), {1.0, 96.0 / 64, 240.0 / 144, 448.0 / 256}, 1e-6);
  LpnOptions o;
  o.pool = PartPool::kMax;
  ExpectParts(LpnPartition(x, o), {1.0, 2.0, 3.0, 4.0}, 1e-6);
}

TEST(PartPoolingTest, LpnOuterRingAbsorbsRemainder) {
  // 20×20: per = 2, inner squares 4/8/12, outer ring 4 px wide (400 − 144 = 256 ones over 400).
  ExpectParts(LpnPartition(torch::ones({1, 1, 20, 20})), {1.0, 0.75, 80.0 / 144, 256.0 / 400});
}

TEST(PartPoolingTest, SmallMapsAreResizedAndOddQuirkIsOptional) {
  // 7×7 (224 input, stride 2) → per = 0.875 < 1 → resized to 9×9 (c = 4, per = 1).
  torch::Tensor x = torch::arange(49, torch::kFloat).view({1, 1, 7, 7});
  LpnOptions quirk, plain;
  plain.odd_size_quirk = false;
  torch::Tensor a = LpnPartition(x, quirk), b = LpnPartition(x, plain);
  EXPECT_TRUE(torch::allclose(a.narrow(2, 0, 3), b.narrow(2, 0, 3)));  // inner parts agree
  // Plain: outer = (sum of the 9×9 map − sum of S_3 = rows/cols 1..6) / 81.
  namespace F = torch::nn::functional;
  torch::Tensor big = F::interpolate(x, F::InterpolateFuncOptions().size(std::vector<int64_t>{9, 9}).mode(torch::kBilinear).align_corners(true));
  double want_plain = (big.sum() - big.index({0, 0, torch::indexing::Slice(1, 7), torch::indexing::Slice(1, 7)}).sum()).item<double>() / 81;
  EXPECT_NEAR(b[0][0][3].item<double>(), want_plain, 1e-4);
  // Quirk: the inner square's values are subtracted one pixel down-right (rows/cols 2..7). The
  // mean keeps the same total, so average pooling agrees; max pooling sees the misalignment.
  EXPECT_NEAR(a[0][0][3].item<double>(), want_plain, 1e-4);
  // On a 9×9 map (per = 1, S_3 = rows/cols 1..6) a peak at row 1 is zeroed by the aligned rule
  // but survives the quirk's shifted subtraction (rows/cols 2..7).
  torch::Tensor nine = torch::ones({1, 1, 9, 9});
  nine.index_put_({0, 0, 1, 3}, 100.0);
  LpnOptions qmax, pmax;
  qmax.pool = pmax.pool = PartPool::kMax;
  pmax.odd_size_quirk = false;
  EXPECT_FLOAT_EQ(LpnPartition(nine, pmax)[0][0][3].item<float>(), 1.0f);
  EXPECT_FLOAT_EQ(LpnPartition(nine, qmax)[0][0][3].item<float>(), 100.0f);
  // Even maps never trigger the quirk.
  torch::Tensor e = torch::rand({2, 3, 16, 16});
  EXPECT_TRUE(torch::equal(LpnPartition(e, quirk), LpnPartition(e, plain)));
}

TEST(PartPoolingTest, MsbaBlocksOrderAndValues) {
  ExpectParts(MsbaBlocks(torch::ones({1, 1, 16, 16})), {1.0, 0.75, 5.0 / 9.0, 1.0, 1.0, 0.4375});
  ExpectParts(MsbaBlocks(torch::ones({1, 1, 24, 24})), {1.0, 0.75, 5.0 / 9.0, 1.0, 1.0, 0.4375});
  EXPECT_EQ(MsbaBlocks(torch::rand({2, 5, 8, 8})).sizes(), (std::vector<int64_t>{2, 5, 6}));
}

TEST(PartPoolingTest, BlockAttentionIsSoftmaxOverBlocksTimesFeatures) {
  torch::Tensor z = torch::tensor({1.0f, 2.0f, 3.0f}).view({1, 1, 3});
  torch::Tensor out = BlockAttention(z);
  double s = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  EXPECT_NEAR(out[0][0][0].item<double>(), 1.0 * std::exp(1.0) / s, 1e-6);
  EXPECT_NEAR(out[0][0][2].item<double>(), 3.0 * std::exp(3.0) / s, 1e-6);
}

TEST(PartPoolingTest, GemWithPOneIsMeanAndLargePApproachesMax) {
  torch::Tensor x = torch::rand({2, 4, 5, 5}) + 0.1;
  EXPECT_TRUE(torch::allclose(GemPool(x, torch::ones({4})), x.mean({2, 3}), 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(GemPool(x, torch::full({4}, 64.0)), x.amax({2, 3}), 0.05, 0.0));
}

}  // namespace
}  // namespace crossview::models
