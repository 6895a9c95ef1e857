// End-to-end tests of the trainers on small crafted datasets written into a temp directory.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "crossview/models/descriptor.h"
#include "crossview/datasets/ul14.h"
#include "crossview/eval/drl_eval.h"
#include "crossview/models/model_store.h"
#include "crossview/models/weights.h"
#include "crossview/runtime/device.h"
#include "crossview/train/drl_trainer.h"
#include "crossview/checkpoint/safetensors.h"
#include "crossview/train/retrieval_trainer.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace crossview::train {
namespace {

namespace fs = std::filesystem;

// A distinct pattern per building: stripes with a class-specific frequency and colour.
cv::Mat Pattern(int cls, int size, double angle_deg) {
  cv::Mat m(size, size, CV_8UC3);
  for (int r = 0; r < size; ++r)
    for (int c = 0; c < size; ++c) {
      int v = ((r * (cls + 2) / 7) + c / (cls + 3)) % 2 ? 220 : 30;
      m.at<cv::Vec3b>(r, c) = cv::Vec3b(static_cast<uint8_t>(v), static_cast<uint8_t>((cls * 40) % 256), static_cast<uint8_t>(255 - v));
    }
  cv::Mat rot = cv::getRotationMatrix2D(cv::Point2f(size / 2.f, size / 2.f), angle_deg, 1.0);
  cv::warpAffine(m, m, rot, m.size(), cv::INTER_LINEAR, cv::BORDER_REFLECT);
  return m;
}

void Write(const fs::path& p, const cv::Mat& rgb) {
  EnsureDirectory(p.parent_path());
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  ASSERT_TRUE(cv::imwrite(p.string(), bgr));
}

fs::path MakeU1652(const fs::path& root, int classes) {
  for (int c = 0; c < classes; ++c) {
    char id[8];
    std::snprintf(id, sizeof(id), "%04d", c + 1);
    Write(root / "train/satellite" / id / (std::string(id) + ".jpg"), Pattern(c, 48, 0));
    for (int k = 0; k < 2; ++k) Write(root / "train/drone" / id / ("image-0" + std::to_string(k + 1) + ".jpeg"), Pattern(c, 48, 20.0 * (k + 1)));
    Write(root / "test/gallery_satellite" / id / (std::string(id) + ".jpg"), Pattern(c, 48, 0));
    Write(root / "test/query_satellite" / id / (std::string(id) + ".jpg"), Pattern(c, 48, 0));
    Write(root / "test/query_drone" / id / "image-01.jpeg", Pattern(c, 48, 30));
    Write(root / "test/gallery_drone" / id / "image-01.jpeg", Pattern(c, 48, 30));
  }
  return root;
}

RetrievalTrainOptions Tiny(const fs::path& data, const fs::path& out) {
  RetrievalTrainOptions o = RetrievalTrainOptions::Preset("cpu-tiny", "msba");
  o.data = data.string();
  o.out = out.string();
  o.base_width = 4;
  o.size = 32;
  o.pad = 2;
  o.bottleneck = 16;
  o.batch_size = 4;
  o.epochs = 2;
  o.decode_threads = 2;
  o.device = "cpu";
  return o;
}

TEST(TrainerTest, RetrievalRunWritesArtefactsAndResumesExactly) {
  int threads = IntraOpThreads();
  SetIntraOpThreads(1);  // bitwise-reproducible CPU kernels for the resume comparison
  TempDir tmp;
  fs::path data = MakeU1652(tmp.path() / "data", 8);
  TrainSummary full = TrainRetrieval(Tiny(data, tmp.path() / "full"), false);
  EXPECT_EQ(full.epochs_run, 2);
  for (const char* f : {"config.json", "log.jsonl", "checkpoint.pt", "model.json", "model.pt", "eval.json"}) {
    EXPECT_TRUE(fs::exists(tmp.path() / "full" / f)) << f;
  }
  nlohmann::json eval = nlohmann::json::parse(ReadFile(tmp.path() / "full" / "eval.json"));
  ASSERT_EQ(eval.size(), 2u);
  EXPECT_EQ(eval[0]["direction"], "D→S");
  EXPECT_EQ(eval[0]["n_query"], 8);
  nlohmann::json config = nlohmann::json::parse(ReadFile(tmp.path() / "full" / "config.json"));
  EXPECT_EQ(config["options"]["model"]["method"], "msba");
  EXPECT_EQ(config["options"]["train"]["epochs"], 2);

  // One epoch, then resume to two: the same weights as the uninterrupted run.
  RetrievalTrainOptions first = Tiny(data, tmp.path() / "split");
  first.epochs = 1;
  TrainRetrieval(first, false);
  EXPECT_THROW(TrainRetrieval(first, false), InvalidArgumentError);  // refuses to overwrite a run
  TrainRetrieval(Tiny(data, tmp.path() / "split"), true);
  models::StoredRetrievalModel a = models::LoadRetrievalModel(tmp.path() / "full");
  models::StoredRetrievalModel b = models::LoadRetrievalModel(tmp.path() / "split");
  auto sa = models::StateDict(*a.net), sb = models::StateDict(*b.net);
  ASSERT_EQ(sa.size(), sb.size());
  for (size_t i = 0; i < sa.size(); ++i) ASSERT_TRUE(torch::equal(sa[i].second, sb[i].second)) << sa[i].first;
  std::string log = ReadFile(tmp.path() / "split" / "log.jsonl");
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 2);
  SetIntraOpThreads(threads);
}

