"""Support package for the Serverless Mastery Lab course, split by who runs it.

* **Kernel side** (what a lesson or an exercise imports, plus the ``mastery`` command):
  ``aws`` (clients, namespaces, the call meter, ``ensure_*``, DynamoDB conversion, metric
  read-back), ``events`` (the events AWS services pass a handler), ``lambdas`` (the Lambda
  context), ``esm`` (event source mappings: the one poller of streams and queues),
  ``workflows`` (Step Functions), ``data`` (data sets), ``expect`` (the test cells'
  assertion), ``draws`` (seeded Hypothesis cases every process agrees on),
  ``diagram`` (architecture pictures), ``costs`` (pricing the call meter),
  ``plots``, ``errors``, ``backend`` and ``emulator`` (the local AWS), ``paths``, ``feedback``
  (``check()``, the in-notebook check), ``workspace`` (a learner's ``work/``), ``cli``; the
  ``jupyter/`` folder holds the learner's JupyterLab settings ``mastery start`` and the hub use.
* **weeks**: one package per week, ``weeks.wNN_<notebook stem>``, with that week's plumbing
  (never the learner's answer) and its data generator; ``weeks.WEEKS`` is the table of weeks.
* **grading**: never imported by a kernel: ``check``, ``progress``, ``learner``, ``cohort``,
  ``sandbox``, ``report``, ``feedback``, ``submissions``, ``authoring``, ``scaffold``.
"""

__version__ = "0.1.0"
