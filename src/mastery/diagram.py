"""Architecture pictures for lessons: the ``diagrams`` package (AWS icons) rendered by Graphviz
into a PNG that is embedded in the notebook as a static output.

Why ``diagrams`` and not Mermaid: JupyterLab renders Mermaid in markdown, but nbgrader's HTML
feedback and formgrader (nbconvert) do not, and a static render of Mermaid needs a headless
browser. ``diagrams`` draws with AWS's own service icons, runs offline, and its output is an
ordinary ``image/png`` that every viewer shows. It needs Graphviz's ``dot`` (Debian package
``graphviz``, installed by ``./course start`` / ``./course test``).

Use it as a context manager in a lesson cell; the picture appears when the block ends::

    from diagrams.aws.integration import StepFunctions
    from mastery.diagram import architecture

    with architecture("Order saga"):
        StepFunctions("saga") >> ...
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

GRAPH_ATTR = {"fontsize": "20", "pad": "0.3", "splines": "spline", "nodesep": "0.6", "ranksep": "0.9"}


class GraphvizMissing(RuntimeError):
    """Graphviz's ``dot`` is not on PATH."""


def have_graphviz() -> bool:
    return shutil.which("dot") is not None


@contextmanager
def architecture(title: str, direction: str = "LR", **graph_attr) -> Iterator[object]:
    """Draw the nodes created inside the block as one diagram and display it as a PNG.

    ``direction`` is Graphviz's rank direction (``LR``, ``TB``, ``RL``, ``BT``); extra
    keyword arguments override :data:`GRAPH_ATTR`.
    """
    if not have_graphviz():
        raise GraphvizMissing(
            "Drawing architecture pictures needs Graphviz's `dot`. Install it with "
            "`sudo apt-get install graphviz` (./course start does this for you), then re-run the cell."
        )
    from diagrams import Diagram
    from IPython.display import Image, display

    with tempfile.TemporaryDirectory() as tmp:
        stem = Path(tmp) / "architecture"
        with Diagram(title, filename=str(stem), show=False, outformat="png", direction=direction,
                     graph_attr={**GRAPH_ATTR, **graph_attr}) as d:
            yield d
        display(Image(filename=str(stem.with_suffix(".png"))))
