"""Shipped as ``locator._config`` (setup.cfg package_dir): the default settings, program config and roles, read through importlib.resources."""
