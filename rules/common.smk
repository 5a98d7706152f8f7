import json
import os
import re

import yaml


# Reports, in index order: reports/<name>.html is the executed notebooks/<notebook>.ipynb.
# "inputs" maps the notebook's file parameters to the workflow files they read; "params"
# are its other (string) parameters. Every notebook also reads the resolved config.
REPORT_SPECS = {
    "01_simulation": {
        "notebook": "01_simulation",
        "inputs": {
            "replications_csv": "results/simulation/replications.csv",
            "detail_dir": "results/simulation/detail/summary.csv",
        },
        "params": {},
    },
}


def artnet_report(source):
    """Report name of the real-data analysis of one source."""
    return "02_artnet_analysis" if source == "synthetic" else f"02_artnet_analysis_{source}"


for _source in config["artnet"]["sources"]:
    REPORT_SPECS[artnet_report(_source)] = {
        "notebook": "02_artnet_analysis",
        "inputs": {
            "sales_csv": f"results/data/{_source}/sales.csv",
            "funnel_csv": f"results/data/{_source}/sales.funnel.csv",
            "pam_dir": f"results/pam/{_source}/summary.json",
            "valuation_dir": f"results/valuation/{_source}/metrics.csv",
        },
        "params": {"source": _source, "truth_dir": "results/world" if _source == "synthetic" else ""},
    }
REPORTS = list(REPORT_SPECS)

# sources prepared from raw exports, and the ones the valuation harness scores
DATA_SOURCES = list(dict.fromkeys(config["artnet"]["sources"] + config["evaluation"]["sources"]))
VALUATION_SOURCES = DATA_SOURCES
MODELS = config["evaluation"]["models"]

KERNEL = config["kernel"]
KERNEL_MARKER = f"results/kernels/{KERNEL}.registered"

REPLICATIONS = list(range(1, config["simulation"]["n_replications"] + 1))

# the config sections each kind of job reads (dumped to results/config/<part>.json, so a job
# re-runs only when its own sections change)
CONFIG_PARTS = {
    "study": list(config),
    "simulation": ["seed", "model", "truth", "simulation"],
    "world": ["seed", "world", "truth", "currency"],
    "data": ["sources", "currency"],
    "model": ["seed", "model"],
    "valuation": ["seed", "model", "evaluation"],
}


wildcard_constraints:
    rep=r"\d+",
    name="|".join(re.escape(name) for name in REPORTS),
    source="|".join(re.escape(source) for source in DATA_SOURCES),
    model="|".join(re.escape(model) for model in MODELS),
    part="|".join(CONFIG_PARTS),


localrules:
    all,
    config_part,
    register_kernel,
    sim_gather,
    render_html,
    report_index,


def report_html(names):
    return [f"reports/{name}.html" for name in names]


def config_part(name):
    """The config sections one kind of job reads, as one mapping."""
    return {key: config[key] for key in CONFIG_PARTS[name] if key in config}


def notebook_source(wildcards):
    notebook = REPORT_SPECS[wildcards.name]["notebook"]
    return os.path.join(workflow.basedir, "notebooks", f"{notebook}.ipynb")


def notebook_inputs(wildcards):
    inputs = dict(REPORT_SPECS[wildcards.name]["inputs"])
    if REPORT_SPECS[wildcards.name]["params"].get("truth_dir"):
        inputs["truth"] = "results/world/truth_coefficients.csv"
    return inputs


def notebook_parameters(wildcards, input):
    """The notebook's parameters (file paths and names only) as one YAML document for `papermill -y`.

    Inputs named *_dir are given as their folder.
    """
    spec = REPORT_SPECS[wildcards.name]
    parameters = {"config_json": str(input.config), **spec["params"]}
    for key in spec["inputs"]:
        path = str(getattr(input, key))
        parameters[key] = os.path.dirname(path) if key.endswith("_dir") else path
    return yaml.safe_dump(parameters, default_flow_style=True, width=float("inf"), sort_keys=True).strip()


def raw_export(wildcards):
    """The raw export of a source: the generated world, or the source's configured path."""
    if wildcards.source == "synthetic":
        return "results/world/raw_lots.csv"
    path = config["sources"][wildcards.source]["path"]
    return path if os.path.isabs(path) else os.path.normpath(os.path.join(workflow.basedir, path))
