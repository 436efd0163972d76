"""Build small seqmix modules as text, run them with seqmix-run, read results.

The tests and benchmarks use this to compare compiled code with the numpy
references in reference.py. Nothing here links against the compiler: it
writes .mlir and .npy files and calls the seqmix-run binary (found in
$SEQMIX_BIN, else build/bin of this checkout).
"""

import os
import pathlib
import re
import subprocess
import tempfile

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]

_ELT = {
    np.dtype(np.float32): "f32",
    np.dtype(np.float16): "f16",
    np.dtype(np.int32): "i32",
    np.dtype(np.int64): "i64",
    np.dtype(np.int8): "i8",
}


def tool(name):
    """Path of a seqmix binary."""
    base = os.environ.get("SEQMIX_BIN", str(ROOT / "build" / "bin"))
    return str(pathlib.Path(base) / name)


def tensor_type(shape, elt, dynamic=()):
    """tensor<AxBxelt>, with the axes in `dynamic` written as ?."""
    dims = ["?" if i in dynamic else str(d) for i, d in enumerate(shape)]
    return "tensor<" + "x".join(dims + [elt]) + ">"


class Arg:
    """A function argument: data plus how it is declared in the IR."""

    def __init__(self, name, data, elt=None, dynamic=(), writable=False):
        self.name = name
        self.data = np.ascontiguousarray(data)
        # A donated argument ({bufferization.writable = true}): a state the
        # code may update in place instead of copying it first.
        self.writable = writable
        self.elt = elt or _ELT[self.data.dtype]
        self.type = tensor_type(self.data.shape, self.elt, dynamic)


def parse_tensor_type(type_str):
    """tensor<2x?x4xf32> -> ([2, None, 4], "f32") (None for a dynamic size).
    The element type may itself contain x (!quant.uniform<i8:f32, 0.5>)."""
    m = re.fullmatch(r"tensor<(.*)>", type_str.strip())
    if not m:
        raise ValueError(f"not a ranked tensor type: {type_str}")
    rest, dims = m.group(1), []
    while True:
        d = re.match(r"(\d+|\?)x", rest)
        if not d:
            break
        dims.append(None if d.group(1) == "?" else int(d.group(1)))
        rest = rest[d.end():]
    return dims, rest


class Out:
    """One destination (`outs`) operand of a seqmix op, and so one result.

    init: "empty" (tensor.empty), "zero" (tensor.empty + linalg.fill 0) or an
    Arg, passed as a function argument and fed to the op as is (a recurrence's
    initial state, an accumulator). type: the tensor type (an Arg's own type
    when init is an Arg). Dynamic sizes of an empty / zero init are read with
    tensor.dim from an input: `dims` maps an axis of this type to (Arg,
    axis of that Arg); an axis not in `dims` takes the first input (ins, then
    optional operands) that is dynamic at the same axis."""

    def __init__(self, name, type=None, init="empty", dims=None):
        if isinstance(init, Arg):
            type = type or init.type
        elif init not in ("empty", "zero"):
            raise ValueError(f"init must be 'empty', 'zero' or an Arg, got {init!r}")
        if type is None:
            raise ValueError(f"Out {name}: a type is needed")
        self.name, self.type, self.init, self.dims = name, type, init, dict(dims or {})


def _as_out(o):
    """Out, or a (name, type[, init]) tuple."""
    return o if isinstance(o, Out) else Out(*o)


def arguments(ins, optional=(), outs=()):
    """The function arguments of single_op_module, in order: ins, optional
    operands, then every Arg that feeds an init."""
    inits = [o.init for o in map(_as_out, outs) if isinstance(o.init, Arg)]
    return list(ins) + list(optional) + inits


def _zero_literal(elt):
    return "0" if re.fullmatch(r"i\d+|index", elt) else "0.0"


def init_lines(outs, sources):
    """Lines that make each Out's init value (nothing for an Arg init), and
    the SSA name of each init, in order. `sources`: Args whose dynamic sizes
    may size an empty init."""
    lines, names, consts = [], [], set()

    def const(n):
        if n not in consts:
            consts.add(n)
            lines.append(f"%c{n}_idx = arith.constant {n} : index")
        return f"%c{n}_idx"

    for o in map(_as_out, outs):
        if isinstance(o.init, Arg):
            names.append(f"%{o.init.name}")
            continue
        dims, elt = parse_tensor_type(o.type)
        sizes = []
        for axis, d in enumerate(dims):
            if d is not None:
                continue
            if axis in o.dims:
                src, src_axis = o.dims[axis]
            else:
                src = next((a for a in sources
                            if axis < len(parse_tensor_type(a.type)[0])
                            and parse_tensor_type(a.type)[0][axis] is None), None)
                src_axis = axis
                if src is None:
                    raise ValueError(f"Out {o.name}: no input is dynamic at axis "
                                     f"{axis}; give dims={{{axis}: (arg, axis)}}")
            v = f"%{o.name}_d{axis}"
            lines.append(f"{v} = tensor.dim %{src.name}, {const(src_axis)} : {src.type}")
            sizes.append(v)
        empty = f"%{o.name}_empty"
        lines.append(f"{empty} = tensor.empty({', '.join(sizes)}) : {o.type}")
        if o.init == "zero":
            z = f"%{o.name}_zero"
            lines.append(f"{z}_c = arith.constant {_zero_literal(elt)} : {elt}")
            lines.append(f"{z} = linalg.fill ins({z}_c : {elt}) outs({empty} : {o.type}) -> {o.type}")
            names.append(z)
        else:
            names.append(empty)
    return lines, names


