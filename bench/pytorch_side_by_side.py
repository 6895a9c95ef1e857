#!/usr/bin/python3
"""crossview vs PyTorch eager on the same machine, weights and inputs (issue: performance).

Builds MSBA (ResNet-50, last stride 1, six multiscale blocks with block attention, global branch;
spec retrieval.md 4.4) and the University-1652 baseline in PyTorch from torchvision's ResNet-50,
with random weights and randomised BatchNorm statistics, saves them with torch.save, and times
descriptor extraction (flip TTA + per-part L2, as crossview indexes) in PyTorch eager under
torch.inference_mode. Then runs `crossview model run --arch ARCH --weights W --inputs I --time N`
on the very same files, checks that the descriptors agree (max |diff| <= 1e-4) and reports the
throughput ratio crossview / PyTorch. The MSBA head is first checked against the official parity
vectors (../shared/parity/msba_head) so the PyTorch reference is known to be the reference.

  /usr/bin/python3 bench/pytorch_side_by_side.py --crossview build/bin/crossview --out out/bench
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


class ClassBlock(nn.Module):
    def __init__(self, cin, classes=701, bottleneck=512):
        super().__init__()
        self.add_block = nn.Sequential(nn.Linear(cin, bottleneck), nn.BatchNorm1d(bottleneck), nn.Dropout(0.5))
        self.classifier = nn.Sequential(nn.Linear(bottleneck, classes))

    def forward(self, x):  # eval output: the bottleneck
        return self.add_block(x)


def msba_blocks(x4):
    """(N, C, H, W) -> (N, C, 6): ring1, ring2, ring3, square12, square123, ring4 (spec 4.4)."""
    h = x4.shape[2]
    e = h // 8

    def ssum(a, b):
        return x4[:, :, a:b, a:b].sum(dim=(2, 3))

    s1, s2, s3, full = ssum(3 * e, 5 * e), ssum(2 * e, 6 * e), ssum(e, 7 * e), x4.sum(dim=(2, 3))
    a1, a2, a3, a4 = (2 * e) ** 2, (4 * e) ** 2, (6 * e) ** 2, h * h
    return torch.stack([s1 / a1, (s2 - s1) / a2, (s3 - s2) / a3, s2 / a2, s3 / a3, (full - s3) / a4], dim=2)


class Wrapper(nn.Module):
    def __init__(self):
        super().__init__()
        self.model = torchvision.models.resnet50()
        self.model.layer4[0].conv2.stride = (1, 1)
        self.model.layer4[0].downsample[0].stride = (1, 1)


class Msba(nn.Module):
    def __init__(self):
        super().__init__()
        self.model_1 = Wrapper()
        for i in range(6):
            setattr(self, "classifier%d" % i, ClassBlock(2048))
        self.classifier00 = ClassBlock(3072)

    def heads(self, x3, x4):
        z = msba_blocks(x4)
        z = z * torch.softmax(z, dim=2)
        cols = [getattr(self, "classifier%d" % i)(z[:, :, i]) for i in range(6)]
        g = torch.cat([x4.amax(dim=(2, 3)), x3.amax(dim=(2, 3))], dim=1)
        cols.append(self.classifier00(g))
        return torch.stack(cols, dim=2)

    def forward(self, x):
        m = self.model_1.model
        x = m.maxpool(m.relu(m.bn1(m.conv1(x))))
        x3 = m.layer3(m.layer2(m.layer1(x)))
        return self.heads(x3, m.layer4(x3))


class Baseline(nn.Module):
    def __init__(self):
        super().__init__()
        self.model_1 = Wrapper()
        self.classifier = ClassBlock(2048)

    def forward(self, x):
        m = self.model_1.model
        x = m.maxpool(m.relu(m.bn1(m.conv1(x))))
        x = m.layer4(m.layer3(m.layer2(m.layer1(x))))
        return self.classifier(x.mean(dim=(2, 3))).unsqueeze(2)


def descriptor(net, x, global_weight):
    f = net(x) + net(torch.flip(x, dims=[3]))  # (N, 512, P)
    f = f / f.norm(dim=1, keepdim=True) / (f.shape[2] ** 0.5) if f.shape[2] > 1 else f / f.norm(dim=1, keepdim=True)
    if f.shape[2] == 7:
        f = torch.cat([f[:, :, :6], f[:, :, 6:] * global_weight], dim=2)
    return f.reshape(f.shape[0], -1)


def randomise_bn(net, seed):
    g = torch.Generator().manual_seed(seed)
    for m in net.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            m.running_mean.copy_(torch.rand(m.running_mean.shape, generator=g) * 0.2 - 0.1)
            m.running_var.copy_(torch.rand(m.running_var.shape, generator=g) + 0.5)
            m.weight.data.copy_(torch.rand(m.weight.shape, generator=g) + 0.5)


def check_head_against_parity(shared):
    d = os.path.join(shared, "parity", "msba_head")
    if not os.path.exists(os.path.join(d, "head_weights.pth")):
        return "skipped (no %s)" % d
    net = Msba().eval()
    net.load_state_dict(torch.load(os.path.join(d, "head_weights.pth")), strict=False)
    inp, want = torch.load(os.path.join(d, "inputs.pth")), torch.load(os.path.join(d, "expected.pth"))
    with torch.inference_mode():
        got = net.heads(inp["layer3"], inp["layer4"])
    err = (got - want["descriptor_parts"]).abs().max().item()
    if not torch.allclose(got, want["descriptor_parts"], rtol=1e-4, atol=1e-5):
        sys.exit("the PyTorch MSBA head does not match the official parity vectors (max |diff| %g)" % err)
    return "max |diff| %.2g vs the official MSBA outputs" % err


def median_time(fn, runs):
    fn()
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--crossview", default="build/bin/crossview")
    ap.add_argument("--out", default="out/bench")
    ap.add_argument("--methods", default="msba,baseline")
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--shared", default=os.environ.get("CROSSVIEW_SHARED_DIR", "../shared"))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    os.makedirs(a.out, exist_ok=True)
    rows = []
    head_check = check_head_against_parity(a.shared)
    with tempfile.TemporaryDirectory() as tmp:
        torch.manual_seed(0)
        x = torch.rand(a.batch, 3, a.size, a.size)
        # crossview takes the images as they enter the network (already normalised).
        torch.save({"images": x}, os.path.join(tmp, "inputs.pth"))
        for method in a.methods.split(","):
            torch.manual_seed(1)
            net = {"msba": Msba, "baseline": Baseline}[method]()
            randomise_bn(net, 2)
            net.eval()
            weights = os.path.join(tmp, method + ".pth")
            torch.save(net.state_dict(), weights)
            with torch.inference_mode():
                want = descriptor(net, x, 1.5)
                t_py = median_time(lambda: descriptor(net, x, 1.5), a.runs)
            out = os.path.join(tmp, method + "-out")
            arch = "u1652-baseline" if method == "baseline" else method
            cmd = [a.crossview, "model", "run", "--arch", arch, "--weights", weights, "--inputs", os.path.join(tmp, "inputs.pth"),
                   "--out", out, "--time", str(a.runs), "--device", "cpu"]
            env = dict(os.environ, OMP_NUM_THREADS=str(a.threads))
            subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
            info = json.load(open(os.path.join(out, "outputs.json")))
            import numpy as np
            got = torch.from_numpy(np.load(os.path.join(out, "descriptor.npy")))
            diff = (got - want).abs().max().item()
            t_cv = info["median_s"]
            row = {"method": method, "size": a.size, "batch": a.batch, "threads": a.threads, "pytorch_s": t_py, "crossview_s": t_cv,
                   "pytorch_images_per_s": a.batch / t_py, "crossview_images_per_s": a.batch / t_cv, "ratio": t_py / t_cv,
                   "max_abs_diff": diff, "outputs_agree": diff <= 1e-4}
            rows.append(row)
            print("%-9s %dpx batch %d: PyTorch %.2f img/s, crossview %.2f img/s, ratio %.2fx, max |diff| %.2g" %
                  (method, a.size, a.batch, row["pytorch_images_per_s"], row["crossview_images_per_s"], row["ratio"], diff))
    result = {"rows": rows, "torch": torch.__version__, "torchvision": torchvision.__version__, "threads": a.threads,
              "blas": torch.__config__.show().split("BLAS_INFO=")[-1].split(",")[0] if "BLAS_INFO" in torch.__config__.show() else "?",
              "head_check": head_check}
    with open(os.path.join(a.out, "pytorch_side_by_side.json"), "w") as f:
        json.dump(result, f, indent=2)
    md = ["| method | input | batch | PyTorch img/s | crossview img/s | crossview/PyTorch | max abs diff |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        md.append("| %s | %d | %d | %.2f | %.2f | %.2f× | %.1e |" % (r["method"], r["size"], r["batch"], r["pytorch_images_per_s"],
                                                                 r["crossview_images_per_s"], r["ratio"], r["max_abs_diff"]))
    open(os.path.join(a.out, "pytorch_side_by_side.md"), "w").write("\n".join(md) + "\n\nPyTorch MSBA head: " + head_check + "\n")
    print("\n".join(md))
    if not all(r["outputs_agree"] for r in rows):
        sys.exit("outputs disagree")


if __name__ == "__main__":
    main()
