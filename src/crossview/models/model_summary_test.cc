#include "crossview/models/model_summary.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "crossview/models/retrieval_net.h"

namespace crossview::models {
namespace {

namespace nn = torch::nn;

TEST(ModelSummaryTest, CountsMacsOfConvolutionsLinearsAndMatmuls) {
  torch::NoGradGuard ng;
  nn::Conv2d conv(nn::Conv2dOptions(3, 8, 3).padding(1));                // 8·10·10 outputs × 3·9
  nn::Conv2d grouped(nn::Conv2dOptions(4, 8, 3).groups(2).stride(1));    // 8·4·4 outputs × 2·9
  nn::ConvTranspose2d up(nn::ConvTranspose2dOptions(4, 2, 3).stride(2));  // 4·5·5 inputs × 2·9
  nn::Linear linear(10, 5);                                              // 3·5 outputs × 10
  torch::Tensor a = torch::rand({2, 3, 4}), b = torch::rand({2, 4, 5});  // 2·3·5 outputs × 4
  MacCount c = CountMacs([&] {
    conv(torch::rand({1, 3, 10, 10}));
    grouped(torch::rand({1, 4, 6, 6}));
    up(torch::rand({1, 4, 5, 5}));
    linear(torch::rand({3, 10}));
    torch::matmul(a, b);
    torch::relu(a);  // not counted
  });
  EXPECT_EQ(c.by_operator["aten::conv2d"], 21600 + 2304);
  EXPECT_EQ(c.by_operator["aten::conv_transpose2d"], 1800);
  // libtorch's Linear on a 2-D input runs addmm directly (aten::linear for other ranks).
  EXPECT_EQ(c.by_operator["aten::linear"] + c.by_operator["aten::addmm"], 150);
  EXPECT_EQ(c.by_operator["aten::matmul"], 120);
  EXPECT_EQ(c.total, 21600 + 2304 + 1800 + 150 + 120);  // nested dispatches are not counted twice
  EXPECT_EQ(CountMacs([] {}).total, 0);
}

TEST(ModelSummaryTest, ResNet50MacsAndTree) {
  torch::NoGradGuard ng;
  ResNet net(ResNetOptions{50, 2, 64, 1000});
  net->eval();
  MacCount c = CountMacs([&] { net->forward(torch::zeros({1, 3, 224, 224})); });
  // ResNet-50's convolutions at 224: 4,087,136,256 MACs (the usual "4.09 GFLOPs" adds the fc's
  // 2,048,000; forward() stops at layer4). Value from torchvision with forward hooks on Conv2d.
  EXPECT_EQ(c.total, 4087136256);

  RetrievalNetOptions o;
  o.method = "lpn";
  o.backbone.base_width = 8;
  o.num_classes = 5;
  o.bottleneck = 16;
  RetrievalNet lpn(o);
  ModuleSummary tree = SummariseModules(*lpn, 2);
  EXPECT_EQ(tree.parameters, CountParameters(*lpn));
  int64_t children = 0;
  for (const auto& ch : tree.children) children += ch.parameters;
  EXPECT_EQ(children, tree.parameters);  // no parameters directly on the root
  ASSERT_FALSE(tree.children.empty());
  EXPECT_EQ(tree.children[0].name, "model_1");
  EXPECT_EQ(tree.children[0].type, "BackboneWrapper");
  ASSERT_EQ(tree.children[0].children.size(), 1u);
  EXPECT_EQ(tree.children[0].children[0].type, "ResNet");
  EXPECT_TRUE(tree.children[0].children[0].children.empty());  // depth limit
  std::string text = FormatModuleTree(tree);
  EXPECT_NE(text.find("classifier3"), std::string::npos);
  EXPECT_EQ(ToJson(tree)["children"][0]["name"], "model_1");
}

}  // namespace
}  // namespace crossview::models
