"""Import and export of tables (CSV, Excel, Parquet), shared by the Data page and the command line.

- `read`: a file into text columns, refused before reading when it would unpack past the limits;
- `fields`: what each kind of record can import, and the names other systems use;
- `mapping`: auto-detected, adjusted or TOML column mappings;
- `parse`: vectorised field parsing with a reason per bad value;
- `resolve`, `plan`, `plan_opportunities`, `plan_orders`: matching to the store and the plan of writes;
- `report`: what the user reads afterwards;
- `export`: files out, formulas neutralised;
- `output`: the command line's files written atomically, never over the database or an input.
"""

from crm_core.io.export import EXPORT_FORMATS, export_format, frame_bytes, neutralise_formulas
from crm_core.io.fields import FIELDS, Field, FieldType, Kind, fields_for
from crm_core.io.mapping import ColumnMapping, detect_mapping, parse_mapping_toml
from crm_core.io.plan import ImportOptions
from crm_core.io.read import MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, read_table_file
from crm_core.io.report import ImportReport

__all__ = [
    "EXPORT_FORMATS",
    "FIELDS",
    "MAX_IMPORT_BYTES",
    "MAX_IMPORT_ROWS",
    "ColumnMapping",
    "Field",
    "FieldType",
    "ImportOptions",
    "ImportReport",
    "Kind",
    "detect_mapping",
    "export_format",
    "fields_for",
    "frame_bytes",
    "neutralise_formulas",
    "parse_mapping_toml",
    "read_table_file",
]