def ins_op(op, ins, optional=(), attrs="", outs=()):
    """The lines of one `seqmix.<op> ins(...) kw(...)... outs(...) {attrs}
    -> types`, preceded by the lines that make its inits.

    ins / optional: lists of Arg (optional ones print as `name(%name : T)`);
    outs: Out or (name, type[, init]) per destination, in the op's order. The
    results are %r0, %r1, .. with the outs types."""
    outs = [_as_out(o) for o in outs]
    lines, init_names = init_lines(outs, list(ins) + list(optional))
    names = ", ".join(f"%{a.name}" for a in ins)
    types = ", ".join(a.type for a in ins)
    opt = "".join(f" {a.name}(%{a.name} : {a.type})" for a in optional)
    otypes = [o.type for o in outs]
    res = ", ".join(f"%r{i}" for i in range(len(outs)))
    body = f"seqmix.{op} ins({names} : {types}){opt}"
    if outs:
        body += f" outs({', '.join(init_names)} : {', '.join(otypes)})"
    if attrs:
        body += " {" + attrs + "}"
    lines.append(f"{res} = {body} -> {', '.join(otypes)}")
    return lines


def func(name, args, body_lines, results):
    """A func.func with the given argument list, body and returned values
    (list of (value, type))."""
    sig = ", ".join(f"%{a.name}: {a.type}" +
                    (" {bufferization.writable = true}" if getattr(a, "writable", False) else "")
                    for a in args)
    rtypes = ", ".join(t for _, t in results)
    lines = [f"func.func @{name}({sig}) -> ({rtypes}) {{"]
    lines += ["  " + l for l in body_lines]
    lines.append(f"  return {', '.join(v for v, _ in results)} : {rtypes}")
    lines.append("}")
    return "\n".join(lines)


def single_op_module(op, ins, optional=(), attrs="", outs=()):
    """A module whose @main runs one seqmix op and returns all its results
    (one per outs entry). Its arguments are arguments(ins, optional, outs)."""
    outs = [_as_out(o) for o in outs]
    lines = ins_op(op, ins, optional, attrs, outs)
    rets = [(f"%r{i}", o.type) for i, o in enumerate(outs)]
    return func("main", arguments(ins, optional, outs), lines, rets)


class RunError(RuntimeError):
    pass


def run(module_text, inputs, entry="main", pipeline="reference", extra=()):
    """Runs @entry of `module_text` on `inputs` (numpy arrays, in argument
    order) and returns the list of results as numpy arrays."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        src = tmp / "m.mlir"
        src.write_text(module_text)
        cmd = [tool("seqmix-run"), str(src), f"--entry={entry}",
               f"--pipeline={pipeline}", f"--output-dir={tmp}"]
        for i, x in enumerate(inputs):
            path = tmp / f"in{i}.npy"
            np.save(path, np.ascontiguousarray(x))
            cmd.append(f"--input={path}")
        cmd += list(extra)
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RunError(f"seqmix-run failed ({proc.returncode}):\n"
                           f"{proc.stderr}\n{proc.stdout}\n--- module ---\n"
                           f"{module_text}")
        outs = sorted(tmp.glob("out*.npy"), key=lambda p: int(p.stem[3:]))
        return [np.load(p) for p in outs]


BENCH_KEYS = ("median_ms", "min_ms", "flop", "bytes", "exp", "GFLOP/s",
              "GB/s", "roofline", "bound_ms", "threads")


def parse_bench(stdout):
    """seqmix-run --bench's `bench:` line as a dict: numbers as floats
    ("n/a", or a key missing as with dynamic sizes, as None) and `limit` as
    text; None without a bench line."""
    line = next((l for l in stdout.splitlines() if l.startswith("bench:")), None)
    if line is None:
        return None
    kv = dict(tok.split("=", 1) for tok in line.split()[1:] if "=" in tok)
    r = {"limit": kv.get("limit")}
    for k in BENCH_KEYS:
        v = kv.get(k, "n/a").rstrip("%")
        r[k] = None if v == "n/a" else float(v)
    return r


def opt(module_text, *passes):
    """seqmix-opt over `module_text` with the given pass flags."""
    proc = subprocess.run([tool("seqmix-opt"), *passes], input=module_text,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RunError(proc.stderr)
    return proc.stdout
