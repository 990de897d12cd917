"""A post-import hook (the import system has none of its own): the graded kernel adjusts
Hypothesis (:mod:`mastery.draws`) and botocore (:mod:`mastery.grading.sandbox.kernel`) when, and
only if, a notebook imports them."""

from __future__ import annotations

import importlib.abc
import sys


class _AfterImport(importlib.abc.MetaPathFinder):
    """Finds module ``name`` with the finders after it and calls ``then(module)`` once the module
    has run (a post-import hook; the import system has none of its own)."""

    def __init__(self, name: str, then) -> None:
        self.name, self.then = name, then

    def find_spec(self, name, path, target=None):
        if name != self.name:
            return None
        for finder in sys.meta_path[sys.meta_path.index(self) + 1:]:
            spec = finder.find_spec(name, path, target) if hasattr(finder, "find_spec") else None
            if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
                run = spec.loader.exec_module

                def exec_module(module, _run=run):
                    _run(module)
                    self.then(module)

                spec.loader.exec_module = exec_module
                return spec
        return None


def after_import(name: str, then) -> None:
    """``then(module)`` at once when ``name`` is already imported, else when it is."""
    if name in sys.modules:
        then(sys.modules[name])
    elif not any(isinstance(f, _AfterImport) and f.name == name for f in sys.meta_path):
        sys.meta_path.insert(0, _AfterImport(name, then))
