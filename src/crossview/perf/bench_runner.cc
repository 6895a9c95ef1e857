#include "crossview/perf/bench_runner.h"

#include <sys/resource.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <sstream>

#include "crossview/eval/drl_metrics.h"
#include "crossview/index/vector_index.h"
#include "crossview/models/descriptor.h"
#include "crossview/models/image_tensor.h"
#include "crossview/models/model_summary.h"
#include "crossview/runtime/device.h"
#include "crossview/runtime/system_info.h"
#include "crossview/train/drl_trainer.h"
#include "crossview/train/retrieval_trainer.h"
#include "crossview/util/errors.h"
#include "crossview/util/file.h"
#include "crossview/util/log.h"

namespace crossview::perf {
namespace {

using Clock = std::chrono::steady_clock;

void Sync(const c10::Device& d) {
  if (d.is_cuda()) torch::cuda::synchronize(d.index() < 0 ? 0 : d.index());
}

// Median seconds of `repeats` runs of `fn` after `warmup` runs.
double MedianSeconds(int warmup, int repeats, const c10::Device& device, const std::function<void()>& fn) {
  for (int i = 0; i < warmup; ++i) fn();
  Sync(device);
  std::vector<double> s;
  for (int i = 0; i < repeats; ++i) {
    auto t0 = Clock::now();
    fn();
    Sync(device);
    s.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
  }
  std::sort(s.begin(), s.end());
  return s[s.size() / 2];
}

std::string CpuModel() {
  std::string text;
  try {
    text = ReadFile("/proc/cpuinfo");
  } catch (const Error&) {
    return "unknown CPU";
  }
  const std::string key = "model name";
  const size_t at = text.find(key);
  if (at == std::string::npos) return "unknown CPU";
  const size_t colon = text.find(':', at), end = text.find('\n', at);
  return text.substr(colon + 2, end - colon - 2);
}

nlohmann::json Machine(const BenchOptions& o) {
  nlohmann::json m = ToJson(CollectSystemInfo());
  m["cpu_model"] = CpuModel();
  m["device"] = o.device;
  m["intra_op_threads"] = IntraOpThreads();
  m["repeats"] = o.repeats;
  m["warmup"] = o.warmup;
  return m;
}

torch::Tensor RandomUnitRows(int64_t n, int64_t dim, uint64_t seed) {
  torch::manual_seed(seed);
  torch::Tensor x = torch::randn({n, dim});
  return x / x.norm(2, 1, true);
}

}  // namespace

void BenchOptions::Check() const {
  if (repeats < 1 || warmup < 0) throw CV_ERROR(InvalidArgumentError, "repeats must be >= 1 and warmup >= 0").With("repeats", repeats);
  for (int s : sizes) if (s < 32 || s % 16 != 0) throw CV_ERROR(InvalidArgumentError, "sizes must be multiples of 16, >= 32").With("size", s);
  for (int b : batches) if (b < 1) throw CV_ERROR(InvalidArgumentError, "batch sizes must be positive").With("batch", b);
  for (int64_t g : galleries) if (g < 10) throw CV_ERROR(InvalidArgumentError, "gallery sizes must be >= 10").With("gallery", g);
  for (const auto& t : index_types) index::ParseIndexType(t);
  if (search_queries < 1) throw CV_ERROR(InvalidArgumentError, "search_queries must be positive");
  ParseDevice(device);
}

double PeakRssMiB() {
  struct rusage u {};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // Linux: KiB
}

nlohmann::json BenchDescriptors(const BenchOptions& o) {
  o.Check();
  const c10::Device device = ResolveDevice(o.device);
  const torch::ScalarType dtype = o.bf16 ? torch::kBFloat16 : torch::kFloat;
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& method : o.methods) {
    train::RetrievalTrainOptions to = train::RetrievalTrainOptions::Preset("paper", method);
    torch::manual_seed(1);
    models::RetrievalNet net(to.ModelOptions(701));
    net->eval();
    net->to(device, dtype);
    torch::InferenceMode guard;
    for (int size : o.sizes) {
      models::MacCount macs = models::CountMacs([&] { net->forward(torch::zeros({1, 3, size, size}, torch::TensorOptions().dtype(dtype).device(device)), models::View::kDrone); });
      for (int batch : o.batches) {
        torch::manual_seed(2);
        torch::Tensor x = torch::rand({batch, 3, size, size}).to(device, dtype);
        nlohmann::json row = {{"method", method}, {"size", size}, {"batch", batch}, {"dtype", o.bf16 ? "bfloat16" : "float32"}};
        try {
          torch::Tensor d;
          const double s = MedianSeconds(o.warmup, o.repeats, device, [&] { d = models::ExtractDescriptors(net, x, models::View::kDrone); });
          const double ips = batch / s;
          // Flip TTA: two forward passes per image.
          const double gflops = 2.0 * 2.0 * static_cast<double>(macs.total) * ips / 1e9;
          row.update({{"seconds_per_batch", s}, {"images_per_s", ips}, {"ms_per_image", 1000.0 / ips}, {"macs_per_pass", macs.total},
                      {"gflop_per_s", gflops}, {"descriptor_dim", d.size(1)}, {"peak_rss_mib", PeakRssMiB()}});
        } catch (const std::exception& e) {
          row["error"] = e.what();
        }
        CV_LOG_INFO("descriptors {} {}px batch {}: {}", method, size, batch, row.contains("images_per_s") ? std::to_string(row["images_per_s"].get<double>()) + " images/s" : row.value("error", ""));
        rows.push_back(row);
      }
    }
  }
  return {{"what", "descriptors"}, {"rows", rows}, {"machine", Machine(o)}};
}

