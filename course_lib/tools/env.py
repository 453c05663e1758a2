"""Environment report for `course doctor` and lesson 00: versions, devices, profile, data."""

import os
import platform
import sys

from course_lib.tools.profiles import active_profile


def _devices(backend: str) -> list[str]:
    """Accelerators and CPUs the backend sees, as short strings."""
    if backend == "tensorflow":
        import tensorflow as tf

        return [
            f"{d.device_type}:{d.name.rsplit(':', 1)[-1]}"
            for d in tf.config.list_physical_devices()
        ]
    if backend == "jax":
        import jax

        return [f"{d.platform.upper()}:{d.id}" for d in jax.devices()]
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
    """Python, Keras, backend, devices, CPU threads and the active profile as a dict."""
    from course_lib.tools.lesson import quiet_logs

    quiet_logs()
    import keras

    from course_lib.backends import backend_name

    backend = backend_name()
    devices = _devices(backend)
    return {
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
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
