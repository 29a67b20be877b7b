"""Reading inputs (CSV, Excel, Parquet, PxWeb) and writing outputs atomically."""

from rfm.io.atomic import atomic_path, write_bytes_atomic, write_text_atomic
from rfm.io.readers import BUILTIN_READERS, Reader, read_table
from rfm.io.table import ROW, RawTable

__all__ = [
    "BUILTIN_READERS",
    "ROW",
    "RawTable",
    "Reader",
    "atomic_path",
    "read_table",
    "write_bytes_atomic",
    "write_text_atomic",
]
