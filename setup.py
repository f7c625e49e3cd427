"""The build's one hook: the packages are those under src/ plus `m2bridge.m2scripts`, the Macaulay2
templates, whose folder is the top-level m2scripts/ ([tool.setuptools.package-dir] in pyproject.toml
maps it), so that the wheel and the editable install both find them inside the package."""

from setuptools import find_packages, setup

setup(packages=[*find_packages("src"), "m2bridge.m2scripts"])
