#include "crossview/pipeline/pipeline_test_support.h"

#include <torch/torch.h>

#include <memory>

#include "crossview/data/image_io.h"
#include "crossview/models/model_store.h"
#include "crossview/models/retrieval_net.h"
#include "crossview/train/drl_trainer.h"
#include "crossview/util/file.h"
#include "crossview/util/testing.h"

namespace crossview::pipeline::testing {

namespace fs = std::filesystem;

void MakeTinyRetrievalModel(const fs::path& dir, int input_size, int64_t seed) {
  torch::manual_seed(static_cast<uint64_t>(seed));
  models::RetrievalNetOptions o;
  o.method = "msba";
  o.backbone = {50, 1, 4, 1000};
  o.num_classes = 8;
  o.bottleneck = 16;
  o.share_weights = true;
  models::RetrievalNet net(o);
  net->eval();
  models::SaveRetrievalModel(dir, net, input_size, {{"preset", "pipeline-test"}, {"seed", seed}});
}

void MakeTinyDrlModel(const fs::path& dir, int64_t seed) {
  torch::manual_seed(static_cast<uint64_t>(seed));
  train::DrlTrainOptions o = train::DrlTrainOptions::Preset("cpu-tiny", "mix");
  models::drl::DrlNet net(o.net);
  net->eval();
  train::SaveDrlModel(dir.string(), net, o);
}

fs::path TextureFile() { return crossview::testing::AerialFile("flightgear/california-town2.png"); }

cv::Mat TextureCrop(int width_px, int height_px) {
  static const cv::Mat texture = data::LoadImageRgb(TextureFile());
  return texture(cv::Rect(300, 200, width_px, height_px)).clone();
}

geo::TextureGeoref WriteTextureMap(const fs::path& path, int width_px, int height_px) {
  cv::Mat crop = TextureCrop(width_px, height_px);
  geo::RgbImage img(width_px, height_px);
  std::memcpy(img.pixels.data(), crop.data, img.pixels.size());
  geo::TextureGeoref georef(geo::FamilyAnchor(3), width_px, height_px, 0.98);
  geo::WriteTextureGeoTiff(path, img, georef);
  return georef;
}

const SharedIndex& Shared() {
  static std::unique_ptr<TempDir> dir;
  static std::unique_ptr<SharedIndex> shared;
  if (!shared) {
    dir = std::make_unique<TempDir>("pipeline_shared");
    auto s = std::make_unique<SharedIndex>();
    s->root = dir->path();
    s->map = s->root / "map.tif";
    s->model = s->root / "model";
    s->index = s->root / "map.idx";
    s->georef = WriteTextureMap(s->map, 400, 300);
    MakeTinyRetrievalModel(s->model);
    s->options.map = s->map.string();
    s->options.checkpoint = s->model.string();
    s->options.out = s->index.string();
    s->options.tile_size_m = 64.0;
    s->options.stride_m = 32.0;
    s->options.chunk_tiles = 25;
    s->options.describer.batch = 8;
    s->options.describer.device = "cpu";
    s->options.progress = false;
    s->summary = BuildTileIndex(s->options);
    shared = std::move(s);
  }
  return *shared;
}

void CopyTree(const fs::path& from, const fs::path& to) { fs::copy(from, to, fs::copy_options::recursive); }

}  // namespace crossview::pipeline::testing
