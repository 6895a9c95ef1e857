#include "crossview/models/model_summary.h"

#include <ATen/record_function.h>
#include <torch/torch.h>

#include <cstring>
#include <memory>
#include <sstream>
#include <unordered_set>

#include "crossview/util/errors.h"

namespace crossview::models {

namespace {

std::string TypeName(const torch::nn::Module& m) {
  std::string n = m.name();
  size_t colon = n.rfind("::");
  if (colon != std::string::npos) n = n.substr(colon + 2);
  if (n.size() > 4 && n.compare(n.size() - 4, 4, "Impl") == 0) n.resize(n.size() - 4);
  return n;
}

ModuleSummary Summarise(const std::string& name, const torch::nn::Module& m, int depth, int max_depth) {
  ModuleSummary s;
  s.name = name;
  s.type = TypeName(m);
  s.parameters = CountParameters(m);
  if (depth < max_depth) {
    for (const auto& child : m.named_children()) s.children.push_back(Summarise(child.key(), *child.value(), depth + 1, max_depth));
  }
  return s;
}

void Format(const ModuleSummary& s, int indent, std::ostringstream& os) {
  std::string label = std::string(static_cast<size_t>(2 * indent), ' ') + (s.name.empty() ? "(root)" : s.name);
  os << label << std::string(label.size() < 44 ? 44 - label.size() : 1, ' ') << s.type;
  os << std::string(s.type.size() < 22 ? 22 - s.type.size() : 1, ' ') << s.parameters << "\n";
  for (const auto& c : s.children) Format(c, indent + 1, os);
}

// --- MAC counting through RecordFunction ----------------------------------------------------

struct MacState {
  MacCount count;
  int active = 0;  // > 0 while inside a counted operator
};
thread_local MacState* g_state = nullptr;

struct MacContext : at::ObserverContext {
  std::string op;
  int64_t per_output = 0;  // MACs per output element
  int64_t fixed = 0;       // or a total known from the inputs (transposed convolution)
};

std::vector<int64_t> Sizes(const c10::IValue& v) { return v.isTensor() ? v.toTensor().sizes().vec() : std::vector<int64_t>{}; }

int64_t Product(const std::vector<int64_t>& v, size_t from) {
  int64_t p = 1;
  for (size_t i = from; i < v.size(); ++i) p *= v[i];
  return p;
}

std::unique_ptr<at::ObserverContext> OnStart(const at::RecordFunction& fn) {
  if (g_state == nullptr || g_state->active > 0) return nullptr;
  static const std::unordered_set<std::string> kOps = {"aten::conv1d", "aten::conv2d", "aten::conv3d", "aten::convolution",
                                                       "aten::_convolution", "aten::conv_transpose1d", "aten::conv_transpose2d",
                                                       "aten::conv_transpose3d", "aten::linear", "aten::addmm", "aten::mm",
                                                       "aten::bmm", "aten::baddbmm", "aten::matmul"};
  const std::string op = fn.name();
  if (kOps.count(op) == 0) return nullptr;
  auto in = fn.inputs();
  auto ctx = std::make_unique<MacContext>();
  ctx->op = op;
  if (op.find("conv") != std::string::npos) {
    if (in.size() < 2) return nullptr;
    const std::vector<int64_t> x = Sizes(in[0]), w = Sizes(in[1]);
    if (w.size() < 3) return nullptr;
    bool transposed = op.find("transpose") != std::string::npos;
    if ((op == "aten::convolution" || op == "aten::_convolution") && in.size() > 6 && in[6].isBool()) transposed = in[6].toBool();
    if (transposed) {
      ctx->fixed = Product(x, 0) * w[1] * Product(w, 2);  // weight [C_in, C_out/groups, k...]
    } else {
      ctx->per_output = w[1] * Product(w, 2);  // weight [C_out, C_in/groups, k...]
    }
  } else if (op == "aten::linear") {
    const std::vector<int64_t> w = Sizes(in[1]);
    if (w.size() != 2) return nullptr;
    ctx->per_output = w[1];
  } else {
    const std::vector<int64_t> a = Sizes(in[op == "aten::addmm" || op == "aten::baddbmm" ? 1 : 0]);
    if (a.empty()) return nullptr;
    ctx->per_output = a.back();
  }
  ++g_state->active;
  return ctx;
}

void OnEnd(const at::RecordFunction& fn, at::ObserverContext* raw) {
  if (raw == nullptr || g_state == nullptr) return;
  auto* ctx = static_cast<MacContext*>(raw);
  --g_state->active;
  int64_t macs = ctx->fixed;
  if (ctx->per_output > 0) {
    const auto& outs = fn.outputs();
    if (!outs.empty() && outs[0].isTensor()) macs = ctx->per_output * outs[0].toTensor().numel();
  }
  g_state->count.total += macs;
  g_state->count.by_operator[ctx->op] += macs;
}

}  // namespace

int64_t CountParameters(const torch::nn::Module& module) {
  std::unordered_set<const void*> seen;
  int64_t n = 0;
  for (const auto& p : module.parameters()) {
    if (seen.insert(p.unsafeGetTensorImpl()).second) n += p.numel();
  }
  return n;
}

ModuleSummary SummariseModules(const torch::nn::Module& module, int max_depth) { return Summarise("", module, 0, max_depth); }

std::string FormatModuleTree(const ModuleSummary& tree) {
  std::ostringstream os;
  Format(tree, 0, os);
  return os.str();
}

nlohmann::json ToJson(const ModuleSummary& tree) {
  nlohmann::json j = {{"name", tree.name}, {"type", tree.type}, {"parameters", tree.parameters}};
  if (!tree.children.empty()) {
    j["children"] = nlohmann::json::array();
    for (const auto& c : tree.children) j["children"].push_back(ToJson(c));
  }
  return j;
}

MacCount CountMacs(const std::function<void()>& fn) {
  if (g_state != nullptr) throw CV_ERROR(InvalidArgumentError, "CountMacs calls cannot be nested");
  MacState state;
  g_state = &state;
  at::CallbackHandle handle =
      at::addThreadLocalCallback(at::RecordFunctionCallback(&OnStart, &OnEnd).needsInputs(true).needsOutputs(true).scopes({at::RecordScope::FUNCTION}));
  try {
    fn();
  } catch (...) {
    at::removeCallback(handle);
    g_state = nullptr;
    throw;
  }
  at::removeCallback(handle);
  g_state = nullptr;
  return state.count;
}

}  // namespace crossview::models
