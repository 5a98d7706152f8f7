import json
import os
import re
import shlex

import yaml
from snakemake.exceptions import WorkflowError

import artstudy
from artstudy.models.deep.settings import DEEP_MODEL_NAMES
from artstudy.models.registry import ESTIMATES, conformal_base
from artstudy.settings import resolve
from artstudy.study.metadata import code_files, file_digests, notebook_imports


# Output folders: every profile writes its own, so profiles never overwrite each other:
#   results/<profile>/  intermediate files (config parts, world, data, fits, notebooks, run.json)
#   reports/<profile>/  reports: NAME.html (reader's view), NAME.code.html (with code), metadata.json
#   logs/<profile>/     one log per job
# The profile is the config's top-level `profile` (default full; config/quick.yaml sets quick,
# config/real_new_york.yaml new_york). reports/index.html lists the reports of every profile.
PROFILE = config["profile"]
RESULTS = f"results/{PROFILE}/"
REPORTS_DIR = f"reports/{PROFILE}/"
LOGS = f"logs/{PROFILE}/"
INDEX = "reports/index.html"
RUN_JSON = f"{RESULTS}run.json"

# sources prepared from raw exports, and the ones the valuation harness scores
DEEP_SOURCES = list(config["deep"]["sources"])
DATA_SOURCES = list(dict.fromkeys(config["artnet"]["sources"] + config["evaluation"]["sources"] + DEEP_SOURCES))
VALUATION_SOURCES = DATA_SOURCES
MODELS = config["evaluation"]["models"]
# the deep models (Keras; trained by rules/deep.smk, on any source named in evaluation.models, and on the
# image sources of deep.sources with deep.models)
DEEP_MODELS = list(DEEP_MODEL_NAMES)


def valuation_fit_inputs(wildcards):
    inputs = {"sales": f"{RESULTS}data/{wildcards.source}/sales.csv", "config": f"{RESULTS}config/valuation.json",
              "code": code_input(f"fit_{wildcards.model}")}
    if wildcards.model == "oracle":
        inputs["truth"] = f"{RESULTS}world/truth_lots.csv"
    return inputs


def source_models(source):
    """The models scored on a source: the config's, the deep ones on deep.sources, the oracle on the synthetic world."""
    models = list(MODELS)
    if source in DEEP_SOURCES:
        models += [m for m in config["deep"]["models"] if m not in models]
    if source == "synthetic" and "oracle" not in models:
        models.append("oracle")
    return models


def deep_fit_inputs(wildcards):
    """A deep model's inputs: the sales and its config part (a trained encoder, deep.encoder, is named there);
    cnn_lstm also the source's multimodal run, whose picture embeddings it reads."""
    inputs = {"sales": f"{RESULTS}data/{wildcards.source}/sales.csv", "config": f"{RESULTS}config/deep.json",
              "code": code_input(f"fit_{wildcards.model}")}
    if wildcards.model == "cnn_lstm":
        inputs["encoder_run"] = f"{RESULTS}deep/{wildcards.source}/multimodal/summary.json"
    return inputs


def deep_fit_options(wildcards, input):
    """Extra valuation-fit options of a deep model: cnn_lstm's --embeddings (beside its multimodal run's summary)."""
    if wildcards.model != "cnn_lstm":
        return ""
    npz = os.path.join(os.path.dirname(input.encoder_run), "picture_embeddings.npz")
    return f"--embeddings {shlex.quote(npz)}"


def deep_report(source):
    """Report name of the deep-valuation analysis of one source."""
    return "03_deep_valuation" if source == "synthetic" else f"03_deep_valuation_{source}"


def sequences_report(source):
    """Report name of the sequences-and-uncertainty analysis of one source."""
    return "04_sequences_uncertainty" if source == "synthetic" else f"04_sequences_uncertainty_{source}"


def artnet_report(source):
    """Report name of the real-data analysis of one source."""
    return "02_artnet_analysis" if source == "synthetic" else f"02_artnet_analysis_{source}"


def _source_label(source):
    mapping = config["sources"].get(source, {})
    return mapping.get("description") or source


# Reports, in index order: reports/<profile>/<name>.html is the executed notebooks/<notebook>.ipynb.
# "inputs" maps the notebook's file parameters to the workflow files they read; "params" are its
# other (string) parameters, among them its title; "description" is the index's line on it. Every
# notebook also reads the resolved config (config_json) and the run's facts (run_json).
REPORT_SPECS = {
    "01_simulation": {
        "notebook": "01_simulation",
        "title": "Simulation study of the popularity-ability model",
        "description": (
            f"Monte Carlo EM on {config['simulation']['n_replications']} markets drawn from the model: bias, "
            "coverage of the intervals and sampler efficiency against the known parameters."
        ),
        "inputs": {
            "replications_csv": f"{RESULTS}simulation/replications.csv",
            "detail_dir": f"{RESULTS}simulation/detail/summary.csv",
        },
        "params": {},
    },
}

