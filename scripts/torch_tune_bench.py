"""PyTorch CPU, the real alternative in `npm run bench:tune` (scripts/bench-tune.ts): K BERT post-LN
layers forward + backward with autograd in float32, mean pooling, L2 normalisation and InfoNCE, at
the shape, token lengths and thread count the TypeScript side uses. Run with Debian's interpreter:

    /usr/bin/python3 scripts/torch_tune_bench.py spec.json

spec.json: {"hidden", "heads", "intermediate", "eps", "lengths": [...], "layers": [1, 2],
"threads", "steps", "temperature", "seed"}. Prints JSON: {"torch", "threads", "blas" (the BLAS files mapped),
"results": [{"layers",
"seconds": [per timed step]}]} (one untimed warm-up step first, as the TypeScript side does).
"""
import json
import math
import sys
import time

import torch
import torch.nn.functional as F


def layer_params(hidden, intermediate, generator):
    def uniform(shape, half, centre=0.0):
        return (centre + half * (2 * torch.rand(shape, generator=generator) - 1)).requires_grad_()

    p = {}
    for name, (n_in, n_out) in {'query': (hidden, hidden), 'key': (hidden, hidden), 'value': (hidden, hidden),
                                'attentionOutput': (hidden, hidden), 'intermediate': (hidden, intermediate),
                                'output': (intermediate, hidden)}.items():
        # nn.Linear's [out, in], as PyTorch keeps it.
        p[name + '.weight'] = uniform((n_out, n_in), math.sqrt(3 / n_in))
        p[name + '.bias'] = uniform((n_out,), 0.1)
    for name in ('attentionNorm', 'outputNorm'):
        p[name + '.gamma'] = uniform((hidden,), 0.25, 1.0)
        p[name + '.beta'] = uniform((hidden,), 0.1)
    return p


def layer(x, p, bias, heads, eps):
    batch, seq, hidden = x.shape
    size = hidden // heads

    def split(t):
        return t.reshape(batch, seq, heads, size).transpose(1, 2)

    q, k, v = (split(F.linear(x, p[n + '.weight'], p[n + '.bias'])) for n in ('query', 'key', 'value'))
    weights = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(size) + bias, dim=-1)
    context = (weights @ v).transpose(1, 2).reshape(batch, seq, hidden)
    h1 = F.layer_norm(x + F.linear(context, p['attentionOutput.weight'], p['attentionOutput.bias']),
                      (hidden,), p['attentionNorm.gamma'], p['attentionNorm.beta'], eps)
    z = F.linear(h1, p['intermediate.weight'], p['intermediate.bias'])
    gelu = 0.5 * z * (1.0 + torch.special.erf(z / math.sqrt(2.0)))
    return F.layer_norm(h1 + F.linear(gelu, p['output.weight'], p['output.bias']),
                        (hidden,), p['outputNorm.gamma'], p['outputNorm.beta'], eps)


def main(path):
    with open(path) as f:
        spec = json.load(f)
    torch.set_num_threads(spec['threads'])
    generator = torch.Generator().manual_seed(spec['seed'])
    hidden, lengths = spec['hidden'], spec['lengths']
    batch, seq, n = len(lengths), max(lengths), len(lengths) // 2
    mask = torch.zeros(batch, seq)
    for b, length in enumerate(lengths):
        mask[b, :length] = 1
    x = 2 * torch.rand(batch, seq, hidden, generator=generator) - 1
    bias = ((1.0 - mask) * -1e9)[:, None, None, :]
    results = []
    for count in spec['layers']:
        params = [layer_params(hidden, spec['intermediate'], generator) for _ in range(count)]
        seconds = []
        for step in range(spec['steps'] + 1):
            started = time.perf_counter()
            out = x
            for p in params:
                out = layer(out, p, bias, spec['heads'], spec['eps'])
            pooled = (out * mask[:, :, None]).sum(dim=1) / mask.sum(dim=1, keepdim=True)
            u = F.normalize(pooled, dim=-1)
            loss = F.cross_entropy(u[:n] @ u[n:].t() / spec['temperature'], torch.arange(n))
            for p in params:
                for t in p.values():
                    t.grad = None
            loss.backward()
            if step > 0:
                seconds.append(time.perf_counter() - started)
        results.append({'layers': count, 'seconds': seconds})
    print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'blas': loaded_blas(), 'results': results}))


def loaded_blas():
    """The BLAS libraries this process mapped: Debian's torch calls libblas.so.3, whichever provides it."""
    with open('/proc/self/maps') as f:
        return sorted({line.split()[-1] for line in f if 'blas' in line.split()[-1]})


if __name__ == '__main__':
    main(sys.argv[1])