nlohmann::json BenchDrl(const BenchOptions& o) {
  o.Check();
  const c10::Device device = ResolveDevice(o.device);
  const torch::ScalarType dtype = o.bf16 ? torch::kBFloat16 : torch::kFloat;
  nlohmann::json rows = nlohmann::json::array();
  for (const std::string config : {"small", "paper"}) {
    train::DrlTrainOptions to = train::DrlTrainOptions::Preset(config == "paper" ? "paper" : "cpu-ci", "mix");
    models::drl::DrlNetOptions no = to.net;
    no.output_size = to.satellite_size;
    torch::manual_seed(1);
    models::drl::DrlNet net(no);
    net->eval();
    net->to(device, dtype);
    torch::InferenceMode guard;
    torch::manual_seed(2);
    torch::Tensor u = torch::rand({1, 3, to.uav_size, to.uav_size}).to(device, dtype);
    torch::Tensor s = torch::rand({1, 3, to.satellite_size, to.satellite_size}).to(device, dtype);
    models::MacCount macs = models::CountMacs([&] { net->forward(u, s); });
    eval::LocaliseOptions lo;
    lo.hanning_size = to.hanning_size;
    lo.input_size = to.satellite_size;
    nlohmann::json row = {{"config", config}, {"uav_size", to.uav_size}, {"satellite_size", to.satellite_size}, {"batch", 1},
                          {"dtype", o.bf16 ? "bfloat16" : "float32"}, {"macs_per_pair", macs.total}};
    try {
      const double fwd = MedianSeconds(o.warmup, o.repeats, device, [&] { net->forward(u, s); });
      const double full = MedianSeconds(o.warmup, o.repeats, device, [&] {
        torch::Tensor p = torch::sigmoid(net->forward(u, s).logits).to(torch::kCPU, torch::kFloat);
        eval::LocalisePeak(models::TensorToFloatMap(p[0]), lo);
      });
      row.update({{"forward_ms", 1000.0 * fwd}, {"pairs_per_s", 1.0 / fwd}, {"localise_ms", 1000.0 * full},
                  {"gflop_per_s", 2.0 * static_cast<double>(macs.total) / fwd / 1e9}, {"peak_rss_mib", PeakRssMiB()}});
    } catch (const std::exception& e) {
      row["error"] = e.what();
    }
    CV_LOG_INFO("drl {}: {} ms per localisation", config, row.value("localise_ms", -1.0));
    rows.push_back(row);
  }
  return {{"what", "drl"}, {"rows", rows}, {"machine", Machine(o)}};
}