for _source in config["artnet"]["sources"]:
    _synthetic = _source == "synthetic"
    REPORT_SPECS[artnet_report(_source)] = {
        "notebook": "02_artnet_analysis",
        "title": (
            "Popularity-ability analysis of the synthetic Artnet-like world"
            if _synthetic
            else f"Popularity-ability analysis of {_source_label(_source)}"
        ),
        "description": (
            "The paper's real-data analysis on a generated world with known truth: estimates and ability "
            "paths against the truth, valuation of later sales."
            if _synthetic
            else f"The paper's real-data analysis on {_source_label(_source)} (source {_source}): estimates "
            "against the paper's Table 2, ability paths, model checks, valuation of later sales."
        ),
        "inputs": {
            "sales_csv": f"{RESULTS}data/{_source}/sales.csv",
            "funnel_csv": f"{RESULTS}data/{_source}/sales.funnel.csv",
            "pam_dir": f"{RESULTS}pam/{_source}/summary.json",
            "valuation_dir": f"{RESULTS}valuation/{_source}/metrics.csv",
        },
        "params": {"source": _source, "truth_dir": f"{RESULTS}world" if _synthetic else ""},
    }
for _source in DEEP_SOURCES:
    _synthetic = _source == "synthetic"
    REPORT_SPECS[deep_report(_source)] = {
        "notebook": "03_deep_valuation",
        "title": (
            "Deep valuation of the synthetic world: pictures with tabular data"
            if _synthetic
            else f"Deep valuation of {_source_label(_source)}: pictures with tabular data"
        ),
        "description": (
            "Multi-modal Keras models against tabular baselines and the oracle, on repeat and fresh-to-market "
            "sales: image gain, learning curves, Grad-CAM against the true quality region, embedding maps."
            if _synthetic
            else f"Multi-modal Keras models against tabular baselines on {_source_label(_source)} (source "
            f"{_source}): image gain on repeat and fresh-to-market sales, Grad-CAM, embedding maps."
        ),
        "inputs": {
            "sales_csv": f"{RESULTS}data/{_source}/sales.csv",
            "metrics_csv": f"{RESULTS}valuation/{_source}/metrics.csv",
            "predictions_dir": f"{RESULTS}valuation/{_source}/differences.csv",
            "deep_dir": [f"{RESULTS}deep/{_source}/{m}/summary.json" for m in config["deep"]["models"]],
        },
        "params": {"source": _source, "truth_dir": f"{RESULTS}world" if _synthetic else ""},
    }
for _source in config["evaluation"]["sources"]:
    _synthetic = _source == "synthetic"
    REPORT_SPECS[sequences_report(_source)] = {
        "notebook": "04_sequences_uncertainty",
        "title": (
            "Sequences and uncertainty on the synthetic world: the artist's earlier sales and predictive distributions"
            if _synthetic
            else f"Sequences and uncertainty on {_source_label(_source)}: the artist's earlier sales and "
            "predictive distributions"
        ),
        "description": (
            ("Models over the artist's earlier sales (LSTM, CNN-LSTM, trees with lags) against the same models "
             "without them; every model's 80% and 95% intervals, their coverage, width and calibration.")
            + ("" if _synthetic else f" Source {_source}.")
        ),
        "inputs": {
            "sales_csv": f"{RESULTS}data/{_source}/sales.csv",
            "metrics_csv": f"{RESULTS}valuation/{_source}/metrics.csv",
            "predictions_dir": f"{RESULTS}valuation/{_source}/differences.csv",
        },
        "params": {"source": _source, "truth_dir": f"{RESULTS}world" if _synthetic else ""},
    }
for _spec in REPORT_SPECS.values():
    _spec["params"]["title"] = _spec["title"]
REPORTS = list(REPORT_SPECS)

KERNEL = config["kernel"]
KERNEL_MARKER = f"{RESULTS}kernels/{KERNEL}.registered"

REPLICATIONS = list(range(1, config["simulation"]["n_replications"] + 1))

# the config sections each kind of job reads (dumped to results/<profile>/config/<part>.json, so a
# job re-runs only when its own sections change)
CONFIG_PARTS = {
    "study": list(config),
    "simulation": ["seed", "model", "truth", "simulation"],
    "world": ["seed", "world", "truth", "currency"],
    "data": ["sources", "currency"],
    "model": ["seed", "model"],
    "valuation": ["seed", "model", "evaluation"],
    "deep": ["seed", "model", "evaluation", "deep"],
}


