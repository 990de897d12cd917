"""Jupyter Server settings for a learner's JupyterLab (``mastery start``, and learners'
servers on the course's JupyterHub): on ``JUPYTER_CONFIG_PATH``, so a learner's own
``~/.jupyter`` still wins. See docs/learner.md.

* JupyterLab's terminal finds ``mastery`` however the server was started. Started without a
  terminal on stdout (nohup, systemd, JupyterHub, a log redirect), Jupyter runs the terminal
  as a login shell (``bash -l``), and Debian's ``/etc/profile`` resets ``PATH``: the course's
  environment was lost. Here the terminal is an interactive bash with ``terminal.bashrc``,
  which reads the learner's ``~/.bashrc`` and then puts the course's environment first.
* Kernels and terminals inherit a ``PATH`` that starts with that environment.
"""

import os
import shutil
import sys
from pathlib import Path

c = get_config()  # noqa: F821

bin_dir = str(Path(sys.executable).parent)
os.environ["MASTERY_BIN"] = bin_dir
if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")

_bash = shutil.which("bash")
if _bash:
    c.ServerApp.terminado_settings = {
        "shell_command": [_bash, "--rcfile", str(Path(__file__).with_name("terminal.bashrc")), "-i"]}
