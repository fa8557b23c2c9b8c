#!/usr/bin/python3
# torchvision's own figures for the zoo: parameters as PyTorch counts them and
# multiply-accumulates of convolutions and linear layers (the rule netc counts
# by) at 224x224, batch 1 (inception_v3 at 299x299, its native size). Prints
# one JSON object per model, keyed by torchvision name. With --state-dict NAMES...
# it prints those models' state_dict shapes in order instead (running stats
# included, num_batches_tracked left out), which test/zoo/weight-order.test.ts reads.
#   /usr/bin/python3 scripts/torchvision-figures.py [names...]
#   /usr/bin/python3 scripts/torchvision-figures.py --state-dict resnet50 densenet121
import json
import sys

import torch
import torchvision.models as models

ZOO = ["alexnet", "vgg16", "resnet18", "resnet50", "inception_v3", "mobilenet_v2",
       "densenet121", "squeezenet1_1", "efficientnet_b0", "efficientnet_v2_s",
       "mobilenet_v3_large", "shufflenet_v2_x1_0", "convnext_tiny", "regnet_y_400mf",
       "resnext50_32x4d", "wide_resnet50_2", "mnasnet1_0"]


def build(name, aux=False):
    # Figures without aux heads: netc counts the main graph's parameters (aux heads separately).
    kw = {"aux_logits": aux, "init_weights": False} if name == "inception_v3" else {}
    return getattr(models, name)(weights=None, **kw).eval()


def figures(name):
    model = build(name)
    macs = 0

    def conv(m, _inp, out):
        nonlocal macs
        macs += out.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]

    # Per output element, in_features: ConvNeXt applies its Linear layers at
    # every position (channels last), a classifier once.
    def linear(m, _inp, out):
        nonlocal macs
        macs += out.numel() * m.in_features

    for m in model.modules():
        if isinstance(m, torch.nn.Conv2d):
            m.register_forward_hook(conv)
        elif isinstance(m, torch.nn.Linear):
            m.register_forward_hook(linear)
    size = 299 if name == "inception_v3" else 224
    with torch.no_grad():
        model(torch.zeros(1, 3, size, size))
    params = sum(p.numel() for p in model.parameters())
    result = {"model": name, "size": size, "params": params, "macs": macs}
    if name == "inception_v3":
        aux = models.inception_v3(weights=None, aux_logits=True, init_weights=False)
        result["paramsWithAux"] = sum(p.numel() for p in aux.parameters())
    return result


def skip_init():
    # Only shapes are wanted: leave tensors as allocated (VGG-16 and Wide
    # ResNet take seconds to initialise).
    for fn in dir(torch.nn.init):
        if fn.endswith("_") and not fn.startswith("_"):
            setattr(torch.nn.init, fn, lambda t, *a, **k: t)


def state_dict(name):
    # With Inception v3's aux head, which the spec has too.
    return [[k, list(v.shape)] for k, v in build(name, aux=True).state_dict().items() if not k.endswith("num_batches_tracked")]


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--state-dict"]:
        skip_init()
        print(json.dumps({name: state_dict(name) for name in args[1:]}))
    else:
        for name in args or ZOO:
            print(json.dumps(figures(name)), flush=True)
