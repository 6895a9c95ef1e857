// crossview bench --what descriptors|drl|search [--methods ...] [--sizes ...] [--batches ...]
//                 [--galleries ...] [--dim D] [--index-types ...] [--repeats N] [--bf16] [--device D] --out DIR
// Speed and memory, measured (perf/bench_runner.h); writes DIR/<what>.json and DIR/<what>.md and
// prints the markdown.
#include <iostream>

#include "crossview/cli/command.h"
#include "crossview/cli/common_flags.h"
#include "crossview/perf/bench_runner.h"
#include "crossview/util/file.h"

namespace crossview::cli {

int RunBench(int argc, char** argv) {
  CLI::App app("Measure speed and memory: descriptor throughput, DRL localisation, gallery search.", "crossview bench");
  CommonFlags common;
  AddCommonFlags(app, &common);
  perf::BenchOptions o;
  std::vector<std::string> what{"descriptors", "drl", "search"};
  std::string out;
  app.add_option("--what", what, "descriptors | drl | search (repeatable, comma-separated)")->delimiter(',')->capture_default_str()
      ->check(CLI::IsMember({"descriptors", "drl", "search"}));
  app.add_option("--methods", o.methods, "retrieval methods (paper configurations)")->delimiter(',')->capture_default_str();
  app.add_option("--sizes", o.sizes, "input sides")->delimiter(',')->capture_default_str();
  app.add_option("--batches", o.batches, "batch sizes")->delimiter(',')->capture_default_str();
  app.add_option("--galleries", o.galleries, "gallery sizes for search")->delimiter(',')->capture_default_str();
  app.add_option("--dim", o.dim, "search descriptor dimension (0 = MSBA's 3584)")->capture_default_str();
  app.add_option("--index-types", o.index_types, "flat | ivf | hnsw")->delimiter(',')->capture_default_str();
  app.add_option("--queries", o.search_queries, "search queries per configuration")->capture_default_str();
  app.add_option("--repeats", o.repeats, "timed runs per row (the median is reported)")->capture_default_str();
  app.add_option("--warmup", o.warmup, "untimed runs before timing")->capture_default_str();
  app.add_flag("--bf16", o.bf16, "run descriptors/drl in bfloat16");
  AddDeviceFlag(app, &o.device);
  app.add_option("--out", out, "directory for <what>.json and <what>.md")->required();
  return RunCommand(app, argc, argv, [&] {
    common.Apply();
    o.Check();
    EnsureDirectory(out);
    for (const auto& w : what) {
      nlohmann::json r = w == "descriptors" ? perf::BenchDescriptors(o) : w == "drl" ? perf::BenchDrl(o) : perf::BenchSearch(o);
      const std::string md = perf::BenchMarkdown(w, r);
      WriteFileAtomic(std::filesystem::path(out) / (w + ".json"), r.dump(2) + "\n");
      WriteFileAtomic(std::filesystem::path(out) / (w + ".md"), md);
      std::cout << md << "\n";
    }
  });
}

}  // namespace crossview::cli
