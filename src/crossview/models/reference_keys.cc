#include "crossview/models/reference_keys.h"

#include <map>

namespace crossview::models::reference {

// Distinct values per key and per element (a tensor that lands under the wrong name is caught),
// computed without a random generator. Tensors of 4M elements or more (VGG-16's classifier,
// IML-Net's widest decoder and MUML convolutions) are one row expanded along the first dimension:
// the loader copies them like any strided tensor, and the test does not spend seconds on page
// faults for hundreds of MB.
torch::Tensor Values(const Shape& shape, int64_t key_index) {
  const int64_t n = c10::multiply_integers(shape);
  auto pattern = [&](int64_t count) {
    return torch::arange(count, torch::kFloat).mul_(0.618034f).add_(static_cast<float>(key_index)).sin_();
  };
  if (n < (int64_t{1} << 22) || shape.size() < 2) return pattern(n).reshape(shape);
  Shape row = shape;
  row[0] = 1;
  return pattern(n / shape[0]).reshape(row).expand(shape);
}

NamedTensors Fill(const KeyList& list, int64_t salt) {
  NamedTensors out;
  std::map<std::string, torch::Tensor> by_name;
  int64_t index = salt * 100000;
  for (const KeySpec& k : list.keys()) {
    ++index;
    torch::Tensor t = !k.alias_of.empty() ? by_name.at(k.alias_of)
                      : k.counter       ? torch::tensor(index, torch::kLong)
                                        : Values(k.shape, index);
    by_name[k.name] = t;
    out.emplace_back(k.name, t);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reference key lists.

// torchvision ResNet-18/34/50 (retrieval.md §3.1): conv1, bn1, layer{1..4}.{b} basic or
// bottleneck blocks, downsample.{0,1} on block 0 when the stride or the width changes, fc.
KeyList TorchvisionResNet(int depth) {
  const bool bottleneck = depth == 50;
  const std::vector<int> blocks = depth == 18 ? std::vector<int>{2, 2, 2, 2} : std::vector<int>{3, 4, 6, 3};
  const int64_t expansion = bottleneck ? 4 : 1;
  KeyList k;
  k.Conv("conv1", 64, 3, 7, false);
  k.BatchNorm("bn1", 64);
  int64_t in = 64;
  for (int l = 0; l < 4; ++l) {
    const int64_t width = int64_t{64} << l, out = width * expansion;
    for (int b = 0; b < blocks[static_cast<size_t>(l)]; ++b) {
      const std::string p = "layer" + std::to_string(l + 1) + "." + std::to_string(b) + ".";
      if (bottleneck) {
        k.Conv(p + "conv1", width, in, 1, false);
        k.BatchNorm(p + "bn1", width);
        k.Conv(p + "conv2", width, width, 3, false);
        k.BatchNorm(p + "bn2", width);
        k.Conv(p + "conv3", out, width, 1, false);
        k.BatchNorm(p + "bn3", out);
      } else {
        k.Conv(p + "conv1", width, in, 3, false);
        k.BatchNorm(p + "bn1", width);
        k.Conv(p + "conv2", width, width, 3, false);
        k.BatchNorm(p + "bn2", width);
      }
      if (b == 0 && (l > 0 || in != out)) {
        k.Conv(p + "downsample.0", out, in, 1, false);
        k.BatchNorm(p + "downsample.1", out);
      }
      in = out;
    }
  }
  k.Linear("fc", 1000, in);
  return k;
}

const int64_t kCnDims[4] = {96, 192, 384, 768};
const int kCnDepths[4] = {3, 3, 9, 3};

// ConvNeXt-T, Meta layout (retrieval.md §3.2, left column).
KeyList MetaConvNextT() {
  KeyList k;
  k.Conv("downsample_layers.0.0", 96, 3, 4, true);
  k.Affine("downsample_layers.0.1", 96);
  for (int i = 1; i < 4; ++i) {
    const std::string p = "downsample_layers." + std::to_string(i) + ".";
    k.Affine(p + "0", kCnDims[i - 1]);
    k.Conv(p + "1", kCnDims[i], kCnDims[i - 1], 2, true);
  }
  for (int s = 0; s < 4; ++s) {
    const int64_t c = kCnDims[s];
    for (int b = 0; b < kCnDepths[s]; ++b) {
      const std::string p = "stages." + std::to_string(s) + "." + std::to_string(b) + ".";
      k.Conv(p + "dwconv", c, 1, 7, true);
      k.Affine(p + "norm", c);
      k.Linear(p + "pwconv1", 4 * c, c);
      k.Linear(p + "pwconv2", c, 4 * c);
      k.Tensor(p + "gamma", {c});
    }
  }
  k.Affine("norm", 768);
  k.Linear("head", 1000, 768);
  return k;
}

// ConvNeXt-T, timm layout (retrieval.md §3.2, right column).
KeyList TimmConvNextT() {
  KeyList k;
  k.Conv("stem.0", 96, 3, 4, true);
  k.Affine("stem.1", 96);
  for (int s = 0; s < 4; ++s) {
    const int64_t c = kCnDims[s];
    const std::string st = "stages." + std::to_string(s) + ".";
    if (s > 0) {
      k.Affine(st + "downsample.0", kCnDims[s - 1]);
      k.Conv(st + "downsample.1", c, kCnDims[s - 1], 2, true);
    }
    for (int b = 0; b < kCnDepths[s]; ++b) {
      const std::string p = st + "blocks." + std::to_string(b) + ".";
      k.Conv(p + "conv_dw", c, 1, 7, true);
      k.Affine(p + "norm", c);
      k.Linear(p + "mlp.fc1", 4 * c, c);
      k.Linear(p + "mlp.fc2", c, 4 * c);
      k.Tensor(p + "gamma", {c});
    }
  }
  k.Affine("head.norm", 768);
  k.Linear("head.fc", 1000, 768);
  return k;
}

// ConvNeXt-T, torchvision layout (the importer's third layout, weight_import.h): features.0 stem,
// features.{1,3,5,7} stages of CNBlocks (block.{0,2,3,5}, layer_scale [C,1,1]), features.{2,4,6}
// downsampling, classifier.{0,2}.
KeyList TorchvisionConvNextT() {
  KeyList k;
  k.Conv("features.0.0", 96, 3, 4, true);
  k.Affine("features.0.1", 96);
  for (int s = 0; s < 4; ++s) {
    const int64_t c = kCnDims[s];
    if (s > 0) {
      const std::string d = "features." + std::to_string(2 * s) + ".";
      k.Affine(d + "0", kCnDims[s - 1]);
      k.Conv(d + "1", c, kCnDims[s - 1], 2, true);
    }
    for (int b = 0; b < kCnDepths[s]; ++b) {
      const std::string p = "features." + std::to_string(2 * s + 1) + "." + std::to_string(b) + ".";
      k.Conv(p + "block.0", c, 1, 7, true);
      k.Affine(p + "block.2", c);
      k.Linear(p + "block.3", 4 * c, c);
      k.Linear(p + "block.5", c, 4 * c);
      k.Tensor(p + "layer_scale", {c, 1, 1});
    }
  }
  k.Affine("classifier.0", 768);
  k.Linear("classifier.2", 1000, 768);
  return k;
}

// torchvision VGG-16: configuration D, each convolution then a ReLU, a max pool per stage (one
// index each), classifier.{0,3,6}.
KeyList TorchvisionVgg16(bool classifier) {
  const int64_t kPool = -1;
  const std::vector<int64_t> cfg = {64, 64, kPool, 128, 128, kPool, 256, 256, 256, kPool, 512, 512, 512, kPool, 512, 512, 512, kPool};
  KeyList k;
  int64_t in = 3, index = 0;
  for (int64_t v : cfg) {
    if (v == kPool) {
      ++index;
      continue;
    }
    k.Conv("features." + std::to_string(index), v, in, 3, true);
    index += 2;
    in = v;
  }
  if (classifier) {
    k.Linear("classifier.0", 4096, 512 * 7 * 7);
    k.Linear("classifier.3", 4096, 4096);
    k.Linear("classifier.6", 1000, 4096);
  }
  return k;
}

// ClassBlock (retrieval.md §4.1).
KeyList ClassBlockKeys(int64_t in, int64_t classes, bool with_classifier) {
  KeyList k;
  k.Linear("add_block.0", 512, in);
  k.BatchNorm("add_block.1", 512);
  if (with_classifier) k.Linear("classifier.0", classes, 512);
  return k;
}

// three_view_net (retrieval.md §4.2–4.4): model_1 / model_2 / model_3 ResNet-50 wrappers, model_3
// the same tensors as model_1 (shared weights), then the method's heads.
KeyList ThreeViewNet(const std::vector<std::pair<std::string, int64_t>>& heads, int64_t classes) {
  KeyList k;
  const KeyList resnet = TorchvisionResNet(50);
  k.Append("model_1.model.", resnet);
  k.Append("model_2.model.", resnet);
  k.Alias("model_3.", "model_1.");
  for (const auto& [name, in] : heads) k.Append(name + ".", ClassBlockKeys(in, classes));
  return k;
}

// MFRL (retrieval.md §4.7 item 9, with the shapes of items 3–5 and 7).
KeyList MfrlKeys(int64_t classes) {
  KeyList k;
  k.Append("model_1.convnext.", MetaConvNextT());
  k.Tensor("model_1.fusion.sge.weight", {1, 64, 1, 1});
  k.Tensor("model_1.fusion.sge.bias", {1, 64, 1, 1});
  for (const char* qkv : {"conv1", "conv2", "conv3"}) k.Conv(std::string("model_1.fusion.conv.") + qkv, 768, 768, 1, true);
  k.Conv("model_1.fusion.conv.fc", 9, 3 * 4, 1, true);            // 3h → k², h = 4, k = 3
  k.Conv("model_1.fusion.conv.dep_conv", 768, 9, 3, true);        // 9d → 768, groups d = 192
  k.Tensor("model_1.fusion.alpha", {});
  k.Tensor("model_1.fusion.beta", {});
  k.Append("model_1.classifier1.", ClassBlockKeys(768, classes));
  k.Append("model_1.classifier_fuse.", ClassBlockKeys(768, classes));
  return k;
}

// IML-Net's MUML units (retrieval.md §4.8): G_n and the unit classifier, C_v = 1024.
void AddMuml(KeyList& k, const std::vector<int64_t>& unit_channels, int64_t classes) {
  for (size_t n = 0; n < unit_channels.size(); ++n) {
    const std::string g = "muml.g" + std::to_string(n + 1) + ".", c = "muml.cls" + std::to_string(n + 1) + ".";
    k.Conv(g + "0", 512, unit_channels[n], 3, false);
    k.BatchNorm(g + "1", 512);
    k.Conv(g + "3", 1024, 512, 3, false);
    k.BatchNorm(g + "4", 1024);
    k.BatchNorm(c + "0", 1024);
    k.Linear(c + "1", 512, 1024);
    k.BatchNorm(c + "2", 512);
    k.Linear(c + "4", classes, 512);
  }
}

// IML-Net with its ResNet-50 encoder (retrieval.md §4.8): encoder, descriptor block without the
// final Linear (iml_global_ce = 0), IRN decoder (transposed-conv weights [in, out, k, k]), MUML.
KeyList ImlNetResNetKeys(int64_t classes) {
  KeyList k;
  k.Append("model_1.model.", TorchvisionResNet(50));
  k.Append("classifier.", ClassBlockKeys(2048, classes, false));
  const int64_t dec[4][3] = {{4, 2048, 1024}, {3, 1024, 512}, {2, 512, 256}, {1, 256, 64}};
  for (const auto& d : dec) {
    const std::string p = "irn.dec" + std::to_string(d[0]) + ".";
    k.Conv(p + "0", d[1], d[2], 3, false);  // ConvTranspose: [in, out, 3, 3]
    k.BatchNorm(p + "1", d[2]);
  }
  k.Tensor("irn.dec0.weight", {64, 3, 7, 7});
  k.Tensor("irn.dec0.bias", {3});
  AddMuml(k, {256, 512, 1024, 2048}, classes);
  return k;
}

// IML-Net with the VGG-16 encoder (retrieval.md §3.4; decoder keys as imlnet.h defines them): per
// stage s = 5..1, the stage's convolutions reversed as ConvTranspose → BN (irn.dec{s}.{j}.{0,1}),
// the last one of stage 1 (64 → 3) a plain ConvTranspose with bias; units = stages 2..5.
KeyList ImlNetVggKeys(int64_t classes) {
  KeyList k;
  k.Append("model_1.model.", TorchvisionVgg16(false));
  k.Append("classifier.", ClassBlockKeys(512, classes, false));
  const int64_t width[5] = {64, 128, 256, 512, 512};
  const int convs[5] = {2, 2, 3, 3, 3};
  for (int s = 5; s >= 1; --s) {
    const int64_t w = width[s - 1], in = s == 1 ? 3 : width[s - 2];
    for (int j = 0; j < convs[s - 1]; ++j) {
      const std::string p = "irn.dec" + std::to_string(s) + "." + std::to_string(j);
      const bool last = j == convs[s - 1] - 1;
      if (s == 1 && last) {
        k.Conv(p, w, 3, 3, false);
        k.Tensor(p + ".bias", {3});
      } else {
        k.Conv(p + ".0", w, last ? in : w, 3, false);
        k.BatchNorm(p + ".1", last ? in : w);
      }
    }
  }
  AddMuml(k, {128, 256, 512, 512}, classes);
  return k;
}

// CvT-13 (drl.md §2.1, §5.8): stage{i}.patch_embed, blocks with dw-conv + BN projections, the
// stage-2 cls token, the final norm and optionally the 1000-class head.
KeyList Cvt13Keys(bool frozen_bn, bool head) {
  struct Stage {
    int64_t in, dim, kernel, depth;
  };
  const Stage stages[3] = {{3, 64, 7, 1}, {64, 192, 3, 2}, {192, 384, 3, 10}};
  KeyList k;
  for (int i = 0; i < 3; ++i) {
    const Stage& st = stages[i];
    const std::string p = "stage" + std::to_string(i) + ".";
    k.Conv(p + "patch_embed.proj", st.dim, st.in, st.kernel, true);
    k.Affine(p + "patch_embed.norm", st.dim);
    if (i == 2) k.Tensor(p + "cls_token", {1, 1, 384});
    for (int64_t j = 0; j < st.depth; ++j) {
      const std::string b = p + "blocks." + std::to_string(j) + ".";
      k.Affine(b + "norm1", st.dim);
      for (const char* x : {"q", "k", "v"}) {
        const std::string cp = b + "attn.conv_proj_" + x;
        k.Conv(cp + ".conv", st.dim, 1, 3, false);
        if (frozen_bn) k.FrozenBatchNorm(cp + ".bn", st.dim);
        else k.BatchNorm(cp + ".bn", st.dim);
      }
      for (const char* x : {"q", "k", "v"}) k.Linear(b + "attn.proj_" + x, st.dim, st.dim);
      k.Linear(b + "attn.proj", st.dim, st.dim);
      k.Affine(b + "norm2", st.dim);
      k.Linear(b + "mlp.fc1", 4 * st.dim, st.dim);
      k.Linear(b + "mlp.fc2", st.dim, 4 * st.dim);
    }
  }
  k.Affine("norm", 384);
  if (head) k.Linear("head", 1000, 384);
  return k;
}

// The DRL paper configuration MixCvT13_FPN128_outstride1nearest_CE (drl.md §5.8).
KeyList DrlPaperKeys() {
  KeyList k;
  k.Append("union_backbone.backbone.backbone.", Cvt13Keys(/*frozen_bn=*/true, /*head=*/true));
  for (const char* view : {"uav", "satellite"}) {
    const std::string n = std::string("neck_") + view + ".neck.";
    k.Conv(n + "P5_1", 128, 384, 1, true);
    k.Conv(n + "P5_2", 128, 128, 3, true);
    k.Conv(n + "P4_1", 128, 192, 1, true);
    k.Conv(n + "P4_2", 128, 128, 3, true);
    k.Conv(n + "P3_1", 128, 64, 1, true);
    k.Conv(n + "P3_2", 128, 128, 3, true);
  }
  k.Linear("head.head.module_0", 64, 128);
  k.Linear("head.head.module_1", 16, 64);
  k.Linear("head.head.module_2", 1, 16);
  return k;
}

}  // namespace crossview::models::reference
