import json
import os
import re

import yaml


# Reports, in index order: reports/<name>.html is the executed notebooks/<notebook>.ipynb.
# "inputs" maps the notebook's file parameters to the workflow files they read;
# "params" adds the report's own parameters to seed, model and the config section
# named by "section".
REPORT_SPECS = {
    "01_simulation": {
        "notebook": "01_simulation",
        "section": "simulation",
        "inputs": {"replications_csv": "results/simulation/replications.csv"},
        "params": {},
    },
}


def artnet_report(source):
    """Report name of the real-data analysis of one source."""
    return "02_artnet_analysis" if source == "synthetic" else f"02_artnet_analysis_{source}"


for _source in config["artnet"]["sources"]:
    REPORT_SPECS[artnet_report(_source)] = {
        "notebook": "02_artnet_analysis",
        "section": "artnet",
        "inputs": {
            "sales_csv": f"results/artnet/{_source}/sales.csv",
            "funnel_csv": f"results/artnet/{_source}/sales.funnel.csv",
        },
        "params": {
            "source": _source,
            "truth_dir": "results/world" if _source == "synthetic" else "",
            "source_mapping": config.get("sources", {}).get(_source, {}),
        },
    }
REPORTS = list(REPORT_SPECS)

KERNEL = config["kernel"]
KERNEL_MARKER = f"results/kernels/{KERNEL}.registered"

REPLICATIONS = list(range(1, config["simulation"]["n_replications"] + 1))


wildcard_constraints:
    rep=r"\d+",
    name="|".join(re.escape(name) for name in REPORTS),
    source="|".join(re.escape(source) for source in config["artnet"]["sources"]),
    section="world|data",


localrules:
    all,
    config_section,
    register_kernel,
    sim_gather,
    render_html,
    report_index,


def report_html(names):
    return [f"reports/{name}.html" for name in names]


def sim_params():
    """JSON string handed to `artstudy sim-replicate --params`."""
    return json.dumps(
        {
            "seed": config["seed"],
            "simulation": config["simulation"],
            "model": config["model"],
        },
        sort_keys=True,
    )


def notebook_source(wildcards):
    notebook = REPORT_SPECS[wildcards.name]["notebook"]
    return os.path.join(workflow.basedir, "notebooks", f"{notebook}.ipynb")


def notebook_inputs(wildcards):
    inputs = dict(REPORT_SPECS[wildcards.name]["inputs"])
    if REPORT_SPECS[wildcards.name]["params"].get("truth_dir"):
        inputs["truth"] = "results/world/truth_coefficients.csv"
    return inputs


def notebook_parameters(wildcards, input):
    """Typed papermill parameters as one YAML document, for `papermill -y`.

    yaml.safe_dump (not json.dumps) so that papermill's YAML loader reads every
    value back with its type: PyYAML would read JSON's 1e-05 as a string.
    """
    spec = REPORT_SPECS[wildcards.name]
    parameters = {
        "seed": config["seed"],
        "model": config["model"],
        spec["section"]: config[spec["section"]],
        **spec["params"],
    }
    for key in spec["inputs"]:
        parameters[key] = str(getattr(input, key))
    return yaml.safe_dump(
        parameters, default_flow_style=True, width=float("inf"), sort_keys=True
    ).strip()


def config_sections(name):
    """The config sections a CLI step reads, as one mapping (dumped to results/config/<name>.json)."""
    keys = {"world": ["seed", "world", "currency"], "data": ["sources", "currency"]}[name]
    return {key: config[key] for key in keys if key in config}


def raw_export(wildcards):
    """The raw export of a source: the generated world, or the source's configured path."""
    if wildcards.source == "synthetic":
        return "results/world/raw_lots.csv"
    path = config["sources"][wildcards.source]["path"]
    return path if os.path.isabs(path) else os.path.normpath(os.path.join(workflow.basedir, path))
