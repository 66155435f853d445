"""Float64 LRP of an ONNX U-Net of Conv/Relu/MaxPool/Resize/Concat (the seed U-Net), from the rule
formulas of methods_next's notes, independent of gradcam3d's Java code: it tells float32 fragility
apart from bugs. zennit's float32 EpsilonGammaBox run on seed_unet3d differs from float64 by 5% of
max|R| near one spot, because one output logit inside the region is 1.5e-8 from zero, so Gamma's
1[y > 0] / 1[y < 0] masks of that voxel depend on float rounding; gradcam3d's float32 result agrees
with this float64 one to 3e-7.

  java -cp target/classes:target/test-classes:$(cat cp.txt) gradcam3d.testing.OnnxDump \
      src/test/resources/fixtures/models/seed_unet3d.onnx /tmp/seed
  /usr/bin/python3 lrp_float64.py /tmp/seed box src/test/resources/fixtures/inputs/seed_unet3d.npy 2 \
      seed_unet3d__lrp-epsilon-gamma-box.npy src/test/resources/fixtures/models/seed_unet3d.output.npy

composite: box (first conv ZBox(low, high = the input's min and max), other convs Gamma(0.25)),
plus (first conv Flat, other convs ZPlus). The region is the argmax of the float32 output given
last (as the reference run saw it). Needs numpy and torch (Debian python3-torch).
"""
import json, sys
import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
folder, composite, input_npy, cls, out_npy = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
nodes = json.load(open(folder + '/graph.json'))
names = dict(line.rstrip('\n').split('\t') for line in open(folder + '/initializers.tsv'))


def init(name):
    return torch.tensor(np.load(folder + '/' + names[name] + '.npy').astype(np.float64))


def conv(node, x, w, b):
    p = node['attr']['pads']
    f = F.conv3d if x.dim() == 5 else F.conv2d
    return f(x, w, b, padding=tuple(p[:len(p) // 2]))


def resize(node, x):
    scales = init(node['in'][2]).tolist()[2:]
    return F.interpolate(x, scale_factor=scales, mode='trilinear',
                         align_corners=node['attr']['coordinate_transformation_mode'] == 'align_corners')


x = torch.tensor(np.load(input_npy).astype(np.float64))
vals = {'input': x}
for n in nodes:
    op, ins = n['op'], [vals.get(k) for k in n['in']]
    if op == 'Conv':
        y = conv(n, ins[0], init(n['in'][1]), init(n['in'][2]))
    elif op == 'Relu':
        y = F.relu(ins[0])
    elif op == 'MaxPool':
        y = F.max_pool3d(ins[0], n['attr']['kernel_shape'][0])
    elif op == 'Resize':
        y = resize(n, ins[0])
    elif op == 'Concat':
        y = torch.cat(ins, dim=n['attr']['axis'])
    else:
        raise SystemExit('unsupported op ' + op)
    vals[n['out'][0]] = y
out = vals[nodes[-1]['out'][0]]
float32_out = torch.tensor(np.load(sys.argv[6])) if len(sys.argv) > 6 else out
seed = torch.zeros_like(out)
seed[:, cls] = (float32_out.argmax(1) == cls).to(out.dtype)


def stab(z, e=1e-6):
    return z + e * (2 * (z >= 0).to(z.dtype) - 1)


def transposed(node, x, w, s):
    x = x.detach().requires_grad_(True)
    return torch.autograd.grad(conv(node, x, w, None), x, s)[0]


relevance = {nodes[-1]['out'][0]: seed}
low, high, gamma = x.min().item(), x.max().item(), 0.25
for n in reversed(nodes):
    R = relevance.get(n['out'][0])
    if R is None:
        continue
    op, ins = n['op'], n['in']

    def add(k, v):
        relevance[k] = relevance[k] + v if k in relevance else v

    if op == 'Conv':
        a, W, b = vals[ins[0]], init(ins[1]), init(ins[2])
        ap, an = a.clamp(min=0), a.clamp(max=0)
        Wp, Wn, bp, bn = W.clamp(min=0), W.clamp(max=0), b.clamp(min=0), b.clamp(max=0)
        if n is nodes[0] and composite == 'box':
            L, H = torch.full_like(a, low), torch.full_like(a, high)
            s = R / stab(conv(n, a, W, b) - conv(n, L, Wp, bp) - conv(n, H, Wn, bn))
            ra = a * transposed(n, a, W, s) - L * transposed(n, L, Wp, s) - H * transposed(n, H, Wn, s)
        elif n is nodes[0]:
            ones, W1 = torch.ones_like(a), torch.ones_like(W)
            ra = transposed(n, ones, W1, R / stab(conv(n, ones, W1, None)))
        elif composite == 'box':
            Wg, Wm = W + gamma * Wp, W + gamma * Wn
            y = conv(n, a, W, b)
            zp = conv(n, ap, Wg, b + gamma * bp) + conv(n, an, Wm, None)
            zn = conv(n, ap, Wm, b + gamma * bn) + conv(n, an, Wg, None)
            sp = (y > 0).to(R.dtype) * R / stab(zp)
            sn = (y < 0).to(R.dtype) * R / stab(zn)
            ra = (ap * transposed(n, ap, Wg, sp) + an * transposed(n, an, Wm, sp)
                  + ap * transposed(n, ap, Wm, sn) + an * transposed(n, an, Wg, sn))
        else:
            s = R / stab(conv(n, ap, Wp, bp) + conv(n, an, Wn, None))
            ra = ap * transposed(n, ap, Wp, s) + an * transposed(n, an, Wn, s)
        add(ins[0], ra)
    elif op == 'Relu':
        add(ins[0], R)
    elif op in ('MaxPool', 'Resize'):
        a = vals[ins[0]].detach().requires_grad_(True)
        y = F.max_pool3d(a, n['attr']['kernel_shape'][0]) if op == 'MaxPool' else resize(n, a)
        add(ins[0], torch.autograd.grad(y, a, R)[0])
    elif op == 'Concat':
        sizes = [vals[k].shape[1] for k in ins]
        for k, part in zip(ins, torch.split(R, sizes, dim=1)):
            add(k, part)
np.save(out_npy, relevance['input'].numpy().astype(np.float32))
print('relevance sum', relevance['input'].sum().item(), 'seed sum', seed.sum().item())
