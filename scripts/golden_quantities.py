"""Golden momentum (and weight decay) values from the real frameworks, for
tests/test_quantities.py.

Run where the frameworks are installed (never in CI):

    /work/fw/bin/python scripts/golden_quantities.py

torch: each scheduler is stepped through a real SGD optimizer (momentum 0.9);
the momentum at step t is ``optimizer.param_groups[0]["momentum"]`` read
before the t-th ``scheduler.step()``, the lr ``get_last_lr()`` beside it.
Each case records the lrplot command line that must reproduce both
(``lrplot --steps N -o x.json ARGS``). MMEngine: its parameter schedulers on
``momentum`` and ``weight_decay``. timm and Paddle: the learning rate of each
parameter group (layer-wise decay, named groups). DeepSpeed: OneCycle's
momentum from a ds_config read with ``--from`` (cases with a ``config``).
Writes tests/golden/quantities/<framework>.json.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "tests" / "golden" / "quantities"


def _stepped(factory: Callable[[Any], Any], steps: int, optimizer_name: str = "SGD") -> dict[str, list[float]]:
    import torch

    parameter = torch.nn.Parameter(torch.zeros(1))
    if optimizer_name == "SGD":
        optimizer = torch.optim.SGD([parameter], lr=0.1, momentum=0.9)
    else:  # Adam: the schedulers cycle betas[0]
        optimizer = torch.optim.Adam([parameter], lr=0.1)
    scheduler = factory(optimizer)
    lr, momentum = [], []
    for step in range(steps):
        group = optimizer.param_groups[0]
        lr.append(float(scheduler.get_last_lr()[0]))
        momentum.append(float(group["momentum"] if optimizer_name == "SGD" else group["betas"][0]))
        if step < steps - 1:  # OneCycleLR raises one step past the last
            optimizer.step()
            scheduler.step()
    return {"lr": lr, "momentum": momentum}


def torch_cases() -> dict[str, Any]:
    import torch
    from torch.optim import lr_scheduler as S

    cases = [
        # The done-when: lrplot --steps 100 -o x.json onecycle / cyclic.
        ("OneCycleLR(max_lr=0.1, total_steps=100)", lambda o: S.OneCycleLR(o, 0.1, total_steps=100), 100,
         ["onecycle"], "SGD"),
        ("CyclicLR(base_lr=0.01, max_lr=0.1, step_size_up=10)", lambda o: S.CyclicLR(o, 0.01, 0.1, step_size_up=10), 100,
         ["cyclic"], "SGD"),
        ("OneCycleLR(max_lr=0.2, total_steps=60, pct_start=0.25, anneal_strategy='linear', base_momentum=0.8, max_momentum=0.99)",
         lambda o: S.OneCycleLR(o, 0.2, total_steps=60, pct_start=0.25, anneal_strategy="linear", base_momentum=0.8, max_momentum=0.99), 60,
         ["onecycle", "--lr", "0.2", "--pct-start", "0.25", "--anneal", "linear", "--base-momentum", "0.8", "--max-momentum", "0.99"], "SGD"),
        ("OneCycleLR(max_lr=0.1, total_steps=90, three_phase=True)", lambda o: S.OneCycleLR(o, 0.1, total_steps=90, three_phase=True), 90,
         ["onecycle", "--three-phase"], "SGD"),
        ("OneCycleLR(max_lr=0.1, total_steps=33, pct_start=0.4, three_phase=True, anneal_strategy='linear')",
         lambda o: S.OneCycleLR(o, 0.1, total_steps=33, pct_start=0.4, three_phase=True, anneal_strategy="linear"), 33,
         ["onecycle", "--pct-start", "0.4", "--three-phase", "--anneal", "linear"], "SGD"),
        ("OneCycleLR(max_lr=0.1, total_steps=3)", lambda o: S.OneCycleLR(o, 0.1, total_steps=3), 3, ["onecycle"], "SGD"),
        ("OneCycleLR(max_lr=0.01, total_steps=50) with Adam (betas[0])", lambda o: S.OneCycleLR(o, 0.01, total_steps=50), 50,
         ["onecycle", "--lr", "0.01"], "Adam"),
        ("CyclicLR(base_lr=0.01, max_lr=0.1, step_size_up=4, step_size_down=8, mode='triangular2')",
         lambda o: S.CyclicLR(o, 0.01, 0.1, step_size_up=4, step_size_down=8, mode="triangular2"), 80,
         ["cyclic", "--base-lr", "0.01", "--step-size-up", "4", "--step-size-down", "8", "--mode", "triangular2"], "SGD"),
        ("CyclicLR(base_lr=0.001, max_lr=0.1, step_size_up=6, mode='exp_range', gamma=0.97, base_momentum=0.85, max_momentum=0.95)",
         lambda o: S.CyclicLR(o, 0.001, 0.1, step_size_up=6, mode="exp_range", gamma=0.97, base_momentum=0.85, max_momentum=0.95), 80,
         ["cyclic", "--base-lr", "0.001", "--step-size-up", "6", "--mode", "exp_range", "--gamma", "0.97",
          "--base-momentum", "0.85", "--max-momentum", "0.95"], "SGD"),
    ]
    out = []
    for call, factory, steps, args, optimizer_name in cases:
        out.append({"id": f"torch.{call}", "optimizer": optimizer_name, "steps": steps, "args": args,
                    **_stepped(factory, steps, optimizer_name)})
    for call, factory, steps, parts, optimizer_name in sequential_cases(S):
        out.append({"id": f"torch.{call}", "optimizer": optimizer_name, "steps": steps,
                    "yaml": {"curves": [{"schedule": "sequence", "lr": 0.1, "parts": parts}]},
                    **_stepped(factory, steps, optimizer_name)})
    # What lrplot refuses, and why: the OneCycleLR part (its own momenta 0.85 .. 0.95) cycles
    # between the later CyclicLR's 0.8 .. 0.9, read from the optimizer's group.
    refused = {"id": "torch.SequentialLR([OneCycleLR(0.1, total_steps=12), CyclicLR(0.01, 0.1, step_size_up=3)], [12])",
               "onecycle_steps": 12,
               "yaml": {"curves": [{"schedule": "sequence", "parts": [
                   {"schedule": "onecycle", "total_steps": 12, "steps": 12},
                   {"schedule": "cyclic", "base_lr": 0.01, "step_size_up": 3}]}]},
               **_stepped(lambda o: S.SequentialLR(o, [S.OneCycleLR(o, 0.1, total_steps=12),
                                                        S.CyclicLR(o, 0.01, 0.1, step_size_up=3)], milestones=[12]), 20)}
    return {"framework": "torch", "version": torch.__version__, "generated_by": "scripts/golden_quantities.py",
            "cases": out, "refused": [refused]}


def sequential_cases(S: Any) -> list[tuple[str, Callable[[Any], Any], int, list[dict[str, Any]], str]]:
    """SequentialLR with OneCycleLR / CyclicLR parts, the schedulers built in
    list order (as a list written inline is): each cycling constructor writes
    its max_momentum, so the last one's holds until a cycling part runs, and
    a part that cycles nothing keeps what the part before it left. The
    lrplot parts (``yaml``) give the rates torch's parts really use: OneCycleLR
    and CyclicLR constructors reset the lr the other parts start from. (A
    OneCycleLR followed by a cycling part with other momenta is refused:
    OneCycleLR reads base_momentum and max_momentum from the optimizer's
    group, where the later constructor wrote its own.)"""
    return [
        ("SequentialLR([LinearLR(0.5, 1.0, 4), OneCycleLR(0.1, total_steps=10), ConstantLR(0.3, 100)], [5, 11]) "
         "(the cycle cut short: its last momentum holds)",
         lambda o: S.SequentialLR(o, [S.LinearLR(o, 0.5, 1.0, total_iters=4), S.OneCycleLR(o, 0.1, total_steps=10),
                                      S.ConstantLR(o, factor=0.3, total_iters=100)], milestones=[5, 11]), 20,
         [{"schedule": "linear", "lr": 0.004, "start_factor": 0.5, "end_factor": 1.0, "total_steps": 4, "steps": 5},
          {"schedule": "onecycle", "total_steps": 10, "steps": 6},
          {"schedule": "constant", "lr": 0.0012}], "SGD"),
        ("SequentialLR([ConstantLR(0.5, 1000), CyclicLR(0.001, 0.01, step_size_up=3), ExponentialLR(0.9), "
         "OneCycleLR(0.05, total_steps=19, three_phase=True, anneal_strategy='linear')], [4, 16, 21]) with Adam "
         "(the OneCycleLR built last: its max_momentum before the cycles)",
         lambda o: S.SequentialLR(o, [S.ConstantLR(o, factor=0.5, total_iters=1000), S.CyclicLR(o, 0.001, 0.01, step_size_up=3),
                                      S.ExponentialLR(o, gamma=0.9),
                                      S.OneCycleLR(o, 0.05, total_steps=19, three_phase=True, anneal_strategy="linear")],
                                  milestones=[4, 16, 21]), 40,
         [{"schedule": "constant", "lr": 0.001, "steps": 4},
          {"schedule": "cyclic", "lr": 0.01, "base_lr": 0.001, "step_size_up": 3, "steps": 12},
          {"schedule": "exponential", "lr": 0.1, "decay_rate": 0.9, "decay_steps": 1, "steps": 5},
          {"schedule": "onecycle", "lr": 0.05, "total_steps": 19, "three_phase": True, "anneal": "linear"}], "Adam"),
        ("SequentialLR([CyclicLR(0.01, 0.1, step_size_up=5, mode='triangular2', base_momentum=0.7, max_momentum=0.95), "
         "StepLR(3, 0.5), OneCycleLR(0.2, total_steps=16, pct_start=0.25)], [17, 24])",
         lambda o: S.SequentialLR(o, [S.CyclicLR(o, 0.01, 0.1, step_size_up=5, mode="triangular2", base_momentum=0.7,
                                                 max_momentum=0.95),
                                      S.StepLR(o, step_size=3, gamma=0.5), S.OneCycleLR(o, 0.2, total_steps=16, pct_start=0.25)],
                                  milestones=[17, 24]), 40,
         [{"schedule": "cyclic", "lr": 0.1, "base_lr": 0.01, "step_size_up": 5, "mode": "triangular2",
           "base_momentum": 0.7, "max_momentum": 0.95, "steps": 17},
          {"schedule": "step", "lr": 0.01, "step_size": 3, "gamma": 0.5, "steps": 7},
          {"schedule": "onecycle", "lr": 0.2, "total_steps": 16, "pct_start": 0.25}], "SGD"),
        ("SequentialLR([ConstantLR(1.0, 0), OneCycleLR(0.1, total_steps=20, pct_start=0.04)], [3]) (a rise shorter "
         "than a step: the constructor sets the momentum of its step 0, part-way up from base_momentum)",
         lambda o: S.SequentialLR(o, [S.ConstantLR(o, factor=1.0, total_iters=0),
                                      S.OneCycleLR(o, 0.1, total_steps=20, pct_start=0.04)], milestones=[3]), 23,
         [{"schedule": "constant", "lr": 0.004, "steps": 3},
          {"schedule": "onecycle", "total_steps": 20, "pct_start": 0.04}], "SGD"),
    ]


def mmengine_cases() -> dict[str, Any]:
    """MMEngine's parameter schedulers on momentum and weight decay, stepped
    once per iteration (by_epoch=False) through SGD(momentum=0.9,
    weight_decay=0.05); the value at step t is the group's before the t-th step."""
    import mmengine
    import torch
    from mmengine.optim import scheduler as M

    def stepped(factory: Callable[[Any], Any], steps: int, name: str) -> list[float]:
        parameter = torch.nn.Parameter(torch.zeros(1))
        optimizer = torch.optim.SGD([parameter], lr=0.1, momentum=0.9, weight_decay=0.05)
        scheduler = factory(optimizer)
        values = []
        for _ in range(steps):
            values.append(float(optimizer.param_groups[0][name]))
            optimizer.step()
            scheduler.step()
        return values

    cases = [
        ("CosineAnnealingParamScheduler(param_name='weight_decay', T_max=100, eta_min=0.005, by_epoch=False)",
         lambda o: M.CosineAnnealingParamScheduler(o, param_name="weight_decay", T_max=100, eta_min=0.005, by_epoch=False),
         101, "weight_decay", ["cosine", "--weight-decay", "cosine lr=0.05 decay_steps=100 end_lr=0.005"]),
        ("CosineAnnealingMomentum(T_max=50, eta_min=0.85, by_epoch=False)",
         lambda o: M.CosineAnnealingMomentum(o, T_max=50, eta_min=0.85, by_epoch=False),
         51, "momentum", ["cosine", "--momentum", "cosine lr=0.9 decay_steps=50 end_lr=0.85"]),
        ("LinearParamScheduler(param_name='weight_decay', start_factor=0.1, end_factor=1.0, end=30, by_epoch=False)",
         lambda o: M.LinearParamScheduler(o, param_name="weight_decay", start_factor=0.1, end_factor=1.0, end=30, by_epoch=False),
         # MMEngine's end is exclusive: the factor reaches end_factor at step end - 1 = 29.
         40, "weight_decay", ["cosine", "--weight-decay", "linear lr=0.05 start_factor=0.1 end_factor=1.0 total_steps=29"]),
        ("MultiStepParamScheduler(param_name='momentum', milestones=[10, 25], gamma=0.5, by_epoch=False)",
         lambda o: M.MultiStepParamScheduler(o, param_name="momentum", milestones=[10, 25], gamma=0.5, by_epoch=False),
         40, "momentum", ["cosine", "--momentum", "multistep lr=0.9 milestones=10,25 gamma=0.5"]),
    ]
    out = [{"id": f"mmengine.{call}", "steps": steps, "args": args, name: stepped(factory, steps, name)}
           for call, factory, steps, name, args in cases]
    return {"framework": "mmengine", "version": mmengine.__version__, "generated_by": "scripts/golden_quantities.py",
            "cases": out}