TEST(TrainerTest, InitBackboneStartsFromTheFileAndIsRecordedInTheConfig) {
  TempDir tmp;
  fs::path data = MakeU1652(tmp.path() / "data", 8);
  torch::manual_seed(21);
  models::ResNet imagenet(models::ResNetOptions{50, 2, 4, 1000});  // torchvision names, the file a user has
  checkpoint::StateDict sd;
  for (auto& [k, v] : models::StateDict(*imagenet)) sd.Add(k, v);
  checkpoint::WriteSafetensors(tmp.path() / "resnet50.safetensors", sd);
  RetrievalTrainOptions o = Tiny(data, tmp.path() / "run");
  o.epochs = 1;
  o.init_backbone = (tmp.path() / "resnet50.safetensors").string();
  o.optim.backbone_lr_mult = 0.0;  // a frozen backbone keeps exactly the file's convolution weights
  TrainRetrieval(o, false);
  models::StoredRetrievalModel m = models::LoadRetrievalModel(tmp.path() / "run");
  torch::Tensor want = imagenet->named_parameters()["layer3.2.conv2.weight"];
  bool found = false;
  for (const auto& [k, v] : models::StateDict(*m.net)) {
    if (k == "model_1.model.layer3.2.conv2.weight") {
      EXPECT_TRUE(torch::equal(v, want));
      found = true;
    }
  }
  EXPECT_TRUE(found);
  nlohmann::json config = nlohmann::json::parse(ReadFile(tmp.path() / "run" / "config.json"));
  EXPECT_EQ(config["options"]["model"]["init_backbone"], o.init_backbone);
  // A file that does not fit (ResNet-18) is refused before any training.
  models::ResNet r18(models::ResNetOptions{18, 2, 4, 1000});
  checkpoint::StateDict small;
  for (auto& [k, v] : models::StateDict(*r18)) small.Add(k, v);
  checkpoint::WriteSafetensors(tmp.path() / "resnet18.safetensors", small);
  RetrievalTrainOptions bad = Tiny(data, tmp.path() / "bad");
  bad.init_backbone = (tmp.path() / "resnet18.safetensors").string();
  EXPECT_THROW(TrainRetrieval(bad, false), InvalidArgumentError);
  EXPECT_FALSE(fs::exists(tmp.path() / "bad" / "checkpoint.pt"));
}

