# Loads a generated model.py twice: as written (ReLUs with inplace=True) and
# with every `, inplace=True` removed (PyTorch's plain F.relu), gives both the
# same seeded weights, and runs one training-mode forward and backward on the
# same batch. Prints JSON: how many in-place ReLUs the text has, the largest
# output and gradient differences and the largest gradient. Autograd raises if
# an in-place ReLU overwrote a tensor some layer saved for its backward.
# Usage: inplace_grads.py MODEL_PY
import json
import sys
import types

import torch
import torch.nn.functional as F

text = open(sys.argv[1]).read()


def load(source, name):
    module = types.ModuleType(name)
    exec(compile(source, sys.argv[1], "exec"), module.__dict__)
    return module


inplace = load(text, "inplace")
plain = load(text.replace(", inplace=True", ""), "plain")
a, b = inplace.Model(), plain.Model()
g = torch.Generator().manual_seed(1)
with torch.no_grad():
    for t in a.state_dict().values():
        if t.is_floating_point():
            t.copy_(
                torch.randn(t.shape, generator=g)
                * (t[0].numel() ** -0.5 if t.dim() > 1 else 0.1)
                + (1 if t.dim() == 1 else 0)
            )
b.load_state_dict(a.state_dict())
x = torch.randn((4,) + tuple(a.input_shape), generator=g)
outs, grads = [], []
for m, mod in ((a, inplace), (b, plain)):
    m.train()
    inp = mod.preprocess(x.clone()).requires_grad_()
    out = m(inp)
    (out * torch.arange(out.numel()).view(out.shape).sin()).sum().backward()
    outs.append(out.detach())
    grads.append([inp.grad] + [p.grad for p in m.parameters()])
print(
    json.dumps(
        {
            "inplace": text.count(", inplace=True"),
            "outputMaxAbsDiff": (outs[0] - outs[1]).abs().max().item(),
            "gradMaxAbsDiff": max((p - q).abs().max().item() for p, q in zip(*grads)),
            "gradMaxAbs": max(p.abs().max().item() for p in grads[0]),
        }
    )
)
