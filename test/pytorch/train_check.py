# Helpers for test/pytorch/train.test.ts, run by Debian's PyTorch.
#
#   train_check.py output DIR WEIGHTS OUT
#       Loads DIR/model.py, reads WEIGHTS with torch.load (a torch.save'd
#       state_dict) or, for .safetensors, by its own reading of the format, runs a
#       seeded batch of 2 (values in [0, 1), through preprocess()) in eval mode;
#       writes OUT/input.f32 and OUT/output.f32.
#   train_check.py compare DIR A B SEED
#       Prints JSON: the largest absolute difference between two checkpoints'
#       floating-point tensors (and where), and how far A moved from the weights
#       model.py's Model() gets after torch.manual_seed(SEED) (train.py's start).
import json
import os
import struct
import sys

import torch


def load(path):
    if not path.endswith(".safetensors"):
        return torch.load(path, map_location="cpu")
    dtypes = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64}
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        body = f.read()
    header.pop("__metadata__", None)
    return {
        k: torch.frombuffer(bytearray(body[v["data_offsets"][0] : v["data_offsets"][1]]), dtype=dtypes[v["dtype"]]).reshape(v["shape"])
        for k, v in header.items()
    }


cmd, folder = sys.argv[1], sys.argv[2]
sys.path.insert(0, folder)
import model  # noqa: E402

if cmd == "output":
    net = model.Model()
    net.load_state_dict(load(sys.argv[3]))
    net.eval()
    g = torch.Generator().manual_seed(3)
    x = torch.rand((2,) + tuple(model.Model.input_shape), generator=g)
    with torch.no_grad():
        y = net(model.preprocess(x))
    x.numpy().astype("float32").tofile(os.path.join(sys.argv[4], "input.f32"))
    y.numpy().astype("float32").tofile(os.path.join(sys.argv[4], "output.f32"))
elif cmd == "compare":
    a, b = load(sys.argv[3]), load(sys.argv[4])
    torch.manual_seed(int(sys.argv[5]))
    start = model.Model().state_dict()
    worst, where, moved = 0.0, None, 0.0
    for k, v in a.items():
        if not v.is_floating_point():
            continue
        d = (v.double() - b[k].double()).abs().max().item()
        if d >= worst:
            worst, where = d, k
        moved = max(moved, (v.double() - start[k].double()).abs().max().item())
    print(json.dumps({"maxAbs": worst, "at": where, "moved": moved, "keys": sorted(a) == sorted(b)}))
