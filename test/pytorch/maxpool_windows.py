# Reads JSON cases from stdin: [{"expr", "in": [C, H, W], "out": [C, OH, OW],
# "kernel", "stride", "pads": [top, left, bottom, right]}]. Evaluates each
# generated F.max_pool2d expression on a seeded random x and compares it with
# max pooling written out window by window (the grammar's rule: window i
# starts at i * stride - top, covers kernel pixels, and takes the largest
# input pixel it covers). Prints the number of cases that differ (in shape or
# any value) and the first few.
import json
import math
import sys

import torch
import torch.nn.functional as F

cases = json.load(sys.stdin)
g = torch.Generator().manual_seed(0)
bad = []
for c in cases:
    x = torch.randn([2] + c["in"], generator=g)
    got = eval(c["expr"], {"F": F, "math": math, "torch": torch, "x": x})
    _, oh, ow = c["out"]
    (kh, kw), (sh, sw), (t, l) = c["kernel"], c["stride"], c["pads"][:2]
    h, w = c["in"][1], c["in"][2]
    want = torch.empty([2, c["in"][0], oh, ow])
    for i in range(oh):
        for j in range(ow):
            r0, c0 = i * sh - t, j * sw - l
            win = x[:, :, max(r0, 0) : min(r0 + kh, h), max(c0, 0) : min(c0 + kw, w)]
            want[:, :, i, j] = win.amax((2, 3))
    if tuple(got.shape) != tuple(want.shape) or not torch.equal(got, want):
        bad.append({"case": c, "shape": list(got.shape)})
print(json.dumps({"bad": len(bad), "first": bad[:3]}))
