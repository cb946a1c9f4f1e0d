"""PyTorch CPU baseline for `pnpm bench`: the same TRM training supervision step.

Written for this repo (not the reference code): the math of @rrm/trm's `trainStep`
with the bench's settings — token embedding x √D, no puzzle or position embedding,
L_level of `--layers` post-norm blocks (token-mixing SwiGLU across the sequence with
`--mlp-t`, else RoPE self-attention, then a channel SwiGLU), H_cycles − 1 cycles
without gradient and the last with it, stablemax cross-entropy (float64, as the
reference evaluates it) + the halting BCE, and an AdamATan2 update. Prints one JSON
line with the same fields as `rrm-bench`.

  python3 apps/bench/pytorch/trm_step.py --mlp-t --batch 32 --seq 81 --hidden 128 \
      --layers 2 --h-cycles 3 --l-cycles 6 --steps 5 --threads 1
"""

import argparse
import json
import math
import resource
import statistics
import time

import torch
import torch.nn.functional as F

VOCAB = 11


def swiglu_inner(d, expansion=4):
    return math.ceil(round(expansion * d * 2 / 3) / 256) * 256


def linear_weight(out_dim, in_dim, gen):
    # Truncated at two standard deviations, like the reference's LeCun-normal init.
    w = torch.randn(out_dim, in_dim, generator=gen).clamp_(-2, 2) / math.sqrt(in_dim)
    return torch.nn.Parameter(w)


def rms_norm(x, eps=1e-5):
    return x * torch.rsqrt(x.square().mean(-1, keepdim=True) + eps)


class SwiGLU(torch.nn.Module):
    def __init__(self, d, gen):
        super().__init__()
        inner = swiglu_inner(d)
        self.gate_up = linear_weight(2 * inner, d, gen)
        self.down = linear_weight(d, inner, gen)

    def forward(self, x):
        gate, up = F.linear(x, self.gate_up).chunk(2, dim=-1)
        return F.linear(F.silu(gate) * up, self.down)


def rotate_half(x):
    a, b = x.chunk(2, dim=-1)
    return torch.cat((-b, a), dim=-1)


class Attention(torch.nn.Module):
    def __init__(self, d, heads, gen):
        super().__init__()
        self.heads, self.head_dim = heads, d // heads
        self.qkv = linear_weight(3 * d, d, gen)
        self.o = linear_weight(d, d, gen)

    def forward(self, x, cos, sin):
        b, s, d = x.shape
        q, k, v = F.linear(x, self.qkv).view(b, s, 3, self.heads, self.head_dim).unbind(2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        q, k, v = (t.transpose(1, 2) for t in (q, k, v))  # [B, heads, S, head_dim]
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.head_dim)
        o = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, s, d)
        return F.linear(o, self.o)


class Block(torch.nn.Module):
    def __init__(self, a, gen):
        super().__init__()
        self.mix = SwiGLU(a.seq, gen) if a.mlp_t else Attention(a.hidden, a.heads, gen)
        self.mlp = SwiGLU(a.hidden, gen)
        self.mlp_t = a.mlp_t

    def forward(self, h, cos, sin):
        if self.mlp_t:
            t = h.transpose(1, 2)
            h = rms_norm(t + self.mix(t)).transpose(1, 2)
        else:
            h = rms_norm(h + self.mix(h, cos, sin))
        return rms_norm(h + self.mlp(h))


class TRM(torch.nn.Module):
    def __init__(self, a, gen):
        super().__init__()
        self.a = a
        d = a.hidden
        self.embed = torch.nn.Parameter(torch.randn(VOCAB, d, generator=gen) / math.sqrt(d))
        self.layers = torch.nn.ModuleList(Block(a, gen) for _ in range(a.layers))
        self.lm_head = linear_weight(VOCAB, d, gen)
        self.q_head = torch.nn.Parameter(torch.zeros(2, d))
        self.q_bias = torch.nn.Parameter(torch.full((2,), -5.0))
        head_dim = d // a.heads
        inv = 1.0 / (10000 ** (torch.arange(0, head_dim, 2).float() / head_dim))
        ang = torch.outer(torch.arange(a.seq).float(), inv).repeat(1, 2)  # [S, head_dim]
        self.cos, self.sin = ang.cos()[:, None, :], ang.sin()[:, None, :]

    def net(self, z, injection):
        h = z + injection
        for layer in self.layers:
            h = layer(h, self.cos, self.sin)
        return h

    def cycle(self, zH, zL, x):
        for _ in range(self.a.l_cycles):
            zL = self.net(zL, zH + x)
        return self.net(zH, zL), zL

    def forward(self, zH, zL, inputs):
        x = F.embedding(inputs, self.embed) * math.sqrt(self.a.hidden)
        with torch.no_grad():
            for _ in range(self.a.h_cycles - 1):
                zH, zL = self.cycle(zH, zL, x)
        zH, zL = self.cycle(zH, zL, x)
        logits = F.linear(zH, self.lm_head)
        q = F.linear(zH[:, 0], self.q_head, self.q_bias)
        return zH.detach(), zL.detach(), logits, q[:, 0]


