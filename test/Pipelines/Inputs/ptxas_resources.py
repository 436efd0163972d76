"""Reads the output of seqmix-gpu-pipeline with format=isa, assembles the PTX
of every gpu.binary with `ptxas -v` for the chip given (argv[1]) and prints
one line per kernel: its shared memory, registers and spill bytes."""
import re
import subprocess
import sys
import tempfile

chip = sys.argv[1]
text = sys.stdin.read()
for name, ptx in re.findall(
        r'gpu\.binary @(\w+) .*?assembly = "((?:[^"\\]|\\.)*)"', text):
    # MLIR string escapes: \XX hex bytes, \\ and \".
    raw = re.sub(r"\\([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), ptx)
    raw = raw.replace('\\"', '"').replace("\\\\", "\\")
    with tempfile.NamedTemporaryFile("w", suffix=".ptx") as f:
        f.write(raw)
        f.flush()
        out = subprocess.run(["ptxas", f"-arch={chip}", "-v", f.name, "-o",
                              "/dev/null"], capture_output=True, text=True)
    if out.returncode:
        print(f"{name}: ptxas failed: {out.stderr.strip()}")
        continue
    info = out.stderr
    smem = re.search(r"(\d+) bytes smem", info)
    regs = re.search(r"Used (\d+) registers", info)
    spills = re.search(r"(\d+) bytes spill stores, (\d+) bytes spill loads", info)
    print(f"{name}: smem {smem.group(1) if smem else 0} bytes, "
          f"{regs.group(1) if regs else '?'} registers, "
          f"spills {spills.group(1) if spills else '?'}+"
          f"{spills.group(2) if spills else '?'} bytes")
