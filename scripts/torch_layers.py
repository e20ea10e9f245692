"""The layer tuner's independent oracle: K BERT-family post-LN layers, pooling, L2 normalisation and
InfoNCE rebuilt in float64 PyTorch (torch.nn.functional, torch.special.erf, autograd), from the same
weights as src/core/tuning/cpu-layer.ts. Run with Debian's interpreter (`apt-get install python3-torch`):

    /usr/bin/python3 scripts/torch_layers.py <dir> [<dir> ...]

<dir>/spec.json: {"layers": K, "batch", "seq", "hidden", "heads", "intermediate", "eps", "pooling":
"mean"|"cls", "n", "temperature"}. <dir>/*.npy (float32, 2-D): hidden [batch*seq, hidden], mask
[batch, seq] (1 token, 0 padding), and per layer k `layer{k}.{group}.{param}.npy` with the groups
and parameters of src/core/tuning/layer.ts (weights [in, out] as ONNX MatMul keeps them: y = x W + b;
biases, gammas and betas [1, size]).

Writes <dir>/out/: output.npy (the stack's output [batch*seq, hidden]), embeddings.npy (pooled and
normalised [batch, hidden]), grad.layer{k}.{group}.{param}.npy (d loss / d parameter, same shapes as
the inputs) and result.json {"loss", "torch"}.
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

LINEARS = ['query', 'key', 'value', 'attentionOutput', 'intermediate', 'output']
NORMS = ['attentionNorm', 'outputNorm']


def load(folder, name):
    return torch.tensor(np.load(os.path.join(folder, name + '.npy')).astype(np.float64))


def layer(x, p, mask, spec):
    batch, seq, hidden, heads = spec['batch'], spec['seq'], spec['hidden'], spec['heads']
    head_size = hidden // heads

    def linear(name, inp):
        # nn.Linear keeps [out, in]; the files hold [in, out].
        return F.linear(inp, p[name + '.weight'].t(), p[name + '.bias'].reshape(-1))

    def split_heads(t):
        return t.reshape(batch, seq, heads, head_size).transpose(1, 2)

    q, k, v = (split_heads(linear(name, x)) for name in ('query', 'key', 'value'))
    bias = (1.0 - mask)[:, None, None, :] * -1e9  # padded keys, as the exported graphs add it
    weights = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(head_size) + bias, dim=-1)
    context = (weights @ v).transpose(1, 2).reshape(batch, seq, hidden)

    def norm(name, inp):
        return F.layer_norm(inp, (hidden,), p[name + '.gamma'].reshape(-1), p[name + '.beta'].reshape(-1), spec['eps'])

    h1 = norm('attentionNorm', x + linear('attentionOutput', context))
    z = linear('intermediate', h1)
    gelu = 0.5 * z * (1.0 + torch.special.erf(z / math.sqrt(2.0)))
    return norm('outputNorm', h1 + linear('output', gelu))


def main(folder):
    with open(os.path.join(folder, 'spec.json')) as f:
        spec = json.load(f)
    batch, seq, hidden = spec['batch'], spec['seq'], spec['hidden']
    n, tau = spec['n'], spec['temperature']
    x = load(folder, 'hidden').reshape(batch, seq, hidden)
    mask = load(folder, 'mask').reshape(batch, seq)
    params = []
    for k in range(spec['layers']):
        p = {}
        for group in LINEARS:
            for name in ('weight', 'bias'):
                p[group + '.' + name] = load(folder, 'layer%d.%s.%s' % (k, group, name)).requires_grad_()
        for group in NORMS:
            for name in ('gamma', 'beta'):
                p[group + '.' + name] = load(folder, 'layer%d.%s.%s' % (k, group, name)).requires_grad_()
        params.append(p)

    out = x
    for p in params:
        out = layer(out, p, mask, spec)
    if spec['pooling'] == 'mean':
        pooled = (out * mask[:, :, None]).sum(dim=1) / mask.sum(dim=1, keepdim=True)
    else:
        pooled = out[:, 0, :]
    u = F.normalize(pooled, dim=-1)
    scores = u[:n] @ u[n:2 * n].t() / tau
    loss = F.cross_entropy(scores, torch.arange(n))
    loss.backward()

    target = os.path.join(folder, 'out')
    os.makedirs(target, exist_ok=True)
    np.save(os.path.join(target, 'output.npy'), out.detach().reshape(batch * seq, hidden).numpy().astype('<f4'))
    np.save(os.path.join(target, 'embeddings.npy'), u.detach().numpy().astype('<f4'))
    for k, p in enumerate(params):
        for key, tensor in p.items():
            np.save(os.path.join(target, 'grad.layer%d.%s.npy' % (k, key)), tensor.grad.numpy().astype('<f4'))
    with open(os.path.join(target, 'result.json'), 'w') as f:
        json.dump({'loss': loss.item(), 'torch': torch.__version__}, f)


if __name__ == '__main__':
    torch.set_num_threads(1)
    for folder in sys.argv[1:]:
        main(folder)
