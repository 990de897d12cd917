"""Support package for the Serverless Mastery Lab course.

Modules, one role each: ``backend`` (the local AWS), ``aws`` (clients, namespaces),
``workflows`` (Step Functions), ``shop`` (the sample order domain), ``grading`` (instant
feedback and assertion helpers), ``cohort`` (nbgrader for instructors), ``plots``,
``paths`` and ``cli`` (the ``mastery`` command).
"""

__version__ = "0.1.0"
