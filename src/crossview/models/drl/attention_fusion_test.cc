#include "crossview/models/drl/attention_fusion.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "crossview/models/weights.h"
#include "crossview/util/errors.h"

namespace crossview::models::drl {
namespace {

TEST(AttentionFusionTest, KeysMatchTheReferenceLayout) {
  AttentionFusionHead head(AttentionFusionOptions{});
  std::map<std::string, std::vector<int64_t>> s;
  for (const auto& [k, t] : StateDict(*head)) s[k] = t.sizes().vec();
  EXPECT_EQ(s["encoder.layers.0.multihead_attn2.in_proj_weight"], (std::vector<int64_t>{384, 128}));
  EXPECT_EQ(s["encoder.layers.3.self_attn1.out_proj.weight"], (std::vector<int64_t>{128, 128}));
  EXPECT_EQ(s["encoder.layers.2.linear21.weight"], (std::vector<int64_t>{256, 128}));
  EXPECT_EQ(s["encoder.layers.2.linear12.weight"], (std::vector<int64_t>{128, 256}));
  EXPECT_EQ(s["encoder.layers.1.norm13.bias"], (std::vector<int64_t>{128}));
  EXPECT_EQ(s["decoder.layers.0.multihead_attn.in_proj_bias"], (std::vector<int64_t>{384}));
  EXPECT_EQ(s["decoder.layers.0.linear1.weight"], (std::vector<int64_t>{256, 128}));
  EXPECT_EQ(s["pool.pool.weight"], (std::vector<int64_t>{1, 128}));
  // Only the four MHA tensors per attention module are defined (no separate q/k/v slots).
  for (const auto& [k, v] : s) {
    EXPECT_EQ(k.find("q_proj_weight"), std::string::npos) << k;
    EXPECT_EQ(k.find("bias_k"), std::string::npos) << k;
  }
}

TEST(AttentionFusionTest, OutputShapesAndAsymmetry) {
  torch::manual_seed(0);
  for (const char* kind : {"caf", "saf"}) {
    AttentionFusionOptions o;
    o.kind = kind;
    o.dim = 16;
    o.heads = 4;
    o.feedforward = 32;
    AttentionFusionHead head(o);
    head->eval();
    torch::NoGradGuard ng;
    torch::Tensor u = torch::randn({2, 16, 4, 4}), x = torch::randn({2, 16, 6, 5});
    torch::Tensor out = head(u, x);
    EXPECT_EQ(out.sizes(), (std::vector<int64_t>{2, 1, 6, 5})) << kind;
    // The output depends on the UAV features (fusion happens).
    EXPECT_FALSE(torch::allclose(out, head(torch::randn({2, 16, 4, 4}), x))) << kind;
  }
  AttentionFusionOptions bad;
  bad.kind = "xaf";
  EXPECT_THROW(AttentionFusionHead{bad}, InvalidArgumentError);
}

}  // namespace
}  // namespace crossview::models::drl