def log_stablemax(x):
    s = torch.where(x < 0, 1 / (1 - x), x + 1)
    return torch.log(s / s.sum(-1, keepdim=True))


def loss_fn(logits, q_halt, labels):
    logp = log_stablemax(logits.to(torch.float64))
    lm = -logp.gather(-1, labels.unsqueeze(-1)).squeeze(-1).to(torch.float32)
    lm_loss = (lm / labels.shape[1]).sum()
    exact = (logits.argmax(-1) == labels).all(-1).float()
    return lm_loss + 0.5 * F.binary_cross_entropy_with_logits(q_halt, exact, reduction="sum")


class AdamATan2:
    def __init__(self, params, lr=1e-4, betas=(0.9, 0.95), wd=0.1):
        self.params, self.lr, self.betas, self.wd, self.t = list(params), lr, betas, wd, 0
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]

    @torch.no_grad()
    def step(self):
        self.t += 1
        b1, b2 = self.betas
        for p, m, v in zip(self.params, self.m, self.v):
            p.mul_(1 - self.lr * self.wd)
            m.lerp_(p.grad, 1 - b1)
            v.mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
            m_hat = m / (1 - b1 ** self.t)
            v_hat = v / (1 - b2 ** self.t)
            p.add_(torch.atan2(m_hat, v_hat.sqrt()), alpha=-self.lr)
            p.grad = None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mlp-t", action="store_true")
    p.add_argument("--device", default="cpu", help="cpu, or cuda for `pnpm bench:gpu`")
    for name, default in [("batch", 32), ("seq", 81), ("hidden", 128), ("heads", 4),
                          ("layers", 2), ("h-cycles", 3), ("l-cycles", 6), ("steps", 5),
                          ("threads", 1)]:
        p.add_argument(f"--{name}", type=int, default=default)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    gen = torch.Generator().manual_seed(0)
    dev = torch.device(a.device)
    # Drawn on the CPU generator, then moved: the same numbers on every device.
    model = TRM(a, gen).to(dev)
    model.cos, model.sin = model.cos.to(dev), model.sin.to(dev)
    opt = AdamATan2(model.parameters())
    inputs = torch.randint(1, VOCAB, (a.batch, a.seq), generator=gen).to(dev)
    labels = torch.randint(1, VOCAB, (a.batch, a.seq), generator=gen).to(dev)
    zH = torch.randn(a.batch, a.seq, a.hidden, generator=gen).to(dev)
    zL = torch.randn(a.batch, a.seq, a.hidden, generator=gen).to(dev)
    # CUDA runs asynchronously: a step's time ends when its kernels have finished.
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)

    def step(zH, zL):
        zH, zL, logits, q_halt = model(zH, zL, inputs)
        loss_fn(logits, q_halt, labels).backward()
        opt.step()
        return zH, zL

    zH, zL = step(zH, zL)  # warm-up
    sync()
    wall, cpu = [], []
    for _ in range(a.steps):
        t0, c0 = time.perf_counter(), time.process_time()
        zH, zL = step(zH, zL)
        sync()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    print(json.dumps({
        "backend": (f"pytorch-{torch.__version__}-cuda-{torch.cuda.get_device_name(dev)}"
                    if dev.type == "cuda" else f"pytorch-{torch.__version__}-cpu-{a.threads}thread"),
        "config": {k: v for k, v in vars(a).items()},
        "ms_per_step": round(statistics.median(wall), 1),
        "cpu_ms_per_step": round(statistics.median(cpu), 1),
        "steps": a.steps,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "step_ms": [round(w, 1) for w in wall],
    }))


if __name__ == "__main__":
    main()
