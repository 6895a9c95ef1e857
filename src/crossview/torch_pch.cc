// Translation unit that owns the precompiled <torch/torch.h>; every libtorch target reuses it.
namespace crossview {
int TorchPchAnchor() { return 0; }
}  // namespace crossview
