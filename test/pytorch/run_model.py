# Loads a netc-generated model.py, gives it seeded random weights (BatchNorm
# statistics too), saves its state_dict with torch.save, and runs a seeded
# random batch (values in [0, 1)) through preprocess() and the model in eval
# mode.
# Prints JSON: the state_dict's keys and shapes in order, the parameter count,
# the output's shape. Writes state.pt, input.f32 and output.f32 into OUT.
# Usage: run_model.py MODEL_PY OUT BATCH [GAMMA]
import importlib.util
import json
import os
import sys

import torch

model_py, out, batch = sys.argv[1], sys.argv[2], int(sys.argv[3])
gamma = float(sys.argv[4]) if len(sys.argv) > 4 else 0.6
spec = importlib.util.spec_from_file_location("netc_model", model_py)
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)

torch.manual_seed(0)
model = mod.Model()
g = torch.Generator().manual_seed(1)
with torch.no_grad():
    for name, t in model.state_dict().items():
        if not t.is_floating_point():
            continue
        if name.endswith("running_var"):
            t.copy_(torch.rand(t.shape, generator=g) + 0.5)
        elif name.endswith("running_mean") or name.endswith(".bias"):
            t.copy_(torch.randn(t.shape, generator=g) * 0.1)
        elif t.dim() == 1:
            # BatchNorm's (and LayerNorm's) gamma in [GAMMA, 2 * GAMMA).
            t.copy_((torch.rand(t.shape, generator=g) + 1.0) * gamma)
        else:
            fan_in = t[0].numel() if t.dim() > 1 else 1
            t.copy_(torch.randn(t.shape, generator=g) * (2.0 / fan_in) ** 0.5)
model.eval()
torch.save(model.state_dict(), os.path.join(out, "state.pt"))
x = torch.rand((batch,) + tuple(model.input_shape), generator=g)
with torch.no_grad():
    y = model(mod.preprocess(x))
x.numpy().astype("float32").tofile(os.path.join(out, "input.f32"))
y.numpy().astype("float32").tofile(os.path.join(out, "output.f32"))
print(json.dumps({
    "keys": [[k, list(v.shape)] for k, v in model.state_dict().items()],
    "params": sum(p.numel() for p in model.parameters()),
    "output": list(y.shape),
}))