def timm_cases() -> dict[str, Any]:
    """timm's layer-wise decay: create_optimizer_v2(..., layer_decay=R) on a
    small ViT (depth 3: layers 0 = embeddings .. 4 = head), then timm's own
    scheduler, which sets each group's lr to value * lr_scale; stepped per
    update (t_in_epochs=False: the constructor sets update 0, step_update(t + 1)
    after update t). Each group's layer comes from timm's own layer map.
    Needs timm importable (the torchvision stub: PYTHONPATH=/work/fw/stubs)."""
    import timm
    import torch
    from timm.models import group_parameters
    from timm.optim import create_optimizer_v2
    from timm.scheduler import CosineLRScheduler, StepLRScheduler

    def model() -> Any:
        return timm.create_model("vit_tiny_patch16_224", depth=3, pretrained=False, num_classes=10, img_size=32, patch_size=8)

    def stepped(factory: Callable[[Any], Any], rate: float, steps: int) -> dict[str, list[float]]:
        torch.manual_seed(0)
        net = model()
        layer_of = {id(p): layer for name, p in net.named_parameters()
                    for layer in [group_parameters(net, net.group_matcher(coarse=False), reverse=True)[name]]}
        optimizer = create_optimizer_v2(net, "adamw", lr=1e-3, weight_decay=0.05, layer_decay=rate)
        scheduler = factory(optimizer)
        layers = [layer_of[id(group["params"][0])] for group in optimizer.param_groups]
        groups: dict[str, list[float]] = {}
        for step in range(steps):
            for layer, group in zip(layers, optimizer.param_groups):
                values = groups.setdefault(f"layer_{layer}", [])
                if len(values) == step:  # the decay and no-decay groups of a layer share its lr
                    values.append(float(group["lr"]))
            scheduler.step_update(num_updates=step + 1)
        return dict(sorted(groups.items()))

    cases = [
        ("CosineLRScheduler(t_initial=40, lr_min=1e-5, t_in_epochs=False), layer_decay=0.75",
         lambda o: CosineLRScheduler(o, t_initial=40, lr_min=1e-5, t_in_epochs=False), 0.75, 50,
         ["cosine", "--lr", "0.001", "--decay-steps", "40", "--end-lr", "1e-5", "--layer-decay", "rate=0.75 layers=4"]),
        ("StepLRScheduler(decay_t=10, decay_rate=0.5, t_in_epochs=False), layer_decay=0.65",
         lambda o: StepLRScheduler(o, decay_t=10, decay_rate=0.5, t_in_epochs=False), 0.65, 35,
         ["step", "--lr", "0.001", "--step-size", "10", "--gamma", "0.5", "--layer-decay", "rate=0.65 layers=4"]),
    ]
    out = [{"id": f"timm.{call}", "steps": steps, "args": args, "groups": stepped(factory, rate, steps)}
           for call, factory, rate, steps, args in cases]
    return {"framework": "timm", "version": timm.__version__, "generated_by": "scripts/golden_quantities.py",
            "cases": out}


