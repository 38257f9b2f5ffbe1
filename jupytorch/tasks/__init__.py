"""The task catalogue behind ``tsk()`` / ``tsks()`` and the data it ships (``data/``).

Registered in ``_register.py``; nothing is imported here so that ``import jupytorch`` stays light.
"""