TEST(TrainerTest, MfrlAndImlNetTrainStoreAndReload) {
  TempDir tmp;
  fs::path data = MakeU1652(tmp.path() / "data", 8);
  for (const std::string method : {"mfrl", "imlnet"}) {
    RetrievalTrainOptions o = RetrievalTrainOptions::Preset("cpu-tiny", method);
    o.data = data.string();
    o.out = (tmp.path() / method).string();
    o.base_width = 4;
    o.size = 64;  // MFRL's SGE needs a stage-4 map of at least 2×2
    o.bottleneck = 16;
    o.batch_size = 4;
    o.epochs = 2;
    o.decode_threads = 2;
    o.device = "cpu";
    o.iml.unit_channels = 8;
    TrainSummary s = TrainRetrieval(o, false);
    EXPECT_EQ(s.epochs_run, 2) << method;
    EXPECT_TRUE(std::isfinite(s.final_loss)) << method;
    ASSERT_EQ(s.evaluation.size(), 2u) << method;
    for (const char* f : {"config.json", "log.jsonl", "checkpoint.pt", "model.json", "model.pt", "eval.json"}) {
      EXPECT_TRUE(fs::exists(tmp.path() / method / f)) << method << " " << f;
    }
    nlohmann::json config = nlohmann::json::parse(ReadFile(tmp.path() / method / "config.json"));
    models::StoredRetrievalModel m = models::LoadRetrievalModel(tmp.path() / method);
    EXPECT_EQ(m.net->options().method, method);
    EXPECT_EQ(m.input_size, 64);
    torch::Tensor x = torch::rand({2, 3, 64, 64});
    torch::Tensor d = models::ExtractDescriptors(m.net, x, models::View::kDrone);
    EXPECT_TRUE(torch::allclose(d.norm(2, 1), torch::ones({2}), 1e-5, 1e-5));
    if (method == "mfrl") {
      EXPECT_EQ(config["options"]["loss"]["w_sat"], 1.5);
      EXPECT_EQ(config["options"]["model"]["mfrl_conv"], "acmix_conv");
      EXPECT_EQ(m.net->options().convnext.dims.back(), 192);  // the reduced ConvNeXt
      EXPECT_EQ(d.size(1), 2 * 16);                           // [fuse, glob]
      // α and β were trained (they start at 0.5).
      EXPECT_NE(m.net->named_parameters()["model_1.fusion.alpha"].item<float>(), 0.5f);
    } else {
      EXPECT_EQ(config["options"]["muml"]["threshold"], 0.5);
      EXPECT_EQ(config["options"]["data"]["flip"], 0.0);
      EXPECT_EQ(m.net->options().iml.unit_channels, 8);
      EXPECT_EQ(d.size(1), 16);
    }
  }
}

TEST(TrainerTest, OptionErrorsAreClear) {
  RetrievalTrainOptions o = RetrievalTrainOptions::Preset("cpu-tiny", "lpn");
  OptionTable t = o.Bind();
  EXPECT_THROW(t.Set("optim.lrate", "1"), InvalidArgumentError);
  t.Set("optim.lr", "0.5");
  EXPECT_DOUBLE_EQ(o.optim.lr, 0.5);
  EXPECT_THROW(RetrievalTrainOptions::Preset("gpu-huge", "msba"), InvalidArgumentError);
  o.data = "/nonexistent";
  o.out = "/tmp/x";
  EXPECT_THROW(TrainRetrieval(o, false), Error);
  for (const auto& p : RetrievalTrainOptions::Presets()) {
    for (const auto& m : models::RetrievalNetOptions::Methods()) {
      RetrievalTrainOptions preset = RetrievalTrainOptions::Preset(p, m);
      preset.data = "d";
      preset.out = "o";
      EXPECT_NO_THROW(preset.Check()) << p << " " << m;
    }
  }
  RetrievalTrainOptions mfrl = RetrievalTrainOptions::Preset("cpu-tiny", "mfrl");
  mfrl.data = "d";
  mfrl.out = "o";
  mfrl.size = 32;  // SGE on a 1×1 map is undefined
  EXPECT_THROW(mfrl.Check(), InvalidArgumentError);
  OptionTable mt = mfrl.Bind();
  EXPECT_THROW(mt.Set("model.mfrl_conv", "acmix_full"), InvalidArgumentError);
  mt.Set("muml.schedule", "cmal");
  EXPECT_EQ(mfrl.loss.muml.schedule, "cmal");
}

