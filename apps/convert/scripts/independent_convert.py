"""Independent converter: an rrm checkpoint folder -> a reference run folder, written with
torch.save and PyYAML (no rrm code involved)."""
import json, struct, sys, os, collections
import torch, yaml

src, out, step = sys.argv[1], sys.argv[2], int(sys.argv[3])
bf16_buffers = len(sys.argv) > 4 and sys.argv[4] == 'bf16'
raw = open(os.path.join(src, 'model.safetensors'), 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
header = json.loads(raw[8:8 + n])
body = raw[8 + n:]
sd = collections.OrderedDict()
for name, info in header.items():
    if name == '__metadata__':
        continue
    assert info['dtype'] == 'F32'
    a, b = info['data_offsets']
    t = torch.frombuffer(bytearray(body[a:b]), dtype=torch.float32).reshape(info['shape']).clone()
    if bf16_buffers and name.endswith(('H_init', 'L_init')):
        t = t.to(torch.bfloat16)
    sd[name if name.startswith('_orig_mod.') else '_orig_mod.model.' + name] = t
os.makedirs(out, exist_ok=True)
torch.save(sd, os.path.join(out, f'step_{step}'))
cfg = json.load(open(os.path.join(src, 'config.json')))
arch = {k: v for k, v in cfg['arch'].items() if k not in ('batch_size', 'seq_len', 'vocab_size', 'num_puzzle_identifiers')}
names = {'trm': 'recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1', 'hrm': 'recursive_reasoning.hrm@HierarchicalReasoningModel_ACTV1'}
doc = {'arch': {'name': names[cfg['model']], 'loss': {'name': 'losses@ACTLossHead', 'loss_type': cfg['loss_type']}, **arch}}
for k in ['data_paths', 'global_batch_size', 'epochs', 'lr', 'lr_min_ratio', 'lr_warmup_steps', 'weight_decay', 'beta1', 'beta2', 'puzzle_emb_lr', 'puzzle_emb_weight_decay', 'seed', 'ema', 'ema_rate']:
    doc[k] = cfg[k]
doc['evaluators'] = []
doc['project_name'] = 'independent'
doc['run_name'] = 'py-convert'
yaml.safe_dump(doc, open(os.path.join(out, 'all_config.yaml'), 'w'), sort_keys=False)
print(f'wrote {out}/step_{step} ({len(sd)} tensors) and all_config.yaml')
