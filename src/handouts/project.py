"""The project being printed: the folder of its mkdocs.yml (the real module, or a small copy in the tests).
Set once per build by handouts.build; the render workers inherit it."""

from pathlib import Path

_root = [Path.cwd()]


def use(config):
    _root[0] = Path(config["config_file_path"]).resolve().parent


def root():
    return _root[0]


def stylesheet():
    return root() / "print" / "handout.css"


def fonts():
    return root() / "docs" / "assets" / "fonts"
