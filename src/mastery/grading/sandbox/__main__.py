"""``python -m mastery.grading.sandbox [policy] -- KERNEL COMMAND``: see :mod:`.policy`."""

from mastery.grading.sandbox.policy import main

main()
