// RetrievalTrainOptions: validation, the config-key table, the network it describes and the named
// presets (spec retrieval.md §6.3).
#include "crossview/train/retrieval_trainer.h"

#include "crossview/util/errors.h"

namespace crossview::train {

models::RetrievalNetOptions RetrievalTrainOptions::ModelOptions(int64_t num_classes) const {
  models::RetrievalNetOptions mo;
  mo.method = method;
  mo.backbone.depth = depth;
  mo.backbone.last_stride = last_stride;
  mo.backbone.base_width = base_width;
  mo.vgg.base_width = base_width;
  if (convnext == "tiny") {
    mo.convnext = models::ConvNextOptions::Tiny();
  } else if (convnext == "base") {
    mo.convnext = models::ConvNextOptions::Base();
  } else if (convnext == "reduced") {
    mo.convnext = models::ConvNextOptions::Small();
  } else {
    throw CV_ERROR(InvalidArgumentError, "unknown model.convnext '" + convnext + "'").Hint("valid: tiny, base, reduced");
  }
  mo.num_classes = num_classes;
  mo.dropout = dropout;
  mo.bottleneck = bottleneck;
  mo.lpn_blocks = lpn_blocks;
  mo.baseline_pool = baseline_pool;
  mo.mfrl = mfrl;
  mo.iml = iml;
  return mo;
}

void RetrievalTrainOptions::Check() const {
  ModelOptions(2).Check();
  optim.Check();
  loss.Check();
  if (data.empty()) throw CV_ERROR(InvalidArgumentError, "no dataset given").Hint("pass --data DIR");
  if (out.empty()) throw CV_ERROR(InvalidArgumentError, "no run directory given").Hint("pass --out RUN");
  if (batch_size < 2) throw CV_ERROR(InvalidArgumentError, "data.batch_size must be >= 2 (pairs of distinct buildings)").With("batch_size", batch_size);
  if (epochs < 1) throw CV_ERROR(InvalidArgumentError, "train.epochs must be >= 1").With("epochs", epochs);
  if (sample_num < 1) throw CV_ERROR(InvalidArgumentError, "data.sample_num must be >= 1").With("sample_num", sample_num);
  if (size < 32 || size % 16 != 0) throw CV_ERROR(InvalidArgumentError, "data.size must be a multiple of 16, >= 32").With("size", size);
  if (flip < 0 || flip > 1) throw CV_ERROR(InvalidArgumentError, "data.flip must be a probability").With("flip", flip);
  if (method == "mfrl" && mfrl.attention == "sge" && size < 64) {
    // SGE standardises over the positions of the stride-32 map: one position has no deviation.
    throw CV_ERROR(InvalidArgumentError, "MFRL with SGE needs data.size >= 64 (a stage-4 map of at least 2×2)").With("size", size);
  }
}

OptionTable RetrievalTrainOptions::Bind() {
  OptionTable t;
  t.Add("model.method", &method, "retrieval method", models::RetrievalNetOptions::Methods());
  t.Add("model.depth", &depth, "ResNet depth (18, 34, 50)");
  t.Add("model.last_stride", &last_stride, "1 or 2");
  t.Add("model.base_width", &base_width, "ResNet / VGG-16 stage-1 width: 64 = torchvision; smaller for CPU presets");
  t.Add("model.dropout", &dropout);
  t.Add("model.bottleneck", &bottleneck);
  t.Add("model.lpn_blocks", &lpn_blocks);
  t.Add("model.init_backbone", &init_backbone, "ImageNet backbone checkpoint (.pth/.safetensors: torchvision ResNet/VGG-16, ConvNeXt) to start from; empty = random");
  t.Add("model.baseline_pool", &baseline_pool, "", {"avg", "max", "avg+max", "gem"});
  t.Add("model.convnext", &convnext, "MFRL backbone (reduced = depths 1/1/2/1, dims 24..192)", {"tiny", "base", "reduced"});
  t.Add("model.mfrl_attention", &mfrl.attention, "MFRL attention branch [INTERP]", {"sge", "none"});
  t.Add("model.mfrl_conv", &mfrl.conv, "MFRL convolution branch [INTERP]", {"acmix_conv", "conv3x3", "none"});
  t.Add("model.mfrl_sge_groups", &mfrl.sge_groups, "SGE groups G [INTERP]");
  t.Add("model.mfrl_heads", &mfrl.heads, "ACmix heads [INTERP]");
  t.Add("model.mfrl_kernel", &mfrl.kernel, "ACmix convolution kernel [INTERP]");
  t.Add("model.mfrl_alpha_init", &mfrl.alpha_init, "initial α (attention weight) [INTERP]");
  t.Add("model.mfrl_beta_init", &mfrl.beta_init, "initial β (convolution weight) [INTERP]");
  t.Add("model.iml_encoder", &iml.encoder, "IML-Net encoder", {"resnet", "vgg16"});
  t.Add("model.iml_unit_channels", &iml.unit_channels, "MUML unit width C_v [INTERP]");
  t.Add("model.iml_global_ce", &iml.global_ce, "weight of a CE on the descriptor block (0 = no classifier) [INTERP]");
  t.Add("model.iml_recon_satellite", &iml.recon_satellite, "also reconstruct satellite inputs [INTERP]");
  t.Add("data.size", &size, "input side in pixels");
  t.Add("data.pad", &pad, "edge padding before the random crop");
  t.Add("data.color_jitter", &color_jitter);
  t.Add("data.erasing", &erasing, "drone random-erasing probability");
  t.Add("data.flip", &flip, "horizontal-flip probability");
  t.Add("data.satellite_affine", &satellite_affine, "RandomAffine(90) on satellite images");
  t.Add("data.batch_size", &batch_size, "buildings per batch (one satellite + one drone image each)");
  t.Add("data.sample_num", &sample_num, "repeats of each building per epoch (consecutive)");
  t.Add("data.decode_threads", &decode_threads, "0 = all cores");
  t.Add("loss.ce_reduction", &loss.ce_reduction, "over heads", {"sum", "mean"});
  t.Add("loss.ce_weight", &loss.ce_weight, "weight of the CE term (MFRL α1)");
  t.Add("loss.w_sat", &loss.w_sat, "satellite CE weight (MFRL [INTERP] 1.5)");
  t.Add("loss.w_drone", &loss.w_drone, "drone CE weight (MFRL [INTERP] 0.5)");
  t.Add("loss.kl", &loss.kl, "KL mutual learning between the views");
  t.Add("loss.triplet_weight", &loss.triplet_weight, "cross-view triplet weight (MFRL α2)");
  t.Add("loss.triplet_margin", &loss.triplet_margin);
  t.Add("loss.w_mse", &loss.w_mse, "IML-Net reconstruction weight");
  t.Add("loss.w_drcl", &loss.w_drcl, "IML-Net DRCL weight");
  t.Add("loss.drcl_radius", &loss.drcl_radius, "DRCL hypersphere radius s [INTERP]");
  t.Add("loss.drcl_margin", &loss.drcl_margin, "DRCL margin m [INTERP]");
  t.Add("loss.unit_ce", &loss.unit_ce, "IML-Net MUML unit CE weight λ_u [INTERP]");
  t.Add("muml.threshold", &loss.muml.threshold, "attention threshold t [INTERP]");
  t.Add("muml.inclusive", &loss.muml.inclusive, "mask >= t ([CMAL]) instead of > t (paper)");
  t.Add("muml.margin", &loss.muml.margin, "box enlargement per side, fraction of the size [INTERP]");
  t.Add("muml.cam_class", &loss.muml.cam_class, "CAM class", {"pred", "label"});
  t.Add("muml.crop_source", &loss.muml.crop_source, "unit drawn per image, or the combined map", {"unit", "combined"});
  t.Add("muml.schedule", &loss.muml.schedule, "one step per iteration, or CMAL's per-unit steps", {"joint", "cmal"});
  t.Add("train.epochs", &epochs);
  t.Add("train.seed", &seed);
  t.Add("train.device", &device, "cpu, cuda, cuda:N, auto");
  t.Add("train.eval_every", &eval_every, "epochs between test evaluations (0 = at the end)");
  t.Add("optim.optimizer", &optim.optimizer, "", {"sgd", "adamw"});
  t.Add("optim.lr", &optim.lr, "head learning rate");
  t.Add("optim.backbone_lr_mult", &optim.backbone_lr_mult);
  t.Add("optim.momentum", &optim.momentum);
  t.Add("optim.nesterov", &optim.nesterov);
  t.Add("optim.weight_decay", &optim.weight_decay);
  t.Add("optim.schedule", &optim.schedule, "", {"step", "multistep", "cosine"});
  t.Add("optim.step_size", &optim.step_size);
  t.Add("optim.milestones", &optim.milestones);
  t.Add("optim.gamma", &optim.gamma);
  t.Add("optim.warmup_epochs", &optim.warmup_epochs);
  return t;
}

const std::vector<std::string>& RetrievalTrainOptions::Presets() {
  static const std::vector<std::string> kPresets = {"cpu-tiny", "cpu-ci", "paper"};
  return kPresets;
}

RetrievalTrainOptions RetrievalTrainOptions::Preset(const std::string& preset, const std::string& method) {
  RetrievalTrainOptions o;
  o.preset = preset;
  o.method = method;
  // The method's published recipe (spec retrieval.md §6.3).
  if (method == "baseline") {
    o.optim.lr = 0.01, o.optim.backbone_lr_mult = 0.1, o.optim.schedule = "step", o.optim.step_size = 80, o.epochs = 120;
    o.loss.kl = false, o.loss.ce_reduction = "sum";
  } else if (method == "lpn") {
    o.optim.lr = 0.001, o.optim.backbone_lr_mult = 0.1, o.optim.schedule = "step", o.optim.step_size = 80, o.epochs = 120;
    o.loss.kl = false, o.loss.ce_reduction = "sum";
  } else if (method == "mfrl") {
    // ConvNeXt-T shared; SGD nesterov [INTERP] 0.01 for both groups; MultiStep [70, 110]; 120 epochs;
    // hybrid loss = mean CE over the 2 heads with w_sat 1.5 / w_drone 0.5 [INTERP] + triplet 0.3.
    o.convnext = "tiny";
    o.optim.lr = 0.01, o.optim.backbone_lr_mult = 1.0, o.optim.schedule = "multistep", o.optim.milestones = {70, 110}, o.epochs = 120;
    o.dropout = 0.5;
    o.loss.kl = false, o.loss.ce_reduction = "mean", o.loss.w_sat = 1.5, o.loss.w_drone = 0.5;
    o.loss.triplet_weight = 1.0, o.loss.triplet_margin = 0.3;
  } else if (method == "imlnet") {
    // ResNet-50 stride 1 [INTERP]; SGD 0.01 / 0.001 [INTERP]; cosine [INTERP, CMAL]; 200 epochs;
    // 16 pairs; no crop/flip augmentation; L = 0.1·MSE + DRCL + Σ unit CE (+ crop pass).
    o.optim.lr = 0.01, o.optim.backbone_lr_mult = 0.1, o.optim.schedule = "cosine", o.epochs = 200;
    o.batch_size = 16;
    o.dropout = 0.0;
    o.pad = 0, o.flip = 0.0, o.satellite_affine = false;
    o.loss.kl = false, o.loss.triplet_weight = 0.0;
  } else {  // msba
    o.optim.lr = 0.001, o.optim.backbone_lr_mult = 0.1, o.optim.schedule = "step", o.optim.step_size = 80, o.epochs = 140;
    o.loss.kl = true, o.loss.ce_reduction = "sum";
  }
  if (preset == "paper") return o;
  if (preset == "cpu-tiny" || preset == "cpu-ci") {
    // CPU budgets: width-reduced backbones (same structure and keys), small inputs, few epochs,
    // a higher learning rate because training starts from scratch (no ImageNet weights here).
    const bool tiny = preset == "cpu-tiny";
    o.base_width = 16;
    o.convnext = "reduced";
    o.size = tiny ? 64 : 128;
    o.pad = tiny ? 4 : 8;
    o.bottleneck = tiny ? 64 : 128;
    o.dropout = 0.1;
    o.epochs = tiny ? 4 : 12;
    o.sample_num = tiny ? 1 : 4;
    o.batch_size = 8;
    o.optim.optimizer = "sgd";
    o.optim.lr = 0.05;
    o.optim.backbone_lr_mult = 1.0;
    o.optim.schedule = "cosine";
    o.optim.warmup_epochs = 1;
    o.optim.step_size = 1000;
    o.loss.triplet_weight = 1.0;  // ranks better than CE alone when training from scratch on few classes
    o.loss.ce_reduction = "mean";
    if (method == "imlnet") {
      o.pad = 0, o.dropout = 0.0;  // the recipe has no crop augmentation; DRCL is its metric loss
      o.loss.triplet_weight = 0.0;
      o.iml.unit_channels = tiny ? 64 : 128;
    }
    return o;
  }
  throw CV_ERROR(InvalidArgumentError, "unknown preset '" + preset + "'").Hint("valid presets: cpu-tiny, cpu-ci, paper");
}

}  // namespace crossview::train
