"""The study's configuration: loading YAML/JSON files deep-merged as Snakemake does."""

from __future__ import annotations

from pathlib import Path

from .errors import InputError

__all__ = ["default_config_path", "load_config"]


def default_config_path() -> Path:
    """The repository's config/config.yaml (beside the package), else ./config/config.yaml."""
    repo = Path(__file__).resolve().parents[1] / "config" / "config.yaml"
    return repo if repo.exists() else Path.cwd() / "config" / "config.yaml"


def _deep_merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        both = isinstance(value, dict) and isinstance(out.get(key), dict)
        out[key] = _deep_merge(out[key], value) if both else value
    return out


def load_config(paths=None) -> dict:
    """Read YAML or JSON config files, each deep-merged over the ones before (as Snakemake does).

    ``paths`` is one path, a sequence of paths, or None for :func:`default_config_path`.
    """
    import yaml

    if paths is None:
        paths = [default_config_path()]
    elif isinstance(paths, (str, Path)):
        paths = [paths]
    config: dict = {}
    for path in map(Path, paths):
        if not path.exists():
            raise InputError(f"{path}: no such file (config)")
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise InputError(f"{path}: cannot be read as YAML or JSON ({exc})") from exc
        if not isinstance(loaded, dict):
            raise InputError(f"{path}: expected a mapping at the top level, got {type(loaded).__name__}")
        config = _deep_merge(config, loaded)
    return config
