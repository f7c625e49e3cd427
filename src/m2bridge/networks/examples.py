"""The example networks shipped with m2bridge, wherever it is installed.

`example_path("toy2d/net.npz")` is the file in the installed package (the wheel copies cases/toy2d
into m2bridge/examples/toy2d, see setup.py), or in the checkout's cases/ under an editable install.
Shipped: `toy2d/net.npz` (a 2-4-1 ReLU network trained by examples/toy2d.py), `toy2d/X.npy` (its
200 data points) and `toy2d/y.npy` (their labels). `python -m m2bridge.networks.examples` prints
their paths, for the command line:

    m2bridge codes --network "$(python -m m2bridge.networks.examples toy2d/net.npz)" ...

>>> from m2bridge.networks.network import load_network
>>> load_network(example_path("toy2d/net.npz")).widths
(2, 4, 1)
"""

from __future__ import annotations

import sys
from importlib.resources import files
from pathlib import Path

from ..errors import InputError

SHIPPED = ("toy2d/net.npz", "toy2d/X.npy", "toy2d/y.npy")


def example_path(name: str) -> Path:
    """The path of a shipped example file (one of SHIPPED)."""
    if name not in SHIPPED:
        raise InputError(f"example {name!r}: the shipped examples are {', '.join(SHIPPED)}", "name")
    installed = Path(str(files("m2bridge"))) / "examples" / name
    if installed.is_file():
        return installed
    checkout = Path(__file__).resolve().parents[3] / "cases" / name
    if checkout.is_file():
        return checkout
    raise InputError(f"example {name!r} is not installed (the package was built without its examples)", "name")


def main(argv: list[str]) -> int:
    """`python -m m2bridge.networks.examples [NAME ...]`: print the paths (every one by default);
    a name that is not shipped is one line on stderr and exit 2."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m m2bridge.networks.examples",
                                     description="print the paths of the example files shipped in the package")
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"one of {', '.join(SHIPPED)} (default: all)")
    args = parser.parse_args(argv)
    try:
        paths = [example_path(name) for name in args.names or SHIPPED]
    except InputError as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 2
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
