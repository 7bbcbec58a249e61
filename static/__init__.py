"""Shipped as ``locator._static`` (setup.cfg package_dir): the frontend's files, read through importlib.resources."""
