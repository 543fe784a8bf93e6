"""Print setup shared by every workbook we write: A4 landscape, one page wide."""

from __future__ import annotations

from openpyxl.worksheet.page import PageMargins


def landscape_a4(ws, header_row: int, margins: PageMargins) -> None:
    """A4 landscape, fit to one page wide, the header row repeated on every page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_margins = margins
    ws.print_options.horizontalCentered = True
