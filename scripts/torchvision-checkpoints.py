#!/usr/bin/python3
# Writes seeded torchvision checkpoints for the weights tests (test/weights/):
#   scripts/torchvision-checkpoints.py OUT NAME:SIZE[:formats] ...
# For each network: torch.manual_seed(0), torchvision's own initialisation,
# eval mode; OUT/NAME.pt (torch.save of the state_dict), OUT/NAME.safetensors
# (written by hand: 8-byte header length, JSON, data in state_dict order),
# OUT/NAME.onnx (torch.onnx.export, BatchNorm kept, not folded), OUT/NAME.in.bin
# (a seeded 1x3xSIZExSIZE batch, float32) and OUT/NAME.out.bin (torchvision's
# eval output for it, computed in float64 and stored as float32, so that
# ill-conditioned networks such as EfficientNetV2-S are judged against the exact
# result). formats: any of p, s, o (default pso). Biases get random values and
# layer scales (ConvNeXt, 1e-6 at initialisation) values from 0.5 to 1.5, so
# that every tensor shows in the output.
import copy
import json
import struct
import sys

import torch
import torchvision

DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.float64: "F64", torch.int64: "I64"}


def save_safetensors(state, path):
    header, blobs, offset = {}, [], 0
    for name, t in state.items():
        data = t.detach().contiguous().cpu().numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def main():
    out = sys.argv[1]
    for arg in sys.argv[2:]:
        name, size, *rest = arg.split(":")
        formats = rest[0] if rest else "pso"
        torch.manual_seed(0)
        # GoogLeNet and Inception v3 with their auxiliary heads (in the state_dict,
        # unused in eval mode); init_weights said explicitly to silence a warning.
        kwargs = {"aux_logits": True, "init_weights": True} if name in ("googlenet", "inception_v3") else {}
        model = getattr(torchvision.models, name)(weights=None, **kwargs).eval()
        # Non-trivial BatchNorm statistics and affine parameters, so that a
        # mix-up of running_mean and running_var, or of weight and bias, shows.
        g = torch.Generator().manual_seed(1)
        with torch.no_grad():
            for m in model.modules():
                if isinstance(m, torch.nn.BatchNorm2d):
                    m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
                    m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                    m.weight.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                    m.bias.copy_(torch.randn(m.num_features, generator=g) * 0.1)
            for key, t in model.named_parameters():
                if key.endswith("layer_scale"):
                    t.copy_(torch.rand(t.shape, generator=g) + 0.5)
                elif key.endswith(".bias") and t.dim() == 1:
                    t.copy_(torch.randn(t.shape, generator=g) * 0.1)
        x = torch.randn(1, 3, int(size), int(size), generator=g)
        with torch.no_grad():
            y = copy.deepcopy(model).double()(x.double()).float()
        state = model.state_dict()
        if "p" in formats:
            torch.save(state, f"{out}/{name}.pt")
        if "s" in formats:
            save_safetensors(state, f"{out}/{name}.safetensors")
        if "o" in formats:
            torch.onnx.export(model, x, f"{out}/{name}.onnx", opset_version=13, do_constant_folding=False,
                              training=torch.onnx.TrainingMode.PRESERVE)
        x.numpy().astype("float32").tofile(f"{out}/{name}.in.bin")
        y.numpy().astype("float32").tofile(f"{out}/{name}.out.bin")


if __name__ == "__main__":
    main()
