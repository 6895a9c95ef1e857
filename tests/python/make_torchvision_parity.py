"""Writes torchvision reference checkpoints, inputs and outputs for crossview's parity tests.

Usage: /usr/bin/python3 make_torchvision_parity.py OUT_DIR
For resnet50, resnet18, convnext_tiny and vgg16 (random weights, fixed seed; BatchNorm statistics
randomised so they matter): OUT_DIR/<name>.pth is model.state_dict() saved with torch.save, and
OUT_DIR/<name>_io.pth holds the input x (2, 3, 64, 64) and the per-stage outputs in eval mode
(for vgg16 also each max pool's argmax switches, "indices<s>"; vgg16.pth is about 550 MB).
"""
import sys

import torch
import torchvision


def stages_resnet(m, x):
    y = m.maxpool(m.relu(m.bn1(m.conv1(x))))
    out = {}
    for i, layer in enumerate([m.layer1, m.layer2, m.layer3, m.layer4]):
        y = layer(y)
        out[f"stage{i}"] = y
    out["logits"] = m.fc(torch.flatten(m.avgpool(y), 1))
    return out


def stages_convnext(m, x):
    out = {}
    y = x
    for i, f in enumerate(m.features):
        y = f(y)
        if i % 2 == 1:
            out[f"stage{i // 2}"] = y
    out["logits"] = m.classifier(m.avgpool(y))
    return out


def stages_vgg(m, x):
    out = {}
    y = x
    s = 0
    for f in m.features:
        if isinstance(f, torch.nn.MaxPool2d):
            y, idx = torch.nn.functional.max_pool2d(y, 2, 2, return_indices=True)
            out[f"stage{s}"] = y
            out[f"indices{s}"] = idx
            s += 1
        else:
            y = f(y)
    out["logits"] = m.classifier(torch.flatten(m.avgpool(y), 1))
    return out


def main(out_dir):
    torch.manual_seed(0)
    for name, ctor, fn in [("resnet50", torchvision.models.resnet50, stages_resnet),
                           ("resnet18", torchvision.models.resnet18, stages_resnet),
                           ("convnext_tiny", torchvision.models.convnext_tiny, stages_convnext),
                           ("vgg16", torchvision.models.vgg16, stages_vgg)]:
        m = ctor()
        for mod in m.modules():
            if isinstance(mod, torch.nn.BatchNorm2d):
                mod.running_mean.uniform_(-0.1, 0.1)
                mod.running_var.uniform_(0.5, 1.5)
        m.eval()
        torch.save(m.state_dict(), f"{out_dir}/{name}.pth")
        x = torch.rand(2, 3, 64, 64)
        with torch.no_grad():
            io = fn(m, x)
        io["x"] = x
        torch.save(io, f"{out_dir}/{name}_io.pth")


if __name__ == "__main__":
    main(sys.argv[1])
