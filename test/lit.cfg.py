# -*- Python -*-
import os
import shutil
import subprocess
import sys

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "SEQMIX"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".c"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.seqmix_obj_root, "test")
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "python", "Inputs"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP",
                                    "CUDA_HOME", "CUDA_ROOT", "CUDA_PATH"])
llvm_config.use_default_substitutions()

tool_dirs = [config.seqmix_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(
    ["seqmix-opt", "seqmix-run", "seqmix-runtime-test", "seqmix-capi-test"], tool_dirs)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(["seqmix-compile", "llvm-nm"], tool_dirs)

# Stock mlir-opt with the seqmix plugins (test/Plugins).
# First in the list: lit's own %s would otherwise eat their prefix.
config.substitutions.insert(
    0, ("%mlir_opt", os.path.join(config.llvm_tools_dir, "mlir-opt")))
config.substitutions.insert(
    0, ("%seqmix_lib", os.path.join(config.seqmix_obj_root, "lib")))

# The CMake package (test/Integration): install the build, build against it.
config.substitutions.insert(0, ("%seqmix_obj", config.seqmix_obj_root))
config.substitutions.insert(0, ("%mlir_cmake_dir", config.mlir_cmake_dir))
config.substitutions.append(("%cxx", config.cxx_compiler))
if shutil.which("cmake") and shutil.which("ninja"):
    config.available_features.add("cmake")

# seqmix-gpu-pipeline's format=bin runs ptxas (the CUDA toolkit's, as
# gpu-module-to-binary finds it); no GPU is needed.
if shutil.which("ptxas") or os.path.exists("/usr/local/cuda/bin/ptxas"):
    config.available_features.add("ptxas")

# A usable CUDA device: GPU execution tests run, the no-GPU ones do not.
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
from cuda_gpu import has_cuda_gpu  # noqa: E402

if has_cuda_gpu():
    config.available_features.add("cuda-gpu")

# C programs linked against ahead-of-time compiled objects: the C compiler
# CMake uses, and the OpenMP runtime the CPU pipeline's threads call.
config.substitutions.append(("%cc", config.c_compiler))
config.substitutions.append(
    ("%omp_link", "%s -Wl,-rpath,%s" % (config.omp_library,
                                       os.path.dirname(config.omp_library))))


def find_numpy_python():
    """A Python that imports numpy: RUN lines write and read .npy files, and
    lit's own interpreter (a system Python) may not have numpy."""
    candidates = [
        os.environ.get("SEQMIX_PYTHON"),
        shutil.which("python3", path=config.environment.get("PATH")),
        sys.executable,
    ]
    for exe in candidates:
        if not exe:
            continue
        try:
            probe = subprocess.run(
                [exe, "-c", "import sys, numpy; print(sys.executable)"],
                capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.SubprocessError):
            continue
        if probe.returncode == 0 and probe.stdout.strip():
            return probe.stdout.strip()
    return None


# %python replaces lit's default (sys.executable); tests that need numpy say
# REQUIRES: numpy.
numpy_python = find_numpy_python()
if numpy_python:
    config.available_features.add("numpy")
    config.substitutions = [s for s in config.substitutions if s[0] != "%python"]
    config.substitutions.append(("%python", '"%s"' % numpy_python))