def paddle_cases() -> dict[str, Any]:
    """Paddle's parameter groups: a group dict's ``learning_rate`` multiplies
    the optimizer's (scheduled) rate for its parameters, the CPU path of
    layer-wise decay (PaddleClas's and PaddleNLP's ``AdamWDL`` scale each
    parameter's ``optimize_attr["learning_rate"]`` by ``decay ** (layers -
    layer)`` the same way; AdamW's ``lr_ratio`` is the GPU/XPU path and raises
    "unimplemented in CPU"). The rate is read from the update itself, not from
    the multipliers: float64 parameters set to 0, a gradient of 1 (the loss is
    their sum), one SGD step; ``-parameter`` is the group's effective rate at
    that step. Paddle's OneCycleLR sets the learning rate only (no momentum),
    so Paddle has no momentum golden."""
    import paddle
    from paddle.optimizer import lr as L

    paddle.set_device("cpu")
    paddle.set_default_dtype("float64")  # the rate tensor too: float32 would round it

    def stepped(scheduler: Any, multipliers: dict[str, float], steps: int) -> dict[str, Any]:
        parameters = {name: paddle.create_parameter([1], "float64") for name in multipliers}
        groups = [{"params": [parameters[name]], "learning_rate": m} for name, m in multipliers.items()]
        optimizer = paddle.optimizer.SGD(learning_rate=scheduler, parameters=groups)
        lr: list[float] = []
        measured: dict[str, list[float]] = {name: [] for name in multipliers}
        for _ in range(steps):
            lr.append(float(scheduler.last_lr))
            for parameter in parameters.values():
                parameter.set_value(paddle.zeros([1], dtype="float64"))
            paddle.add_n([parameter.sum() for parameter in parameters.values()]).backward()
            optimizer.step()
            optimizer.clear_grad()
            for name, parameter in parameters.items():
                measured[name].append(-float(parameter.numpy()[0]))
            scheduler.step()
        return {"lr": lr, "groups": measured}

    def layer_decay(rate: float, layers: int) -> dict[str, float]:
        return {f"layer_{i}": rate ** (layers - i) for i in range(layers + 1)}  # as AdamWDL: embeddings 0 .. head

    cases = [
        ("SGD groups {backbone: 0.1, head: 1.0}, StepDecay(0.1, step_size=3, gamma=0.5)",
         lambda: L.StepDecay(0.1, step_size=3, gamma=0.5), {"backbone": 0.1, "head": 1.0}, 20,
         ["step", "--lr", "0.1", "--step-size", "3", "--gamma", "0.5", "--groups", "backbone=0.1 head=1"]),
        ("layer decay 0.65 over 4 layers, LinearWarmup(PolynomialDecay(0.001, decay_steps=30, end_lr=1e-5), 10, 0.0, 0.001)",
         lambda: L.LinearWarmup(L.PolynomialDecay(0.001, decay_steps=30, end_lr=1e-5), 10, 0.0, 0.001),
         layer_decay(0.65, 4), 45,
         ["polynomial", "--lr", "0.001", "--decay-steps", "30", "--end-lr", "1e-5", "--warmup-steps", "10",
          "--layer-decay", "rate=0.65 layers=4"]),
        ("layer decay 0.75 over 12 layers and a head group x 10, MultiStepDecay(0.01, milestones=[5, 9], gamma=0.2)",
         lambda: L.MultiStepDecay(0.01, milestones=[5, 9], gamma=0.2), {"head": 10.0, **layer_decay(0.75, 12)}, 14,
         ["multistep", "--lr", "0.01", "--milestones", "5,9", "--gamma", "0.2", "--groups", "head=10",
          "--layer-decay", "rate=0.75 layers=12"]),
    ]
    out = []
    for call, make, multipliers, steps, args in cases:
        out.append({"id": f"paddle.{call}", "steps": steps, "args": args, **stepped(make(), multipliers, steps)})
    return {"framework": "paddle", "version": paddle.__version__, "generated_by": "scripts/golden_quantities.py",
            "cases": out}


