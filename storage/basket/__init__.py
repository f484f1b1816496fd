"""Lokalny Koszyk Usług: the catalogue of services a municipality's institutions offer.

Import and export of the files coordinators keep it in (CSV, XLSX), search as people type,
browsing by category. `from storage import basket`.
"""

from storage.basket.importer import (
    ImportReport,
    Unknown,
    export_rows,
    find_municipality,
    import_rows,
)
from storage.basket.lookup import (
    SearchPage,
    ServiceHit,
    by_category,
    get_service,
    municipality_of_member,
    search,
)
from storage.basket.reading import (
    COLUMNS,
    MAX_FILE_BYTES,
    TOO_LARGE,
    BasketFileError,
    BasketFileTooBig,
    read_table,
)
from storage.basket.rows import BasketImportError
from storage.basket.upload import read_upload
from storage.basket.vocabulary import CATEGORIES, SECTOR_NAMES, SECTOR_SYNONYMS
from storage.basket.writing import template_xlsx, write_csv, write_xlsx

__all__ = [
    "CATEGORIES",
    "COLUMNS",
    "MAX_FILE_BYTES",
    "SECTOR_NAMES",
    "SECTOR_SYNONYMS",
    "TOO_LARGE",
    "Unknown",
    "BasketFileError",
    "BasketFileTooBig",
    "BasketImportError",
    "ImportReport",
    "SearchPage",
    "ServiceHit",
    "by_category",
    "export_rows",
    "find_municipality",
    "get_service",
    "import_rows",
    "municipality_of_member",
    "read_table",
    "read_upload",
    "search",
    "template_xlsx",
    "write_csv",
    "write_xlsx",
]
