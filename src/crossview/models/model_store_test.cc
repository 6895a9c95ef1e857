#include "crossview/models/model_store.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "crossview/models/weights.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace crossview::models {
namespace {

TEST(ModelStoreTest, SaveLoadRebuildsTheSameFunction) {
  torch::manual_seed(0);
  RetrievalNetOptions o;
  o.method = "lpn";
  o.backbone.base_width = 4;
  o.num_classes = 7;
  o.bottleneck = 8;
  RetrievalNet net(o);
  TempDir tmp;
  SaveRetrievalModel(tmp.path() / "m", net, 64, {{"trained_on", "tiny"}});
  StoredRetrievalModel m = LoadRetrievalModel(tmp.path() / "m");
  EXPECT_EQ(m.input_size, 64);
  EXPECT_EQ(m.info["trained_on"], "tiny");
  EXPECT_EQ(m.net->options().method, "lpn");
  net->eval();
  torch::NoGradGuard ng;
  torch::Tensor x = torch::rand({2, 3, 64, 64});
  EXPECT_TRUE(torch::equal(net->forward(x, View::kDrone).parts, m.net->forward(x, View::kDrone).parts));
}

TEST(ModelStoreTest, MfrlAndImlNetRoundTripBitForBit) {
  torch::manual_seed(1);
  RetrievalNetOptions mfrl;
  mfrl.method = "mfrl";
  mfrl.convnext = ConvNextOptions::Small();
  mfrl.mfrl.sge_groups = 16;
  mfrl.mfrl.conv = "conv3x3";
  mfrl.mfrl.alpha_init = 0.25;
  mfrl.num_classes = 5;
  mfrl.bottleneck = 8;
  RetrievalNetOptions iml;
  iml.method = "imlnet";
  iml.iml.encoder = "vgg16";
  iml.vgg.base_width = 4;
  iml.iml.unit_channels = 8;
  iml.iml.global_ce = 0.5;
  iml.num_classes = 5;
  iml.bottleneck = 8;
  for (const RetrievalNetOptions& o : {mfrl, iml}) {
    RetrievalNet net(o);
    TempDir tmp;
    SaveRetrievalModel(tmp.path(), net, 64);
    StoredRetrievalModel m = LoadRetrievalModel(tmp.path());
    EXPECT_EQ(ToJson(m.net->options()), ToJson(o)) << o.method;
    net->eval();
    torch::NoGradGuard ng;
    torch::Tensor x = torch::rand({2, 3, 64, 64});
    EXPECT_TRUE(torch::equal(net->forward(x, View::kDrone).parts, m.net->forward(x, View::kDrone).parts)) << o.method;
  }
  EXPECT_EQ(ToJson(mfrl)["mfrl"]["conv"], "conv3x3");
  EXPECT_EQ(ToJson(iml)["iml"]["encoder"], "vgg16");
}

TEST(ModelStoreTest, DamagedStoresGiveClearErrors) {
  TempDir tmp;
  EXPECT_THROW(LoadRetrievalModel(tmp.path()), NotFoundError);
  WriteFileAtomic(tmp.path() / "model.json", std::string("{\"kind\": \"drl\"}"));
  EXPECT_THROW(LoadRetrievalModel(tmp.path()), InvalidArgumentError);
  RetrievalNetOptions o;
  o.backbone.base_width = 4;
  o.num_classes = 3;
  o.bottleneck = 8;
  RetrievalNet net(o);
  SaveRetrievalModel(tmp.path(), net, 64);
  WriteFileAtomic(tmp.path() / "model.pt", std::string("truncated"));
  EXPECT_THROW(LoadRetrievalModel(tmp.path()), IoError);
}

}  // namespace
}  // namespace crossview::models