wildcard_constraints:
    rep=r"\d+",
    name="|".join(re.escape(name) for name in REPORTS),
    source="|".join(re.escape(source) for source in DATA_SOURCES),
    model="|".join(re.escape(model) for model in dict.fromkeys(MODELS + DEEP_MODELS + ["oracle"])),
    part="|".join(CONFIG_PARTS),


localrules:
    all,
    config_part,
    code_part,
    register_kernel,
    sim_gather,
    render_html,
    report_index,


# Threads. Every job's shell command starts with with_threads(): the thread counts of the numerical
# libraries (OpenMP, OpenBLAS, MKL, Accelerate, numexpr) are the job's threads, so a job scheduled with
# N cores uses N, on a laptop and on a cluster node alike. (Snakemake sets the same variables for shell
# jobs; writing them into the command makes them part of the job, visible with -p, and keeps them when
# the job runs through a cluster's job script.) LightGBM reads evaluation.trees.threads, which is the
# threads of its valuation_fit jobs (valuation_fit_threads). JAX/XLA (the deep models) has no thread
# setting: its CPU thread pool takes every CPU the process may run on, which on Slurm is the job's
# cpus-per-task (its threads); XLA_FLAGS=--xla_cpu_multi_thread_eigen=false does not cap it (JAX 0.10).
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
                    "NUMEXPR_NUM_THREADS")
# the models of the harness that train LightGBM (with and without the house's estimates)
TREE_MODELS = ("gbt", "gbt_lags")


def with_threads(command):
    """The shell command run with the numerical libraries' thread counts set to the job's {threads}."""
    exports = " ".join(f"{name}={{threads}}" for name in THREAD_VARIABLES)
    return f"export {exports}; {command}"


def valuation_fit_threads(wildcards):
    """Threads of a valuation fit: LightGBM's evaluation.trees.threads for the tree models, else 1."""
    if wildcards.model.removesuffix(ESTIMATES) in TREE_MODELS:
        return config["evaluation"]["trees"]["threads"]
    return 1


def report_html(names):
    return [f"{REPORTS_DIR}{name}.html" for name in names]


def config_part(name):
    """The config sections one kind of job reads, as one mapping."""
    return {key: config[key] for key in CONFIG_PARTS[name] if key in config}


def notebook_source(wildcards):
    notebook = REPORT_SPECS[wildcards.name]["notebook"]
    return os.path.join(workflow.basedir, "notebooks", f"{notebook}.ipynb")


def notebook_inputs(wildcards):
    inputs = dict(REPORT_SPECS[wildcards.name]["inputs"])
    inputs["code"] = code_input(f"notebook_{REPORT_SPECS[wildcards.name]['notebook']}")
    if REPORT_SPECS[wildcards.name]["params"].get("truth_dir"):
        inputs["truth"] = f"{RESULTS}world/truth_coefficients.csv"
    return inputs


def notebook_parameters(wildcards, input):
    """The notebook's parameters (file paths, names and its title) as one YAML document for `papermill -y`.

    Inputs named *_dir are given as their folder. run_json (the run's facts, written when the
    workflow starts) is a parameter, not an input: it changes every run.
    """
    spec = REPORT_SPECS[wildcards.name]
    parameters = {"config_json": str(input.config), "run_json": RUN_JSON, **spec["params"]}
    for key in spec["inputs"]:
        value = getattr(input, key)
        path = str(value) if isinstance(value, str) else str(value[0])
        # *_dir inputs name a file (or files) inside the folder the notebook reads; a deep_dir names
        # files of <deep>/<source>/<model>/: the notebook gets <deep>/<source>
        folder = os.path.dirname(path)
        parameters[key] = (os.path.dirname(folder) if key == "deep_dir" else folder) if key.endswith("_dir") else path
    return yaml.safe_dump(parameters, default_flow_style=True, width=float("inf"), sort_keys=True).strip()


