"""The build's hooks (everything else is in pyproject.toml).

- Packages: those under src/ plus `m2bridge.m2scripts`, the Macaulay2 templates, whose folder is the
  top-level m2scripts/ ([tool.setuptools.package-dir] maps it), so that the wheel and the editable
  install both find them inside the package.
- The example networks: the files of cases/toy2d/ that the README's network examples read are
  copied into the wheel as m2bridge/examples/toy2d/ (`m2bridge.networks.examples` finds them there,
  or in the checkout under an editable install). Their one home stays cases/toy2d/.
"""

import shutil
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

EXAMPLES = {"toy2d": ("net.npz", "X.npy", "y.npy")}


class BuildPyWithExamples(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # the editable install reads cases/ itself
        for folder, names in EXAMPLES.items():
            target = Path(self.build_lib) / "m2bridge" / "examples" / folder
            target.mkdir(parents=True, exist_ok=True)
            for name in names:
                source = Path("cases") / folder / name
                if not source.is_file():
                    raise FileNotFoundError(f"example network file {source} missing from the source tree")
                shutil.copy2(source, target / name)


setup(packages=[*find_packages("src"), "m2bridge.m2scripts"], cmdclass={"build_py": BuildPyWithExamples})
