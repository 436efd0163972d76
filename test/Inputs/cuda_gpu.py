"""Whether a usable CUDA device is there (nvidia-smi lists one): lit's GPU
features and the pytest pipeline list both ask here. Standard library only,
as lit's own interpreter may have nothing else."""

import shutil
import subprocess


def has_cuda_gpu():
    smi = shutil.which("nvidia-smi")
    if not smi:
        return False
    try:
        out = subprocess.run([smi, "-L"], capture_output=True, text=True,
                             timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return out.returncode == 0 and "GPU" in out.stdout