// A UL14-layout dataset: train pairs centred on the UAV, one test sample with two search maps.
fs::path MakeUl14(const fs::path& root) {
  cv::Mat world = Pattern(3, 400, 10);
  for (int i = 0; i < 4; ++i) {
    fs::path d = root / "train" / ("place_100_000" + std::to_string(i));
    cv::Rect sat(40 * i, 30 * i, 160, 160);
    Write(d / "Satellite/0.tif", world(sat).clone());
    Write(d / "UAV/0.JPG", world(cv::Rect(sat.x + 56, sat.y + 56, 48, 48)).clone());
  }
  fs::path t = root / "test/place_100_0009";
  Write(t / "UAV/0.JPG", world(cv::Rect(200, 200, 48, 48)).clone());
  nlohmann::json labels, gps;
  gps["UAV"] = {{"E", -29.9990}, {"N", 40.0010}};
  for (int m = 0; m < 2; ++m) {
    cv::Rect map(150 + 20 * m, 160, 128, 128);
    Write(t / ("Satellite/" + std::to_string(m) + ".jpg"), world(map).clone());
    // UAV centre (224, 224) in world pixels → (row, col) in the 128-px map.
    int row = 224 - map.y, col = 224 - map.x;
    labels[std::to_string(m) + ".jpg"] = {row, col};
    double px = 1e-5;  // degrees per world pixel (a synthetic plate carrée)
    double tl_e = -29.9990 - col * px, tl_n = 40.0010 + row * px;
    gps["Satellite"][std::to_string(m) + ".jpg"] = {{"tl_E", tl_e}, {"tl_N", tl_n}, {"br_E", tl_e + 128 * px}, {"br_N", tl_n - 128 * px},
                                                    {"center_distribute_X", 0.1}, {"center_distribute_Y", -0.2}, {"map_size", 128}};
  }
  WriteFileAtomic(t / "labels.json", labels.dump());
  WriteFileAtomic(t / "GPS_info.json", gps.dump());
  return root;
}

TEST(TrainerTest, DrlRunTrainsEvaluatesAndStoresTheModel) {
  TempDir tmp;
  fs::path data = MakeUl14(tmp.path() / "ul14");
  DrlTrainOptions o = DrlTrainOptions::Preset("cpu-tiny", "mix");
  o.data = data.string();
  o.out = (tmp.path() / "run").string();
  o.uav_size = 32;
  o.satellite_size = 64;
  o.rsc.min_size = 80;
  o.rsc.max_size = 120;
  o.loss.r = 5;
  o.hanning_size = 5;
  o.batch_size = 2;
  o.epochs = 2;
  o.device = "cpu";
  o.eval_max_samples = 0;
  o.stored_size = 128;
  DrlTrainSummary s = TrainDrl(o, false);
  EXPECT_EQ(s.epochs_run, 2);
  EXPECT_TRUE(std::isfinite(s.final_loss));
  EXPECT_EQ(s.evaluation["n"], 2);
  EXPECT_GE(s.evaluation["RDS"].get<double>(), 0.0);
  EXPECT_LE(s.evaluation["RDS"].get<double>(), 1.0);
  EXPECT_TRUE(s.evaluation.contains("by_map_size"));
  nlohmann::json preds = nlohmann::json::parse(ReadFile(tmp.path() / "run" / "predictions.json"));
  ASSERT_EQ(preds.size(), 2u);
  EXPECT_TRUE(preds[0].contains("Pred_GPS"));
  StoredDrlModel m = LoadDrlModel(o.out);
  EXPECT_EQ(m.satellite_size, 64);
  EXPECT_EQ(m.net->options().fusion, "mix");
  // Evaluating the stored model again gives the same predictions, and writes heatmap pictures.
  datasets::Ul14Options uo;
  uo.scope = datasets::ReadScope::kWhatExists;
  eval::DrlEvalOptions eo;
  eo.uav_size = m.uav_size;
  eo.satellite_size = m.satellite_size;
  eo.hanning_size = m.hanning_size;
  eo.stored_size = 128;
  eo.heatmap_dir = (tmp.path() / "heatmaps").string();
  eval::DrlEvalResult again = eval::EvaluateDrl(m.net, datasets::Ul14::Open(data, uo).ListTest(), eo);
  EXPECT_EQ(again.predictions[0]["pred_rc"], preds[0]["pred_rc"]);
  EXPECT_TRUE(fs::exists(tmp.path() / "heatmaps" / "place_100_0009_0.png"));
  EXPECT_TRUE(fs::exists(tmp.path() / "heatmaps" / "place_100_0009_1.png"));
}

}  // namespace
}  // namespace crossview::train
