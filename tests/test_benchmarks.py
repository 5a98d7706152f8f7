"""Benchmark figures are kept in one place: benchmarks/results/, copied into the README."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_benchmark_figures_come_from_the_recorded_results():
    # the README never types a benchmark figure: its block is the recorded results, copied by benchmarks/record.py
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_record", ROOT / "benchmarks" / "record.py")
    record = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(record)
    text = (ROOT / "README.md").read_text()
    block = text[text.index(record.START):text.index(record.END) + len(record.END)]
    assert block == record.readme_block(), "run: python benchmarks/record.py"
    for name in record.ORDER:
        assert (ROOT / "benchmarks" / "results" / f"{name}.md").is_file(), f"run the {name} benchmark with --record"