def timm_import_cases() -> dict[str, Any]:
    """timm's train.py ``--layer-decay`` read from an args.yaml (``lrplot
    --from``): the model created as train.py creates it (``num_classes`` from
    the file, unset: the model's default), ``create_optimizer_v2(model,
    layer_decay=..., layer_decay_min_scale=...)``, ``create_scheduler_v2`` with
    train.py's stepping (``step_update`` after every update, ``step(epoch + 1)``
    at each epoch's end); each group's lr before every update, named by timm's
    own layer map. ``vit_layers``: for every ViT / DeiT name lrplot knows, the
    layer count ``param_groups_layer_decay`` finds (``max(layer_map) + 1``) with
    num_classes unset, 0 and 10, the model built on the meta device."""
    import timm
    import torch
    from timm.models import group_parameters
    from timm.optim import create_optimizer_v2
    from timm.scheduler import create_scheduler_v2

    from lrplot.frameworks.timm import VIT_MODELS

    def layer_count(name: str, **kwargs: Any) -> int:
        with torch.device("meta"):
            net = timm.create_model(name, pretrained=False, **kwargs)
        return max(group_parameters(net, net.group_matcher(coarse=False), reverse=True).values()) + 1

    layers = {name: {"unset": layer_count(name), "0": layer_count(name, num_classes=0),
                     "10": layer_count(name, num_classes=10)} for name in sorted(VIT_MODELS)}

    def stepped(args: dict[str, Any], dataset: int) -> dict[str, list[float]]:
        torch.manual_seed(0)
        extra = {} if args.get("num_classes") is None else {"num_classes": args["num_classes"]}
        net = timm.create_model(args["model"], pretrained=False, **extra)
        layer_map = group_parameters(net, net.group_matcher(coarse=False), reverse=True)
        last = max(layer_map.values())
        layer_of = {id(p): layer_map.get(name, last) for name, p in net.named_parameters()}
        optimizer = create_optimizer_v2(net, "adamw", lr=args["lr"], weight_decay=0.05,
                                        layer_decay=args["layer_decay"],
                                        layer_decay_min_scale=args.get("layer_decay_min_scale", 0.0))
        per_epoch = dataset // args["batch_size"]
        scheduler, epochs = create_scheduler_v2(optimizer, sched=args["sched"], num_epochs=args["epochs"],
                                                warmup_epochs=args["warmup_epochs"], warmup_lr=args["warmup_lr"],
                                                min_lr=args["min_lr"], updates_per_epoch=per_epoch)
        groups: dict[str, list[float]] = {}
        updates = 0
        for epoch in range(epochs):
            for _ in range(per_epoch):
                seen = set()
                for group in optimizer.param_groups:
                    name = f"layer_{layer_of[id(group['params'][0])]}"
                    if name not in seen:  # a layer's decay and no-decay groups share its lr
                        seen.add(name)
                        groups.setdefault(name, []).append(float(group["lr"]))
                updates += 1
                scheduler.step_update(num_updates=updates)
            scheduler.step(epoch + 1)
        return dict(sorted(groups.items(), key=lambda item: int(item[0].split("_")[1])))

    common = {"sched": "cosine", "epochs": 6, "warmup_epochs": 1, "warmup_lr": 1e-5, "min_lr": 1e-6, "lr": 1e-3,
              "batch_size": 64}
    cases = [
        ("args.yaml vit_tiny_patch16_224, num_classes 10, layer_decay 0.65",
         {"model": "vit_tiny_patch16_224", "num_classes": 10, "layer_decay": 0.65, **common}),
        ("args.yaml vit_small_patch8_224 (no head by default), layer_decay 0.75, layer_decay_min_scale 0.1",
         {"model": "vit_small_patch8_224", "layer_decay": 0.75, "layer_decay_min_scale": 0.1, **common}),
    ]
    dataset = 640
    out = []
    for title, args in cases:
        groups = stepped(args, dataset)
        steps = len(next(iter(groups.values())))
        out.append({"id": f"timm.{title}", "steps": steps, "file": "args.yaml", "config": args,
                    "facts": ["--dataset-size", str(dataset), "--dialect", "timm"],
                    "lr": groups[max(groups, key=lambda name: int(name.split("_")[1]))],  # the head's: scale 1
                    "groups": groups})
    return {"framework": "timm-import", "version": timm.__version__, "generated_by": "scripts/golden_quantities.py",
            "vit_layers": layers, "cases": out}


