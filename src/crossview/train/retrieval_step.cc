#include "crossview/train/retrieval_step.h"

#include <torch/torch.h>

#include "crossview/train/retrieval_losses.h"
#include "crossview/util/errors.h"

namespace crossview::train {

namespace F = torch::nn::functional;

void RetrievalLossOptions::Check() const {
  if (ce_reduction != "sum" && ce_reduction != "mean") throw CV_ERROR(InvalidArgumentError, "loss.ce_reduction must be sum or mean");
  for (auto [name, v] : {std::pair<const char*, double>{"loss.ce_weight", ce_weight}, {"loss.w_sat", w_sat}, {"loss.w_drone", w_drone},
                         {"loss.triplet_weight", triplet_weight}, {"loss.w_mse", w_mse}, {"loss.w_drcl", w_drcl}, {"loss.unit_ce", unit_ce}}) {
    if (v < 0) throw CV_ERROR(InvalidArgumentError, std::string(name) + " must be >= 0").With("value", v);
  }
  if (drcl_radius <= 0) throw CV_ERROR(InvalidArgumentError, "loss.drcl_radius must be > 0").With("value", drcl_radius);
  muml.Check();
}

namespace {

at::Tensor Ce(const at::Tensor& logits, const at::Tensor& labels) { return F::cross_entropy(logits, labels); }

StepResult Finish(torch::optim::Optimizer& opt, const at::Tensor& loss, StepResult r) {
  opt.zero_grad();
  loss.backward();
  opt.step();
  r.loss += loss.item<double>();
  ++r.optimizer_steps;
  return r;
}

StepResult GenericStep(models::RetrievalNet& net, torch::optim::Optimizer& opt, const StepBatch& b, const RetrievalLossOptions& o) {
  const HeadReduction reduction = o.ce_reduction == "sum" ? HeadReduction::kSum : HeadReduction::kMean;
  models::RetrievalOutput os = net->forward(b.satellite, models::View::kSatellite);
  models::RetrievalOutput od = net->forward(b.drone, models::View::kDrone);
  at::Tensor ce = o.w_sat * CrossEntropyHeads(os.logits, b.labels, reduction) + o.w_drone * CrossEntropyHeads(od.logits, b.labels, reduction);
  at::Tensor loss = o.ce_weight * ce;
  if (o.kl) loss = loss + KlMutualLoss(os.logits, od.logits);
  if (o.triplet_weight > 0) {
    TripletOptions to;
    to.margin = o.triplet_margin;
    loss = loss + o.triplet_weight * CrossViewTripletHeads(os.features, od.features, b.labels, to);
  }
  StepResult r;
  r.drone_scores = torch::zeros_like(od.logits[0]);
  for (const auto& l : od.logits) r.drone_scores = r.drone_scores + l.detach();
  return Finish(opt, loss, r);
}

// One IML-Net pass of both views: reconstruction + DRCL + unit CEs (+ global CE).
at::Tensor ImlPassLoss(models::RetrievalNet& net, const models::RetrievalOutput& os, const models::RetrievalOutput& od,
                       const at::Tensor& satellite_input, const StepBatch& b, const RetrievalLossOptions& o) {
  const size_t units = net->muml()->num_units();
  at::Tensor loss = torch::zeros({}, od.features[0].options());
  if (o.w_mse > 0) {
    if (!od.reconstruction.defined()) throw CV_ERROR(InternalError, "IML-Net gave no reconstruction in training mode");
    loss = loss + o.w_mse * F::mse_loss(od.reconstruction, b.satellite_target);
    if (os.reconstruction.defined()) loss = loss + o.w_mse * F::mse_loss(os.reconstruction, satellite_input);
  }
  if (o.w_drcl > 0) {
    TripletOptions to;
    to.margin = o.drcl_margin;
    to.sphere_radius = o.drcl_radius;
    loss = loss + o.w_drcl * CrossViewTriplet(os.features[0], od.features[0], b.labels, to);
  }
  if (o.unit_ce > 0) {
    at::Tensor ce = torch::zeros({}, loss.options());
    for (size_t n = 0; n < units; ++n) ce = ce + Ce(os.logits[n], b.labels) + Ce(od.logits[n], b.labels);
    loss = loss + o.unit_ce * ce;
  }
  const double global_ce = net->options().iml.global_ce;
  if (global_ce > 0 && os.logits.size() > units) {
    loss = loss + global_ce * (Ce(os.logits[units], b.labels) + Ce(od.logits[units], b.labels));
  }
  return loss;
}

struct ImlPasses {
  models::RetrievalOutput os, od, crop_s, crop_d;
  at::Tensor crops_s;  // the satellite crop images (their own reconstruction target)
};

// Raw pass, crops, crop pass. Crops come from `fixed_unit` when >= 0, otherwise from a unit drawn
// uniformly per image or from the combined map (options.muml.crop_source).
ImlPasses RunImlPasses(models::RetrievalNet& net, const StepBatch& b, const RetrievalLossOptions& o, int64_t fixed_unit) {
  ImlPasses p;
  p.os = net->forward(b.satellite, models::View::kSatellite);
  p.od = net->forward(b.drone, models::View::kDrone);
  const int64_t n = b.labels.size(0);
  const int64_t units = static_cast<int64_t>(net->muml()->num_units());
  auto choice = [&]() -> at::Tensor {
    if (fixed_unit >= 0) return torch::full({n}, fixed_unit, torch::kLong);
    if (o.muml.crop_source == "combined") return at::Tensor();
    return torch::randint(0, units, {n}, torch::kLong);
  };
  p.crops_s = MumlCrops(net, b.satellite, p.os, b.labels, choice(), o.muml);
  at::Tensor crops_d = MumlCrops(net, b.drone, p.od, b.labels, choice(), o.muml);
  p.crop_s = net->forward(p.crops_s, models::View::kSatellite);
  p.crop_d = net->forward(crops_d, models::View::kDrone);
  return p;
}

at::Tensor DroneScores(const models::RetrievalOutput& od) {
  at::Tensor s = torch::zeros_like(od.logits[0]);
  for (const auto& l : od.logits) s = s + l.detach();
  return s;
}

StepResult ImlStep(models::RetrievalNet& net, torch::optim::Optimizer& opt, const StepBatch& b, const RetrievalLossOptions& o) {
  if (!b.satellite_target.defined()) throw CV_ERROR(InvalidArgumentError, "IML-Net steps need the satellite reconstruction targets");
  StepResult r;
  if (o.muml.schedule == "cmal") {
    const int64_t units = static_cast<int64_t>(net->muml()->num_units());
    for (int64_t u = units - 1; u >= 0; --u) {
      ImlPasses p = RunImlPasses(net, b, o, u);
      const size_t k = static_cast<size_t>(u);
      at::Tensor ce = Ce(p.os.logits[k], b.labels) + Ce(p.od.logits[k], b.labels) + Ce(p.crop_s.logits[k], b.labels) +
                      Ce(p.crop_d.logits[k], b.labels);
      r = Finish(opt, o.unit_ce * ce, r);
    }
    RetrievalLossOptions combined = o;
    combined.muml.crop_source = "combined";
    ImlPasses p = RunImlPasses(net, b, combined, -1);
    r.drone_scores = DroneScores(p.od);
    at::Tensor loss = ImlPassLoss(net, p.os, p.od, b.satellite, b, o) + ImlPassLoss(net, p.crop_s, p.crop_d, p.crops_s, b, o);
    return Finish(opt, loss, r);
  }
  ImlPasses p = RunImlPasses(net, b, o, -1);
  r.drone_scores = DroneScores(p.od);
  // Drone crops reconstruct the full paired satellite; with iml.recon_satellite the satellite
  // crops reconstruct themselves (their own input).
  at::Tensor loss = ImlPassLoss(net, p.os, p.od, b.satellite, b, o) + ImlPassLoss(net, p.crop_s, p.crop_d, p.crops_s, b, o);
  return Finish(opt, loss, r);
}

}  // namespace

at::Tensor MumlCrops(models::RetrievalNet& net, const at::Tensor& images, const models::RetrievalOutput& out, const at::Tensor& labels,
                     const at::Tensor& units, const models::MumlOptions& options) {
  models::MumlUnits& muml = net->muml();
  const size_t n_units = muml->num_units();
  if (out.unit_maps.size() != n_units || out.logits.size() < n_units) {
    throw CV_ERROR(InvalidArgumentError, "MUML crops need a training-mode IML-Net output").With("unit_maps", out.unit_maps.size());
  }
  const int64_t n = images.size(0), h = images.size(2), w = images.size(3);
  std::vector<at::Tensor> maps(n_units);
  auto map_of = [&](size_t u) -> const at::Tensor& {
    if (!maps[u].defined()) {
      at::Tensor classes = options.cam_class == "label" ? labels : out.logits[u].detach().argmax(1);
      maps[u] = models::AttentionMaps(muml->Cam(u, out.unit_maps[u], classes), h, w);
    }
    return maps[u];
  };
  at::Tensor combined;
  if (!units.defined()) {
    for (size_t u = 0; u < n_units; ++u) map_of(u);
    combined = models::CombinedAttention(maps);
  }
  std::vector<models::CropBox> boxes;
  for (int64_t i = 0; i < n; ++i) {
    at::Tensor m = units.defined() ? map_of(static_cast<size_t>(units[i].item<int64_t>()))[i] : combined[i];
    boxes.push_back(models::AttentionBox(m, options));
  }
  torch::NoGradGuard ng;
  return models::CropAndResize(images.detach(), boxes);
}

StepResult TrainStep(models::RetrievalNet& net, torch::optim::Optimizer& optimizer, const StepBatch& batch, const RetrievalLossOptions& options) {
  if (net->options().method == "imlnet") return ImlStep(net, optimizer, batch, options);
  return GenericStep(net, optimizer, batch, options);
}

}  // namespace crossview::train
