"""My own small PyTorch TRM (eval mode), written for this check from the paper's recursion:
loads a reference-format run folder (step_N + all_config.yaml) with torch.load and scores the
test split of a reference-layout dataset. Supports what the small preset uses (MLP-T blocks,
no position encoding, no puzzle embedding); not the reference code."""
import glob, os, re, sys
import numpy as np, torch, torch.nn.functional as F, yaml

run, data = sys.argv[1], sys.argv[2]
step = max(glob.glob(os.path.join(run, 'step_*')), key=lambda p: int(re.findall(r'\d+$', p)[0]))
cfg = yaml.safe_load(open(os.path.join(run, 'all_config.yaml')))['arch']
assert cfg['mlp_t'] and cfg['pos_encodings'] == 'none' and cfg['puzzle_emb_ndim'] == 0
sd = {k.removeprefix('_orig_mod.model.'): v.float() for k, v in torch.load(step, map_location='cpu').items()}
eps = cfg.get('rms_norm_eps', 1e-5)

def rms(x):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)

def swiglu(x, p):
    gate, up = F.linear(x, sd[p + 'gate_up_proj.weight']).chunk(2, dim=-1)
    return F.linear(F.silu(gate) * up, sd[p + 'down_proj.weight'])

def net(h, inj):
    h = h + inj
    for i in range(cfg['L_layers']):
        p = f'inner.L_level.layers.{i}.'
        t = h.transpose(1, 2)
        h = rms(t + swiglu(t, p + 'mlp_t.')).transpose(1, 2)
        h = rms(h + swiglu(h, p + 'mlp.'))
    return h

inputs = torch.from_numpy(np.load(os.path.join(data, 'test', 'all__inputs.npy')).astype(np.int64))
labels = torch.from_numpy(np.load(os.path.join(data, 'test', 'all__labels.npy')).astype(np.int64))
D = sd['inner.H_init'].shape[0]
with torch.no_grad():
    x = F.embedding(inputs, sd['inner.embed_tokens.embedding_weight']) * D ** 0.5
    zH = sd['inner.H_init'].expand_as(x)
    zL = sd['inner.L_init'].expand_as(x)
    for k in range(cfg['halt_max_steps']):
        for _ in range(cfg['H_cycles']):
            for _ in range(cfg['L_cycles']):
                zL = net(zL, zH + x)
            zH = net(zH, zL)
    pred = F.linear(zH, sd['inner.lm_head.weight']).argmax(-1)
exact = (pred == labels).all(-1).float().mean().item()
token = (pred == labels).float().mean().item()
print(f'{step}: {len(inputs)} puzzles, exact {exact:.4f}, token {token:.4f}')
