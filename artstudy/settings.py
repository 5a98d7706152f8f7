"""The study's configuration: one typed, validated object whose defaults are written once.

Each section is a settings class that lives beside the code it configures:

========================  =====================================================
``model``                 :class:`artstudy.models.pam.settings.PAMSettings`
``truth``                 :class:`artstudy.synth.truth.Truth`
``simulation``            :class:`artstudy.synth.specs.SimulationStudy`
``world``                 :class:`artstudy.synth.specs.WorldSpec`
``evaluation``            :class:`artstudy.evaluation.settings.EvaluationSettings`
``deep``                  :class:`artstudy.models.deep.settings.DeepSettings`
``artnet``                :class:`artstudy.study.settings.ArtnetSettings`
``currency``              :class:`artstudy.data.sources.CurrencySettings`
``sources``               name -> :class:`artstudy.data.sources.SourceMapping`
========================  =====================================================

Snakemake, the command line, the Python API, the simulation jobs and the notebooks all go
through :func:`resolve`, so unknown keys and bad values are rejected everywhere with one
line naming the key. ``config/schema.json`` is generated from these classes
(``artstudy config schema``); a test keeps it current.

Config files (YAML or JSON) are deep-merged, later over earlier, as Snakemake's
``--configfile`` does; the command line's ``--config FILE`` is merged over the
repository's ``config/config.yaml``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pydantic import Field, NonNegativeInt, field_validator

from ._section import Section, build
from .data.sources import CurrencySettings, SourceMapping
from .errors import InputError
from .evaluation.settings import EvaluationSettings
from .models.deep.settings import DeepSettings
from .models.pam.settings import PAMSettings
from .study.settings import ArtnetSettings
from .synth.specs import SimulationStudy, WorldSpec
from .synth.truth import Truth

__all__ = ["StudyConfig", "default_config_path", "repository_root", "load_config", "resolve", "read_config", "schema",
           "deep_merge"]


class StudyConfig(Section):
    """The whole study's configuration."""

    seed: NonNegativeInt = 20241123
    """Every random draw flows from this."""
    profile: str = Field(default="full", pattern=r"^[A-Za-z0-9_-]+$")
    """Name of the run's output folders: the workflow writes results/<profile>/, reports/<profile>/ and
    logs/<profile>/, so profiles do not overwrite each other (config/quick.yaml sets quick)."""
    data_dir: str = "../shared/data"
    """Folder of the real raw exports; a source's relative path is resolved under it. A relative
    data_dir is relative to the repository root (the folder of the Snakefile)."""
    kernel: str = Field(default="artstudy", pattern=r"^[A-Za-z0-9._-]+$")
    """Jupyter kernel name papermill uses."""
    model: PAMSettings = Field(default_factory=PAMSettings)
    """The popularity-ability model."""
    truth: Truth = Field(default_factory=Truth)
    """The true parameters of the simulated markets and the synthetic world."""
    simulation: SimulationStudy = Field(default_factory=SimulationStudy)
    """The simulation study."""
    world: WorldSpec = Field(default_factory=WorldSpec)
    """The synthetic Artnet-like world."""
    evaluation: EvaluationSettings = Field(default_factory=EvaluationSettings)
    """The valuation harness."""
    deep: DeepSettings = Field(default_factory=DeepSettings)
    """The deep valuation models (tabular MLP, image CNN, multi-modal)."""
    artnet: ArtnetSettings = Field(default_factory=ArtnetSettings)
    """The real-data analysis reports."""
    currency: CurrencySettings = Field(default_factory=CurrencySettings)
    """Exchange rates."""
    sources: dict[str, SourceMapping] = Field(default_factory=dict)
    """Raw exports, one mapping each (the synthetic world's is built in)."""

    @field_validator("sources", mode="before")
    @classmethod
    def _extends(cls, value):
        """A source with ``extends: OTHER`` is OTHER's mapping with its own keys merged over it."""
        if not isinstance(value, dict):
            return value
        return {name: _extended(value, name, ()) for name in value}

    def source(self, name: str) -> SourceMapping:
        """The mapping of source ``name``: the built-in ``synthetic`` one, or one under ``sources``."""
        if name in self.sources:
            return self.sources[name]
        if name == "synthetic":
            from .synth.world import SYNTHETIC_SOURCE

            return SYNTHETIC_SOURCE
        known = sorted({"synthetic", *self.sources})
        raise InputError(f"unknown source {name!r} (the config's sources: {', '.join(known)})")

    def source_paths(self, name: str, root: str | Path | None = None) -> list[Path]:
        """The raw export(s) of source ``name``: each entry of its ``path`` under :attr:`data_dir`, a pattern
        (``*``, ``?``, ``[``; a file whose name holds them is taken as it is) expanded to the files it matches in
        sorted order ([] when it has no path; a pattern matching no file is returned as written, so that the
        caller names it as not found).

        An absolute ``path`` or ``data_dir`` is used as it is; a relative ``data_dir`` is taken relative
        to ``root`` (default: the repository root, the folder holding ``config/`` and the package).
        """
        import glob

        given = self.source(name).path
        if given is None:
            return []
        base = Path(self.data_dir).expanduser()
        if not base.is_absolute():
            base = Path(root) if root is not None else repository_root()
            base = base / Path(self.data_dir).expanduser()
        out = []
        for entry in [given] if isinstance(given, str) else given:
            entry = str(Path(entry).expanduser())
            path = Path(os.path.normpath(base / entry))
            matched = []
            if not path.exists() and any(c in entry for c in "*?["):  # a pattern (a file named so is itself)
                root = "" if Path(entry).is_absolute() else glob.escape(str(base)) + os.sep
                matched = sorted(p for p in glob.glob(root + entry) if os.path.isfile(p))
            out += [Path(os.path.normpath(p)) for p in matched] or [path]
        return list(dict.fromkeys(out))

    def to_dict(self) -> dict:
        """Every setting, defaults filled in, as plain JSON types."""
        return self.model_dump(mode="json")


