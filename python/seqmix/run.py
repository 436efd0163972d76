"""Build small seqmix modules as text, run them with seqmix-run, read results.

The tests and benchmarks use this to compare compiled code with the numpy
references in reference.py. Nothing here links against the compiler: it
writes .mlir and .npy files and calls the seqmix-run binary (found in
$SEQMIX_BIN, else build/bin of this checkout).
"""

import os
import pathlib
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

    def __init__(self, name, data, elt=None, dynamic=()):
        self.name = name
        self.data = np.ascontiguousarray(data)
        self.elt = elt or _ELT[self.data.dtype]
        self.type = tensor_type(self.data.shape, self.elt, dynamic)


def ins_op(op, ins, optional=(), attrs="", results=()):
    """The text of one `seqmix.<op> ins(...) kw(...)... {attrs} -> types`.

    ins / optional: lists of Arg (optional ones print as `name(%name : T)`),
    results: result type strings."""
    names = ", ".join(f"%{a.name}" for a in ins)
    types = ", ".join(a.type for a in ins)
    opt = "".join(f" {a.name}(%{a.name} : {a.type})" for a in optional)
    res = ", ".join(f"%r{i}" for i in range(len(results)))
    body = f"seqmix.{op} ins({names} : {types}){opt}"
    if attrs:
        body += " {" + attrs + "}"
    return f"{res} = {body} -> {', '.join(results)}"


def func(name, args, body_lines, results):
    """A func.func with the given argument list, body and returned values
    (list of (value, type))."""
    sig = ", ".join(f"%{a.name}: {a.type}" for a in args)
    rtypes = ", ".join(t for _, t in results)
    lines = [f"func.func @{name}({sig}) -> ({rtypes}) {{"]
    lines += ["  " + l for l in body_lines]
    lines.append(f"  return {', '.join(v for v, _ in results)} : {rtypes}")
    lines.append("}")
    return "\n".join(lines)


def single_op_module(op, ins, optional=(), attrs="", results=()):
    """A module whose @main runs one seqmix op and returns all its results."""
    args = list(ins) + list(optional)
    line = ins_op(op, ins, optional, attrs, results)
    rets = [(f"%r{i}", t) for i, t in enumerate(results)]
    return func("main", args, [line], rets)


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


def opt(module_text, *passes):
    """seqmix-opt over `module_text` with the given pass flags."""
    proc = subprocess.run([tool("seqmix-opt"), *passes], input=module_text,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RunError(proc.stderr)
    return proc.stdout
