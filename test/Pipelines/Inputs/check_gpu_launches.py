"""Reads the output of seqmix-gpu-pipeline and checks that every function
with a body launches kernels (no seqmix op was left to host loops) and that
each kernel module became a gpu.binary. Prints one summary line."""
import re
import sys

text = sys.stdin.read()
bodies = re.split(r"\n  llvm\.func @", text)[1:]
missing = []
functions = 0
for body in bodies:
    name = re.match(r"[\w$.]+", body).group(0)
    header = body.split("\n", 1)[0]
    if not header.rstrip().endswith("{"):
        continue  # a declaration (malloc, free)
    functions += 1
    if "gpu.launch_func" not in body:
        missing.append(name)
binaries = len(re.findall(r"^  gpu\.binary @", text, re.M))
modules = len(re.findall(r"^  gpu\.module @", text, re.M))
if missing:
    print("functions without a kernel launch: " + ", ".join(missing))
if modules:
    print(f"{modules} kernel modules left unserialized")
print(f"{functions} functions, {len(missing)} without kernels, "
      f"{binaries} binaries")