def _extended(sources: dict, name: str, chain: tuple) -> Any:
    mapping = sources[name]
    if not isinstance(mapping, dict) or mapping.get("extends") is None:
        return mapping
    base = mapping["extends"]
    if base == name or base in chain:
        raise ValueError(f"{name}: extends {base!r} makes a cycle ({' -> '.join((*chain, name, base))})")
    if base not in sources:
        raise ValueError(f"{name}: extends {base!r}, which is not a source of the config "
                         f"(sources: {', '.join(sorted(sources))})")
    merged = deep_merge(_extended(sources, base, (*chain, name)), mapping)
    if (mapping.get("description") is None and isinstance(sources[base], dict)
            and sources[base].get("description")):
        merged["description"] = f"{sources[base]['description']} ({name})"
    return merged


def repository_root() -> Path:
    """The folder holding the package (the repository root in a checkout)."""
    return Path(__file__).resolve().parents[1]


def default_config_path() -> Path:
    """The repository's config/config.yaml (beside the package), else ./config/config.yaml."""
    repo = repository_root() / "config" / "config.yaml"
    return repo if repo.exists() else Path.cwd() / "config" / "config.yaml"


def deep_merge(base: dict, over: dict) -> dict:
    """``over`` merged into ``base``, nested mappings merged key by key (as Snakemake merges config files)."""
    out = dict(base)
    for key, value in over.items():
        both = isinstance(value, dict) and isinstance(out.get(key), dict)
        out[key] = deep_merge(out[key], value) if both else value
    return out


def _read(path: Path) -> dict:
    import yaml

    if not path.exists():
        raise InputError(f"{path}: no such file (config)")
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: cannot be read as YAML or JSON ({' '.join(str(exc).split())})") from None
    if not isinstance(loaded, dict):
        raise InputError(f"{path}: expected a mapping at the top level, got {type(loaded).__name__}")
    return loaded


def load_config(paths=None, over_default: bool = False) -> dict:
    """Read YAML or JSON config files, each deep-merged over the ones before, as a plain dict (not validated).

    ``paths`` is one path, a sequence of paths, or None for the repository's ``config/config.yaml``
    (no file at all gives an empty dict: every default). With ``over_default`` the files are merged
    over the repository's config.
    """
    if paths is None:
        paths = []
        over_default = True
    elif isinstance(paths, (str, Path)):
        paths = [paths]
    paths = [Path(p) for p in paths]
    config: dict = {}
    default = default_config_path()
    if over_default and default.exists() and default.resolve() not in {p.resolve() for p in paths if p.exists()}:
        config = _read(default)
    for path in paths:
        config = deep_merge(config, _read(path))
    return config


def resolve(config: Any = None, source: str = "config") -> StudyConfig:
    """Validate a config mapping (or a :class:`StudyConfig`) into a :class:`StudyConfig`, defaults filled.

    Raises
    ------
    InputError
        One line naming ``source`` and every invalid or unknown key.
    """
    return build(StudyConfig, config, source=source)


def read_config(paths=None, over_default: bool = True) -> StudyConfig:
    """Read, merge and validate config files (see :func:`load_config`)."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    label = ", ".join(map(str, paths)) if paths else str(default_config_path())
    return resolve(load_config(paths, over_default=over_default), source=label)


def schema() -> dict:
    """The JSON schema of the config, generated from the settings classes."""
    out = StudyConfig.model_json_schema()
    out["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    out["title"] = "artstudy configuration"
    return out


def schema_text() -> str:
    """The schema as the text of ``config/schema.json``."""
    return json.dumps(schema(), indent=2, sort_keys=True) + "\n"
