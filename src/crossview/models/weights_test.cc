#include "crossview/models/weights.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "crossview/models/retrieval_net.h"
#include "crossview/util/errors.h"

namespace crossview::models {
namespace {

RetrievalNetOptions Tiny() {
  RetrievalNetOptions o;
  o.method = "lpn";
  o.backbone.base_width = 4;
  o.num_classes = 5;
  o.bottleneck = 8;
  return o;
}

TEST(WeightsTest, RoundTripIntoAFreshModelIsExact) {
  torch::manual_seed(0);
  RetrievalNet a(Tiny()), b(Tiny());
  LoadReport r = LoadStateDict(*b, StateDict(*a));
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.loaded, StateDict(*a).size());
  auto sa = StateDict(*a), sb = StateDict(*b);
  for (size_t i = 0; i < sa.size(); ++i) EXPECT_TRUE(torch::equal(sa[i].second, sb[i].second)) << sa[i].first;
}

TEST(WeightsTest, StrictReportsEveryProblemAndChangesNothing) {
  RetrievalNet a(Tiny()), b(Tiny());
  NamedTensors ck = StateDict(*a);
  ck.erase(ck.begin());  // missing model_1.model.conv1.weight
  ck.emplace_back("extra.weight", torch::zeros({1}));
  for (auto& kv : ck) {
    if (kv.first == "classifier0.classifier.0.bias") kv.second = torch::zeros({7});
  }
  torch::Tensor before = StateDict(*b)[5].second.clone();
  try {
    LoadStateDict(*b, ck);
    FAIL();
  } catch (const InvalidArgumentError& e) {
    std::string w = e.what();
    EXPECT_NE(w.find("1 missing: model_1.model.conv1.weight"), std::string::npos) << w;
    EXPECT_NE(w.find("1 unexpected: extra.weight"), std::string::npos) << w;
    EXPECT_NE(w.find("classifier0.classifier.0.bias: checkpoint [7] vs model [5]"), std::string::npos) << w;
  }
  EXPECT_TRUE(torch::equal(before, StateDict(*b)[5].second));
  LoadOptions lax;
  lax.strict = false;
  LoadReport r = LoadStateDict(*b, ck, lax);
  EXPECT_EQ(r.missing.size(), 1u);  // conv1 (the mismatched bias is reported once, as a mismatch)
  EXPECT_EQ(r.shape_mismatch.size(), 1u);
  EXPECT_EQ(r.unexpected.size(), 1u);
}

TEST(WeightsTest, SharedBranchAliasesAndRewrites) {
  torch::manual_seed(2);
  RetrievalNet a(Tiny());
  NamedTensors ck;
  for (const auto& [k, t] : StateDict(*a)) {
    ck.emplace_back("module." + k, t);
    if (k.rfind("model_1.", 0) == 0) ck.emplace_back("module.model_3." + k.substr(8), t);  // duplicate of a shared branch
  }
  RetrievalNet b(Tiny());
  LoadOptions o;
  o.rewrites = {{"module.", ""}};
  o.aliases = {{"module.model_3.", "model_1."}};
  LoadReport r = LoadStateDict(*b, ck, o);
  EXPECT_TRUE(r.ok()) << r.Summary();
  // A model_3 that differs from model_1 is real data the shared model cannot hold.
  for (auto& kv : ck) {
    if (kv.first == "module.model_3.model.conv1.weight") kv.second = kv.second + 1;
  }
  EXPECT_THROW(LoadStateDict(*b, ck, o), InvalidArgumentError);
}

}  // namespace
}  // namespace crossview::models
