"""Raw auction exports to the canonical sales table.

Rooms: parsers by kind (:mod:`~artstudy.data.text`, :mod:`~artstudy.data.money`,
:mod:`~artstudy.data.dates`, :mod:`~artstudy.data.sizes`, :mod:`~artstudy.data.media`), source
mappings (:mod:`~artstudy.data.sources`, :mod:`~artstudy.data.mapping`), validation
(:mod:`~artstudy.data.validation`), repeat-sale linking (:mod:`~artstudy.data.linking`), the one
rules-and-funnel type (:mod:`~artstudy.data.funnel`) and :mod:`~artstudy.data.prepare`.

Every parser takes a column of text (a pandas Series or anything array-like) and returns a Series
or DataFrame aligned with it; they run on the distinct values only.
"""

from .dates import parse_date, parse_year
from .funnel import FUNNEL_COLUMNS, Funnel
from .linking import artwork_ids, normalise_title, sale_kinds
from .check import check_report, unmapped_columns
from .mapping import MAPPING_KEYS, MappingWarning, describe_source, render_template, template_fields
from .media import MATERIALS, SUPPORTS, is_painting_or_drawing, parse_medium, parse_signature, parse_sold
from .money import convert_currency, parse_currency, parse_estimate, parse_price
from .plausible import excluded_lots, excluded_path
from .prepare import (analysis_sample, funnel_path, prepare_file, prepare_files, prepare_table, read_raw,
                      write_prepared)
from .rates import read_rates
from .several import prepare_sources
from .sizes import parse_size, size_from_columns
from .sources import FIELDS, Columns, Constants, CurrencySettings, Plausible, SourceMapping, StudyWindow
from .text import fold, normalise_artist
from .validation import CANONICAL_COLUMNS, PAM_COLUMNS, canonical_schema, check_sales, read_sales, read_table

__all__ = [
    # parsers
    "parse_price", "parse_estimate", "parse_currency", "convert_currency", "parse_year", "parse_date",
    "parse_size", "size_from_columns", "parse_medium", "is_painting_or_drawing", "parse_signature", "parse_sold",
    "fold", "normalise_artist", "read_rates",
    # linking repeat sales
    "normalise_title", "artwork_ids", "sale_kinds",
    # source mappings
    "SourceMapping", "Columns", "Constants", "Plausible", "CurrencySettings", "StudyWindow", "FIELDS", "MAPPING_KEYS",
    "MappingWarning", "render_template", "template_fields", "describe_source",
    # the canonical table, validation and the funnel
    "CANONICAL_COLUMNS", "PAM_COLUMNS", "MATERIALS", "SUPPORTS", "canonical_schema", "check_sales", "read_sales",
    "read_table", "Funnel", "FUNNEL_COLUMNS",
    # preparing an export
    "read_raw", "prepare_table", "analysis_sample", "write_prepared", "funnel_path", "prepare_file", "prepare_files",
    "prepare_sources", "check_report", "unmapped_columns", "excluded_lots", "excluded_path",
]
