"""Write the project's console scripts (pyproject's [project.scripts]) into a virtualenv's bin/.

    python console_scripts.py PYPROJECT VENV

The image runs the code from /app (it carries data files a wheel would leave out), so the
project itself is not pip-installed there; these wrappers are all `pip install .` would have
added, and they need no build backend in the image.
"""

import sys
import tomllib
from pathlib import Path

WRAPPER = """#!{python}
import sys

from {module} import {function}

sys.exit({function}())
"""


def main(pyproject: Path, venv: Path) -> None:
    with pyproject.open("rb") as file:
        scripts: dict[str, str] = tomllib.load(file)["project"]["scripts"]
    for name, target in scripts.items():
        module, function = target.split(":")
        path = venv / "bin" / name
        path.write_text(WRAPPER.format(python=venv / "bin" / "python", module=module, function=function))
        path.chmod(0o755)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
