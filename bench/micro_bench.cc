// Micro benchmarks (Google Benchmark) of the hot paths that are not a network forward pass:
// part pooling, the retrieval metrics over large rankings, image decode + resize + normalise,
// FAISS search and the DRL post-processing. Run: build/bench/micro_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>

#include "crossview/eval/drl_metrics.h"
#include "crossview/eval/retrieval_metrics.h"
#include "crossview/index/vector_index.h"
#include "crossview/models/heads/part_pooling.h"
#include "crossview/models/image_tensor.h"
#include "crossview/transforms/resize.h"

namespace {

using namespace crossview;

void BM_MsbaBlocks(benchmark::State& state) {
  torch::InferenceMode guard;
  const int64_t side = state.range(0);
  torch::manual_seed(0);
  torch::Tensor x = torch::rand({8, 2048, side, side});
  for (auto _ : state) benchmark::DoNotOptimize(models::BlockAttention(models::MsbaBlocks(x)));
  state.SetItemsProcessed(state.iterations() * 8);
}
BENCHMARK(BM_MsbaBlocks)->Arg(8)->Arg(16)->Arg(24)->Unit(benchmark::kMillisecond);

void BM_LpnRings(benchmark::State& state) {
  torch::InferenceMode guard;
  torch::manual_seed(0);
  torch::Tensor x = torch::rand({8, 2048, state.range(0), state.range(0)});
  for (auto _ : state) benchmark::DoNotOptimize(models::LpnPartition(x));
  state.SetItemsProcessed(state.iterations() * 8);
}
BENCHMARK(BM_LpnRings)->Arg(16)->Unit(benchmark::kMillisecond);

// University-1652 D→S scale: 37,855 drone queries would take minutes; a 2,000-query slice
// against the 951-image satellite gallery at 3584-d, and the reverse shape.
void BM_RetrievalMetrics(benchmark::State& state) {
  const int64_t nq = state.range(0), ng = state.range(1), dim = 512;
  std::mt19937 rng(1);
  std::normal_distribution<float> n01;
  std::vector<float> q(static_cast<size_t>(nq * dim)), g(static_cast<size_t>(ng * dim));
  for (auto& v : q) v = n01(rng);
  for (auto& v : g) v = n01(rng);
  std::vector<int64_t> ql(static_cast<size_t>(nq)), gl(static_cast<size_t>(ng));
  for (int64_t i = 0; i < nq; ++i) ql[static_cast<size_t>(i)] = i % ng;
  for (int64_t i = 0; i < ng; ++i) gl[static_cast<size_t>(i)] = i;
  for (auto _ : state) benchmark::DoNotOptimize(eval::EvaluateRetrieval(q, ql, g, gl, dim));
  state.SetItemsProcessed(state.iterations() * nq);
}
BENCHMARK(BM_RetrievalMetrics)->Args({2000, 951})->Args({701, 20000})->Unit(benchmark::kMillisecond);

void BM_DecodeResizeNormalise(benchmark::State& state) {
  torch::InferenceMode guard;
  cv::Mat img(512, 512, CV_8UC3);
  cv::randu(img, 0, 255);
  std::vector<uchar> jpeg;
  cv::imencode(".jpg", img, jpeg, {cv::IMWRITE_JPEG_QUALITY, 90});
  for (auto _ : state) {
    cv::Mat bgr = cv::imdecode(jpeg, cv::IMREAD_COLOR), rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    cv::Mat r = transforms::PilResize(rgb, cv::Size(256, 256), transforms::PilFilter::kBicubic);
    benchmark::DoNotOptimize(models::ImagesToTensor({r}, models::Normalization::ImageNet()));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeResizeNormalise)->Unit(benchmark::kMillisecond);

void BM_FaissSearch(benchmark::State& state) {
  const int64_t n = state.range(0), dim = 512;
  const auto type = static_cast<index::IndexType>(state.range(1));
  std::mt19937 rng(2);
  std::normal_distribution<float> n01;
  std::vector<float> rows(static_cast<size_t>(n * dim));
  for (auto& v : rows) v = n01(rng);
  index::IndexOptions o;
  o.type = type;
  o.dim = dim;
  auto idx = index::VectorIndex::Create(o);
  if (!idx->is_trained()) idx->Train(n, rows.data());
  idx->Add(n, rows.data());
  int64_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(idx->Search(1, rows.data() + (i % n) * dim));
    ++i;
  }
  state.SetLabel(index::IndexTypeName(type));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FaissSearch)
    ->Args({10000, static_cast<int64_t>(index::IndexType::kFlat)})
    ->Args({10000, static_cast<int64_t>(index::IndexType::kIvf)})
    ->Args({10000, static_cast<int64_t>(index::IndexType::kHnsw)})
    ->Unit(benchmark::kMicrosecond);

void BM_HanningArgmax(benchmark::State& state) {
  cv::Mat p(384, 384, CV_32FC1);
  cv::randu(p, 0.0f, 1.0f);
  eval::LocaliseOptions o;
  o.hanning_size = static_cast<int>(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(eval::LocalisePeak(p, o));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HanningArgmax)->Arg(1)->Arg(31)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
