// libFuzzer target for configuration input: OptionTable (util/option_table.h), which reads JSON
// config files (`--config`) and `--set key=value` assignments into options structs.
//
// The input is tried both ways: as a whole JSON document (SetFromJson, what SetFromFile does after
// reading the file) and line by line as assignments (SetAssignment). The only acceptable outcome
// is success or a crossview::Error; anything else (another exception type, a sanitizer report,
// a crash) is a finding. Every field type OptionTable supports is registered once.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crossview/util/errors.h"
#include "crossview/util/option_table.h"

namespace {

struct FuzzOptions {
  double lr = 0.01;
  int epochs = 10;
  int64_t seed = 1;
  bool flip = false;
  std::string method = "lpn";
  std::string name = "run";
  std::vector<int> sizes = {256, 384};
};

crossview::OptionTable MakeTable(FuzzOptions& o) {
  crossview::OptionTable t;
  t.Add("optim.lr", &o.lr, "learning rate");
  t.Add("epochs", &o.epochs, "epochs");
  t.Add("seed", &o.seed, "seed");
  t.Add("augment.flip", &o.flip, "flip");
  t.Add("model.method", &o.method, "method", {"lpn", "fsra", "msba"});
  t.Add("name", &o.name, "run name");
  t.Add("data.sizes", &o.sizes, "sizes");
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  {
    FuzzOptions o;
    crossview::OptionTable table = MakeTable(o);
    const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!j.is_discarded()) {
      try {
        table.SetFromJson(j);
        (void)table.ToJson().dump();
      } catch (const crossview::Error&) {
      }
    }
  }
  {
    FuzzOptions o;
    crossview::OptionTable table = MakeTable(o);
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
      try {
        table.SetAssignment(line);
      } catch (const crossview::Error&) {
      }
    }
    (void)table.ToJson().dump();
  }
  return 0;
}
