# specs/inception-fashion.net written by hand in PyTorch, the way a PyTorch
# user would (torchvision's GoogLeNet style: BasicConv2d, Inception, branches in
# nn.Sequential, in-place ReLU): the baseline for the generated model.py's
# training step in `npm run bench -- pytorch` (bench/pytorch.js).
#
# Same layers and parameters as the spec; the state_dict's names differ
# (torchvision's, not netc's tensor paths) but its order is the same, so
# load_generated() copies a generated model's weights by position, checking
# each key's last part and shape.
#
#   /usr/bin/python3 bench/hand_inception_fashion.py GENERATED_MODEL_PY
#
# prints a JSON object: both parameter counts and the largest output and
# gradient differences with the same weights and inputs (test/pytorch/hand-model.test.ts).
import importlib.util
import json
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicConv2d(nn.Module):
    """Convolution without bias, batch norm, ReLU (the spec's `defaults { conv bn relu }`)."""

    def __init__(self, in_channels, out_channels, **kwargs):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, bias=False, **kwargs)
        self.bn = nn.BatchNorm2d(out_channels, eps=1e-5, momentum=0.1)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)), inplace=True)


class Inception(nn.Module):
    def __init__(self, in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj):
        super().__init__()
        self.branch1 = BasicConv2d(in_channels, ch1x1, kernel_size=1)
        self.branch2 = nn.Sequential(
            BasicConv2d(in_channels, ch3x3red, kernel_size=1),
            BasicConv2d(ch3x3red, ch3x3, kernel_size=3, padding=1),
        )
        self.branch3 = nn.Sequential(
            BasicConv2d(in_channels, ch5x5red, kernel_size=1),
            BasicConv2d(ch5x5red, ch5x5, kernel_size=5, padding=2),
        )
        self.branch4 = nn.Sequential(
            nn.MaxPool2d(kernel_size=3, stride=1, padding=1, ceil_mode=True),
            BasicConv2d(in_channels, pool_proj, kernel_size=1),
        )

    def forward(self, x):
        return torch.cat(
            [self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1
        )


class InceptionFashion(nn.Module):
    def __init__(self, num_classes=10, dropout=0.2):
        super().__init__()
        self.conv1 = BasicConv2d(1, 32, kernel_size=3, padding=1)
        self.maxpool1 = nn.MaxPool2d(2, stride=2, ceil_mode=True)
        self.inception_a = Inception(32, 24, 24, 32, 8, 16, 16)
        # 3x3/2 with TF-style "same" padding on 14x14: ceil mode gives the same 7x7 windows.
        self.maxpool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.inception_b = Inception(88, 48, 32, 64, 8, 24, 24)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(160, num_classes)

    def forward(self, x):
        x = self.maxpool1(self.conv1(x))
        x = self.maxpool2(self.inception_a(x))
        x = self.inception_b(x)
        x = torch.flatten(self.avgpool(x), 1)
        x = self.fc(self.dropout(x))
        return F.softmax(x, dim=1)


def load_module(path, name="netc_generated_model"):
    """The generated model.py as a module (only its class and preprocess() are used)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parameter_count(model):
    return sum(p.numel() for p in model.parameters())


def load_generated(hand, generated):
    """Copies the generated model's state_dict into `hand` by position (same order, same kinds, same shapes)."""
    src = list(generated.state_dict().items())
    dst = list(hand.state_dict().items())
    if len(src) != len(dst):
        raise ValueError(
            f"state_dict sizes differ: generated {len(src)}, hand-written {len(dst)}"
        )
    out = {}
    for (gk, gv), (hk, hv) in zip(src, dst):
        if gk.rsplit(".", 1)[-1] != hk.rsplit(".", 1)[-1] or gv.shape != hv.shape:
            raise ValueError(
                f"generated {gk} {tuple(gv.shape)} does not match hand-written {hk} {tuple(hv.shape)}"
            )
        out[hk] = gv.clone()
    hand.load_state_dict(out, strict=True)


def randomize(model, seed):
    """Seeded random weights and BatchNorm statistics, so that equal outputs mean something."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if not t.is_floating_point():
                continue
            if name.endswith("running_var") or (
                name.endswith(".weight") and t.dim() == 1
            ):
                t.copy_(torch.rand(t.shape, generator=g) + 0.5)
            elif t.dim() > 1:  # fan-in scaled, so the softmax does not saturate
                t.copy_(torch.randn(t.shape, generator=g) * (t[0].numel() ** -0.5))
            else:
                t.copy_(torch.randn(t.shape, generator=g) * 0.1)


def compare(generated_path):
    mod = load_module(generated_path)
    gen = mod.InceptionFashion()
    hand = InceptionFashion()
    randomize(gen, 1)
    load_generated(hand, gen)
    x = torch.rand(8, 1, 28, 28, generator=torch.Generator().manual_seed(2))
    y = torch.arange(8) % 10
    result = {
        "generatedParameters": parameter_count(gen),
        "handParameters": parameter_count(hand),
    }

    gen.eval(), hand.eval()
    with torch.no_grad():
        out = gen(mod.preprocess(x))
        result["evalMaxAbsDiff"] = (out - hand(x)).abs().max().item()
        result["evalMaxOutput"] = out.max().item()

    # Training mode (batch statistics, dropout with the same seed): outputs, loss gradients, running statistics.
    gen.train(), hand.train()
    outs, grads = [], []
    for model, inp in ((gen, mod.preprocess(x)), (hand, x)):
        model.zero_grad()
        torch.manual_seed(3)
        out = model(inp)
        F.nll_loss(torch.log(out), y).backward()
        outs.append(out.detach())
        grads.append([p.grad for p in model.parameters()])
    result["trainMaxAbsDiff"] = (outs[0] - outs[1]).abs().max().item()
    result["gradMaxAbsDiff"] = max((a - b).abs().max().item() for a, b in zip(*grads))
    result["gradMaxAbs"] = max(a.abs().max().item() for a in grads[0])
    result["runningStatsMaxAbsDiff"] = max(
        (a - b).abs().max().item()
        for a, b in zip(gen.state_dict().values(), hand.state_dict().values())
        if a.is_floating_point()
    )
    return result


if __name__ == "__main__":
    print(json.dumps(compare(sys.argv[1])))
