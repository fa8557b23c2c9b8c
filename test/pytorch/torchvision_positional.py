# Loads a torchvision model's state_dict into a netc-generated model.py by
# position (netc's state_dict order is torchvision's; the names differ) and
# prints the largest difference between the two models' outputs on one seeded
# batch, relative to the largest output. Usage:
# torchvision_positional.py MODEL_PY TORCHVISION_NAME CLASSES SIZE
import importlib.util
import sys

import torch
import torchvision

model_py, name, classes, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
spec = importlib.util.spec_from_file_location("netc_model", model_py)
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)

torch.manual_seed(0)
kwargs = {"aux_logits": False, "init_weights": True} if name in ("googlenet", "inception_v3") else {}
ref = getattr(torchvision.models, name)(num_classes=classes, **kwargs).eval()
g = torch.Generator().manual_seed(1)
with torch.no_grad():
    for k, t in ref.state_dict().items():
        if k.endswith("running_var"):
            t.copy_(torch.rand(t.shape, generator=g) + 0.5)
        elif k.endswith("running_mean"):
            t.copy_(torch.randn(t.shape, generator=g) * 0.1)
ours = mod.Model().eval()
theirs = [v for k, v in ref.state_dict().items()]
keys = list(ours.state_dict().keys())
assert len(keys) == len(theirs), (len(keys), len(theirs))
ours.load_state_dict(dict(zip(keys, theirs)), strict=True)
x = torch.randn((2, 3, size, size), generator=g)
with torch.no_grad():
    a, b = ref(x), ours(x)
print(((a - b).abs().max() / a.abs().max()).item())