def deepspeed_cases() -> dict[str, Any]:
    """DeepSpeed's OneCycle read from a ds_config (``lrplot --from``): the
    scheduler built as ``DeepSpeedEngine._scheduler_from_config`` builds it
    around the config's optimizer (torch's Adam for "Adam", SGD for "SGD": the
    same ``betas`` in their defaults as DeepSpeed's FusedAdam, or none), stepped
    after every update; the value at update t is the group's before it (lr,
    and ``betas[0]`` when the optimizer has betas)."""
    import os

    os.environ.setdefault("DS_ACCELERATOR", "cpu")
    import deepspeed
    import torch
    from deepspeed.runtime import lr_schedules

    def config(optimizer: str, **params: Any) -> dict[str, Any]:
        extra = {"betas": [0.9, 0.999]} if optimizer == "Adam" else {"momentum": 0.9}
        return {"train_batch_size": 32, "optimizer": {"type": optimizer, "params": {"lr": 0.001, **extra}},
                "scheduler": {"type": "OneCycle", "params": params}}

    cases = [
        ("OneCycle continuous, decay_mom_rate", 130,
         config("Adam", cycle_min_lr=0.001, cycle_max_lr=0.01, cycle_first_step_size=30, decay_step_size=7,
                decay_lr_rate=0.05, cycle_min_mom=0.85, cycle_max_mom=0.95, decay_mom_rate=0.01)),
        ("OneCycle asymmetric, defaults for momentum", 90,
         config("Adam", cycle_min_lr=0.0001, cycle_max_lr=0.001, cycle_first_step_size=25, cycle_second_step_size=40)),
        ("OneCycle stairs on both halves, decay_mom_rate", 80,
         config("Adam", cycle_min_lr=0.0001, cycle_max_lr=0.001, cycle_first_step_size=20, cycle_second_step_size=13,
                cycle_first_stair_count=4, cycle_second_stair_count=3, decay_step_size=5, decay_mom_rate=0.02,
                cycle_min_mom=0.8, cycle_max_mom=0.97)),
        ("OneCycle rise only (cycle_second_step_size 0)", 40,
         config("Adam", cycle_min_lr=0.0001, cycle_max_lr=0.001, cycle_first_step_size=15, cycle_second_step_size=0)),
        ("OneCycle cycle_momentum false", 50,
         config("Adam", cycle_min_lr=0.0001, cycle_max_lr=0.001, cycle_first_step_size=10, cycle_momentum=False)),
        ("OneCycle with SGD (no betas: momentum left alone)", 50,
         config("SGD", cycle_min_lr=0.0001, cycle_max_lr=0.001, cycle_first_step_size=10)),
    ]
    out = []
    for title, steps, cfg in cases:
        parameter = torch.nn.Parameter(torch.zeros(1))
        optimizer = getattr(torch.optim, cfg["optimizer"]["type"])([parameter], **cfg["optimizer"]["params"])
        scheduler = lr_schedules.OneCycle(optimizer, **cfg["scheduler"]["params"])  # _scheduler_from_config
        lr, momentum = [], []
        for _ in range(steps):
            group = optimizer.param_groups[0]
            lr.append(float(group["lr"]))
            momentum.append(float(group["betas"][0]) if "betas" in group else None)
            optimizer.step()
            scheduler.step()  # DeepSpeedEngine._take_model_step
        case = {"id": f"deepspeed.{title}", "steps": steps, "config": cfg, "lr": lr}
        if scheduler.cycle_momentum:
            case["momentum"] = momentum
        out.append(case)
    return {"framework": "deepspeed", "version": deepspeed.__version__, "generated_by": "scripts/golden_quantities.py",
            "cases": out}


def main() -> None:
    """Every framework, or those named on the command line (``paddle``)."""
    OUT.mkdir(parents=True, exist_ok=True)
    makers = {"torch": torch_cases, "mmengine": mmengine_cases, "timm": timm_cases, "paddle": paddle_cases,
              "timm-import": timm_import_cases, "deepspeed": deepspeed_cases}
    for name in sys.argv[1:] or makers:
        make = makers[name]
        document = make()
        (OUT / f"{name}.json").write_text(json.dumps(document, indent=1) + "\n")
        print(f"{name} {document['version']}: {len(document['cases'])} cases")


if __name__ == "__main__":
    main()
