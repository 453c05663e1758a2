"""Environment report for `course doctor`, lesson 00 and each lesson's report entry: versions,
machine, devices, profile, data."""

import contextlib
import os
import platform
import sys
from pathlib import Path

from course_lib.tools.profiles import active_profile


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> str | None:
    """The CPU's model name from /proc/cpuinfo (Linux), else platform.processor(), else None."""
    with contextlib.suppress(OSError):
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Model", "Hardware") and value.strip():
                return value.strip()
    return platform.processor() or None


def machine_info() -> dict:
    """Python version, platform, CPU count and CPU model of this machine (no Keras import)."""
    return {
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model(),
    }


def _devices(backend: str) -> list[str]:
    """Accelerators and CPUs the backend sees, as short strings; a GPU with its name
    ('GPU:0 NVIDIA H100 80GB HBM3')."""
    if backend == "tensorflow":
        import tensorflow as tf

        devices = []
        for d in tf.config.list_physical_devices():
            text = f"{d.device_type}:{d.name.rsplit(':', 1)[-1]}"
            if d.device_type == "GPU":
                name = tf.config.experimental.get_device_details(d).get("device_name")
                text += f" {name}" if name else ""
            devices.append(text)
        return devices
    if backend == "jax":
        import jax

        return [
            f"{d.platform.upper()}:{d.id}" + (f" {d.device_kind}" if d.platform == "gpu" else "")
            for d in jax.devices()
        ]
    if backend == "torch":
        import torch

        gpus = [
            f"GPU:{i} {torch.cuda.get_device_name(i)}" for i in range(torch.cuda.device_count())
        ]
        return gpus + ["CPU:0"]
    return ["CPU:0"]


def _backend_version(backend: str) -> str:
    module = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}.get(backend)
    if module is None:
        return "n/a"
    return __import__(module).__version__


def environment_report() -> dict:
    """Python, platform, CPU count and model, Keras, backend, devices, CPU threads and the active
    profile as a dict."""
    from course_lib.tools.lesson import quiet_logs

    quiet_logs()
    import keras

    from course_lib.backends import backend_name

    backend = backend_name()
    devices = _devices(backend)
    return {
        **machine_info(),
        "executable": sys.executable,
        "keras": keras.__version__,
        "backend": backend,
        "backend_version": _backend_version(backend),
        "devices": devices,
        "gpu": any(d.startswith("GPU") for d in devices),
        "cpu_threads": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "profile": active_profile(),
    }


def format_environment_report(report: dict | None = None, with_data: bool = True) -> str:
    """The environment report as aligned text lines, optionally followed by the data status."""
    report = report or environment_report()
    lines = [
        f"Python        {report['python']} ({report['platform']})",
        f"Keras         {report['keras']}",
        f"Backend       {report['backend']} {report['backend_version']}",
        f"Devices       {', '.join(report['devices'])}",
        f"GPU           {'yes' if report['gpu'] else 'no (CPU: smoke or quick profile)'}",
        f"CPU threads   {report['cpu_threads']}",
        f"Profile       {report['profile']} (set COURSE_PROFILE=smoke|quick|full)",
    ]
    if with_data:
        from course_lib.tools.data_commands import format_data_status

        lines += ["", "Data", format_data_status()]
    return "\n".join(lines)
