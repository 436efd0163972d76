#!/usr/bin/env python3
"""Prints one function per combination of optional operands and results of
every seqmix op that has them, for the round-trip test
ops-combinations.mlir. Shapes: B = 1, T = 10, cu_seqlens packs 2 sequences.
The destinations (`outs`) are function arguments; a recurrence always has a
state init (the initial state) and a final-state result."""
import itertools


def t(*dims, elt="f32"):
    return "tensor<" + "x".join(str(d) for d in dims) + "x" + elt + ">"


def emit(name, op, ins, opt, attrs, outs):
    """ins: [(value, type)], opt: [(keyword, type)], outs: [(value, type)];
    one result per outs operand, of its type."""
    args = ([(v, ty) for v, ty in ins] + [(kw, ty) for kw, ty in opt] +
            [(v, ty) for v, ty in outs])
    sig = ", ".join(f"%{v}: {ty}" for v, ty in args)
    names = ", ".join(f"%{v}" for v, _ in ins)
    types = ", ".join(ty for _, ty in ins)
    optional = "".join(f" {kw}(%{kw} : {ty})" for kw, ty in opt)
    onames = ", ".join(f"%{v}" for v, _ in outs)
    rtypes = ", ".join(ty for _, ty in outs)
    res = ", ".join(f"%r{i}" for i in range(len(outs)))
    print(f"func.func @{name}({sig}) -> ({rtypes}) {{")
    print(f"  {res} = seqmix.{op} ins({names} : {types}){optional} "
          f"outs({onames} : {rtypes}) {attrs} -> {rtypes}")
    print(f"  return {res} : {rtypes}")
    print("}")


def subsets(options):
    """Every choice of one alternative (or None) per optional slot."""
    return itertools.product(*[[None] + alts for alts in options])


def linear_attention():
    B, T, Hqk, H, K, V = 1, 10, 2, 4, 8, 6
    n = 0
    for gate, beta, cu, vk in itertools.product(
            [None, t(H), t(B, T, H), t(B, T, H, K)], [False, True],
            [False, True], [False, True]):
        nseq = 2 if cu else B
        state = t(nseq, H, V, K) if vk else t(nseq, H, K, V)
        opt = []
        if gate:
            opt.append(("log_decay", gate))
        if beta:
            opt.append(("beta", t(B, T, H)))
        if cu:
            opt.append(("cu_seqlens", t(3, elt="i32")))
        attrs = "{scale = 0.5 : f32" + (
            ", state_layout = #seqmix.state_layout<vk>" if vk else "") + "}"
        emit(f"la{n}", "linear_attention",
             [("q", t(B, T, Hqk, K)), ("k", t(B, T, Hqk, K)),
              ("v", t(B, T, H, V))], opt, attrs,
             [("o0", t(B, T, H, V)), ("s0", state)])
        n += 1


def selective_scan():
    B, T, D, G, N = 1, 10, 8, 2, 4
    slots = [("D", t(D)), ("z", t(B, T, D)), ("delta_bias", t(D)),
             ("delta_threshold", t(D))]
    n = 0
    for mask in itertools.product([False, True], repeat=len(slots) + 1):
        *present, cu = mask
        nseq = 2 if cu else B
        state = t(nseq, D, N)
        opt = [s for s, p in zip(slots, present) if p]
        if cu:
            opt.append(("cu_seqlens", t(3, elt="i64")))
        emit(f"ss{n}", "selective_scan",
             [("u", t(B, T, D)), ("delta", t(B, T, D)), ("A", t(D, N)),
              ("B", t(B, T, G, N)), ("C", t(B, T, G, N))], opt,
             "{delta_softplus}", [("y0", t(B, T, D)), ("s0", state)])
        n += 1


def ssd():
    B, T, H, P, G, N = 1, 10, 4, 6, 2, 8
    n = 0
    for d, z, bias, thr, cu in itertools.product(
            [None, t(H), t(H, P)], *[[False, True]] * 4):
        nseq = 2 if cu else B
        state = t(nseq, H, P, N)
        opt = []
        if d:
            opt.append(("D", d))
        if z:
            opt.append(("z", t(B, T, H, P)))
        if bias:
            opt.append(("dt_bias", t(H)))
        if thr:
            opt.append(("delta_threshold", t(H)))
        if cu:
            opt.append(("cu_seqlens", t(3, elt="i32")))
        emit(f"ssd{n}", "ssd",
             [("x", t(B, T, H, P)), ("dt", t(B, T, H)), ("A", t(H)),
              ("B", t(B, T, G, N)), ("C", t(B, T, G, N))], opt,
             "{dt_softplus}", [("y0", t(B, T, H, P)), ("s0", state)])
        n += 1


def causal_conv1d():
    B, T, D, W = 1, 10, 8, 4
    n = 0
    for bias, cu in itertools.product([False, True], repeat=2):
        nseq = 2 if cu else B
        state = t(nseq, W - 1, D)
        opt = []
        if bias:
            opt.append(("bias", t(D)))
        if cu:
            opt.append(("cu_seqlens", t(3, elt="i32")))
        emit(f"conv{n}", "causal_conv1d", [("x", t(B, T, D)), ("w", t(D, W))],
             opt, "{activation = #seqmix.activation<silu>}",
             [("y0", t(B, T, D)), ("s0", state)])
        n += 1


def attention():
    n = 0
    for r, rpb, lse in itertools.product([1, 2, 3], [False, True],
                                         [False, True]):
        sp = [6, 5, 4][:r]
        ks = [3, 3, 3][:r]
        opt = [("rpb", t(2, *[2 * k - 1 for k in ks]))] if rpb else []
        attrs = "{kernel_size = array<i64: " + ", ".join(map(str, ks)) + \
            ">, scale = 0.25 : f32}"
        emit(f"na{n}", "neighborhood_attention",
             [("q", t(1, *sp, 2, 16)), ("k", t(1, *sp, 1, 16)),
              ("v", t(1, *sp, 1, 8))], opt, attrs,
             [("o0", t(1, *sp, 2, 8))] + ([("lse0", t(1, *sp, 2))] if lse else []))
        n += 1
    for lse in [False, True]:
        emit(f"swa{n}", "sliding_window_attention",
             [("q", t(1, 4, 2, 16)), ("k", t(1, 9, 1, 16)),
              ("v", t(1, 9, 1, 16))], [],
             "{scale = 0.25 : f32, window_left = 3 : i64, window_right = 0 : i64}",
             [("o0", t(1, 4, 2, 16))] + ([("lse0", t(1, 4, 2))] if lse else []))
        n += 1


if __name__ == "__main__":
    linear_attention()
    selective_scan()
    ssd()
    causal_conv1d()
    attention()
