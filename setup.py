"""Build step: put the repository's intents/, locales/ and data/ into the wheel as bot/_data/, catalogs compiled.

Everything else about the package is declared in pyproject.toml. An editable install (`make setup`) skips the
copy: a checkout reads the top-level folders directly (bot/resources.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
# Folder -> the files of it that Lotse reads at run time (data/tools/ is for maintainers, not shipped).
SHIPPED = {
    "intents": ["*.yaml", "answers/*.yaml", "danger/*.yaml"],
    "locales": ["lotse.pot", "*/LC_MESSAGES/lotse.po"],
    "data": ["*.csv", "*.yaml", "ATTRIBUTION.md"],
}


def compile_catalog(po: Path, mo: Path) -> None:
    """The .mo of one catalog, without fuzzy entries (as `pybabel compile`)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as fh:
        catalog = read_po(fh, locale=po.parent.parent.name, domain="lotse")
    with mo.open("wb") as fh:
        write_mo(fh, catalog, use_fuzzy=False)


class BuildWithData(build_py):
    """build_py, then copy the run-time data into the built package and compile the catalogs there."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / "bot" / "_data"
        for folder, patterns in SHIPPED.items():
            for pattern in patterns:
                for source in sorted((HERE / folder).glob(pattern)):
                    dest = target / folder / source.relative_to(HERE / folder)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(source, dest)
        for po in sorted((target / "locales").glob("*/LC_MESSAGES/lotse.po")):
            compile_catalog(po, po.with_suffix(".mo"))


setup(cmdclass={"build_py": BuildWithData})
