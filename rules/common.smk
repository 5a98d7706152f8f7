import json
import os
import re

import yaml


# Reports (notebooks/<name>.ipynb -> reports/<name>.html), in index order.
# Each maps the notebook's file parameters to the workflow files they read.
NOTEBOOK_INPUTS = {
    "01_simulation": {
        "replications_csv": "results/simulation/replications.csv",
    },
}
REPORTS = list(NOTEBOOK_INPUTS)

KERNEL = config["kernel"]
KERNEL_MARKER = f"results/kernels/{KERNEL}.registered"

REPLICATIONS = list(range(1, config["simulation"]["n_replications"] + 1))


wildcard_constraints:
    rep=r"\d+",
    name="|".join(re.escape(name) for name in REPORTS),


localrules:
    all,
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
    return os.path.join(workflow.basedir, "notebooks", f"{wildcards.name}.ipynb")


def notebook_inputs(wildcards):
    return NOTEBOOK_INPUTS[wildcards.name]


def notebook_parameters(wildcards, input):
    """Typed papermill parameters as one YAML document, for `papermill -y`.

    yaml.safe_dump (not json.dumps) so that papermill's YAML loader reads every
    value back with its type: PyYAML would read JSON's 1e-05 as a string.
    """
    parameters = {
        "seed": config["seed"],
        "simulation": config["simulation"],
        "model": config["model"],
    }
    for key in NOTEBOOK_INPUTS[wildcards.name]:
        parameters[key] = str(getattr(input, key))
    return yaml.safe_dump(
        parameters, default_flow_style=True, width=float("inf"), sort_keys=True
    ).strip()
