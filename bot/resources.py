"""Where the files Lotse reads at run time are: intents, catalogs and data, inside the installed package.

The repository keeps them at its top level (intents/, locales/, data/), where translators and editors find them;
building the wheel copies them into the package as bot/_data/ (setup.py) and compiles the catalogs there. An
installed Lotse finds them with importlib.resources; a source checkout (an editable install, `make`) has no
bot/_data and reads the top-level folders beside the package instead, so an edit there shows on the next start.

Only a package on the file system is supported (what pip and pipx install): the loaders need real paths.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

#: The folder inside the package that the wheel build fills.
PACKAGED = "_data"
#: libyaml's loader where PyYAML has it: several times faster on the intent and answer files (start-up time
#: matters), the same data.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def checkout() -> Path | None:
    """The source checkout the package is imported from, or None for an installed package."""
    root = Path(str(files("bot"))).resolve().parent
    if (root / "pyproject.toml").is_file() and (root / "intents").is_dir():
        return root
    return None


@cache
def data_root() -> Path:
    """The folder that holds intents/, locales/ and data/: the package's own copy, else the checkout's."""
    packaged = Path(str(files("bot") / PACKAGED))
    if packaged.is_dir():
        return packaged
    root = checkout()
    if root is None:
        raise FileNotFoundError(f"Lotse's data files are missing: no {packaged} and no source checkout. "
                                "Reinstall the package (pip install lotse, or pipx install .).")
    return root


def intents_dir() -> Path:
    """intents/: one YAML file per intent, and answers/ with the answer texts."""
    return data_root() / "intents"


def answers_dir() -> Path:
    """intents/answers/: the vetted answer text of each intent in every language."""
    return intents_dir() / "answers"


def locales_dir() -> Path:
    """locales/: lotse.pot and <lang>/LC_MESSAGES/lotse.po (and .mo when compiled)."""
    return data_root() / "locales"


def data_file(name: str) -> Path:
    """A file of data/, e.g. data_file("gazetteer.csv")."""
    return data_root() / "data" / name


def package_file(*parts: str) -> Path:
    """A file that lives in the package itself (templates, static files, the bench questions)."""
    return Path(str(files("bot").joinpath(*parts)))


def read_yaml(path: Path) -> Any:
    """A YAML data file (intents, answers, verified numbers), parsed safely."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
