#include "crossview/models/drl/drl_net.h"

#include <torch/torch.h>

#include <algorithm>

#include "crossview/util/errors.h"

namespace crossview::models::drl {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

namespace {
void CheckOneOf(const std::string& field, const std::string& value, const std::vector<std::string>& valid) {
  if (std::find(valid.begin(), valid.end(), value) != valid.end()) return;
  std::string list;
  for (const auto& v : valid) list += (list.empty() ? "" : ", ") + v;
  throw CV_ERROR(InvalidArgumentError, "unknown drl." + field + " '" + value + "'").Hint("valid: " + list);
}
}  // namespace

void DrlNetOptions::Check() const {
  CheckOneOf("fusion", fusion, {"mix", "post"});
  CheckOneOf("neck", neck, {"fpn", "ccn"});
  CheckOneOf("head", head, {"ce", "avg", "gem", "gc", "caf", "saf"});
  if ((head == "gc" || head == "caf" || head == "saf") && neck != "ccn") {
    throw CV_ERROR(InvalidArgumentError, "the " + head + " head is implemented on the CCN neck").Hint("set drl.neck=ccn");
  }
  if (fpn_level < 0 || fpn_level > 2) throw CV_ERROR(InvalidArgumentError, "drl.fpn_level must be 0, 1 or 2").With("fpn_level", fpn_level);
  if (output_size < 0) throw CV_ERROR(InvalidArgumentError, "drl.output_size must be >= 0").With("output_size", output_size);
  if (neck_dim < 1) throw CV_ERROR(InvalidArgumentError, "drl.neck_dim must be positive").With("neck_dim", neck_dim);
}

DrlNetOptions DrlNetOptions::Paper() { return DrlNetOptions{}; }

DrlNetOptions DrlNetOptions::Small() {
  DrlNetOptions o;
  o.small_backbone = true;
  o.neck_dim = 32;
  o.ce_dims = {16, 4, 1};
  o.output_size = 0;  // set to the satellite input size by the caller
  return o;
}

DrlNetOptions DrlNetOptions::PostFusionGc() {
  DrlNetOptions o;
  o.fusion = "post";
  o.neck = "ccn";
  o.head = "gc";
  o.output_size = 0;
  return o;
}

DrlNetImpl::DrlNetImpl(const DrlNetOptions& options) : options_(options) {
  options_.Check();
  const bool mix = options_.fusion == "mix";
  CvtOptions co = options_.small_backbone ? CvtOptions::Small(mix) : CvtOptions::Cvt13(mix);
  if (mix) {
    auto outer = register_module("union_backbone", NamedHolder());
    auto inner = outer->register_module("backbone", NamedHolder());
    cvt_uav_ = cvt_satellite_ = inner->register_module("backbone", Cvt(co));
  } else {
    auto bu = register_module("backbone_uav", NamedHolder());
    cvt_uav_ = bu->register_module("backbone", Cvt(co));
    if (options_.share_backbone) {
      cvt_satellite_ = cvt_uav_;
    } else {
      auto bs = register_module("backbone_satellite", NamedHolder());
      cvt_satellite_ = bs->register_module("backbone", Cvt(co));
    }
  }
  std::vector<int64_t> dims;
  for (const auto& s : co.stages) dims.push_back(s.dim);
  auto nu = register_module("neck_uav", NamedHolder());
  auto ns = register_module("neck_satellite", NamedHolder());
  if (options_.neck == "fpn") {
    fpn_uav_ = nu->register_module("neck", FpnI3(dims, options_.neck_dim));
    fpn_satellite_ = ns->register_module("neck", FpnI3(dims, options_.neck_dim));
  } else {
    ccn_uav_ = nu->register_module("neck", Ccn(dims, std::vector<int64_t>{2}, options_.neck_dim));
    ccn_satellite_ = ns->register_module("neck", Ccn(dims, std::vector<int64_t>{2}, options_.neck_dim));
  }
  auto h = register_module("head", NamedHolder());
  if (options_.head == "ce") {
    std::vector<int64_t> ce = {options_.neck_dim};
    ce.insert(ce.end(), options_.ce_dims.begin(), options_.ce_dims.end());
    ce_ = h->register_module("head", ChannelEmbedding(ce));
  } else if (options_.head == "gc") {
    gc_ = h->register_module("head", SingleGroupFusionHead(options_.neck_dim, options_.gc_out_scale, options_.gc_padding));
  } else if (options_.head == "caf" || options_.head == "saf") {
    AttentionFusionOptions ao;
    ao.kind = options_.head;
    ao.dim = options_.neck_dim;
    fusion_ = h->register_module("head", AttentionFusionHead(ao));
  } else {
    pool_ = h->register_module("head", ChannelPooling(options_.head, options_.neck_dim));
  }
}

std::vector<torch::Tensor> DrlNetImpl::Neck(bool uav, const std::vector<torch::Tensor>& stages) {
  if (options_.neck == "fpn") {
    FpnI3& fpn = uav ? fpn_uav_ : fpn_satellite_;
    bool only_p3 = options_.skip_unused_branches && options_.fpn_level == 0;
    return fpn->forward(stages, only_p3);
  }
  return (uav ? ccn_uav_ : ccn_satellite_)->forward(stages);
}

torch::Tensor DrlNetImpl::Head(const std::vector<torch::Tensor>& uav_neck, const std::vector<torch::Tensor>& sat_neck) {
  const torch::Tensor& sat = options_.neck == "fpn" ? sat_neck.at(static_cast<size_t>(options_.fpn_level)) : sat_neck.at(0);
  if (options_.head == "ce") return ce_(sat);
  if (options_.head == "gc") return gc_(uav_neck.at(0), sat);
  if (options_.head == "caf" || options_.head == "saf") return fusion_(uav_neck.at(0), sat);
  return pool_(sat);
}

DrlOutput DrlNetImpl::forward(const torch::Tensor& uav, const torch::Tensor& satellite) {
  for (const auto* t : {&uav, &satellite}) {
    if (t->dim() != 4 || t->size(1) != 3) {
      throw CV_ERROR(InvalidArgumentError, "DRL inputs must be (B, 3, H, W) RGB in [0, 1]").With("shape", t->sizes());
    }
  }
  if (uav.size(0) != satellite.size(0)) {
    throw CV_ERROR(InvalidArgumentError, "UAV and satellite batches differ").With("uav", uav.size(0)).With("satellite", satellite.size(0));
  }
  DrlOutput out;
  if (options_.fusion == "mix") {
    std::tie(out.uav_stages, out.satellite_stages) = cvt_uav_->ForwardMixed(uav, satellite);
  } else {
    out.uav_stages = cvt_uav_->ForwardSingle(uav);
    out.satellite_stages = cvt_satellite_->ForwardSingle(satellite);
  }
  // The CE and pooling heads ignore the UAV neck (the reference still computes it).
  const bool uses_uav = options_.head == "gc" || options_.head == "caf" || options_.head == "saf";
  const bool need_uav_neck = uses_uav || !options_.skip_unused_branches;
  std::vector<torch::Tensor> uav_neck = need_uav_neck ? Neck(true, out.uav_stages) : std::vector<torch::Tensor>{};
  std::vector<torch::Tensor> sat_neck = Neck(false, out.satellite_stages);
  out.satellite_neck = options_.neck == "fpn" && !(options_.skip_unused_branches && options_.fpn_level == 0)
                           ? sat_neck.at(static_cast<size_t>(options_.fpn_level))
                           : sat_neck.at(0);
  torch::Tensor logits = Head(uav_neck, sat_neck);
  if (options_.output_size > 0 && (logits.size(2) != options_.output_size || logits.size(3) != options_.output_size)) {
    // Legacy nearest (source index ⌊dst·in/out⌋), not nearest-exact.
    logits = F::interpolate(logits, F::InterpolateFuncOptions()
                                        .size(std::vector<int64_t>{options_.output_size, options_.output_size})
                                        .mode(torch::kNearest));
  }
  out.logits = logits;
  return out;
}

}  // namespace crossview::models::drl
