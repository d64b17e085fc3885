"""Native local stack: installs, starts, checks and stops the real infrastructure and services.

Run as ``python -m deploy.local up|down|status|logs``; the Python API lives in :mod:`deploy.local.stack`.
"""