nlohmann::json BenchSearch(const BenchOptions& o) {
  o.Check();
  const int64_t dim = o.dim > 0 ? o.dim : 512 * 7;
  nlohmann::json rows = nlohmann::json::array();
  std::vector<int64_t> galleries = o.galleries;
  std::sort(galleries.begin(), galleries.end());
  TempDir tmp("crossview-bench");
  for (int64_t n : galleries) {
    torch::Tensor gallery = RandomUnitRows(n, dim, 3);
    // Queries: noisy copies of random gallery rows (a true match exists, as in localisation).
    torch::manual_seed(4);
    torch::Tensor pick = torch::randint(n, {o.search_queries}, torch::kLong);
    torch::Tensor q = gallery.index_select(0, pick) + 0.05 * torch::randn({o.search_queries, dim});
    q = (q / q.norm(2, 1, true)).contiguous();
    std::vector<int64_t> exact_top1;
    for (const auto& type_name : o.index_types) {
      index::IndexOptions io;
      io.type = index::ParseIndexType(type_name);
      io.dim = dim;
      auto t0 = Clock::now();
      std::unique_ptr<index::VectorIndex> idx = index::VectorIndex::Create(io);
      if (!idx->is_trained()) idx->Train(n, gallery.data_ptr<float>());
      idx->Add(n, gallery.data_ptr<float>());
      const double build_s = std::chrono::duration<double>(Clock::now() - t0).count();
      std::vector<double> lat;
      int64_t agree = 0;
      for (int64_t i = 0; i < o.search_queries; ++i) {
        auto s0 = Clock::now();
        index::SearchResult r = idx->Search(1, q[i].data_ptr<float>(), index::SearchParams{1});
        lat.push_back(std::chrono::duration<double, std::milli>(Clock::now() - s0).count());
        if (type_name == "flat") exact_top1.push_back(r.ids[0]);
        else if (!exact_top1.empty() && r.ids[0] == exact_top1[static_cast<size_t>(i)]) ++agree;
      }
      std::sort(lat.begin(), lat.end());
      const auto path = tmp.path() / (type_name + std::to_string(n) + ".faiss");
      idx->Save(path);
      nlohmann::json row = {{"index", type_name}, {"gallery", n}, {"dim", dim}, {"build_s", build_s},
                            {"median_ms_per_query", lat[lat.size() / 2]}, {"p99_ms_per_query", lat[std::min(lat.size() - 1, lat.size() * 99 / 100)]},
                            {"bytes_per_item", static_cast<double>(std::filesystem::file_size(path)) / static_cast<double>(n)},
                            {"peak_rss_mib", PeakRssMiB()}};
      row["recall@1_vs_exact"] = type_name == "flat" ? nlohmann::json(1.0) : exact_top1.empty() ? nlohmann::json(nullptr) : nlohmann::json(static_cast<double>(agree) / o.search_queries);
      CV_LOG_INFO("search {} n={}: {:.3f} ms/query", type_name, n, row["median_ms_per_query"].get<double>());
      rows.push_back(row);
      std::filesystem::remove(path);
    }
  }
  return {{"what", "search"}, {"rows", rows}, {"machine", Machine(o)}};
}

std::string BenchMarkdown(const std::string& what, const nlohmann::json& r) {
  std::ostringstream os;
  os << std::fixed;
  const auto& m = r["machine"];
  os << "# crossview bench " << what << "\n\n" << m.value("cpu_model", std::string("?")) << ", " << m["intra_op_threads"] << " threads, device "
     << m["device"].get<std::string>() << ", median of " << m["repeats"] << " runs\n\n";
  auto num = [](const nlohmann::json& j, const char* k, int prec) {
    std::ostringstream s;
    if (j.contains(k) && j[k].is_number()) s << std::fixed << std::setprecision(prec) << j[k].get<double>();
    else s << "-";
    return s.str();
  };
  if (what == "descriptors") {
    os << "| method | size | batch | images/s | ms/image | GFLOP/s | peak RSS MiB |\n|---|---|---|---|---|---|---|\n";
    for (const auto& row : r["rows"]) {
      os << "| " << row["method"].get<std::string>() << " | " << row["size"] << " | " << row["batch"] << " | " << num(row, "images_per_s", 2) << " | "
         << num(row, "ms_per_image", 1) << " | " << num(row, "gflop_per_s", 1) << " | " << num(row, "peak_rss_mib", 0) << " |\n";
    }
  } else if (what == "drl") {
    os << "| config | UAV | satellite | forward ms | pairs/s | localisation ms | GFLOP/s | peak RSS MiB |\n|---|---|---|---|---|---|---|---|\n";
    for (const auto& row : r["rows"]) {
      os << "| " << row["config"].get<std::string>() << " | " << row["uav_size"] << " | " << row["satellite_size"] << " | " << num(row, "forward_ms", 1)
         << " | " << num(row, "pairs_per_s", 2) << " | " << num(row, "localise_ms", 1) << " | " << num(row, "gflop_per_s", 1) << " | "
         << num(row, "peak_rss_mib", 0) << " |\n";
    }
  } else {
    os << "| index | gallery | dim | build s | median ms/query | p99 ms | recall@1 vs exact | bytes/item | peak RSS MiB |\n|---|---|---|---|---|---|---|---|---|\n";
    for (const auto& row : r["rows"]) {
      os << "| " << row["index"].get<std::string>() << " | " << row["gallery"] << " | " << row["dim"] << " | " << num(row, "build_s", 2) << " | "
         << num(row, "median_ms_per_query", 3) << " | " << num(row, "p99_ms_per_query", 3) << " | " << num(row, "recall@1_vs_exact", 3) << " | "
         << num(row, "bytes_per_item", 0) << " | " << num(row, "peak_rss_mib", 0) << " |\n";
    }
  }
  return os.str();
}

}  // namespace crossview::perf
