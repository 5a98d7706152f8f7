# The deep valuation models (Keras) on the sources of deep.sources: one job per (source, model)
# fits on the training years, predicts the test years (the harness's predictions table, scored
# with the other models by valuation_score) and leaves the model, its learning curves, the
# embedding map, Grad-CAM maps and every picture's embedding under deep/<source>/<model>/ for the
# report and later rules, with its wall times apart in timing.json (every other file is the same
# in two runs). With deep.fusion embeddings (the default) the multi-modal model learns its image
# encoder once on at most deep.max_image_rows rows and reuses its embeddings for the rest.
# The sequence models (lstm; cnn_lstm, which reads the multimodal job's picture embeddings) run here too,
# also on sources without pictures when evaluation.models names them (lstm on the New York data).


rule deep_fit:
    input:
        unpack(deep_fit_inputs),
    output:
        predictions=f"{RESULTS}valuation/{{source}}/predictions/{{model}}.csv",
        model=f"{RESULTS}deep/{{source}}/{{model}}/model.keras",
        history=f"{RESULTS}deep/{{source}}/{{model}}/history.csv",
        summary=f"{RESULTS}deep/{{source}}/{{model}}/summary.json",
        timing=f"{RESULTS}deep/{{source}}/{{model}}/timing.json",
    wildcard_constraints:
        model="|".join(DEEP_MODELS),
    params:
        outdir=lambda wildcards, output: os.path.dirname(output.summary),
        options=deep_fit_options,
    log:
        f"{LOGS}deep_fit/{{source}}/{{model}}.log",
    threads: 2
    resources:
        mem_mb=8000,
        runtime=60,
        gpu=config["deep"]["gpus"],
    conda:
        "../environment.yml"
    shell:
        with_threads(
            "artstudy valuation-fit {input.sales:q} --model {wildcards.model:q} --out {output.predictions:q} "
            "--config {input.config:q} --save {params.outdir:q} {params.options} > {log:q} 2>&1"
        )