def _raw_exports():
    """Every configured real source's raw export(s), resolved under data_dir; stops with one line when absent."""
    settings = resolve(config, source="workflow config")
    paths = {}
    for source in DATA_SOURCES:
        if source == "synthetic":
            continue
        found = settings.source_paths(source, root=workflow.basedir)
        if not found:
            raise WorkflowError(f"source {source}: the config gives no path for its raw export (sources.{source}.path)")
        absent = [path for path in found if not path.is_file()]
        if absent and len(absent) == len(found):
            given = config["sources"][source]["path"]
            given = given if isinstance(given, str) else ", ".join(given)
            raise WorkflowError(
                f"source {source}: raw export {absent[0]} not found; data_dir is {config['data_dir']!r} (relative "
                f"to {workflow.basedir}): set data_dir to the folder holding {given} "
                f"(e.g. --config data_dir=/path/to/data)"
            )
        if absent:
            raise WorkflowError(f"source {source}: raw export {absent[0]} not found (sources.{source}.path; the "
                                f"other files of the source are there)")
        paths[source] = [str(path) for path in found]
    return paths


RAW_EXPORTS = _raw_exports()


def raw_export(wildcards):
    """The raw export(s) of a source: the generated world, or the source's path(s) under data_dir (several files
    of one layout make one table)."""
    if wildcards.source == "synthetic":
        return f"{RESULTS}world/raw_lots.csv"
    return RAW_EXPORTS[wildcards.source]


# Code parts (rules/code.smk): the code each kind of job runs, code/<unit>.json, an input of its jobs.
# The package the jobs run is the one this workflow imports (a checkout's, with its .venv).
PACKAGE_DIR = os.path.dirname(os.path.abspath(artstudy.__file__))

# the modules of each model of the registry, below artstudy.models (a +estimates model: its base's
# and artstudy.models.estimates; see model_code_roots)
MODEL_MODULES = {
    "naive": ["baselines"], "hedonic": ["baselines"], "hedonic_pop": ["baselines"], "artist_fe": ["baselines"],
    "artist_fe_pop": ["baselines"], "random_effects": ["baselines"], "pam": ["pam.estimator"],
    "gbt": ["trees"], "gbt_lags": ["trees"], "oracle": ["oracle"],
    "mlp": ["deep.estimators"], "cnn": ["deep.estimators"], "multimodal": ["deep.estimators"],
    "lstm": ["deep.sequence"], "cnn_lstm": ["deep.sequence"],
}
# only the deep models' valuation fits save artifacts (artstudy valuation-fit --save)
ARTIFACTS = "artstudy.models.deep.artifacts"


def model_code_roots(model):
    """The modules a valuation fit of ``model`` runs: the command, the model's modules, its wrappers."""
    base = conformal_base(model)
    if base not in MODEL_MODULES:
        raise WorkflowError(f"model {model}: rules/common.smk names no modules for it (MODEL_MODULES)")
    roots = ["artstudy.cli.valuation"] + [f"artstudy.models.{module}" for module in MODEL_MODULES[base]]
    if model != base:
        roots.append("artstudy.models.estimates")
    if {model, base} & set(config["evaluation"]["conformal"]):
        roots.append("artstudy.evaluation.conformal")
    if model in DEEP_MODELS:
        roots.append(ARTIFACTS)
    return roots


def _code_units():
    """unit -> (root modules, modules skipped, other files): the kinds of job and what they run."""
    units = {
        "world": (["artstudy.cli.world"], [], []),
        "prepare": (["artstudy.cli.prepare"], [], []),
        "simulation": (["artstudy.cli.simulation"], [], []),
        "pam_fit": (["artstudy.cli.pam_fit"], [], []),
        "valuation_score": (["artstudy.cli.valuation"], [ARTIFACTS], []),
        "render": (["artstudy.cli.render"], [], []),
        "index": (["artstudy.cli.report_index"], [], []),
    }
    for model in dict.fromkeys(MODELS + DEEP_MODELS + ["oracle"]):
        roots = model_code_roots(model)
        units[f"fit_{model}"] = (roots, [] if ARTIFACTS in roots else [ARTIFACTS], [])
    for spec in REPORT_SPECS.values():
        notebook = f"notebooks/{spec['notebook']}.ipynb"  # the notebook itself, and what it imports
        path = os.path.join(workflow.basedir, notebook)
        units[f"notebook_{spec['notebook']}"] = (notebook_imports(path, PACKAGE_DIR), [], [notebook])
    return units


def _code_text(roots, skip, others):
    """The code part: the root modules and {file: SHA-256} of their closure, then of ``others`` (under the
    workflow's folder)."""
    files = code_files(roots, package=PACKAGE_DIR, skip=skip)
    digests = {**file_digests(files, os.path.dirname(PACKAGE_DIR)), **file_digests(others, workflow.basedir)}
    return json.dumps({"roots": roots, "files": digests}, indent=1)


CODE_TEXT = {unit: _code_text(*spec) for unit, spec in _code_units().items()}


def code_input(unit):
    """The code part of a kind of job (an input of its jobs)."""
    return f"{RESULTS}code/{unit}.json"
